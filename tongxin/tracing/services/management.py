"""Each person's management in an incident: one record however many sources they have.

Level = the highest over their confirmed contacts; end of management = the latest end over
those contacts (each contact's last exposure plus its level's days in the edition); measure
and test days from the edition. Isolation consumes `contacts_due_for_isolation` and reports
back with `mark_isolated`; a later last exposure is announced by `last_exposure_changed`.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.tracing.models import (
    LEVEL_RANK,
    Contact,
    ContactStatus,
    ExposureType,
    Level,
    Management,
    ManagementStatus,
    Measure,
    OutsidePerson,
)
from tongxin.tracing.services.rules import level_rule
from tongxin.tracing.signals import last_exposure_changed


@dataclass(frozen=True)
class DueForIsolation:
    """One confirmed 密接 or 次密接 whose edition says centralized isolation, not yet isolated."""

    management_id: int
    person_id: int | None  # people.Person
    outside_person_id: int | None  # tracing.OutsidePerson
    level: str  # "close" (密接) or "secondary" (次密接)
    last_exposure: dt.datetime
    reason: str  # never names the case
    household_id: int | None  # the person's household Place, for grouping pick-ups
    edition_code: str


def management_for(
    incident: Incident, *, person: Person | None = None, outside: OutsidePerson | None = None
) -> Management:
    """The person's one management record in the incident, created as a candidate if new."""
    if person is not None:
        m, _created = Management.objects.get_or_create(
            incident=incident,
            person=person,
            defaults={"household_id": person.household_id, "path": person.household.path},
        )
        return m
    if outside is None:
        raise ValueError("a person or an outside person is needed")
    m, _created = Management.objects.get_or_create(incident=incident, outside_person=outside)
    return m


def local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _reason(contacts: list[Contact], level: str) -> str:
    """What the grid and the isolation site are told: level and how, never who the case is."""
    kinds = sorted({str(ExposureType(c.exposure_type).label) for c in contacts if c.level == level})
    return f"{Level(level).label}（{'、'.join(kinds)}）" if kinds else str(Level(level).label)


@transaction.atomic
def recompute(management: Management) -> Management:
    """Level, dates, measure and test days from the confirmed contacts and the edition."""
    m = (
        Management.objects.select_for_update()
        .select_related("incident__policy_edition")
        .get(pk=management.pk)
    )
    edition = m.incident.policy_edition
    confirmed = list(m.contacts.filter(status=ContactStatus.CONFIRMED))
    before_last = m.last_exposure
    if not confirmed:
        m.level, m.measure, m.first_exposure, m.last_exposure = "", "", None, None
        m.ends_on, m.test_dates = None, []
        if m.status not in (ManagementStatus.BECAME_CASE, ManagementStatus.RELEASED):
            m.status = ManagementStatus.CANDIDATE
        m.save()
        return m
    level = max((c.level for c in confirmed), key=lambda lv: LEVEL_RANK[lv])
    rule = level_rule(edition, level)
    m.level = level
    m.measure = rule.measure
    m.first_exposure = min(c.first_exposure for c in confirmed)
    m.last_exposure = max(c.last_exposure for c in confirmed)
    m.ends_on = max(
        level_rule(edition, c.level).ends_on(local_date(c.last_exposure)) for c in confirmed
    )
    m.test_dates = [d.isoformat() for d in rule.test_dates(local_date(m.last_exposure))]
    m.edition_code = edition.code
    if m.status in (ManagementStatus.CANDIDATE, ManagementStatus.HOME, ManagementStatus.DUE):
        if m.isolated_at is not None:
            m.status = ManagementStatus.ISOLATED
        elif rule.measure == Measure.CENTRALIZED:
            m.status = ManagementStatus.DUE
        else:
            m.status = ManagementStatus.HOME
    m.save()
    if before_last is not None and before_last != m.last_exposure:
        last_exposure_changed.send(
            sender=Management, management_id=m.pk, last_exposure=m.last_exposure
        )
    return m


def contacts_due_for_isolation(
    incident: Incident, measure: str = Measure.CENTRALIZED
) -> list[DueForIsolation]:
    """Confirmed 密接 and 次密接 whose management in the edition is centralized isolation (or
    the `measure` asked for, e.g. home isolation) and who are not yet marked isolated, oldest
    last exposure first."""
    qs = (
        Management.objects.filter(
            incident=incident,
            level__in=[Level.CLOSE, Level.SECONDARY],
            measure=measure,
            status=ManagementStatus.DUE,
            isolated_at__isnull=True,
        )
        .prefetch_related("contacts")
        .order_by("last_exposure", "pk")
    )
    due = []
    for m in qs:
        assert m.last_exposure is not None  # set for every confirmed record
        confirmed = [c for c in m.contacts.all() if c.status == ContactStatus.CONFIRMED]
        due.append(
            DueForIsolation(
                management_id=m.pk,
                person_id=m.person_id,
                outside_person_id=m.outside_person_id,
                level=m.level,
                last_exposure=m.last_exposure,
                reason=_reason(confirmed, m.level),
                household_id=m.household_id,
                edition_code=m.edition_code,
            )
        )
    return due


class TracingError(ValueError):
    pass


@transaction.atomic
def mark_isolated(management_id: int, at: dt.datetime) -> None:
    """Isolation reports the person isolated at `at`: this ends the window in which people
    exposed to them are 次密接 (derivation clips their exposures to it)."""
    m = Management.objects.select_for_update().get(pk=management_id)
    if m.status == ManagementStatus.CANDIDATE:
        raise TracingError(_("未确认的接触者不能标记为已隔离"))
    m.isolated_at = at
    if m.status in (ManagementStatus.DUE, ManagementStatus.HOME):
        m.status = ManagementStatus.ISOLATED
    m.save()


def confirm_contacts(contacts: list[Contact], by: Any, at: dt.datetime | None = None) -> int:
    """Confirm candidates (one or many); each person's management is recomputed once."""
    at = at or timezone.now()
    touched: dict[int, Management] = {}
    count = 0
    with transaction.atomic():
        for c in contacts:
            if c.status != ContactStatus.CANDIDATE:
                continue
            c.status = ContactStatus.CONFIRMED
            c.confirmed_by = by if getattr(by, "pk", None) else None
            c.confirmed_at = at
            c.save(update_fields=["status", "confirmed_by", "confirmed_at"])
            touched[c.management_id] = c.management
            count += 1
        for m in touched.values():
            propose_household_zone(recompute(m), at)
    return count


def propose_household_zone(management: Management, at: dt.datetime | None = None) -> None:
    """A confirmed contact of a level the edition names (tracing.contact_household_zone) has
    their household proposed to the zone team for the edition's zone kind — a proposal they
    decide on, never a designation. The reason names the level only, never the case."""
    household = management.household
    if household is None or not management.level:
        return
    rule = management.incident.policy_edition.rule("tracing", "contact_household_zone") or {}
    if management.level not in rule.get("levels", []) or not rule.get("kind"):
        return
    from tongxin.zones.services import ZoneError, propose_designation

    try:
        propose_designation(
            management.incident,
            household,
            rule["kind"],
            reason=_("密接所在户"),
            source="tracing",
            at=at,
        )
    except ZoneError:  # the incident has ended, or the edition has no such zone kind
        return


def reject_contacts(contacts: list[Contact], by: Any) -> int:
    count = 0
    with transaction.atomic():
        for c in contacts:
            if c.status == ContactStatus.REJECTED:
                continue
            was_confirmed = c.status == ContactStatus.CONFIRMED
            c.status = ContactStatus.REJECTED
            c.confirmed_by = by if getattr(by, "pk", None) else None
            c.save(update_fields=["status", "confirmed_by"])
            if was_confirmed:
                recompute(c.management)
            count += 1
    return count
