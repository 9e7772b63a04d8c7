"""A unit sees only its estates' rounds, plans and reminders; elsewhere is a 404."""

import datetime as dt

import pytest
from django.urls import reverse

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, assign
from tongxin.testing.models import PlanSlot, TestRound
from tongxin.testing.services.plans import make_plan
from tongxin.testing.services.rounds import add_area, attach_point, create_point

from .conftest import residents

pytestmark = pytest.mark.django_db


@pytest.fixture
def happy_leader(estates):  # type: ignore[no-untyped-def]
    unit = UnitFactory(name="县林业局")
    assign(unit, estates.happy)
    return UserFactory(role=Role.UNIT_LEADER, unit=unit)


def test_a_round_outside_ones_estates_is_404(client, slow_round, happy_leader, chief) -> None:
    make_plan(slow_round, by=chief)
    slot = PlanSlot.objects.filter(round=slow_round).first()
    client.force_login(happy_leader)
    for url in (
        reverse("testing:round", args=[slow_round.pk]),
        reverse("testing:plan", args=[slow_round.pk]),
        reverse("testing:reminders", args=[slow_round.pk]),
        reverse("testing:slot_move", args=[slow_round.pk, slot.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert slow_round not in TestRound.objects.visible_to(happy_leader)
    assert "第一轮全员核酸" not in client.get(reverse("testing:rounds")).content.decode()


def test_in_a_shared_round_a_unit_sees_its_own_buildings_only(
    client, slow_round, estates, happy_leader, cadres, chief
) -> None:
    add_area(slow_round, estates.happy)
    residents(estates.h_happy, 2)
    point = create_point("幸福小区采样点", estates.happy, dt.time(7), dt.time(19), 1)
    attach_point(slow_round, point, serves=[estates.happy])
    make_plan(slow_round, by=chief)
    assert set(PlanSlot.objects.visible_to(happy_leader).filter(round=slow_round)) == {
        PlanSlot.objects.get(round=slow_round, place=estates.h_happy.parent)
    }
    client.force_login(happy_leader)
    page = client.get(reverse("testing:plan", args=[slow_round.pk]), {"by": "building"})
    slots = page.context["slots"]
    assert [s.place for s in slots] == [estates.h_happy.parent]
    sunny_slot = PlanSlot.objects.get(round=slow_round, place=estates.b1)
    move = reverse("testing:slot_move", args=[slow_round.pk, sunny_slot.pk])
    assert client.get(move).status_code == 404
    reminders = client.get(reverse("testing:reminders", args=[slow_round.pk]))
    households = {r.household for g in reminders.context["overview"] for r in g.rows}
    assert households == {estates.h_happy}
    # The water bureau's leader, the other way round.
    client.force_login(cadres.leader)
    page = client.get(reverse("testing:plan", args=[slow_round.pk]), {"by": "building"})
    assert estates.h_happy.parent not in [s.place for s in page.context["slots"]]


def test_a_unit_cannot_mark_a_household_elsewhere(client, slow_round, estates, happy_leader, chief):  # type: ignore[no-untyped-def]
    make_plan(slow_round, by=chief)
    client.force_login(happy_leader)
    response = client.post(
        reverse("testing:reminder_mark", args=[slow_round.pk]),
        {"household": estates.h101.pk, "status": "reminded"},
    )
    assert response.status_code == 404
