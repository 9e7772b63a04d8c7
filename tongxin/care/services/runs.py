"""Green-channel runs: a township's dialysis patients to one hospital on one date.

The manifest is built from the registry (dialysis patients of the township whose weekly
schedule includes the date's weekday), so planning the same day again changes nothing that is
already right: it adds who is newly due, drops who is no longer due (unless already checked
off), and recomputes who must be picked up at the door.

Door pick-up: a patient whose home is in a zone at least as restrictive as the first kind of
the edition whose people may not leave the zone (管控区 in the 8th edition, 中风险区 in the
9th) is fetched at the door. The threshold is read from the edition, never from names; an
edition may set it outright with rules.green_channel.door_pickup_min_rank.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.care.models import (
    CareNeed,
    GreenRun,
    GreenRunQuerySet,
    Hospital,
    HospitalSlot,
    NeedKind,
    PassengerStatus,
    RunPassenger,
    RunStop,
)
from tongxin.care.services.access import can_plan_runs
from tongxin.care.services.registry import CareError, NotAllowed
from tongxin.care.services.slots import book_best, release, slots_on
from tongxin.incidents.models import Incident
from tongxin.people.models import ResidenceStatus
from tongxin.places.models import Place, PlaceKind
from tongxin.zones import kinds as zk
from tongxin.zones.services import ZoneInfo, effective_zones

log = logging.getLogger(__name__)

TOWNSHIP_DEPTH = 2
COMMUNITY_DEPTH = 3


def _lead_minutes() -> int:
    """Minutes from a trip's last pick-up to its hospital slot: the drive and checking in."""
    return int(getattr(settings, "TONGXIN_GREEN_RUN_LEAD_MINUTES", 60))


def _stop_minutes() -> int:
    """Minutes between consecutive pick-ups."""
    return int(getattr(settings, "TONGXIN_GREEN_RUN_STOP_MINUTES", 10))


# --- the door rule ---------------------------------------------------------------------------


def door_pickup_rank(edition: Any) -> int | None:
    """The lowest zone rank whose residents are fetched at the door (None: nobody is)."""
    if edition is None:
        return None
    given = edition.rule("green_channel", "door_pickup_min_rank")
    if given is not None:
        return int(given)
    confined = [k.rank for k in zk.zone_kinds(edition) if k.leave_zone is False]
    return min(confined) if confined else None


def needs_door_pickup(zone: ZoneInfo | None) -> bool:
    if zone is None:
        return False
    threshold = door_pickup_rank(zone.designation.incident.policy_edition)
    return threshold is not None and zone.rank >= threshold


# --- who is due ------------------------------------------------------------------------------


def dialysis_due(date: dt.date, township: Place | None = None) -> QuerySet[CareNeed]:
    """Dialysis records whose schedule includes the date's weekday, current on that date,
    of residents living here (not away)."""
    qs = (
        CareNeed.objects.filter(kind=NeedKind.DIALYSIS, hospital__isnull=False)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=date))
        .on_weekday(date)
        .exclude(person__residence_status=ResidenceStatus.AWAY)
        .select_related("person__household", "hospital")
    )
    if township is not None:
        qs = qs.filter(person__household__path__startswith=township.path)
    return qs


def _prefix(place: Place, depth: int) -> str:
    return place.path[: depth * Place.steplen]


def _default_incident() -> Incident | None:
    open_incidents = list(Incident.objects.open().select_related("policy_edition")[:2])
    return open_incidents[0] if len(open_incidents) == 1 else None


@dataclass
class PlanResult:
    runs: list[GreenRun] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    unbooked: int = 0  # passengers the hospital has no slot left for

    def __str__(self) -> str:
        return _(
            "%(runs)s 个车次，新增 %(added)s 人，移出 %(removed)s 人，未约到时段 %(unbooked)s 人"
        ) % {"runs": len(self.runs), "added": self.added, "removed": self.removed,
             "unbooked": self.unbooked}  # fmt: skip


def plan_runs(
    date: dt.date,
    *,
    township: Place | None = None,
    incident: Incident | None = None,
    at: dt.datetime | None = None,
) -> PlanResult:
    """Build (or bring up to date) the day's runs from the registry. Idempotent.

    `at` is the moment whose zones decide door pick-ups: by default the start of the run's
    day, or now if that has passed (a zone recorded ahead of time for tomorrow counts).
    """
    if township is not None and township.kind != PlaceKind.TOWNSHIP:
        raise CareError(_("请选择乡镇/街道"))
    incident = incident or _default_incident()
    if at is None:
        day_start = timezone.make_aware(dt.datetime.combine(date, dt.time.min))
        at = max(timezone.now(), day_start)
    groups: dict[tuple[str, int], list[CareNeed]] = defaultdict(list)
    for need in dialysis_due(date, township):
        hospital_id = need.hospital_id
        assert hospital_id is not None  # dialysis_due() keeps records with a hospital
        groups[(_prefix(need.person.household, TOWNSHIP_DEPTH), hospital_id)].append(need)
    townships = {
        p.path: p
        for p in Place.objects.filter(
            path__in={path for path, _h in groups}, kind=PlaceKind.TOWNSHIP
        )
    }
    # Runs planned before for this day whose patients are no longer due are emptied as well.
    existing = GreenRun.objects.filter(date=date).select_related("township", "hospital")
    if township is not None:
        existing = existing.filter(township=township)
    for earlier in existing:
        groups.setdefault((earlier.township.path, earlier.hospital_id), [])
        townships.setdefault(earlier.township.path, earlier.township)
    hospitals = Hospital.objects.in_bulk({h for _p, h in groups})
    result = PlanResult()
    for (path, hospital_id), needs in sorted(groups.items()):
        place = townships.get(path)
        if place is None:
            log.warning("dialysis patients outside any township: %s", path)
            continue
        planned = _plan_one(place, hospitals[hospital_id], date, incident, needs, at, result)
        if planned is not None:
            result.runs.append(planned)
    return result


def plan_runs_for(user: Any, date: dt.date, township_id: int | None = None) -> PlanResult:
    """Plan the day for the townships a planner is responsible for (one, or all of them)."""
    from tongxin.accounts.jurisdiction import jurisdiction_of

    if not can_plan_runs(user):
        raise NotAllowed(_("只有指挥部、转运组和乡镇负责人可以安排专车"))
    mine = Place.objects.visible_to(user).filter(kind=PlaceKind.TOWNSHIP).order_by("path")
    townships: list[Place | None]
    if township_id is not None:
        township = mine.filter(pk=township_id).first()
        if township is None:
            raise Http404(_("未找到该乡镇/街道"))
        townships = [township]
    elif jurisdiction_of(user).everywhere:
        townships = [None]
    else:
        townships = list(mine)
    total = PlanResult()
    for township in townships:
        result = plan_runs(date, township=township)
        total.runs += result.runs
        total.added += result.added
        total.removed += result.removed
        total.unbooked += result.unbooked
    return total


def _plan_one(
    township: Place,
    hospital: Hospital,
    date: dt.date,
    incident: Incident | None,
    needs: list[CareNeed],
    at: dt.datetime,
    result: PlanResult,
) -> GreenRun | None:
    if (
        not needs
        and not GreenRun.objects.filter(township=township, hospital=hospital, date=date).exists()
    ):
        return None
    run, _created = GreenRun.objects.get_or_create(
        township=township, hospital=hospital, date=date, defaults={"incident": incident}
    )
    with transaction.atomic():
        # One planner at a time per run; a second waits, then finds the first one's work.
        run = (
            # Lock the run row only: the incident is an outer join PostgreSQL cannot lock.
            GreenRun.objects.select_for_update(of=("self",))
            .select_related("hospital", "incident")
            .get(pk=run.pk)
        )
        wanted = {n.person_id: n for n in needs}
        passengers = {p.person_id: p for p in run.passengers.select_related("need")}
        for person_id, passenger in passengers.items():
            if person_id not in wanted and passenger.status == PassengerStatus.PLANNED:
                release(passenger)
                passenger.delete()
                result.removed += 1
        zones = effective_zones([n.person.household for n in needs], at, incident=run.incident)
        stops = {s.community_id: s for s in run.stops.all()}
        communities = Place.objects.in_bulk(
            field_name="path",
            id_list={_prefix(n.person.household, COMMUNITY_DEPTH) for n in needs},
        )
        for need in sorted(needs, key=lambda n: (n.person.household.path, n.person_id)):
            household = need.person.household
            zone = zones.get(household.pk)
            door = needs_door_pickup(zone)
            stop = None
            if not door:
                community = communities.get(_prefix(household, COMMUNITY_DEPTH))
                key = community.pk if community else None
                stop = stops.get(key)
                if stop is None:
                    stop = RunStop.objects.create(
                        run=run,
                        community=community,
                        name=_("%(place)s集合点") % {"place": community.name}
                        if community
                        else _("集合点"),
                        order=len(stops) + 1,
                    )
                    stops[key] = stop
            values: dict[str, Any] = {"need": need, "at_door": door, "stop": stop,
                                      "zone_name": zone.name if zone else ""}  # fmt: skip
            if not door:
                values["pickup_time"] = None  # boards at its stop's time
            passenger = passengers.get(need.person_id) or RunPassenger(
                run=run, person_id=need.person_id, **values
            )
            if passenger.pk is None:
                passenger.save()
                result.added += 1
            elif passenger.status == PassengerStatus.PLANNED:
                for name, value in values.items():
                    setattr(passenger, name, value)
                passenger.save()
            if passenger.status == PassengerStatus.PLANNED and passenger.slot_id is None:
                passenger.run = run
                if not book_best(passenger):
                    result.unbooked += 1
        for unused in run.stops.filter(passengers__isnull=True):
            unused.delete()
        _schedule(run)
        run.planned_at = timezone.now()
        run.save()
    return run


def _add_minutes(time: dt.time, minutes: int) -> dt.time:
    moment = dt.datetime.combine(dt.date(2000, 1, 2), time) + dt.timedelta(minutes=minutes)
    return moment.time()


def _target(passenger: RunPassenger) -> dt.time | None:
    """When the passenger must be at the hospital: their slot, else their usual session."""
    if passenger.slot_id is not None and passenger.slot is not None:
        return passenger.slot.starts_at
    return passenger.need.session_time if passenger.need_id else None


def _schedule(run: GreenRun) -> None:
    """Pick-up times, planned backwards from each hospital slot: the last pick-up for a slot is
    `lead` minutes (the drive to the hospital and checking in) before it, the ones before step
    back a few minutes each — stops in their order, then door pick-ups. A patient with a 12:30
    slot is fetched for 12:30, not at dawn with the 07:10 patients. A stop shows the time of its
    earliest trip; its passengers on later trips carry their own time. Times a planner set on a
    stop or the run are kept; the run leaves (if not set) at its first pick-up."""
    lead, step = _lead_minutes(), _stop_minutes()
    passengers = [
        p
        for p in run.passengers.select_related("slot", "need", "stop").order_by("id")
        if p.status == PassengerStatus.PLANNED
    ]
    waves: dict[dt.time, list[RunPassenger]] = {}
    for passenger in passengers:
        target = _target(passenger)
        if target is not None:
            waves.setdefault(target, []).append(passenger)
    stop_time: dict[int, dt.time] = {}
    own_time: dict[int, dt.time] = {}
    first_pickup: dt.time | None = None
    for target in sorted(waves):
        riders = waves[target]
        stops = sorted({p.stop for p in riders if not p.at_door and p.stop is not None},
                       key=lambda s: (s.order, s.pk))  # fmt: skip
        door = [p for p in riders if p.at_door or p.stop is None]
        points = [("stop", stop.pk) for stop in stops] + [("door", p.pk) for p in door]
        last = len(points) - 1
        times = {point: _add_minutes(target, -lead - (last - i) * step)
                 for i, point in enumerate(points)}  # fmt: skip
        for stop in stops:
            stop_time.setdefault(stop.pk, times[("stop", stop.pk)])
        for passenger in riders:
            key = ("door", passenger.pk) if passenger in door else ("stop", passenger.stop_id or 0)
            own_time[passenger.pk] = times[key]
        if points:
            first = times[points[0]]
            first_pickup = first if first_pickup is None else min(first_pickup, first)
    for stop in run.stops.filter(pickup_time__isnull=True):
        if stop.pk in stop_time:
            stop.pickup_time = stop_time[stop.pk]
            stop.save(update_fields=["pickup_time"])
    for passenger in passengers:
        at = own_time.get(passenger.pk)
        if not passenger.at_door and passenger.stop_id is not None:
            # On the stop's earliest trip: boards at the stop's time (a planner may have moved
            # it); on a later trip from the same stop: their own time.
            at = None if at is None or at == stop_time.get(passenger.stop_id) else at
        if passenger.pickup_time != at:
            passenger.pickup_time = at
            passenger.save(update_fields=["pickup_time"])
    if run.departs_at is None and first_pickup is not None:
        run.departs_at = first_pickup


# --- reading and arranging runs --------------------------------------------------------------


def visible_runs(user: Any) -> GreenRunQuerySet:
    return GreenRun.objects.visible_to(user)


def get_visible_run(user: Any, pk: int) -> GreenRun:
    run = (
        visible_runs(user)
        .select_related("township", "hospital", "driver", "escort", "incident")
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise Http404(_("未找到该车次"))
    return run


def is_crew(user: Any, run: GreenRun) -> bool:
    return user is not None and user.pk is not None and user.pk in (run.driver_id, run.escort_id)


def can_check_off(user: Any, run: GreenRun) -> bool:
    return is_crew(user, run) or can_plan_runs(user)


# How many days either side of a run its crew may call its passengers (the evening before, the
# day itself, the day after for a forgotten bag).
CREW_CALL_DAYS = 1


def reveal_passenger_phone(user: Any, pk: int, *, today: dt.date | None = None) -> str:
    """The passenger's phone in clear so the crew can call them (running late, which door):
    for the run's driver or escort around the run's date, and for planners who may reveal
    personal data. Every reveal is audited against the person."""
    from tongxin.accounts.permissions import Perm, has_perm
    from tongxin.audit.services import record_reveal

    passenger = (
        RunPassenger.objects.select_related("run", "person")
        .filter(pk=pk, run__in=visible_runs(user))
        .first()
    )
    if passenger is None:
        raise Http404
    run = passenger.run
    today = today or timezone.localdate()
    crew_now = is_crew(user, run) and abs((run.date - today).days) <= CREW_CALL_DAYS
    planner = can_plan_runs(user) and has_perm(user, Perm.REVEAL_PERSONAL)
    if not (crew_now or planner):
        raise NotAllowed(_("只有本车当班的驾驶员、随车人员和调度人员可以拨打乘客电话"))
    # The purpose is the call itself; the audit event says so instead of asking the driver.
    record_reveal(passenger.person, "phone", reason="专车接送：联系乘客")
    return str(passenger.person.phone or "")


def _require_planner(user: Any, run: GreenRun) -> None:
    get_visible_run(user, run.pk)
    if not can_plan_runs(user):
        raise NotAllowed(_("只有指挥部、转运组和乡镇负责人可以安排专车"))


def arrange(
    user: Any,
    run: GreenRun,
    *,
    vehicle: str = "",
    driver: Any = None,
    escort: Any = None,
    departs_at: dt.time | None = None,
    notes: str = "",
) -> GreenRun:
    """Assign the vehicle, driver and escort, and the departure time (audited as a change).
    A newly assigned driver or escort is told (inbox and SMS; no passenger's data in it)."""
    _require_planner(user, run)
    before = {"driver": run.driver_id, "escort": run.escort_id}
    run.vehicle = vehicle.strip()
    run.driver, run.escort = driver, escort
    run.departs_at = departs_at
    run.notes = notes.strip()
    run.save()
    for role, person in (("driver", driver), ("escort", escort)):
        if person is not None and person.pk != before[role]:
            _tell_crew(run, person, role)
    return run


def _tell_crew(run: GreenRun, member: Any, role: str) -> None:
    from django.urls import NoReverseMatch, reverse

    try:
        link = reverse("care:manifest", args=[run.pk])
    except NoReverseMatch:
        link = ""
    context = {
        "date": run.date.isoformat(), "township": run.township.name,
        "hospital": run.hospital.name,
        "role": _("驾驶员") if role == "driver" else _("随车人员"),
        "departs": run.departs_at.strftime("%H:%M") if run.departs_at else "—",
        "passengers": run.passengers.count(),
    }  # fmt: skip

    def send() -> None:
        from tongxin.notifications.services import notify

        notify("care_run_assigned", users=[member], context=context, link=link,
               incident=run.incident)  # fmt: skip

    transaction.on_commit(send, robust=True)


def set_stop(user: Any, stop: RunStop, *, name: str, pickup_time: dt.time | None) -> RunStop:
    _require_planner(user, stop.run)
    if not name.strip():
        raise CareError(_("请填写上车点名称"))
    stop.name, stop.pickup_time = name.strip(), pickup_time
    stop.save()
    return stop


def passengers_of(run: GreenRun) -> QuerySet[RunPassenger]:
    """The manifest rows as lists show them (masked personal data only)."""
    return (
        run.passengers.select_related(
            "person__household", "stop", "slot", "need", "picked_up_by", "arrived_by"
        )
        .defer("person__document_number", "person__phone")
        .order_by("at_door", "stop__order", "pickup_time", "person__household__path", "id")
    )


def open_manifest(user: Any, pk: int) -> tuple[GreenRun, list[RunPassenger]]:
    """A run and its passengers for the crew or a planner; the view of the manifest (names,
    addresses and a health need) is audited."""
    run = get_visible_run(user, pk)
    passengers = list(passengers_of(run))
    record(AuditAction.VIEW, run, detail={"manifest": [p.person_id for p in passengers]})
    return run, passengers


def slot_board(
    user: Any, hospital: Hospital, date: dt.date
) -> list[tuple[HospitalSlot, list[RunPassenger]]]:
    """A hospital's slots on a date with the passengers booked into them from the runs the
    user may see; the names on it (people booked for dialysis) are audited like a manifest."""
    slots = list(slots_on(hospital, date))
    riders: dict[int | None, list[RunPassenger]] = defaultdict(list)
    for p in (
        RunPassenger.objects.filter(slot__in=slots, run__in=visible_runs(user))
        .select_related("run__township", "person")
        .defer("person__document_number", "person__phone")
        .order_by("run__township__path", "id")
    ):
        riders[p.slot_id].append(p)
    shown = [p.person_id for ps in riders.values() for p in ps]
    if shown:
        record(
            AuditAction.VIEW,
            hospital,
            detail={"slot_board": date.isoformat(), "people": shown},
        )
    return [(slot, riders[slot.pk]) for slot in slots]


# --- check-offs ------------------------------------------------------------------------------


class Stage:
    PICKUP = "pickup"
    ARRIVAL = "arrival"
    ABSENT = "absent"
    UNDO = "undo"


def _passenger_for(user: Any, pk: int) -> RunPassenger:
    passenger = (
        RunPassenger.objects.filter(run__in=visible_runs(user))
        .select_related("run", "person__household", "stop", "slot")
        .filter(pk=pk)
        .first()
    )
    if passenger is None:
        raise Http404(_("未找到该乘客"))
    if not can_check_off(user, passenger.run):
        raise NotAllowed(_("只有本车驾驶员、随车人员或调度人员可以核销"))
    return passenger


def check_off(
    user: Any, passenger_pk: int, stage: str, *, now: dt.datetime | None = None
) -> tuple[RunPassenger, bool]:
    """Tick a passenger off at pick-up or at the hospital (or mark them not travelling).

    Returns (passenger, changed). Pressing twice, or two crew members pressing at once,
    changes it once and counts it once: each step is an UPDATE conditional on the state it
    leaves, and the run's counters move only when that UPDATE changed a row.
    """
    passenger = _passenger_for(user, passenger_pk)
    now = now or timezone.now()
    rows = RunPassenger.objects.filter(pk=passenger.pk)
    run_rows = GreenRun.objects.filter(pk=passenger.run_id)
    by = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        if stage == Stage.PICKUP:
            changed = rows.filter(status=PassengerStatus.PLANNED).update(
                status=PassengerStatus.PICKED_UP, picked_up_at=now, picked_up_by=by
            )
            if changed:
                run_rows.update(picked_up_count=F("picked_up_count") + 1)
        elif stage == Stage.ARRIVAL:
            # A patient a relative drove in arrives without having been picked up.
            changed = rows.filter(
                status__in=[PassengerStatus.PLANNED, PassengerStatus.PICKED_UP]
            ).update(status=PassengerStatus.ARRIVED, arrived_at=now, arrived_by=by)
            if changed:
                run_rows.update(arrived_count=F("arrived_count") + 1)
        elif stage == Stage.ABSENT:
            changed = rows.filter(status=PassengerStatus.PLANNED).update(
                status=PassengerStatus.ABSENT
            )
        elif stage == Stage.UNDO:
            changed = _undo(passenger, rows, run_rows)
        else:
            raise CareError(_("未知的核销步骤"))
        before = passenger.status
        passenger.refresh_from_db()
        if changed:
            record(
                AuditAction.UPDATE,
                passenger,
                changes={"status": [before, passenger.status]},
                detail={"stage": stage},
            )
    return passenger, bool(changed)


def _undo(
    passenger: RunPassenger, rows: QuerySet[RunPassenger], run_rows: QuerySet[GreenRun]
) -> int:
    """Take back the last tick (a mis-tap on a phone), once."""
    status = passenger.status
    if status == PassengerStatus.ARRIVED:
        back = PassengerStatus.PICKED_UP if passenger.picked_up_at else PassengerStatus.PLANNED
        changed = rows.filter(status=status).update(status=back, arrived_at=None, arrived_by=None)
        if changed:
            run_rows.filter(arrived_count__gt=0).update(arrived_count=F("arrived_count") - 1)
        return changed
    if status == PassengerStatus.PICKED_UP:
        changed = rows.filter(status=status).update(
            status=PassengerStatus.PLANNED, picked_up_at=None, picked_up_by=None
        )
        if changed:
            run_rows.filter(picked_up_count__gt=0).update(picked_up_count=F("picked_up_count") - 1)
        return changed
    if status == PassengerStatus.ABSENT:
        return rows.filter(status=status).update(status=PassengerStatus.PLANNED)
    return 0


def tomorrow(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now()) + dt.timedelta(days=1)
