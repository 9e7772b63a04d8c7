"""Derivation at scale stores candidates by COPY on PostgreSQL (ids from the sequences, one
audit event per row written in the same way) and groups the venue overlaps in the database.
These tests pin what must not change: every candidate and every new management record is
audited with the same fields, and the PostgreSQL path stores exactly what the ORM path
(SQLite's) stores."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from tongxin.audit.context import Actor, acting_as
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import make_id_number
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Contact, ContactStatus, Level, Management, OutsidePerson
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services import derive as derive_module
from tongxin.tracing.services.derive import derive_for_case, find_for_case

from .conftest import local, make_case

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"
)


def _scenario(world: Any) -> Any:
    """A case with two venue stays (one person at both: one candidate, the longest overlap
    naming it), an outside person, one overlap a minute short; a co-resident and building
    neighbours; one 密接 confirmed later, with their own stay."""
    venue, other_venue, later = VenueFactory(), VenueFactory(), VenueFactory()
    patient, close = world.one("1801"), world.one("hb-301")
    visitor = OutsidePerson.objects.create(
        incident=world.incident, name="访客", document_number=make_id_number(region="330802")
    )
    checkin(world.incident, venue, patient, local(9, 10), 60)  # 10:00–11:00
    checkin(world.incident, venue, close, local(9, 10, 20), 60)  # 40 min
    checkin(world.incident, venue, visitor, local(9, 10, 30), 90)  # 30 min
    checkin(world.incident, venue, world.one("b2-1801"), local(9, 10, 46), 30)  # 14 min
    checkin(world.incident, other_venue, patient, local(9, 14), 60)  # 14:00–15:00
    checkin(world.incident, other_venue, close, local(9, 13), 180)  # 60 min: the reason
    # The 密接's own stay on 12 March, with a resident and the outside person.
    checkin(world.incident, later, close, local(12, 19), 120)
    checkin(world.incident, later, world.one("hb-301", 1), local(12, 19, 30), 60)
    checkin(world.incident, later, visitor, local(12, 20), 45)
    return make_case(world, patient), close


def _derive_twice(world: Any) -> list[Contact]:
    """Derive, confirm the venue 密接, derive again (their 次密接), as an investigator."""
    case, close = _scenario(world)
    actor = Actor(
        user=world.users["investigator"], label="investigator", channel="web", ip="10.0.0.1"
    )
    with acting_as(actor):
        first = derive_for_case(case, now=local(13))
        confirm_contacts(
            [c for c in first if c.management.person_id == close.pk and c.level == Level.CLOSE],
            world.users["investigator"],
        )
        return derive_for_case(case, now=local(13))


def _who(m: Management) -> tuple[Any, Any]:
    """A resident by id; the outside person (made anew in each run) by name."""
    return (m.person_id, m.outside_person.name if m.outside_person_id else None)


def _stored(world: Any) -> dict[str, Any]:
    """Everything the derivation wrote, by who it is about (ids differ between runs)."""
    managements = {m.pk: m for m in Management.objects.filter(incident=world.incident)}
    contacts = {c.pk: c for c in Contact.objects.filter(incident=world.incident)}

    def link(c: Contact) -> tuple[Any, ...]:
        source = _who(managements[c.source_management_id]) if c.source_management_id else None
        case = c.source_case.person_id if c.source_case_id else None
        return (_who(managements[c.management_id]), case, source, c.exposure_type)

    rows = sorted(
        (
            (
                link(c),
                c.first_exposure,
                c.last_exposure,
                c.level,
                c.reason,
                c.rule,
                c.status,
                c.external_source,
            )
            for c in contacts.values()
        ),
        key=repr,
    )
    records = sorted(
        (
            (
                _who(m),
                m.household_id,
                m.path,
                m.level,
                m.status,
                m.measure,
                m.first_exposure,
                m.last_exposure,
                m.ends_on,
                m.test_dates,
                m.edition_code,
            )
            for m in managements.values()
        ),
        key=repr,
    )
    events = []
    for e in AuditEvent.objects.filter(target_type__in=["tracing.contact", "tracing.management"]):
        pk = int(e.target_id)
        if e.target_type == "tracing.contact":
            about: Any = link(contacts[pk])
        else:
            about = _who(managements[pk])
        label = e.target_label.replace(f"#{pk}", "#")
        if "confirmed_at" in e.changes:  # the time of the confirmation: whether it is set
            e.changes["confirmed_at"] = [v is not None for v in e.changes["confirmed_at"]]
        events.append(
            (
                e.target_type,
                about,
                e.action,
                label,
                sorted(e.changes.items()),
                sorted(e.detail.items()),
                e.actor_id,
                e.actor_label,
                e.channel,
                e.ip,
            )
        )
    return {"contacts": rows, "managements": records, "events": sorted(events, key=repr)}


def test_every_derived_candidate_and_new_record_is_audited_once(world):
    contacts = _derive_twice(world)
    assert len(contacts) >= 8 and any(c.source_management_id for c in contacts)
    investigator = world.users["investigator"]
    created = AuditEvent.objects.filter(action=AuditAction.CREATE)
    for c in Contact.objects.filter(incident=world.incident):
        (e,) = created.filter(target_type="tracing.contact", target_id=str(c.pk))
        assert e.changes == {"level": c.level, "status": ContactStatus.CANDIDATE}
        assert e.target_label == str(c)
        assert (e.actor_id, e.actor_label, e.channel, e.ip) == (
            investigator.pk,
            "investigator",
            "web",
            "10.0.0.1",
        )
    for m in Management.objects.filter(incident=world.incident):
        (e,) = created.filter(target_type="tracing.management", target_id=str(m.pk))
        assert e.changes == {"status": "candidate"}
        assert e.target_label == f"- #{m.pk}"
        assert e.actor_id == investigator.pk


def test_confirming_the_derivations_own_objects_is_audited(world):
    """The objects derive_for_case returns remember what they were stored with, so confirming
    them straight away records the change (a confirmation is never unaudited)."""
    contacts = _derive_twice(world)
    # A 次密接 link: created by this derivation (the case's own links were read back).
    candidate = next(c for c in contacts if c.source_management_id)
    assert candidate.status == ContactStatus.CANDIDATE
    confirm_contacts([candidate], world.users["investigator"])
    update = AuditEvent.objects.get(
        action=AuditAction.UPDATE, target_type="tracing.contact", target_id=str(candidate.pk)
    )
    assert update.changes["status"] == [ContactStatus.CANDIDATE, ContactStatus.CONFIRMED]


def test_the_derivations_objects_are_the_stored_rows(world):
    contacts = _derive_twice(world)
    stored = {c.pk: c for c in Contact.objects.filter(pk__in=[c.pk for c in contacts])}
    assert len(stored) == len(contacts)
    for c in contacts:
        s = stored[c.pk]
        assert not c._state.adding
        assert (
            c.management_id,
            c.source_case_id,
            c.source_management_id,
            c.exposure_type,
            c.first_exposure,
            c.last_exposure,
            c.level,
            c.reason,
            c.rule,
            c.status,
        ) == (
            s.management_id,
            s.source_case_id,
            s.source_management_id,
            s.exposure_type,
            s.first_exposure,
            s.last_exposure,
            s.level,
            s.reason,
            s.rule,
            s.status,
        )
        assert c.management.pk == c.management_id
        m = Management.objects.get(pk=c.management_id)
        assert (c.management.person_id, c.management.level) == (m.person_id, m.level)


class _Undo(Exception):
    pass


def _run(world: Any, monkeypatch: Any, copies: bool) -> dict[str, Any]:
    monkeypatch.setattr(derive_module, "copies", lambda: copies)
    monkeypatch.setattr("tongxin.audit.services.copies", lambda: copies)
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            _derive_twice(world)
            result = _stored(world)
            raise _Undo
    except _Undo:
        pass
    return result


@pg_only
def test_the_copy_path_stores_what_the_orm_path_stores(world, monkeypatch):
    orm = _run(world, monkeypatch, copies=False)
    copied = _run(world, monkeypatch, copies=True)
    assert orm["contacts"] and orm["events"]
    assert copied == orm


@pg_only
def test_venue_overlaps_grouped_in_the_database_are_the_ones_found_in_python(world, monkeypatch):
    case, _close = _scenario(world)
    # Times to the microsecond, and one overlap exactly the edition's 15 minutes.
    venue, micro = VenueFactory(), dt.timedelta(microseconds=7)
    checkin(world.incident, venue, world.one("1801"), local(10, 8) + micro, 60)
    checkin(world.incident, venue, world.one("2001"), local(10, 8, 45) + micro, 30)
    checkin(world.incident, venue, world.one("1701"), local(10, 8, 30), 16)

    def found(copies: bool) -> list[tuple[Any, ...]]:
        monkeypatch.setattr(derive_module, "copies", lambda: copies)
        return sorted(
            (
                (
                    f.person_id,
                    f.outside_person_id,
                    f.level,
                    f.exposure_type,
                    f.first,
                    f.last,
                    f.reason,
                    f.rule,
                    f.minutes,
                )
                for f in find_for_case(case)
            ),
            key=repr,
        )

    python = found(False)
    assert any(f[3] == "venue" for f in python)
    assert found(True) == python
