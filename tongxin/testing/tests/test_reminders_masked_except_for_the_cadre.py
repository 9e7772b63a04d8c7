"""Reminder lists per cadre: phones in clear only on the responsible cadre's own list."""

import pytest

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.people.models import Person
from tongxin.testing.services.plans import make_plan
from tongxin.testing.services.reminders import reminder_groups, reminder_overview

pytestmark = pytest.mark.django_db


def _phones(estates, building) -> set[str]:
    return set(
        Person.objects.filter(household__path__startswith=building.path).values_list(
            "phone_masked", flat=True
        )
    )


def _clear(building) -> set[str]:
    return {p.phone for p in Person.objects.filter(household__path__startswith=building.path)}


def test_the_cadre_sees_their_own_households_phones_in_clear_and_it_is_audited(
    slow_round, estates, cadres, chief
) -> None:
    make_plan(slow_round, by=chief)
    (group,) = reminder_groups(slow_round, cadres.a, only_mine=True)
    assert group.mine and group.cadre == cadres.a
    assert {r.household for r in group.rows} == {estates.h101, estates.h102}
    shown = {p for r in group.rows for p in r.phones}
    assert shown == _clear(estates.b1)
    assert all(r.clear for r in group.rows)
    reveals = AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=None) | (
        AuditEvent.objects.filter(action=AuditAction.REVEAL)
    )
    people = set(Person.objects.filter(household__path__startswith=estates.b1.path))
    assert {e.target_id for e in reveals} == {str(p.pk) for p in people}
    assert all(e.detail == {"field": "phone"} for e in reveals)


def test_the_unit_leader_sees_every_cadre_masked(slow_round, estates, cadres, chief) -> None:
    make_plan(slow_round, by=chief)
    groups = reminder_groups(slow_round, cadres.leader)
    assert [g.cadre for g in groups] == sorted([cadres.a, cadres.b, cadres.c], key=str)
    by_cadre = {g.cadre: g for g in groups}
    assert {p for r in by_cadre[cadres.a].rows for p in r.phones} == _phones(estates, estates.b1)
    assert {r.household for r in by_cadre[cadres.c].rows} == {estates.h301}
    assert not any(r.clear for g in groups for r in g.rows)
    for g in groups:
        for r in g.rows:
            assert not set(r.phones) & _clear(r.slot.place)
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_another_cadres_list_is_masked_for_a_cadre(slow_round, estates, cadres, chief) -> None:
    make_plan(slow_round, by=chief)
    (group,) = reminder_groups(slow_round, cadres.a, cadre=cadres.b)
    assert not group.mine
    assert {p for r in group.rows for p in r.phones} == _phones(estates, estates.b2)
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_overview_carries_counts_and_no_phones(slow_round, cadres, chief) -> None:
    make_plan(slow_round, by=chief)
    groups = reminder_overview(slow_round, cadres.a)
    assert sum(g.pending for g in groups) == 4
    assert all(r.phones == [] for g in groups for r in g.rows)
