"""The demo's round: in progress on the big estate, five points, a feasible plan."""

import datetime as dt

import pytest

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UserFactory, household
from tongxin.testing.demo import load_demo_testing
from tongxin.testing.models import PlanSlot, ReminderEntry, RoundStatus, TestRound
from tongxin.testing.services.reminders import reminder_groups

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_estate():  # type: ignore[no-untyped-def]
    for number in range(1, 49):
        PersonFactory(household=household("城东嘉苑", str(number), "101"))
        PersonFactory(household=household("城东嘉苑", str(number), "102"))
    return household("城东嘉苑", "1", "101").parent.parent


def test_the_demo_round_is_in_progress_with_five_points_and_a_plan(
    big_estate, incident, chief
) -> None:
    now = local(6, 10)
    summary = load_demo_testing(incident, now)
    round_ = summary["round"]
    assert summary["created"] and round_.status == RoundStatus.ACTIVE
    assert round_.starts_at <= now < round_.deadline
    assert round_.deadline - round_.starts_at == dt.timedelta(hours=12)
    assert summary["points"] == 5 and summary["slots"] == 48
    assert round_.plan.feasible
    assert PlanSlot.objects.filter(round=round_, starts_at__isnull=True).count() == 0
    assert summary["exemptions"] == 5

    again = load_demo_testing(incident, now + dt.timedelta(hours=1))
    assert not again["created"] and again["round"] == round_
    assert TestRound.objects.filter(incident=incident).count() == 1


def test_the_grid_staff_cadre_has_marked_reminders(big_estate, incident, chief) -> None:
    from tongxin.factories import UnitFactory, assign
    from tongxin.units.models import BuildingAssignment

    unit = UnitFactory(name="县水利局")
    assign(unit, big_estate)
    cadre = UserFactory(username="grid_staff", role=Role.GRID_STAFF, unit=unit)
    for building in big_estate.children.all()[:6]:
        BuildingAssignment.objects.create(user=cadre, place=building, starts_on=dt.date(2022, 1, 1))
    summary = load_demo_testing(incident, local(6, 10))
    marked = ReminderEntry.objects.filter(round=summary["round"], marked_by=cadre)
    (group,) = reminder_groups(summary["round"], cadre, cadre=cadre, reveal=False)
    # Every household of the cadre's six buildings still expected (one lost its only
    # resident to an exemption) is marked.
    assert marked.count() == len(group.rows) == 11
    assert group.pending == 0
    assert marked.filter(status="no_answer").exists()


def test_every_demo_point_with_samplers_gets_people(big_estate, incident, chief) -> None:
    """物业中心 (five samplers, given no list of buildings) helps the others (issue 8,
    item 12): no point stands idle while another queues."""
    from django.db.models import Count

    round_ = load_demo_testing(incident, local(6, 10))["round"]
    slots = dict(
        PlanSlot.objects.filter(round=round_)
        .values_list("round_point__point__name")
        .annotate(n=Count("id"))
    )
    assert slots.get("城东嘉苑物业中心采样点", 0) > 0
    assert len(slots) == 5
