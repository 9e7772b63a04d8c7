import pytest

from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Assignment
from tongxin.workforce.services.coverage import coverage
from tongxin.workforce.services.shifts import assign
from tongxin.workforce.services.suggest import apply, suggest

from .conftest import local

pytestmark = pytest.mark.django_db


def test_gaps_are_filled_near_first_by_the_qualified_and_rested(incident, team, town) -> None:
    here = make_shift(make_post(incident, "芹阳点", place=town.sunny), local(6, 18), 4,
                      {"sampling": 1})  # fmt: skip
    there = make_shift(make_post(incident, "南山点", place=town.far), local(6, 18), 4,
                       {"sampling": 1})  # fmt: skip
    local_one = MemberFactory(incident=incident, team=team, name="芹阳人", area=town.h101)
    far_one = MemberFactory(incident=incident, team=team, name="南山人", area=town.far)
    MemberFactory(incident=incident, team=team, name="司机", qualifications=["driver"],
                  area=town.h101)  # fmt: skip
    tired = MemberFactory(incident=incident, team=team, name="已干十小时", area=town.h101)
    long_day = make_shift(make_post(incident, "仓库", place=town.sunny), local(6, 6), 10,
                          {"sampling": 1})  # fmt: skip
    assign(long_day, tired, "sampling")
    busy = MemberFactory(incident=incident, team=team, name="晚上有班", area=town.far)
    evening = make_shift(make_post(incident, "卡口", place=town.far), local(6, 17), 6,
                         {"sampling": 1})  # fmt: skip
    assign(evening, busy, "sampling")

    result = suggest(incident, local(6).date())
    placed = {(p.post, p.member) for p in result.proposals}
    assert placed == {("芹阳点", "芹阳人"), ("南山点", "南山人")}
    assert all(p.near for p in result.proposals) and result.unfilled == 0

    done, refused = apply(result)
    assert (done, refused) == (2, [])
    assert Assignment.objects.get(shift=here).member == local_one
    assert Assignment.objects.get(shift=there).member == far_one
    assert coverage(incident, local(6).date()).totals["gap"] == 0


def test_nobody_is_proposed_twice_for_the_same_hours(incident, team, town) -> None:
    for n in range(3):
        make_shift(make_post(incident, f"{n}号点", place=town.sunny), local(6, 5), 5,
                   {"sampling": 2})  # fmt: skip
    for _n in range(4):
        MemberFactory(incident=incident, team=team, area=town.h101)
    result = suggest(incident, local(6).date())
    assert len(result.proposals) == 4 and result.unfilled == 2
    assert len({p.member_id for p in result.proposals}) == 4
