"""Making, reading and adjusting a round's staggered schedule (分楼栋错峰).

The planning itself is `tongxin.testing.planner` (pure); this module feeds it from the
database and stores what it decides as `PlanSlot` rows.
"""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.testing import planner
from tongxin.testing.models import (
    Exemption,
    PlanSlot,
    RoundPlan,
    RoundPoint,
    TestRound,
)
from tongxin.testing.services.rounds import RoundError, people_per_sampler_hour
from tongxin.testing.services.scope import EXPECTED_STATUSES, scope_q, stay_home_q

# A building with more people expected than this is planned stairwell by stairwell, so its
# residents are not all asked to come at once (when it has stairwells).
SPLIT_ABOVE = 150


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


# --- from the database to the planner -------------------------------------------------------


@dataclass
class Inputs:
    units: list[planner.Unit]
    points: list[planner.Point]
    round_points: dict[int, RoundPoint]
    seconds: dict[str, float] = field(default_factory=dict)


def _expected_counts(round: TestRound) -> dict[int, tuple[int, int]]:
    """{parent place id (stairwell or building): (people, households)} of the residents
    expected at a point: living there and not exempted."""
    rows = (
        Person.objects.filter(scope_q(round, "household__path"))
        .filter(residence_status__in=EXPECTED_STATUSES)
        .exclude(pk__in=Exemption.objects.filter(round=round).values("person_id"))
        # Sealed-zone residents are sampled at home, never asked to come to a point.
        .exclude(stay_home_q(round, "household__path"))
        .values("household__parent_id")
        .annotate(people=Count("id"), households=Count("household_id", distinct=True))
        .order_by()
    )
    return {r["household__parent_id"]: (r["people"], r["households"]) for r in rows}


def plan_units(round: TestRound, split_above: int = SPLIT_ABOVE) -> list[planner.Unit]:
    """The buildings of the scope (stairwells of the large ones) with the people expected."""
    counts = _expected_counts(round)
    kinds = [PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.STAIRWELL]
    places = {
        p["id"]: p
        for p in Place.objects.filter(scope_q(round, "path"), kind__in=kinds)
        .values("id", "path", "kind", "parent_id", "latitude", "longitude")
        .order_by()
    }
    # Buildings: their own households plus their stairwells'.
    per_building: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for parent_id, (people, households) in counts.items():
        place = places.get(parent_id)
        if place is None:
            continue  # households straight under an estate or above: not a building
        if place["kind"] == PlaceKind.STAIRWELL:
            per_building[place["parent_id"]].append((parent_id, people, households))
        elif place["kind"] == PlaceKind.BUILDING:
            per_building[parent_id].append((parent_id, people, households))

    def coords(place_id: int | None) -> tuple[float | None, float | None]:
        while place_id is not None and place_id in places:
            place = places[place_id]
            if place["latitude"] is not None and place["longitude"] is not None:
                return _float(place["latitude"]), _float(place["longitude"])
            place_id = place["parent_id"]
        return None, None

    serving = _serving_paths(round)
    units: list[planner.Unit] = []
    for building_id, parts in per_building.items():
        total = sum(p for _pid, p, _h in parts)
        if total <= split_above or len(parts) == 1:
            lat, lng = coords(building_id)
            path = places[building_id]["path"]
            units.append(
                planner.Unit(
                    key=building_id,
                    path=path,
                    people=total,
                    households=sum(h for _pid, _p, h in parts),
                    lat=lat,
                    lng=lng,
                    serving=_serving_for(path, serving),
                )
            )
            continue
        for place_id, people, households in parts:
            lat, lng = coords(place_id)
            path = places[place_id]["path"]
            units.append(
                planner.Unit(
                    key=place_id,
                    path=path,
                    people=people,
                    households=households,
                    lat=lat,
                    lng=lng,
                    serving=_serving_for(path, serving),
                )
            )
    return units


def _serving_paths(round: TestRound) -> dict[str, list[int]]:
    """{path of a place some point serves: [round point ids]}."""
    found: dict[str, list[int]] = defaultdict(list)
    through = RoundPoint.serves.through
    for rp_id, path in through.objects.filter(roundpoint__round=round).values_list(
        "roundpoint_id", "place__path"
    ):
        found[path].append(rp_id)
    return found


def _serving_for(path: str, serving: dict[str, list[int]]) -> tuple[int, ...]:
    step = Place.steplen
    for end in range(len(path), 0, -step):
        found = serving.get(path[:end])
        if found:
            return tuple(sorted(found))
    return ()


def plan_points(round: TestRound, start: dt.datetime | None = None) -> list[planner.Point]:
    tz = timezone.get_default_timezone()
    begin = max(start or round.starts_at, round.starts_at)
    points = []
    for rp in _round_points(round).values():
        point = rp.point
        if not point.active:
            continue
        points.append(
            planner.Point(
                key=rp.pk,
                samplers=rp.sampler_count,
                intervals=planner.open_intervals(
                    point.opens_at, point.closes_at, begin, round.deadline, tz
                ),
                path=point.place.path,
                lat=_float(point.latitude),
                lng=_float(point.longitude),
                exclusive=rp.pk in _exclusive_ids(round),
            )
        )
    return points


def _exclusive_ids(round: TestRound) -> set[int]:
    through = RoundPoint.serves.through
    return set(
        through.objects.filter(roundpoint__round=round).values_list("roundpoint_id", flat=True)
    )


def _round_points(round: TestRound) -> dict[int, RoundPoint]:
    return {
        rp.pk: rp
        for rp in RoundPoint.objects.filter(round=round)
        .select_related("point__place")
        .order_by("point__name", "pk")
    }


# --- making the plan ------------------------------------------------------------------------


@dataclass
class PlanResult:
    plan: RoundPlan
    result: planner.Plan
    seconds: dict[str, float]


def summary_of(result: planner.Plan) -> dict[str, Any]:
    finish = result.finishes_at
    return {
        "people": result.people,
        "placed_people": result.placed_people,
        "capacity": result.capacity,
        "units": len(result.assignments),
        "unplaced_units": sum(1 for a in result.assignments if not a.placed),
        "orphans": len(result.orphans),
        "extra_samplers": result.extra_samplers,
        "extra_hours": result.extra_hours,
        "finishes_at": finish.isoformat() if finish else None,
        "points": {
            str(key): {
                "samplers": load.samplers,
                "open_hours": round(load.open_hours, 2),
                "people": load.people,
                "units": load.units,
                "capacity": load.capacity,
                "unplaced_people": load.unplaced_people,
                "unplaced_units": load.unplaced_units,
                "extra_samplers": load.extra_samplers,
                "extra_hours": load.extra_hours,
                "finishes_at": load.finishes_at.isoformat() if load.finishes_at else None,
            }
            for key, load in result.loads.items()
        },
    }


def make_plan(
    round: TestRound,
    *,
    by: Any = None,
    start: dt.datetime | None = None,
    split_above: int = SPLIT_ABOVE,
) -> PlanResult:
    """Plan (or plan again) every building of the round. Replaces the earlier schedule,
    including moves made by hand."""
    from tongxin.testing.models import RoundStatus

    if round.status == RoundStatus.CLOSED:
        raise RoundError(_("本轮已结束，不能再编排"))
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    rate = people_per_sampler_hour(round)
    units = plan_units(round, split_above)
    points = plan_points(round, start)
    seconds["load"] = time.perf_counter() - started

    started = time.perf_counter()
    result = planner.plan(units, points, per_sampler_hour=rate)
    seconds["plan"] = time.perf_counter() - started

    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        PlanSlot.objects.filter(round=round).delete()
        PlanSlot.objects.bulk_create(
            [
                PlanSlot(
                    round=round,
                    place_id=a.unit.key,
                    round_point_id=a.point,
                    starts_at=a.starts_at,
                    ends_at=a.ends_at,
                    people=a.unit.people,
                    households=a.unit.households,
                )
                for a in result.assignments
            ],
            batch_size=2000,
        )
        plan, _created = RoundPlan.objects.update_or_create(
            round=round,
            defaults={
                "people_per_sampler_hour": rate,
                "feasible": result.feasible,
                "summary": summary_of(result),
                "made_at": now,
                "made_by": by if getattr(by, "pk", None) else None,
                "adjusted_at": None,
            },
        )
    seconds["save"] = time.perf_counter() - started
    return PlanResult(plan, result, seconds)


# --- reading and checking -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanWarning:
    code: str  # overload, closed, deadline, unplaced, not_served
    message: str
    round_point_id: int | None = None
    slot_id: int | None = None


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def span(start: dt.datetime, end: dt.datetime) -> str:
    """ "03-06 07:00–08:00", the date once when both ends fall on the same day."""
    s, e = timezone.localtime(start), timezone.localtime(end)
    if s.date() == e.date():
        return f"{s:%m-%d %H:%M}–{e:%H:%M}"
    return f"{s:%m-%d %H:%M}–{e:%m-%d %H:%M}"


def point_rate(round_point: RoundPoint, per_sampler_hour: float) -> float:
    return round_point.sampler_count * per_sampler_hour


def check_plan(round: TestRound, round_point: RoundPoint | None = None) -> list[PlanWarning]:
    """What is wrong with the schedule as it stands (after moves by hand): points told to
    take more people than their samplers can, windows outside opening hours or after the
    deadline, buildings with no window, buildings sent to a point that does not serve them."""
    rate = people_per_sampler_hour(round)
    round_points = _round_points(round)
    slots = PlanSlot.objects.filter(round=round).select_related("place")
    if round_point is not None:
        slots = slots.filter(round_point=round_point)
    tz = timezone.get_default_timezone()
    warnings: list[PlanWarning] = []
    windows = []
    serving = _serving_paths(round)
    exclusive = _exclusive_ids(round)
    intervals = {
        pk: planner.open_intervals(
            rp.point.opens_at, rp.point.closes_at, round.starts_at, round.deadline, tz
        )
        for pk, rp in round_points.items()
    }
    for slot in slots:
        if slot.starts_at is None or slot.ends_at is None or slot.round_point_id is None:
            warnings.append(
                PlanWarning(
                    "unplaced",
                    _("%(place)s（%(n)d 人）未能在完成时限前安排时段")
                    % {"place": slot_label(slot), "n": slot.people},
                    slot.round_point_id,
                    slot.pk,
                )
            )
            continue
        windows.append((slot.round_point_id, slot.starts_at, slot.ends_at, slot.people))
        rp = round_points.get(slot.round_point_id)
        if rp is None:
            continue
        if slot.ends_at > round.deadline:
            warnings.append(
                PlanWarning(
                    "deadline",
                    _("%(place)s 的时段 %(end)s 结束，晚于本轮完成时限 %(deadline)s")
                    % {
                        "place": slot_label(slot),
                        "end": _fmt(slot.ends_at),
                        "deadline": _fmt(round.deadline),
                    },
                    rp.pk,
                    slot.pk,
                )
            )
        if not any(s <= slot.starts_at and slot.ends_at <= e for s, e in intervals[rp.pk]):
            warnings.append(
                PlanWarning(
                    "closed",
                    _("%(place)s 的时段 %(span)s 不在%(point)s的开放时间内")
                    % {
                        "place": slot_label(slot),
                        "span": span(slot.starts_at, slot.ends_at),
                        "point": rp.point.name,
                    },
                    rp.pk,
                    slot.pk,
                )
            )
        served_by = _serving_for(slot.place.path, serving)
        if (served_by and rp.pk not in served_by) or (not served_by and rp.pk in exclusive):
            warnings.append(
                PlanWarning(
                    "not_served",
                    _("%(point)s不负责%(place)s")
                    % {"point": rp.point.name, "place": slot_label(slot)},
                    rp.pk,
                    slot.pk,
                )
            )
    rates = {pk: point_rate(rp, rate) for pk, rp in round_points.items()}
    for over in planner.overloads(windows, rates):
        rp = round_points[over.point]
        warnings.append(
            PlanWarning(
                "overload",
                _(
                    "%(point)s %(span)s 预计每小时到达 %(arriving)d 人，"
                    "超过采样能力（%(capacity)d 人/小时），约 %(excess)d 人需排队"
                )
                % {
                    "point": rp.point.name,
                    "span": span(over.starts_at, over.ends_at),
                    "arriving": int(over.arriving_per_hour + 0.5),
                    "capacity": int(over.capacity_per_hour + 0.5),
                    "excess": over.excess_people,
                },
                rp.pk,
            )
        )
    return warnings


def slot_label(slot: PlanSlot) -> str:
    """ "3幢" or "3幢 2单元" (the estate is shown around it)."""
    return slot.label


@dataclass
class MoveResult:
    slot: PlanSlot
    warnings: list[PlanWarning]


def move_slot(
    slot: PlanSlot, round_point: RoundPoint, starts_at: dt.datetime, *, by: Any = None
) -> MoveResult:
    """Move a building (by hand) to a point and a start time; its window lasts as long as
    that point's samplers need for it. The move is kept even when it overloads a point: the
    warnings say so, and the person moving decides."""
    round = slot.round
    if round_point.round_id != round.pk:
        raise RoundError(_("该采样点不在本轮中"))
    if timezone.is_naive(starts_at):
        raise RoundError(_("开始时间必须带时区"))
    rate = people_per_sampler_hour(round)
    length = planner.duration(slot.people, point_rate(round_point, rate))
    with transaction.atomic():
        slot.round_point = round_point
        slot.starts_at = starts_at
        slot.ends_at = starts_at + length
        slot.by_hand = True
        slot.save(update_fields=["round_point", "starts_at", "ends_at", "by_hand"])
        RoundPlan.objects.filter(round=round).update(adjusted_at=timezone.now())
    mine = [
        w
        for w in check_plan(round, round_point)
        if w.slot_id == slot.pk or (w.code == "overload" and _overlaps_warning(w, slot))
    ]
    return MoveResult(slot, mine)


def _overlaps_warning(warning: PlanWarning, slot: PlanSlot) -> bool:
    # Overload messages are per point; the ones that matter here are the mover's point's.
    return warning.round_point_id == slot.round_point_id


def schedule_by_point(round: TestRound, user: Any) -> list[dict[str, Any]]:
    """Each point of the round with its visible slots in time order, and its load."""
    rate = people_per_sampler_hour(round)
    slots = (
        PlanSlot.objects.visible_to(user)
        .filter(round=round)
        .select_related("place__parent", "round_point__point")
        .order_by("starts_at", "place__path")
    )
    by_point: dict[int | None, list[PlanSlot]] = defaultdict(list)
    for slot in slots:
        by_point[slot.round_point_id if slot.starts_at else None].append(slot)
    summary = getattr(getattr(round, "plan", None), "summary", {}) or {}
    rows = []
    for pk, rp in _round_points(round).items():
        mine = by_point.get(pk, [])
        if not mine and not _sees_all(user):
            continue
        load = summary.get("points", {}).get(str(pk), {})
        rows.append(
            {
                "round_point": rp,
                "slots": mine,
                "people": sum(s.people for s in mine),
                "rate": point_rate(rp, rate),
                "load": load,
            }
        )
    return rows


def unplaced_slots(round: TestRound, user: Any) -> list[PlanSlot]:
    return list(
        PlanSlot.objects.visible_to(user)
        .filter(round=round, starts_at__isnull=True)
        .select_related("place__parent", "round_point__point")
        .order_by("place__path")
    )


def schedule_by_building(round: TestRound, user: Any) -> list[PlanSlot]:
    return list(
        PlanSlot.objects.visible_to(user)
        .filter(round=round)
        .select_related("place__parent__parent", "round_point__point")
        .order_by("place__path")
    )


def _sees_all(user: Any) -> bool:
    from tongxin.accounts.jurisdiction import jurisdiction_of

    return jurisdiction_of(user).everywhere


def visible_slot(user: Any, round: TestRound, slot_id: int) -> PlanSlot:
    from django.http import Http404

    slot = (
        PlanSlot.objects.visible_to(user)
        .filter(round=round, pk=slot_id)
        .select_related("place__parent", "round_point__point", "round")
        .first()
    )
    if slot is None:
        raise Http404
    return slot


def slots_for_places(round: TestRound, places: Iterable[Place]) -> dict[int, PlanSlot]:
    """{household id: its slot} for households (the slot of its stairwell or building)."""
    households = list(places)
    parents: set[str] = set()
    step = Place.steplen
    for h in households:
        for end in range(len(h.path) - step, 0, -step):
            parents.add(h.path[:end])
    slots = {
        s.place.path: s
        for s in PlanSlot.objects.filter(
            round=round, place__path__in=sorted(parents)
        ).select_related("place", "round_point__point")
    }
    found = {}
    for h in households:
        for end in range(len(h.path) - step, 0, -step):
            slot = slots.get(h.path[:end])
            if slot is not None:
                found[h.pk] = slot
                break
    return found


def slot_households_q(slot: PlanSlot) -> Q:
    return Q(path__startswith=slot.place.path, kind=PlaceKind.HOUSEHOLD)
