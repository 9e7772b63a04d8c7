"""Deriving contact candidates. Nothing here is final: every candidate waits for an investigator.

The rules come from the incident's policy edition:
- household: co-residents of a case are at the edition's household level (密接);
- building: households in the case's building (or stairwell) on the same floor or within the
  edition's floor distances are at its floor level (次密接), the rest at its rest level (if any);
  the floor is read from the room number (1803 → 18);
- venue co-presence: a check-in overlapping one of the case's stays at the same venue for at
  least the edition's minimum minutes, within the exposure window → 密接;
- 次密接: the household and venue rules applied to a confirmed 密接, from their first exposure
  until they were isolated (or now, if they are not yet).
"""

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record_many, record_rows, target_type_of
from tongxin.core import bulk
from tongxin.core.bulk import collector_paused, copies
from tongxin.core.text import choice_label
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.tracing.models import (
    LEVEL_RANK,
    Case,
    CheckIn,
    Contact,
    ContactStatus,
    ExposureType,
    Level,
    Management,
    Stay,
)
from tongxin.tracing.services.rules import (
    building_rule,
    exposure_window_days,
    max_stay,
    venue_min_minutes,
)

KIND_DEPTH_BUILDING = 5
MANAGEMENT_TYPE = target_type_of(Management)
CONTACT_TYPE = target_type_of(Contact)


def floor_of(room: str) -> int | None:
    """The floor of a room number: 1803 → 18, 302 → 3, "12-03" → 12, B1201 → 12; a number of
    one or two digits (a rural house, a bungalow) has no floor."""
    text = (room or "").strip()
    m = re.match(r"^\D*(\d+)\s*[-－—]\s*\d+", text)
    if m:
        return int(m.group(1))
    m = re.search(r"(\d{3,})", text)
    if not m:
        return None
    return int(m.group(1)) // 100


def minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 60


@dataclass
class Found:
    """A candidate before it is stored: one person, one exposure type, one source."""

    person_id: int | None
    outside_person_id: int | None
    level: str
    exposure_type: str
    first: dt.datetime
    last: dt.datetime
    reason: str
    rule: str
    minutes: float = 0.0

    @property
    def key(self) -> tuple[int | None, int | None, str]:
        return (self.person_id, self.outside_person_id, self.exposure_type)


@dataclass
class Subject:
    """Whose exposures are being followed: a case, or a confirmed 密接 (for 次密接)."""

    incident_id: int
    person_id: int | None
    outside_person_id: int | None
    start: dt.datetime
    end: dt.datetime
    stays: list[tuple[int, dt.datetime, dt.datetime]] = field(default_factory=list)
    household: Place | None = None


def case_window(case: Case) -> tuple[dt.datetime, dt.datetime]:
    """From the edition's days before onset (or before the first positive sample of an
    asymptomatic case) until the case was reported (taken into care)."""
    days = exposure_window_days(case.incident.policy_edition)
    if case.onset_date:
        anchor = case.onset_date
    else:
        anchor = timezone.localtime(case.first_positive_at or case.reported_at).date()
    start = timezone.make_aware(dt.datetime.combine(anchor - dt.timedelta(days=days), dt.time.min))
    end = max(case.reported_at, case.first_positive_at or case.reported_at)
    return start, end


def secondary_window(
    m: Management, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """A 密接's window for 次密接: from their first exposure until they were isolated."""
    assert m.first_exposure is not None
    return m.first_exposure, m.isolated_at or now or timezone.now()


def _stays_of(
    incident_id: int,
    bound: dt.timedelta,
    person_id: int | None,
    outside_person_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    extra: Iterable[Stay],
) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """Venue stays in the window: the timeline entered (and pre-filled) by the investigator plus
    the person's own check-ins, clipped to the window, without duplicates."""
    stays: set[tuple[int, dt.datetime, dt.datetime]] = set()
    from_checkins: set[int] = set()
    for s in extra:
        if s.venue_id is None or s.ended_at <= start or s.started_at >= end:
            continue
        stays.add((s.venue_id, max(s.started_at, start), min(s.ended_at, end)))
        if s.from_checkin_id:
            from_checkins.add(s.from_checkin_id)
    rows = (
        CheckIn.objects.filter(incident_id=incident_id)
        .of_subject(person_id, outside_person_id)
        .overlapping(start, end, bound)
        .values_list("pk", "venue_id", "entered_at", "left_at")
    )
    for pk, venue_id, entered, left in rows:
        if pk not in from_checkins:
            stays.add((venue_id, max(entered, start), min(left, end)))
    return sorted(stays, key=lambda s: (s[1], s[0]))


def _household_of(person_id: int | None) -> Place | None:
    if not person_id:
        return None
    person = Person.objects.select_related("household").filter(pk=int(person_id)).first()
    return person.household if person else None


def _excluded_people(incident_id: int) -> set[int]:
    """People who are cases themselves are followed as cases, not as contacts."""
    return set(
        Case.objects.filter(incident_id=incident_id, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )


def _household_rule(subject: Subject, level: str, reason: str) -> list[Found]:
    if subject.household is None or not level:
        return []
    found = []
    for pk in (
        Person.objects.filter(household=subject.household)
        .exclude(pk=subject.person_id or 0)
        .values_list("pk", flat=True)
    ):
        found.append(
            Found(
                pk,
                None,
                level,
                ExposureType.HOUSEHOLD,
                subject.start,
                subject.end,
                reason,
                "household",
            )
        )
    return found


def _building_rule(subject: Subject, edition: object) -> list[Found]:
    home = subject.household
    if home is None:
        return []
    rule = building_rule(edition)  # type: ignore[arg-type]
    if not rule.floor_level and not rule.rest_level:
        return []
    if rule.scope == "stairwell" and home.parent and home.parent.kind == PlaceKind.STAIRWELL:
        scope_path = home.parent.path
    else:
        scope_path = home.path[: KIND_DEPTH_BUILDING * Place.steplen]
    if len(scope_path) >= len(home.path):
        return []  # a household not under a building
    own_floor = floor_of(home.name) if home.name else None
    if own_floor is None:
        own_floor = floor_of(home.key)
    neighbours = Place.objects.filter(
        path__startswith=scope_path, kind=PlaceKind.HOUSEHOLD
    ).exclude(pk=home.pk)
    levels: dict[int, tuple[str, str]] = {}
    for h in neighbours.only("pk", "name", "key"):
        floor = floor_of(h.name) if h.name else None
        if floor is None:
            floor = floor_of(h.key)
        near = (
            own_floor is not None
            and floor is not None
            and own_floor - rule.floors_below <= floor <= own_floor + rule.floors_above
        )
        if near and rule.floor_level:
            levels[h.pk] = (rule.floor_level, f"同楼幢{floor}层（相距{abs(floor - own_floor)}层）")  # type: ignore[operator]
        elif not near and rule.rest_level:
            levels[h.pk] = (rule.rest_level, "同楼幢其他楼层")
    if not levels:
        return []
    found = []
    for pk, household_id in Person.objects.filter(household_id__in=levels).values_list(
        "pk", "household_id"
    ):
        level, reason = levels[household_id]
        found.append(
            Found(
                pk,
                None,
                level,
                ExposureType.BUILDING,
                subject.start,
                subject.end,
                reason,
                "building",
            )
        )
    return found


def _venue_rule(
    subject: Subject, level: str, min_minutes: int, who: str, bound: dt.timedelta
) -> list[Found]:
    if copies():
        return _venue_rule_grouped(subject, level, min_minutes, who, bound)
    found: dict[tuple[int | None, int | None], Found] = {}
    for venue_id, start, end in subject.stays:
        rows = (
            CheckIn.objects.filter(incident_id=subject.incident_id, venue_id=venue_id)
            .overlapping(start, end, bound)
            .values_list("person_id", "outside_person_id", "entered_at", "left_at")
        )
        for person_id, outside_id, entered, left in rows:
            if (person_id and person_id == subject.person_id) or (
                outside_id and outside_id == subject.outside_person_id
            ):
                continue
            first, last = max(entered, start), min(left, end)
            minutes = minutes_between(first, last)
            if minutes < min_minutes:
                continue
            key = (person_id, outside_id)
            reason = f"与{who}同一场所停留重叠{int(minutes)}分钟"
            f = found.get(key)
            if f is None:
                found[key] = Found(
                    person_id,
                    outside_id,
                    level,
                    ExposureType.VENUE,
                    first,
                    last,
                    reason,
                    "venue",
                    minutes,
                )
            else:
                f.first, f.last = min(f.first, first), max(f.last, last)
                if minutes > f.minutes:
                    f.minutes, f.reason = minutes, reason
    return list(found.values())


def _venue_rule_grouped(
    subject: Subject, level: str, min_minutes: int, who: str, bound: dt.timedelta | None
) -> list[Found]:
    """`_venue_rule` on PostgreSQL: the same overlaps (each stay's range of the venue's
    check-ins, clipped to the stay, at least the edition's minutes, the subject left out),
    grouped per person in the database: the earliest start, the latest end and the longest
    overlap (its whole minutes name the reason), one row per candidate instead of one per
    check-in."""
    if not subject.stays:
        return []
    lower = "AND c.entered_at > s.starts - %(bound)s " if bound is not None else ""
    # Times as whole microseconds since the epoch (integers load in C; a timestamp goes
    # through Django's time zone loader in Python, 2 of them per candidate).
    sql = (
        "SELECT person_id, outside_person_id, "  # noqa: S608
        "(extract(epoch FROM min(first)) * 1000000)::bigint, "
        "(extract(epoch FROM max(last)) * 1000000)::bigint, "
        "(extract(epoch FROM max(last - first)) * 1000000)::bigint FROM ("
        "SELECT c.person_id, c.outside_person_id, GREATEST(c.entered_at, s.starts) AS first, "
        "LEAST(c.left_at, s.ends) AS last, s.n, c.entered_at "
        "FROM unnest(string_to_array(%(venues)s, ',')::bigint[], "
        "string_to_array(%(starts)s, ',')::timestamptz[], "
        "string_to_array(%(ends)s, ',')::timestamptz[]) "
        "WITH ORDINALITY AS s(venue_id, starts, ends, n) "
        f"JOIN {CheckIn._meta.db_table} c ON c.venue_id = s.venue_id "
        f"AND c.incident_id = %(incident)s {lower}"
        "AND c.entered_at < s.ends AND c.left_at > s.starts "
        "WHERE LEAST(c.left_at, s.ends) - GREATEST(c.entered_at, s.starts) "
        ">= make_interval(mins => %(minutes)s) "
        "AND NOT COALESCE(c.person_id = %(person)s, false) "
        "AND NOT COALESCE(c.outside_person_id = %(outside)s, false)"
        ") AS hit GROUP BY person_id, outside_person_id "
        # In the order the loop over the stays meets them (the earliest stay first).
        "ORDER BY min(n), min(entered_at), person_id, outside_person_id"
    )
    params: dict[str, Any] = {
        "venues": ",".join(str(v) for v, _s, _e in subject.stays),
        "starts": ",".join(s.isoformat() for _v, s, _e in subject.stays),
        "ends": ",".join(e.isoformat() for _v, _s, e in subject.stays),
        "incident": subject.incident_id,
        "bound": bound,
        "minutes": min_minutes,
        "person": subject.person_id or None,
        "outside": subject.outside_person_id or None,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    epoch, micro = dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.timedelta(microseconds=1)
    for person_id, outside_id, first, last, longest in rows:
        minutes = minutes_between(epoch, epoch + longest * micro)
        found.append(
            Found(
                person_id,
                outside_id,
                level,
                ExposureType.VENUE,
                epoch + first * micro,
                epoch + last * micro,
                f"与{who}同一场所停留重叠{int(minutes)}分钟",
                "venue",
                minutes,
            )
        )
    return found


def _merge(found: Iterable[Found]) -> list[Found]:
    merged: dict[tuple[int | None, int | None, str], Found] = {}
    for f in found:
        have = merged.get(f.key)
        if have is None:
            merged[f.key] = f
            continue
        have.first, have.last = min(have.first, f.first), max(have.last, f.last)
        if LEVEL_RANK[f.level] > LEVEL_RANK[have.level]:
            have.level, have.reason, have.rule = f.level, f.reason, f.rule
    return list(merged.values())


def find_for_case(case: Case) -> list[Found]:
    """The first-degree candidates of a case, by the edition's rules (not stored)."""
    edition = case.incident.policy_edition
    start, end = case_window(case)
    subject = Subject(
        incident_id=case.incident_id,
        person_id=case.person_id,
        outside_person_id=case.outside_person_id,
        start=start,
        end=end,
        household=_household_of(case.person_id),
    )
    bound = max_stay(edition)
    subject.stays = _stays_of(
        case.incident_id,
        bound,
        case.person_id,
        case.outside_person_id,
        start,
        end,
        case.stays.all(),
    )
    rule = building_rule(edition)
    found = _household_rule(subject, rule.household_level, "与病例共同居住")
    found += _building_rule(subject, edition)
    found += _venue_rule(subject, Level.CLOSE, venue_min_minutes(edition), "病例", bound)
    excluded = _excluded_people(case.incident_id)
    return _merge(f for f in found if f.person_id not in excluded)


def _already_close(incident_id: int) -> set[int]:
    """People already 密接 (or proposed as such): not listed again as 次密接."""
    return set(
        Management.objects.filter(incident_id=incident_id, level=Level.CLOSE)
        .exclude(person__isnull=True)
        .values_list("person_id", flat=True)
    ) | set(
        Contact.objects.filter(incident_id=incident_id, level=Level.CLOSE)
        .exclude(status=ContactStatus.REJECTED)
        .values_list("management__person_id", flat=True)
    )


def find_for_close_contact(
    m: Management,
    now: dt.datetime | None = None,
    *,
    excluded: set[int] | None = None,
    already_close: set[int] | None = None,
) -> list[Found]:
    """The 次密接 candidates of a confirmed 密接: exposed to them from their first exposure until
    they were isolated (household and venue rules on their stays)."""
    edition = m.incident.policy_edition
    start, end = secondary_window(m, now)
    if end <= start:
        return []
    subject = Subject(
        incident_id=m.incident_id,
        person_id=m.person_id,
        outside_person_id=m.outside_person_id,
        start=start,
        end=end,
        household=_household_of(m.person_id),
    )
    bound = max_stay(edition)
    subject.stays = _stays_of(
        m.incident_id, bound, m.person_id, m.outside_person_id, start, end, m.stays.all()
    )
    found = _household_rule(subject, Level.SECONDARY, "与密接共同居住")
    found += _venue_rule(subject, Level.SECONDARY, venue_min_minutes(edition), "密接", bound)
    excluded = _excluded_people(m.incident_id) if excluded is None else excluded
    already_close = _already_close(m.incident_id) if already_close is None else already_close
    return _merge(
        f
        for f in found
        if f.person_id not in excluded and (f.person_id is None or f.person_id not in already_close)
    )


Key = tuple[int | None, int | None]


def _key(person_id: int | None, outside_person_id: int | None) -> Key:
    """One management record per person: a resident by their id, else the outside person."""
    return (person_id, None if person_id else outside_person_id)


def _managements(incident_id: int, found: list[Found]) -> dict[Key, Management]:
    """Each candidate's management record, creating the missing ones in one insert."""
    if copies():
        return _managements_copied(incident_id, found)
    person_ids = {f.person_id for f in found if f.person_id}
    outside_ids = {f.outside_person_id for f in found if f.outside_person_id and not f.person_id}
    existing = Management.objects.filter(incident_id=incident_id).filter(
        Q(person_id__in=person_ids) | Q(outside_person_id__in=outside_ids)
    )
    by_key = {_key(m.person_id, m.outside_person_id): m for m in existing}
    homes = {
        pk: (hid, path)
        for pk, hid, path in Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "household_id", "household__path"
        )
    }
    new = []
    for pid in person_ids:
        if (pid, None) not in by_key:
            hid, path = homes[pid]
            new.append(
                Management(incident_id=incident_id, person_id=pid, household_id=hid, path=path)
            )
    for oid in outside_ids:
        if (None, oid) not in by_key:
            new.append(Management(incident_id=incident_id, outside_person_id=oid))
    if new:
        Management.objects.bulk_create(new, batch_size=1000)
        for m in new:  # as stored: a later save records what it changes
            m._audit_loaded = m.audit_snapshot()
        record_many((AuditAction.CREATE, m, {"status": m.status}) for m in new if m.pk)
        if all(m.pk for m in new):
            # The insert returned the new ids (PostgreSQL, SQLite >= 3.35): no second read.
            by_key.update((_key(m.person_id, m.outside_person_id), m) for m in new)
        else:
            existing = Management.objects.filter(incident_id=incident_id).filter(
                Q(person_id__in=person_ids) | Q(outside_person_id__in=outside_ids)
            )
            by_key = {_key(m.person_id, m.outside_person_id): m for m in existing}
    return by_key


def _managements_copied(incident_id: int, found: list[Found]) -> dict[Key, Management]:
    """`_managements` on PostgreSQL: the same records and audit events, the existing ones
    read and the new ones written by COPY with ids taken from the sequence (no statement
    with a parameter per row, nothing read back)."""
    person_ids = sorted({f.person_id for f in found if f.person_id})
    outside_ids = sorted(
        {f.outside_person_id for f in found if f.outside_person_id and not f.person_id}
    )
    people, outsiders = bulk.id_list(person_ids), bulk.id_list(outside_ids)
    # The records already there: who they are; their other fields load when first used.
    # One probe of the unique (incident, person) index per person (LATERAL … LIMIT 1 keeps
    # the planner from hashing the incident's every record when its statistics are stale).
    loaded = ("id", "incident_id", "person_id", "outside_person_id")
    columns = ", ".join(f"m.{name}" for name in loaded)
    table = Management._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM unnest(string_to_array(%s, ',')::bigint[]) AS w(id) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT * FROM {table} m WHERE m.incident_id = %s "
            "AND m.person_id = w.id LIMIT 1) AS m UNION ALL "
            f"SELECT {columns} FROM unnest(string_to_array(%s, ',')::bigint[]) AS w(id) "
            f"CROSS JOIN LATERAL (SELECT * FROM {table} m WHERE m.incident_id = %s "
            "AND m.outside_person_id = w.id LIMIT 1) AS m",
            [people, incident_id, outsiders, incident_id],
        )
        existing = bulk.instances(Management, cursor.fetchall(), attnames=loaded)
    by_key = {_key(m.person_id, m.outside_person_id): m for m in existing}
    missing = [pid for pid in person_ids if (pid, None) not in by_key]
    homes: dict[int, tuple[int, str]] = {}
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id, p.household_id, h.path "  # noqa: S608
                "FROM unnest(string_to_array(%s, ',')::bigint[]) AS w(id) "
                f"JOIN {Person._meta.db_table} p ON p.id = w.id "
                f"JOIN {Place._meta.db_table} h ON h.id = p.household_id",
                [bulk.id_list(missing)],
            )
            homes = {pk: (hid, path) for pk, hid, path in cursor.fetchall()}
    values: list[dict[str, object]] = []
    for pid in missing:
        hid, path = homes[pid]
        values.append({"person_id": pid, "household_id": hid, "path": path})
    for oid in outside_ids:
        if (None, oid) not in by_key:
            values.append({"outside_person_id": oid})
    if not values:
        return by_key
    new = bulk.NewRows(Management, timezone.now())
    ids = bulk.reserve_ids(Management, len(values))
    build = bulk.builder(Management)
    label = choice_label(Level, new.template[new.index["level"]])
    changes: dict[str, str] = {}
    events = []

    def produce() -> Iterator[list[object]]:
        # Each row is sent while the next is made: PostgreSQL inserts as Python builds.
        for pk, v in zip(ids, values, strict=True):
            row = new.row({"id": pk, "incident_id": incident_id, **v})
            m = build(row)
            by_key[_key(m.person_id, m.outside_person_id)] = m
            if m.status not in changes:
                changes[m.status] = json.dumps({"status": m.status})
            events.append(
                (
                    AuditAction.CREATE,
                    MANAGEMENT_TYPE,
                    str(pk),
                    Management.label_of(label, pk),
                    changes[m.status],
                )
            )
            yield new.db_row(row)

    bulk.copy_rows(Management, new.fields, produce())
    record_rows(events)
    return by_key


Source = tuple[Case | None, Management | None]


def store(
    incident_id: int,
    found: list[Found],
    *,
    source_case: Case | None = None,
    source_management: Management | None = None,
) -> list[Contact]:
    """Store candidates as contacts waiting for confirmation. Deriving again updates the
    candidates still waiting and leaves confirmed or rejected links as they are."""
    return store_groups(incident_id, [((source_case, source_management), found)])


@collector_paused()
@transaction.atomic
def store_groups(incident_id: int, groups: list[tuple[Source, list[Found]]]) -> list[Contact]:
    """`store` for several sources at once (a case's 50 密接 and their 次密接): one read of
    the management records and the existing links, one write of each kind, for all of them.
    The contacts come back in the order of the groups, each group's in the order found."""
    groups = [(source, found) for source, found in groups if found]
    if not groups:
        return []
    managements = _managements(incident_id, [f for _source, found in groups for f in found])
    cases = [c.pk for (c, _m), _found in groups if c is not None]
    sources = [m.pk for (_c, m), _found in groups if m is not None]
    # Every link of these sources (a superset of the ones found again), matched here.
    existing = {
        (c.source_case_id, c.source_management_id, c.management_id, c.exposure_type): c
        for c in Contact.objects.filter(
            Q(source_case_id__in=cases) | Q(source_management_id__in=sources)
        )
    }
    new: list[tuple[Found, Management, Source]] = []
    changed: list[Contact] = []
    result: list[Contact | None] = []  # in the order found; None where a new link goes
    for source, found in groups:
        case_id = source[0].pk if source[0] is not None else None
        source_id = source[1].pk if source[1] is not None else None
        for f in found:
            m = managements[_key(f.person_id, f.outside_person_id)]
            c = existing.get((case_id, source_id, m.pk, f.exposure_type))
            if c is None:
                new.append((f, m, source))
                result.append(None)
                continue
            if c.status == ContactStatus.CANDIDATE and (
                (c.first_exposure, c.last_exposure, c.level, c.reason)
                != (f.first, f.last, f.level, f.reason)
            ):
                c.first_exposure, c.last_exposure, c.level, c.reason = (
                    f.first,
                    f.last,
                    f.level,
                    f.reason[:300],
                )
                changed.append(c)
            result.append(c)
    if new and copies():
        created = _insert_copied(incident_id, new)
    elif new:
        created = [
            Contact(
                incident_id=incident_id,
                management=m,
                source_case=source_case,
                source_management=source_management,
                exposure_type=f.exposure_type,
                first_exposure=f.first,
                last_exposure=f.last,
                level=f.level,
                reason=f.reason[:300],
                rule=f.rule,
            )
            for f, m, (source_case, source_management) in new
        ]
        Contact.objects.bulk_create(created, batch_size=1000)
        for c in created:  # as stored: a later save (a confirmation) records what it changes
            c._audit_loaded = c.audit_snapshot()
        record_many(
            (AuditAction.CREATE, c, {"level": c.level, "status": c.status}) for c in created if c.pk
        )
    if changed:
        Contact.objects.bulk_update(changed, ["first_exposure", "last_exposure", "level", "reason"])
    if not new:
        return result  # type: ignore[return-value]
    fresh = iter(created)
    return [c if c is not None else next(fresh) for c in result]


def _insert_copied(incident_id: int, new: list[tuple[Found, Management, Source]]) -> list[Contact]:
    """The new links on PostgreSQL: ids from the sequence, the rows and one audit event each
    by COPY, the objects built from the values written (the same rows and events as the
    `bulk_create` path)."""
    rows_of = bulk.NewRows(Contact, timezone.now())
    ids = bulk.reserve_ids(Contact, len(new))
    build = bulk.builder(Contact)
    labels: dict[tuple[str, str], str] = {}
    changes: dict[tuple[str, str], str] = {}
    created: list[Contact] = []
    events = []

    def produce() -> Iterator[list[object]]:
        # Each row is sent while the next is made: PostgreSQL inserts as Python builds.
        for pk, (f, m, (source_case, source_management)) in zip(ids, new, strict=True):
            row = rows_of.row(
                {
                    "id": pk,
                    "incident_id": incident_id,
                    "management_id": m.pk,
                    "source_case_id": source_case.pk if source_case is not None else None,
                    "source_management_id": (
                        source_management.pk if source_management is not None else None
                    ),
                    "exposure_type": f.exposure_type,
                    "first_exposure": f.first,
                    "last_exposure": f.last,
                    "level": f.level,
                    "reason": f.reason[:300],
                    "rule": f.rule,
                }
            )
            c = build(row)
            # What the ORM path leaves cached on the objects it saved.
            cache = c._state.fields_cache
            cache["management"] = m
            cache["source_case"] = source_case
            cache["source_management"] = source_management
            created.append(c)
            kind = (c.level, c.exposure_type)
            if kind not in labels:
                labels[kind] = Contact.label_of(*kind)
            state = (c.level, c.status)
            if state not in changes:
                changes[state] = json.dumps({"level": c.level, "status": c.status})
            events.append((AuditAction.CREATE, CONTACT_TYPE, str(pk), labels[kind], changes[state]))
            yield rows_of.db_row(row)

    bulk.copy_rows(Contact, rows_of.fields, produce())
    record_rows(events)
    return created


@collector_paused()
def derive_for_case(case: Case, now: dt.datetime | None = None) -> list[Contact]:
    """Every candidate of a case: its first-degree contacts and, for each of its confirmed
    密接, their 次密接."""
    contacts = store(case.incident_id, find_for_case(case), source_case=case)
    close = Management.objects.filter(
        contacts__source_case=case,
        contacts__status=ContactStatus.CONFIRMED,
        contacts__level=Level.CLOSE,
    ).distinct()
    excluded = _excluded_people(case.incident_id)
    already_close = _already_close(case.incident_id)
    secondary: list[tuple[Source, list[Found]]] = [
        ((None, m), find_for_close_contact(m, now, excluded=excluded, already_close=already_close))
        for m in close.select_related("incident__policy_edition")
    ]
    return contacts + store_groups(case.incident_id, secondary)
