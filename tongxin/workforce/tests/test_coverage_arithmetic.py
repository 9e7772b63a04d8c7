import pytest

from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.services.coverage import coverage
from tongxin.workforce.services.shifts import assign

from .conftest import local

pytestmark = pytest.mark.django_db


def test_gap_is_demand_minus_assigned_per_qualification(incident, team, town) -> None:
    post = make_post(incident, place=town.sunny)
    shift = make_shift(post, local(6, 5), 5, {"sampling": 6, "registrar": 2})
    for _ in range(4):
        assign(shift, MemberFactory(incident=incident, team=team), "sampling")
    assign(
        shift,
        MemberFactory(incident=incident, team=team, qualifications=["registrar"]),
        "registrar",
    )

    report = coverage(incident, local(6).date())

    [line] = report.shifts
    assert line.as_dict()["demand"] == {"sampling": 6, "registrar": 2}
    assert line.as_dict()["assigned"] == {"sampling": 4, "registrar": 1}
    assert line.as_dict()["gap"] == {"sampling": 2, "registrar": 1}
    assert report.totals == {"shifts": 1, "short_shifts": 1, "demand": 8, "assigned": 5, "gap": 3}


def test_more_people_than_asked_for_is_no_gap_and_does_not_hide_another(
    incident, team, town
) -> None:
    post = make_post(incident, place=town.sunny)
    shift = make_shift(post, local(6, 5), 5, {"sampling": 1, "registrar": 1})
    for _ in range(3):
        assign(shift, MemberFactory(incident=incident, team=team), "sampling")
    [line] = coverage(incident, local(6).date()).shifts
    assert line.as_dict()["gap"] == {"sampling": 0, "registrar": 1}
    assert line.gap == 1


def test_gaps_first_and_township_filter(incident, team, town) -> None:
    full = make_post(incident, "幸福小区采样点", place=town.happy)
    short = make_post(incident, "南山村采样点", place=town.far)
    covered = make_shift(full, local(6, 5), 5, {"sampling": 1})
    make_shift(short, local(6, 6), 5, {"sampling": 2})
    assign(covered, MemberFactory(incident=incident, team=team), "sampling")
    # A shift of the next day is not the 6th's.
    make_shift(short, local(7, 5), 5, {"sampling": 9})

    report = coverage(incident, local(6).date())
    assert [s.post.name for s in report.shifts] == ["南山村采样点", "幸福小区采样点"]
    assert [s.gap for s in report.shifts] == [2, 0]

    only = coverage(incident, local(6).date(), township=town.township)
    assert [s.post.name for s in only.shifts] == ["幸福小区采样点"]
