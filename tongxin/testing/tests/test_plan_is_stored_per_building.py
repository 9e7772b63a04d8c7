"""Planning a round from the database: one window per building, back to back at the point."""

import pytest

from tongxin.people.models import ResidenceStatus
from tongxin.testing.models import ExemptionReason, PlanSlot
from tongxin.testing.services.plans import make_plan, plan_units
from tongxin.testing.services.rounds import exempt

from .conftest import local, residents

pytestmark = pytest.mark.django_db


def _windows(round_):
    return [
        (s.place.name, s.starts_at, s.ends_at, s.people, s.households)
        for s in PlanSlot.objects.filter(round=round_).select_related("place").order_by("starts_at")
    ]


def test_buildings_follow_one_another_at_the_point(slow_round, estates, chief) -> None:
    made = make_plan(slow_round, by=chief)
    assert made.plan.feasible and made.plan.summary["people"] == 8
    assert _windows(slow_round) == [
        ("1幢", local(6, 7), local(6, 9), 4, 2),
        ("2幢", local(6, 9), local(6, 10), 2, 1),
        ("3幢", local(6, 10), local(6, 11), 2, 1),
    ]
    assert made.plan.people_per_sampler_hour == 2


def test_people_not_coming_are_not_planned(slow_round, estates, chief) -> None:
    away = residents(estates.h201, 1, residence_status=ResidenceStatus.AWAY)
    person = residents(estates.h301, 1)[0]
    exempt(slow_round, person, ExemptionReason.BEDRIDDEN, by=chief)
    assert away  # registered, but away: not expected
    units = {u.key: u.people for u in plan_units(slow_round)}
    assert units == {estates.b1.pk: 4, estates.b2.pk: 2, estates.b3.pk: 2}


def test_planning_again_replaces_the_schedule(slow_round, estates, chief) -> None:
    make_plan(slow_round, by=chief)
    residents(estates.h301, 2)
    make_plan(slow_round, by=chief)
    assert PlanSlot.objects.filter(round=slow_round).count() == 3
    assert _windows(slow_round)[-1] == ("3幢", local(6, 10), local(6, 12), 4, 1)


def test_a_large_building_is_planned_stairwell_by_stairwell(round_, chief, point_a) -> None:
    from tongxin.factories import household
    from tongxin.testing.services.rounds import attach_point

    h1 = household("阳光小区", "9", "101", stairwell="1")
    h2 = household("阳光小区", "9", "201", stairwell="2")
    residents(h1, 3)
    residents(h2, 2)
    attach_point(round_, point_a)
    units = {u.key: u.people for u in plan_units(round_, split_above=4)}
    assert units == {h1.parent.pk: 3, h2.parent.pk: 2}
    units = {u.key: u.people for u in plan_units(round_, split_above=10)}
    assert units == {h1.parent.parent.pk: 5}
