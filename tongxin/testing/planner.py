"""The staggered-slot planner (分楼栋错峰), as pure computation: no database, no Django.

Each unit (a building, or a stairwell of a large building) goes to one point and is given a
window in which its residents are asked to come. At a point the windows follow one another,
and each lasts as long as the point's samplers need for the unit's residents, so the residents
told to come at any moment never outnumber what the samplers can take: the expected queue does
not grow (Xi'an's systems fell over when everyone arrived at once).

A unit goes to a point that serves it (the nearest place at or above it that a point serves)
or, when no point serves it, to the nearest points (by the place tree, then by distance); among
those, to the one where it would finish earliest. What does not fit before the deadline is
left unplaced and turned into a shortfall: how many more samplers, or how many more hours,
each point needs.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

STEP = 4  # characters per level of a place path (treebeard steplen)
ESTATE_PATH = 4 * STEP  # county, township, community, estate
MAX_CANDIDATES = 8
EPSILON = 1e-9

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Unit:
    """What is scheduled as one: a building or a stairwell, with the people expected from it."""

    key: int
    path: str
    people: int
    households: int = 0
    lat: float | None = None
    lng: float | None = None
    # Points that serve this unit (set by the caller from the round's "places served");
    # empty: the nearest points are chosen here.
    serving: tuple[int, ...] = ()


@dataclass(frozen=True)
class Point:
    key: int
    samplers: int
    intervals: tuple[Interval, ...]  # when it is open within the round, in time order
    path: str = ""
    lat: float | None = None
    lng: float | None = None
    # A point given a list of places to serve takes only those, never "nearest" buildings.
    exclusive: bool = False

    def rate(self, per_sampler_hour: float) -> float:
        """People an hour."""
        return self.samplers * per_sampler_hour

    @property
    def open_hours(self) -> float:
        return sum((end - start).total_seconds() for start, end in self.intervals) / 3600


@dataclass
class Assignment:
    unit: Unit
    point: int | None  # where it goes (also set for a unit left unplaced: where it would go)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None

    @property
    def placed(self) -> bool:
        return self.starts_at is not None


@dataclass
class PointLoad:
    """One point's demand against its capacity, and what it lacks when it cannot finish."""

    point: int
    samplers: int
    open_hours: float
    people: int = 0  # residents of the units given to it, placed or not
    units: int = 0
    unplaced_people: int = 0
    unplaced_units: int = 0
    capacity: int = 0  # people its samplers can take while it is open
    finishes_at: dt.datetime | None = None
    extra_samplers: int = 0
    extra_hours: int = 0

    @property
    def short(self) -> bool:
        return self.unplaced_units > 0


@dataclass
class Plan:
    assignments: list[Assignment]
    loads: dict[int, PointLoad]
    per_sampler_hour: float
    orphans: list[Unit] = field(default_factory=list)  # no point at all could take them

    @property
    def feasible(self) -> bool:
        return not self.orphans and all(not load.short for load in self.loads.values())

    @property
    def people(self) -> int:
        return sum(a.unit.people for a in self.assignments)

    @property
    def placed_people(self) -> int:
        return sum(a.unit.people for a in self.assignments if a.placed)

    @property
    def capacity(self) -> int:
        return sum(load.capacity for load in self.loads.values())

    @property
    def extra_samplers(self) -> int:
        """More samplers, in total over the points short of them, to finish by the deadline."""
        return sum(load.extra_samplers for load in self.loads.values())

    @property
    def extra_hours(self) -> int:
        """How much later than the deadline the slowest point would finish as it is."""
        return max((load.extra_hours for load in self.loads.values()), default=0)

    @property
    def finishes_at(self) -> dt.datetime | None:
        ends = [a.ends_at for a in self.assignments if a.ends_at is not None]
        return max(ends) if ends else None


# --- time -----------------------------------------------------------------------------------


def open_intervals(
    opens_at: dt.time,
    closes_at: dt.time,
    start: dt.datetime,
    end: dt.datetime,
    tz: dt.tzinfo,
) -> tuple[Interval, ...]:
    """The point's daily opening hours (in `tz`) within [start, end). A closing time earlier
    than the opening time means the point works through midnight."""
    if end <= start:
        return ()
    overnight = closes_at <= opens_at
    first = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date()
    found: list[Interval] = []
    day = first
    while day <= last:
        o = dt.datetime.combine(day, opens_at, tzinfo=tz)
        c = dt.datetime.combine(
            day + dt.timedelta(days=1 if overnight else 0), closes_at, tzinfo=tz
        )
        lo, hi = max(o, start), min(c, end)
        if hi > lo:
            found.append((lo, hi))
        day += dt.timedelta(days=1)
    return tuple(found)


def duration(people: int, rate_per_hour: float, step_seconds: int = 1) -> dt.timedelta:
    """How long a point taking `rate_per_hour` people needs for `people`, in whole steps.

    The default step (a second) wastes nothing: windows rounded up to five minutes each would
    lose minutes at every building and push a tight round past its deadline."""
    step = max(1, step_seconds)
    seconds = people * 3600 / rate_per_hour if people > 0 else step
    steps = max(1, math.ceil(seconds / step - EPSILON))
    return dt.timedelta(seconds=steps * step)


def _round_up(moment: dt.datetime, step_seconds: int) -> dt.datetime:
    """The next whole step past the hour (07:00, 07:05 … for five-minute steps)."""
    base = moment.replace(minute=0, second=0, microsecond=0)
    seconds = (moment - base).total_seconds()
    steps = math.ceil(seconds / max(1, step_seconds) - EPSILON)
    return base + dt.timedelta(seconds=steps * max(1, step_seconds))


# --- choosing points ------------------------------------------------------------------------


def _common_levels(a: str, b: str) -> int:
    n = 0
    for i in range(0, min(len(a), len(b)), STEP):
        if a[i : i + STEP] != b[i : i + STEP]:
            break
        n += 1
    return n


def _distance2(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    # Equirectangular: plenty for "which point is nearer" inside one county.
    x = (lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = lat2 - lat1
    return x * x + y * y


def nearest_points(unit: Unit, points: Sequence[Point], limit: int = MAX_CANDIDATES) -> list[int]:
    """The points nearest to a unit: sharing the deepest place above it (down to its estate),
    then by distance when both have coordinates."""
    if not points:
        return []
    scored = []
    for point in points:
        levels = _common_levels(unit.path[:ESTATE_PATH], point.path[:ESTATE_PATH])
        if unit.lat is None or unit.lng is None:
            far = 0.0
        elif point.lat is None or point.lng is None:
            far = math.inf  # a point whose place is unknown comes after the located ones
        else:
            far = _distance2(unit.lat, unit.lng, point.lat, point.lng)
        scored.append((-levels, far, point.key))
    scored.sort()
    best = scored[0][0]
    tied = [s for s in scored if s[0] == best]
    return [key for _l, _f, key in tied[:limit]]


# --- planning -------------------------------------------------------------------------------


class _Cursor:
    """Where the next window at a point can start."""

    __slots__ = ("at", "index", "intervals")

    def __init__(self, intervals: tuple[Interval, ...]) -> None:
        self.intervals = intervals
        self.index = 0
        self.at = intervals[0][0] if intervals else None

    def fit(self, length: dt.timedelta, step: int) -> tuple[int, dt.datetime] | None:
        index, at = self.index, self.at
        while index < len(self.intervals):
            start, end = self.intervals[index]
            begin = _round_up(max(at, start), step) if at is not None else start
            if begin + length <= end:
                return index, begin
            index += 1
            at = None
        return None


def plan(
    units: Iterable[Unit],
    points: Sequence[Point],
    *,
    per_sampler_hour: float = 30,
    step_seconds: int = 1,
) -> Plan:
    """Assign every unit to a point and a window. Units are taken in place-tree order, so the
    buildings of an estate come one after another and neighbours share a point."""
    if per_sampler_hour <= 0:
        raise ValueError("per_sampler_hour must be positive")
    by_key = {p.key: p for p in points if p.samplers > 0}
    cursors = {key: _Cursor(p.intervals) for key, p in by_key.items()}
    rates = {key: p.rate(per_sampler_hour) for key, p in by_key.items()}
    loads = {
        key: PointLoad(
            point=key,
            samplers=p.samplers,
            open_hours=p.open_hours,
            capacity=int(p.rate(per_sampler_hour) * p.open_hours + EPSILON),
        )
        for key, p in by_key.items()
    }
    usable = [p for p in by_key.values() if not p.exclusive] or list(by_key.values())
    nearest_cache: dict[str, list[int]] = {}
    assignments: list[Assignment] = []
    orphans: list[Unit] = []

    # Points given no list of places to serve also help, in their own estate, the points
    # that were: five samplers must not stand idle while the next gate queues past noon.
    free_by_estate: dict[str, list[int]] = defaultdict(list)
    for p in by_key.values():
        if not p.exclusive and len(p.path) >= ESTATE_PATH:
            free_by_estate[p.path[:ESTATE_PATH]].append(p.key)

    for unit in sorted(units, key=lambda u: u.path):
        candidates = [k for k in unit.serving if k in by_key]
        if candidates:
            candidates += [
                k for k in free_by_estate.get(unit.path[:ESTATE_PATH], ()) if k not in candidates
            ]
        if not candidates:
            cache_key = unit.path[:ESTATE_PATH]
            if unit.lat is not None and unit.lng is not None:
                # Units a few hundred metres apart in one estate share their nearest points.
                cache_key += f"@{round(unit.lat, 3)},{round(unit.lng, 3)}"
            candidates = nearest_cache.get(cache_key) or []
            if not candidates:
                candidates = nearest_points(unit, usable)
                nearest_cache[cache_key] = candidates
        if not candidates:
            orphans.append(unit)
            assignments.append(Assignment(unit, None))
            continue
        best: tuple[dt.datetime, int, int, dt.datetime, dt.timedelta] | None = None
        for order, key in enumerate(candidates):
            length = duration(unit.people, rates[key], step_seconds)
            found = cursors[key].fit(length, step_seconds)
            if found is None:
                continue
            index, begin = found
            if best is None or (begin + length, order) < (best[0], best[1]):
                best = (begin + length, order, index, begin, length)
        if best is None:
            # Nowhere before the deadline: charge it to the least loaded candidate.
            key = min(candidates, key=lambda k: (loads[k].people / max(loads[k].capacity, 1), k))
            load = loads[key]
            load.people += unit.people
            load.units += 1
            load.unplaced_people += unit.people
            load.unplaced_units += 1
            assignments.append(Assignment(unit, key))
            continue
        end, order, index, begin, length = best
        key = candidates[order]
        cursor = cursors[key]
        cursor.index, cursor.at = index, end
        load = loads[key]
        load.people += unit.people
        load.units += 1
        load.finishes_at = end if load.finishes_at is None else max(load.finishes_at, end)
        assignments.append(Assignment(unit, key, begin, end))

    for load in loads.values():
        _shortfall(load, per_sampler_hour)
    return Plan(assignments, loads, per_sampler_hour, orphans)


def _shortfall(load: PointLoad, per_sampler_hour: float) -> None:
    """More samplers (over the same hours) or more hours (with the same samplers) for the
    people this point could not fit: whichever the command post finds easier to supply."""
    if not load.unplaced_units:
        return
    missing = max(load.people - load.capacity, load.unplaced_people)
    if load.open_hours > 0:
        load.extra_samplers = math.ceil(missing / (per_sampler_hour * load.open_hours) - EPSILON)
    else:
        load.extra_samplers = 0  # closed throughout the round: only hours help
    load.extra_hours = math.ceil(missing / (per_sampler_hour * load.samplers) - EPSILON)


# --- checking a schedule changed by hand ------------------------------------------------------


@dataclass(frozen=True)
class Overload:
    """A stretch of time when more people are told to come than the samplers can take."""

    point: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    arriving_per_hour: float
    capacity_per_hour: float

    @property
    def excess_people(self) -> int:
        hours = (self.ends_at - self.starts_at).total_seconds() / 3600
        return math.ceil((self.arriving_per_hour - self.capacity_per_hour) * hours - EPSILON)


def overloads(
    windows: Iterable[tuple[int, dt.datetime, dt.datetime, int]],
    rates: dict[int, float],
) -> list[Overload]:
    """Where arrivals exceed capacity: `windows` are (point, start, end, people), arrivals
    spread evenly over each window; `rates` is each point's people an hour."""
    events: dict[int, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for point, start, end, people in windows:
        hours = (end - start).total_seconds() / 3600
        if hours <= 0 or people <= 0:
            continue
        flow = people / hours
        events[point].append((start, flow))
        events[point].append((end, -flow))
    found: list[Overload] = []
    for point, items in events.items():
        capacity = rates.get(point, 0.0)
        items.sort(key=lambda e: (e[0], e[1]))
        flow = 0.0
        current: Overload | None = None
        for i, (moment, change) in enumerate(items):
            flow += change
            nxt = items[i + 1][0] if i + 1 < len(items) else None
            if nxt is None or nxt == moment:
                continue
            if flow > capacity * (1 + 1e-6) + EPSILON:
                if (
                    current is not None
                    and current.ends_at == moment
                    and math.isclose(current.arriving_per_hour, flow)
                ):
                    current = Overload(point, current.starts_at, nxt, flow, capacity)
                    found[-1] = current
                else:
                    current = Overload(point, moment, nxt, flow, capacity)
                    found.append(current)
            else:
                current = None
    return found


# --- the calculator ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    people: int
    hours: float
    per_sampler_hour: float
    samplers: int  # samplers working the whole time
    points: int
    samplers_per_point: int
    people_per_point: int  # the guide's people per point used

    @property
    def sampler_hours(self) -> float:
        return self.people / self.per_sampler_hour

    @property
    def capacity(self) -> int:
        return int(self.points * self.samplers_per_point * self.per_sampler_hour * self.hours)


def estimate(
    people: int,
    hours: float,
    *,
    per_sampler_hour: float = 30,
    people_per_point: int = 2500,
    samplers_per_point: int | None = None,
) -> Estimate:
    """How many points and samplers test `people` in `hours`.

    Samplers: people ÷ (throughput × hours), rounded up. Points: the guide's one point per
    `people_per_point` residents, or more if `samplers_per_point` caps a point's crew."""
    if people < 0 or hours <= 0 or per_sampler_hour <= 0 or people_per_point <= 0:
        raise ValueError("people >= 0, hours > 0 and rates > 0 are required")
    samplers = math.ceil(people / (per_sampler_hour * hours) - EPSILON) if people else 0
    points = math.ceil(people / people_per_point - EPSILON) if people else 0
    if samplers_per_point:
        points = max(points, math.ceil(samplers / samplers_per_point - EPSILON))
        per_point = samplers_per_point
    else:
        per_point = math.ceil(samplers / points - EPSILON) if points else 0
    return Estimate(
        people=people,
        hours=hours,
        per_sampler_hour=per_sampler_hour,
        samplers=samplers,
        points=points,
        samplers_per_point=per_point,
        people_per_point=people_per_point,
    )
