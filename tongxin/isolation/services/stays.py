"""Stays: intake with the edition snapshotted, the end date and its history, in-site tests
through the sampling module, twice-daily health checks, release and the release notice."""

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.fields.json import KeyTransform
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.incidents.models import Incident
from tongxin.isolation.models import (
    BatchMember,
    CheckSlot,
    EndDateChange,
    EntryStatus,
    HealthCheck,
    HomeWatch,
    Level,
    Room,
    RoomStatus,
    Site,
    Stay,
    StayStatus,
    TransferEntry,
    WatchKind,
)
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services.rules import level_rule
from tongxin.isolation.services.sites import set_rooms_status
from tongxin.people.models import Person

ISOLATION_ROUND_NAME = "集中隔离点核酸检测"


# --- intake and the end date -----------------------------------------------------------------


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localdate(value)


def end_date(rules: dict[str, Any], last_exposure: dt.datetime) -> dt.date:
    """Centralized isolation ends `centralized_days` after the day of the last exposure."""
    return _local_date(last_exposure) + dt.timedelta(days=int(rules.get("centralized_days", 0)))


def schedule_dates(stay: Stay) -> list[dt.date]:
    """Test day N is N days after the day of the last exposure (day 1 = the day after)."""
    if stay.last_exposure is None:
        return []
    base = _local_date(stay.last_exposure)
    return [base + dt.timedelta(days=int(d)) for d in stay.test_days]


def start_stay(stay: Stay, at: dt.datetime) -> Stay:
    """Intake: the stay snapshots the edition in force now for the person's level."""
    entry = stay.entry
    level = entry.companion_of.level if entry.companion_of is not None else entry.level
    edition = stay.incident.policy_edition if stay.incident_id else entry.incident.policy_edition
    rules = level_rule(edition, level)
    stay.level = level
    # Where the person's samples are recorded: their registry record (sampling registers a
    # person from outside the registry at their first in-site sample).
    stay.test_person_id = stay.test_person_id or entry.person_id
    stay.rules = rules
    stay.edition_code = edition.code
    stay.last_exposure = entry.last_exposure or at
    stay.intake_at = at
    stay.ends_on = end_date(rules, stay.last_exposure)
    stay.status = StayStatus.IN_SITE
    stay.save()
    EndDateChange.objects.create(
        stay=stay, at=at, last_exposure=stay.last_exposure, ends_on=stay.ends_on,
        reason=_("入住（%(edition)s）") % {"edition": edition},
    )  # fmt: skip
    TransferEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.ISOLATED)
    from tongxin.isolation.services.tracing_feed import report_isolated

    report_isolated(entry, at)
    return stay


def admit(member: BatchMember, at: dt.datetime) -> Stay:
    """The site received the person: their allocated stay starts (or one without a room yet)."""
    stay = (
        Stay.objects.filter(member=member, status=StayStatus.ALLOCATED)
        .select_related("entry", "entry__companion_of", "incident__policy_edition")
        .first()
    )
    if stay is None:
        stay = Stay(
            incident_id=member.batch.incident_id, entry=member.entry, member=member,
            site_id=member.batch.site_id, level=member.entry.level,
        )  # fmt: skip
    return start_stay(stay, at)


def cancel_allocations(member_ids: Iterable[int], by: Any = None) -> int:
    """Rooms held for people who did not come go back to free."""
    stays = list(
        Stay.objects.filter(
            member_id__in=list(member_ids), status=StayStatus.ALLOCATED
        ).select_related("room")
    )
    for stay in stays:
        stay.in_room, stay.status = False, StayStatus.CANCELLED
        stay.save(update_fields=["in_room", "status"])
    rooms = [s.room for s in stays if s.room is not None]
    still = set(Stay.objects.filter(room__in=rooms, in_room=True).values_list("room_id", flat=True))
    set_rooms_status(
        [r for r in rooms if r.pk not in still], RoomStatus.FREE, by=by, reason=_("未到达")
    )
    return len(stays)


def change_last_exposure(
    stay: Stay, last_exposure: dt.datetime, reason: str, at: dt.datetime | None = None
) -> bool:
    """Recompute the end date from a new last exposure under the stay's own snapshot; keep the
    history. Returns whether the end date moved."""
    at = at or timezone.now()
    if stay.status not in (StayStatus.IN_SITE, StayStatus.ALLOCATED):
        return False
    previous = stay.ends_on
    stay.last_exposure = last_exposure
    if stay.status == StayStatus.IN_SITE:
        stay.ends_on = end_date(stay.rules, last_exposure)
    stay.save(update_fields=["last_exposure", "ends_on"])
    if stay.status == StayStatus.IN_SITE:
        EndDateChange.objects.create(
            stay=stay, at=at, last_exposure=last_exposure, ends_on=stay.ends_on,
            previous_ends_on=previous, reason=reason[:200],
        )  # fmt: skip
        for companion in stay.companions.filter(status=StayStatus.IN_SITE):
            change_last_exposure(companion, last_exposure, reason, at)
    return previous != stay.ends_on


def change_entry_exposure(
    entry: TransferEntry, last_exposure: dt.datetime, reason: str
) -> list[Stay]:
    """A new last exposure for a listed person: the entry and every open stay follow."""
    with transaction.atomic():
        entry.last_exposure = last_exposure
        entry.save(update_fields=["last_exposure"])
        TransferEntry.objects.filter(companion_of=entry).update(last_exposure=last_exposure)
        stays = list(
            Stay.objects.filter(
                entry=entry, status__in=[StayStatus.IN_SITE, StayStatus.ALLOCATED]
            ).select_related("entry")
        )
        for stay in stays:
            change_last_exposure(stay, last_exposure, reason)
    return stays


# --- in-site tests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    """What the release rule needs of a stay (read with values(), no model instances)."""

    stay: int
    person: int | None
    incident: int
    intake_at: dt.datetime | None
    last_exposure: dt.datetime | None
    test_days: tuple[int, ...]


def _due_of(stay: Stay) -> _Due:
    return _Due(
        stay.pk, stay.test_person_id, stay.incident_id, stay.intake_at, stay.last_exposure,
        tuple(stay.test_days),
    )  # fmt: skip


def _last_tests(stays: list[_Due]) -> dict[int, dict[str, Any]]:
    """Each stay's latest in-site test since intake: {stay id: {tube, sampled_at, result}}.
    One query, on the incidents' isolation rounds only (the round index, never a scan of the
    county's mass-testing samples)."""
    from tongxin.sampling.models import SampleEvent
    from tongxin.testing.models import TestRound

    people = {s.person: s for s in stays if s.person and s.intake_at}
    if not people:
        return {}
    rounds = TestRound.objects.filter(
        incident_id__in={s.incident for s in people.values()}, name=ISOLATION_ROUND_NAME
    ).values("pk")
    since = min(s.intake_at for s in people.values() if s.intake_at)
    rows = (
        SampleEvent.objects.filter(
            round_id__in=rounds, person_id__in=list(people), sampled_at__gte=since
        )
        .order_by("person_id", "-sampled_at")
        .values_list("person_id", "sampled_at", "tube__barcode", "tube__result")
    )
    found: dict[int, dict[str, Any]] = {}
    for person_id, sampled_at, barcode, result in rows:
        due = people[person_id]
        if due.stay in found or due.intake_at is None or sampled_at < due.intake_at:
            continue
        found[due.stay] = {"tube": barcode, "sampled_at": sampled_at, "result": result or "pending"}
    return found


def last_tests(stays: list[Stay]) -> dict[int, dict[str, Any]]:
    return _last_tests([_due_of(s) for s in stays])


def final_test_check(stay: Stay | _Due, last: dict[str, Any] | None) -> str:
    """Why the stay cannot be released yet on its tests ("" when it can): the latest test
    must be taken on or after the final test day and be negative."""
    return _final_check(stay.last_exposure, stay.test_days, last, timezone.get_current_timezone())


def release_due(
    on: dt.date, user: Any = None, incident: Incident | None = None
) -> list[dict[str, Any]]:
    """People whose centralized isolation ends on or before the day, with their last test and
    whether they may go.

    One query: the due stays (scoped to the user) joined with each one's latest in-site sample
    since intake, picked by the database (a window over the incidents' isolation rounds only:
    the sampling table's round index, never a scan of the county's mass-testing samples, and
    no list of people sent back and forth). Rows are read as plain tuples."""
    from django.db import connection

    from tongxin.sampling.models import SampleEvent, Tube
    from tongxin.testing.models import TestRound

    qs = Stay.objects.filter(status=StayStatus.IN_SITE, ends_on__lte=on)
    if user is not None:
        qs = qs.filter(pk__in=Stay.objects.visible_to(user).values("pk"))
    if incident is not None:
        qs = qs.filter(incident=incident)
    columns = (
        "pk", "entry_id", "site_id", "room_id", "incident_id", "test_person_id", "intake_at",
        "last_exposure", "rule_test_days", "level", "ends_on", "edition_code",
    )  # fmt: skip
    # Only the rules' test days travel, not the whole snapshot.
    qs = qs.order_by().annotate(rule_test_days=KeyTransform("test_days", "rules"))
    due_sql, due_params = qs.values_list(*columns).query.sql_with_params()
    t = {
        m.__name__: connection.ops.quote_name(m._meta.db_table)
        for m in (TransferEntry, Site, Room, SampleEvent, Tube, TestRound)
    }
    names = ", ".join(("id", *columns[1:]))
    sql = f"""
        WITH due({names}) AS ({due_sql}),
        last AS (
            SELECT x.stay_id, x.sampled_at, x.barcode, x.result FROM (
                SELECT s.id AS stay_id, ev.sampled_at, tube.barcode, tube.result,
                       ROW_NUMBER() OVER (
                           PARTITION BY s.id ORDER BY ev.sampled_at DESC, ev.id DESC
                       ) AS n
                FROM due s
                JOIN {t["TestRound"]} r ON r.incident_id = s.incident_id AND r.name = %s
                JOIN {t["SampleEvent"]} ev
                  ON ev.round_id = r.id AND ev.person_id = s.test_person_id
                 AND ev.sampled_at >= s.intake_at
                JOIN {t["Tube"]} tube ON tube.id = ev.tube_id
            ) x WHERE x.n = 1
        )
        SELECT s.id, e.name, e.document_masked, s.level, site.name, room.number, s.ends_on,
               s.edition_code, s.last_exposure, s.rule_test_days, last.sampled_at, last.barcode,
               last.result
        FROM due s
        JOIN {t["TransferEntry"]} e ON e.id = s.entry_id
        JOIN {t["Site"]} site ON site.id = s.site_id
        LEFT JOIN {t["Room"]} room ON room.id = s.room_id
        LEFT JOIN last ON last.stay_id = s.id
        ORDER BY s.ends_on, site.name, s.id
    """  # noqa: S608  (table names from _meta; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*due_params, ISOLATION_ROUND_NAME])
        rows = cursor.fetchall()
    tz = timezone.get_current_timezone()
    sqlite = connection.vendor == "sqlite"
    out = []
    for (pk, name, masked, level, site, number, ends_on, edition, exposed, test_days,
         sampled_at, barcode, result) in rows:  # fmt: skip
        if sqlite:  # SQLite hands raw text back
            exposed, sampled_at, ends_on = _sqlite_row(exposed, sampled_at, ends_on)
        if isinstance(test_days, str):
            test_days = json.loads(test_days)
        test_days = test_days or ()
        last = None
        if sampled_at is not None:
            last = {"tube": barcode, "sampled_at": sampled_at, "result": result or "pending"}
        blocked = _final_check(exposed, test_days, last, tz)
        out.append(
            {
                "stay": pk,
                "name": name,
                "document_masked": masked,
                "level": level,
                "site": site,
                "room": number,
                "ends_on": ends_on.isoformat() if ends_on else None,
                "edition": edition,
                "last_test": None
                if last is None
                else {
                    "tube": barcode,
                    "result": last["result"],
                    "sampled_at": sampled_at.astimezone(tz).isoformat(),
                },
                "may_release": not blocked,
                "blocked_because": blocked or None,
            }
        )
    return out


def _sqlite_row(exposed: Any, sampled_at: Any, ends_on: Any) -> tuple[Any, ...]:
    from django.utils.dateparse import parse_date, parse_datetime

    def aware(value: Any) -> Any:
        if isinstance(value, str):
            value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = value.replace(tzinfo=dt.UTC)
        return value

    if isinstance(ends_on, str):
        ends_on = parse_date(ends_on)
    return aware(exposed), aware(sampled_at), ends_on


def _final_check(
    exposed: dt.datetime | None, test_days: Iterable[int], last: dict[str, Any] | None, tz: Any
) -> str:
    """`final_test_check` for a plain row, with the time zone looked up once per list."""
    days = list(test_days)
    final = (
        exposed.astimezone(tz).date() + dt.timedelta(days=int(max(days)))
        if exposed is not None and days
        else None
    )
    if last is None:
        return _("没有隔离期间的核酸检测记录")
    if final is not None and last["sampled_at"].astimezone(tz).date() < final:
        return _("最后一次检测早于末次检测日（%(date)s）") % {"date": final.isoformat()}
    if last["result"] == "pending":
        return _("末次检测结果未出")
    if last["result"] != "negative":
        return _("末次检测结果不是阴性")
    return ""


# --- release ----------------------------------------------------------------------------------


def can_work_site(user: Any, site: Site) -> bool:
    from tongxin.isolation.services.batches import is_planner, is_site_staff

    return has_perm(user, Perm.WORK_ISOLATION) and (is_planner(user) or is_site_staff(user, site))


def visible_stay(user: Any, pk: int) -> Stay:
    stay = (
        Stay.objects.visible_to(user)
        .select_related("entry", "site", "room", "incident")
        .filter(pk=pk)
        .first()
    )
    if stay is None:
        raise Http404
    return stay


def release(user: Any, stay: Stay, at: dt.datetime | None = None) -> Stay:
    """解除隔离: due, final test negative; the person goes to home monitoring on their grid's
    list with the remaining days and tests; the room goes to cleaning."""
    if user is not None and not can_work_site(user, stay.site):
        raise NotAllowed(_("只有本隔离点的工作人员可以解除隔离"))
    at = at or timezone.now()
    with transaction.atomic():
        stay = (
            Stay.objects.select_for_update(of=("self",))
            .select_related("entry", "room")
            .get(pk=stay.pk)
        )
        if stay.status != StayStatus.IN_SITE:
            raise IsolationError(_("该人员不在隔离中"))
        if stay.companion_of_id:
            raise IsolationError(_("陪护人员随未成年人一同解除"))
        if stay.ends_on is None or stay.ends_on > _local_date(at):
            raise IsolationError(_("集中隔离 %(date)s 期满，尚未到期") % {"date": stay.ends_on})
        blocked = final_test_check(stay, last_tests([stay]).get(stay.pk))
        if blocked:
            raise IsolationError(_("不能解除隔离：%(why)s") % {"why": blocked})
        released = [stay, *stay.companions.filter(status=StayStatus.IN_SITE).select_related(
            "entry", "room")]  # fmt: skip
        for s in released:
            s.status, s.released_at, s.in_room = StayStatus.RELEASED, at, False
            s.released_by = user if getattr(user, "pk", None) else None
            s.save(update_fields=["status", "released_at", "in_room", "released_by"])
            _home_after(s, at)
        if stay.room is not None and not Stay.objects.filter(room=stay.room, in_room=True).exists():
            set_rooms_status([stay.room], RoomStatus.CLEANING, by=user, reason=_("解除隔离"))
    return stay


def _home_after(stay: Stay, at: dt.datetime) -> HomeWatch | None:
    rules = stay.rules or {}
    days = int(rules.get("home_days") or 0)
    entry = stay.entry
    if days <= 0 or entry.person_id is None:
        return None
    start = _local_date(at)
    return HomeWatch.objects.create(
        incident_id=stay.incident_id, person_id=entry.person_id,
        household_id=entry.household_id or Person.objects.get(pk=entry.person_id).household_id,
        kind=rules.get("home_kind") or WatchKind.HOME_MONITORING, stay=stay, level=stay.level,
        starts_on=start, ends_on=start + dt.timedelta(days=days),
        test_dates=[
            (start + dt.timedelta(days=int(d))).isoformat()
            for d in rules.get("home_test_days") or []
        ],
    )  # fmt: skip


def move_out(user: Any, stay: Stay, reason: str, at: dt.datetime | None = None) -> Stay:
    """The person leaves the site otherwise (to hospital as a case, …): the room is cleaned."""
    if user is not None and not can_work_site(user, stay.site):
        raise NotAllowed(_("只有本隔离点的工作人员可以办理"))
    at = at or timezone.now()
    with transaction.atomic():
        stay.status, stay.in_room, stay.left_reason, stay.released_at = (
            StayStatus.TRANSFERRED, False, reason[:255], at,
        )  # fmt: skip
        stay.save(update_fields=["status", "in_room", "left_reason", "released_at"])
        if stay.room and not Stay.objects.filter(room=stay.room, in_room=True).exists():
            set_rooms_status([stay.room], RoomStatus.CLEANING, by=user, reason=reason)
    return stay


# --- health checks ----------------------------------------------------------------------------

FEVER = Decimal("37.3")


def parse_temperature(raw: Any) -> Decimal:
    """A body temperature as typed on a phone: a number of ℃ with one decimal, 34.0–43.0."""
    try:
        value = Decimal(str(raw).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise IsolationError(_("体温无效")) from exc
    if not value.is_finite() or not Decimal("34.0") <= value <= Decimal("43.0"):
        raise IsolationError(_("体温应在 34.0–43.0 ℃ 之间"))
    return value


def record_health_check(
    user: Any, stay: Stay, *, temperature: Any, symptoms: Iterable[str] = (),
    slot: str | None = None, at: dt.datetime | None = None, client_id: str | None = None,
) -> tuple[HealthCheck, bool]:  # fmt: skip
    """One of the twice-daily checks; idempotent by the client's id (and one per half-day)."""
    if user is not None and not can_work_site(user, stay.site):
        raise NotAllowed(_("只有本隔离点的工作人员可以登记健康监测"))
    if stay.status != StayStatus.IN_SITE:
        raise IsolationError(_("该人员不在隔离中"))
    value = parse_temperature(temperature)
    at = at or timezone.now()
    local = timezone.localtime(at)
    slot = slot or (CheckSlot.MORNING if local.hour < 12 else CheckSlot.AFTERNOON)
    uid = uuid.UUID(client_id) if client_id else uuid.uuid4()
    existing = HealthCheck.objects.filter(client_id=uid).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            check = HealthCheck.objects.create(
                client_id=uid, stay=stay, date=local.date(), slot=slot, temperature=value,
                symptoms=[str(s)[:40] for s in symptoms if str(s).strip()], at=at,
                by=user if getattr(user, "pk", None) else None,
            )  # fmt: skip
    except IntegrityError as exc:
        raise IsolationError(_("该时段已登记过健康监测")) from exc
    return check, True


def floor_sheet(site: Site, floor: int, on: dt.date) -> list[dict[str, Any]]:
    """The floor's people with today's two checks, for the phone page."""
    stays = list(
        Stay.objects.filter(site=site, room__floor=floor, status=StayStatus.IN_SITE)
        .select_related("entry", "room")
        .order_by("room__number", "pk")
    )
    checks = {(c.stay_id, c.slot): c for c in HealthCheck.objects.filter(stay__in=stays, date=on)}
    return [
        {
            "stay": s,
            "am": checks.get((s.pk, CheckSlot.MORNING)),
            "pm": checks.get((s.pk, CheckSlot.AFTERNOON)),
        }
        for s in stays
    ]


def level_label(level: str) -> str:
    return str(Level(level).label) if level in Level.values else level
