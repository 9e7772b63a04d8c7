"""Residents of a sealed zone (封控区) stay home and are sampled at the door: the point
planner gives their building no slot and the reminders never ask them to come (issue 8,
item 3)."""

import pytest

from tongxin.testing.models import PlanSlot
from tongxin.testing.services.plans import make_plan
from tongxin.testing.services.reminders import reminder_groups, send_slot_reminders
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


def _seal(estates, incident, chief):
    designate_zone(estates.b1, "sealed", incident, at=local(5, 21), reason="发现阳性",
                   decided_by=chief)  # fmt: skip


def test_the_planner_gives_a_sealed_building_no_slot(slow_round, estates, incident, chief):
    _seal(estates, incident, chief)
    make_plan(slow_round, by=chief)
    planned = set(PlanSlot.objects.filter(round=slow_round).values_list("place_id", flat=True))
    assert estates.b1.pk not in planned
    assert {estates.b2.pk, estates.b3.pk} <= planned


def test_reminders_leave_out_a_building_sealed_after_the_plan(
    slow_round, estates, cadres, incident, chief, django_capture_on_commit_callbacks
):
    make_plan(slow_round, by=chief)
    _seal(estates, incident, chief)
    groups = reminder_groups(slow_round, cadres.leader)
    households = {row.household.pk for group in groups for row in group.rows}
    assert estates.h101.pk not in households and estates.h102.pk not in households
    assert estates.h201.pk in households
    slot = PlanSlot.objects.get(round=slow_round, place=estates.b1)
    with django_capture_on_commit_callbacks(execute=True):
        result = send_slot_reminders(slow_round, cadres.leader, slot)
    assert (result.households, result.phones) == (0, 0)
