"""Benchmark: staggered slots for a county of 400,000 residents across 150 test points.

    .venv/bin/python bench/planner.py [--people 400000] [--points 150] [--no-docs] [--profile]

Builds a synthetic county (about 130 estates of 12–60 buildings, the large buildings with
stairwells; 150 points, most serving their estates' buildings and the rest left to serve the
nearest buildings), then times

1. the pure planning step: `tongxin.testing.planner.plan` on units and points built in memory
   (no database);
2. the full service, `tongxin.testing.services.plans.make_plan(round)`, on the same county
   stored in a fresh SQLite database in a temporary data directory (never ./var): counting
   the expected residents per building/stairwell, choosing the serving or nearest points,
   planning, and storing every slot.

The target (issue 4) is under 5 s. Figures go into docs/performance.md between the
planner-benchmark markers.
"""

import argparse
import cProfile
import datetime as dt
import math
import os
import platform
import pstats
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:planner -->", "<!-- /bench:planner -->"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2022, 3, 6, 7, 0, tzinfo=CST)
DEADLINE = dt.datetime(2022, 3, 6, 19, 0, tzinfo=CST)

sys.path.insert(0, str(ROOT))

# (id, path, kind, parent id, latitude, longitude)
PlaceRow = tuple[int, str, str, Any, Any, Any]


def step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


@dataclass
class County:
    """Places as (id, path, kind, parent id, lat, lng) rows and residents per household."""

    places: list[PlaceRow]
    households: list[tuple[int, int, int]]  # (household id, expected, away)
    estates: list[int]
    buildings: int
    stairwells: int
    points: list[tuple[int, int, int, list[int]]]  # (id, estate id, samplers, served estates)


def synthetic_county(people: int, points: int, seed: int = 7) -> County:
    rng = random.Random(seed)
    places: list[PlaceRow] = []
    next_id = iter(range(1, 10**9))

    def add(path: str, kind: str, parent: int | None, lat=None, lng=None) -> int:  # type: ignore[no-untyped-def]
        pk = next(next_id)
        places.append((pk, path, kind, parent, lat, lng))
        return pk

    root = add(step(1), "county", None)
    households: list[tuple[int, int, int]] = []
    estates: list[int] = []
    buildings = stairwells = 0
    placed = 0
    township_n = community_n = estate_n = 0
    t_path = c_path = ""
    t_id = c_id = 0
    while placed < people:
        if estate_n % 20 == 0:
            township_n += 1
            t_path = step(1) + step(township_n)
            t_id = add(t_path, "township", root)
        if estate_n % 5 == 0:
            community_n += 1
            c_path = t_path + step(community_n)
            c_id = add(c_path, "community", t_id)
        estate_n += 1
        e_path = c_path + step(estate_n)
        lat, lng = 29.1 + rng.random() * 0.2, 118.3 + rng.random() * 0.2
        e_id = add(e_path, "estate", c_id, lat, lng)
        estates.append(e_id)
        for b in range(1, rng.randint(12, 60) + 1):
            if placed >= people:
                break
            b_path = e_path + step(b)
            b_id = add(b_path, "building", e_id)
            buildings += 1
            wells = rng.choice([1, 2, 2, 3, 4])
            for s in range(1, wells + 1):
                s_path = b_path + step(s)
                s_id = add(s_path, "stairwell", b_id)
                stairwells += 1
                for h in range(1, rng.randint(12, 30) + 1):
                    n = rng.choice([1, 2, 2, 3, 3, 4, 5])
                    away = 1 if rng.random() < 0.1 else 0  # registered, 外出: not expected
                    h_id = add(s_path + step(h), "household", s_id)
                    households.append((h_id, n, away))
                    placed += n + away
    # Points: one per estate, the rest shared out by size (D'Hondt), each crewed for its
    # estate's people with 10% to spare; one estate in five lists no places for its points,
    # which then serve the nearest buildings (their own estate's, by the place tree).
    size = dict.fromkeys(estates, 0)
    parent_of = {p[0]: p[3] for p in places}
    for h_id, n, _away in households:
        size[parent_of[parent_of[parent_of[h_id]]]] += n
    given = dict.fromkeys(estates, 1)
    for _ in range(points - len(estates)):
        e = max(estates, key=lambda e: size[e] / (given[e] + 1))
        given[e] += 1
    point_rows: list[tuple[int, int, int, list[int]]] = []
    for i, e in enumerate(sorted(estates, key=lambda e: -size[e])):
        if not given[e]:
            continue
        samplers = max(4, math.ceil(size[e] * 1.1 / (given[e] * 30 * 12)))
        for _ in range(given[e]):
            point_rows.append((len(point_rows) + 1, e, samplers, [] if i % 5 == 4 else [e]))
    return County(places, households, estates, buildings, stairwells, point_rows)


# --- pure planning ----------------------------------------------------------------------------


def pure_inputs(county: County):  # type: ignore[no-untyped-def]
    from tongxin.testing import planner

    by_id = {p[0]: p for p in county.places}
    per_stairwell: dict[int, list[int]] = {}
    for h_id, n, _away in county.households:
        s_id = by_id[h_id][3]
        per_stairwell.setdefault(s_id, [0, 0])
        per_stairwell[s_id][0] += n
        per_stairwell[s_id][1] += 1
    per_building: dict[int, list[tuple[int, int, int]]] = {}
    for s_id, (n, h) in per_stairwell.items():
        per_building.setdefault(by_id[s_id][3], []).append((s_id, n, h))
    served: dict[int, list[int]] = {}
    for pid, _e, _samplers, estates in county.points:
        for e in estates:
            served.setdefault(e, []).append(pid)
    units = []
    for b_id, parts in per_building.items():
        e_id = by_id[b_id][3]
        _pk, _path, _k, _parent, lat, lng = by_id[e_id]
        serving = tuple(served.get(e_id, ()))
        total = sum(p[1] for p in parts)
        if total <= 150 or len(parts) == 1:
            units.append(
                planner.Unit(
                    b_id, by_id[b_id][1], total, sum(p[2] for p in parts), lat, lng, serving
                )
            )
        else:
            for s_id, n, h in parts:
                units.append(planner.Unit(s_id, by_id[s_id][1], n, h, lat, lng, serving))
    intervals = ((START, DEADLINE),)
    points = [
        planner.Point(
            pid, samplers, intervals, by_id[e][1], by_id[e][4], by_id[e][5], exclusive=bool(estates)
        )
        for pid, e, samplers, estates in county.points
    ]
    return units, points


def run_pure(county: County, profile: bool) -> tuple[float, float, Any]:
    from tongxin.testing import planner

    started = time.perf_counter()
    units, points = pure_inputs(county)
    build = time.perf_counter() - started
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = planner.plan(units, points, per_sampler_hour=30)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    return build, time.perf_counter() - started, result


# --- the full service on SQLite -----------------------------------------------------------------


def setup_django(data_dir: Path) -> None:
    os.environ["TONGXIN_DATA_DIR"] = str(data_dir)
    os.environ.pop("TONGXIN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
    os.environ.setdefault("TONGXIN_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def store_county(county: County) -> object:
    """Writes the county with plain INSERTs (residents get placeholder ciphertext: the
    planner reads only where people live and their residence status)."""
    from django.db import connection, transaction

    from tongxin.incidents.models import PolicyEdition
    from tongxin.incidents.services import open_incident
    from tongxin.places.models import Place
    from tongxin.testing.models import RoundPoint, TestPoint
    from tongxin.testing.services.rounds import create_round

    depth = {
        "county": 1,
        "township": 2,
        "community": 3,
        "estate": 4,
        "building": 5,
        "stairwell": 6,
        "household": 7,
    }
    children: dict[int | None, int] = {}
    for _pk, _path, _kind, parent, _lat, _lng in county.places:
        children[parent] = children.get(parent, 0) + 1
    now = dt.datetime.now(dt.UTC).isoformat()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO places_place (id, path, depth, numchild, parent_id, kind, name, key,"
            " code, address, latitude, longitude, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s, %s, %s, %s)",
            [
                (
                    pk,
                    path,
                    depth[kind],
                    children.get(pk, 0),
                    parent,
                    kind,
                    f"{kind[:1]}{pk}",
                    str(pk),
                    f"{kind}{pk}",
                    lat,
                    lng,
                    now,
                )
                for pk, path, kind, parent, lat, lng in county.places
            ],
        )
        rows = []
        n = 0
        for h_id, people, away in county.households:
            for i in range(people + away):
                n += 1
                status = "away" if i >= people else ("temporary" if n % 10 == 0 else "resident")
                rows.append(
                    (
                        f"居民{n}",
                        "",
                        "",
                        "resident_id",
                        "x",
                        f"b{n}",
                        "****",
                        f"{n % 10000:04d}",
                        "",
                        "",
                        "",
                        "",
                        "",
                        h_id,
                        status,
                        "",
                        now,
                        now,
                    )
                )
        cur.executemany(
            "INSERT INTO people_person (name, name_pinyin, name_initials, document_type,"
            " document_number, document_bidx, document_masked, document_last4, sex, phone,"
            " phone_bidx, phone_masked, phone_last4, household_id, residence_status, notes,"
            " created_at, updated_at) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    edition = PolicyEdition.objects.get(code="np-8")
    incident = open_incident("bench", edition, START - dt.timedelta(hours=12))
    county_place = Place.objects.get(depth=1)
    round_ = create_round(incident, "bench", START, DEADLINE, [county_place])
    by_id = {p[0]: p for p in county.places}
    for pid, e, samplers, estates in county.points:
        point = TestPoint.objects.create(
            name=f"采样点{pid}",
            place_id=e,
            opens_at=dt.time(7),
            closes_at=dt.time(19),
            samplers=samplers,
            latitude=by_id[e][4],
            longitude=by_id[e][5],
        )
        rp = RoundPoint.objects.create(round=round_, point=point)
        if estates:
            rp.serves.set(estates)
    return round_


def run_service(round_: Any, profile: bool) -> tuple[float, dict[str, float], Any]:
    from tongxin.testing.services.plans import make_plan

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    made = make_plan(round_)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return time.perf_counter() - started, made.seconds, made


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def _update_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    block = f"{BEGIN}\n{section.rstrip()}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(
            re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=400_000)
    parser.add_argument("--points", type=int, default=150)
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--no-db", action="store_true", help="only the pure planning step")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    county = synthetic_county(args.people, args.points)
    residents = sum(n + away for _h, n, away in county.households)
    print(
        f"county: {residents:,} residents, {len(county.households):,} households, "
        f"{county.buildings:,} buildings, {county.stairwells:,} stairwells, "
        f"{len(county.estates)} estates, {len(county.points)} points "
        f"({time.perf_counter() - started:.1f} s to generate)"
    )
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-planner-") as data_dir:
        setup_django(Path(data_dir))
        build, pure, result = run_pure(county, args.profile)
        print(
            f"pure plan: {pure:.2f} s ({len(result.assignments):,} units; inputs built in "
            f"{build:.2f} s); feasible={result.feasible}, "
            f"unplaced people {result.people - result.placed_people:,}"
        )
        service: float | None = None
        parts: dict[str, float] = {}
        made: Any = None
        if not args.no_db:
            t = time.perf_counter()
            round_ = store_county(county)
            print(f"stored the county in SQLite in {time.perf_counter() - t:.1f} s")
            service, parts, made = run_service(round_, args.profile)
            summary = made.plan.summary
            print(
                f"make_plan: {service:.2f} s (load {parts['load']:.2f} s, plan "
                f"{parts['plan']:.2f} s, save {parts['save']:.2f} s); "
                f"{summary['units']:,} slots for {summary['people']:,} expected people; "
                f"feasible={made.plan.feasible}"
            )
    if args.no_docs or service is None:
        return 0
    summary = made.plan.summary
    today = dt.date.today().isoformat()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    units = len(result.assignments)
    parts_text = (
        f"counting residents {parts['load']:.2f} s, planning {parts['plan']:.2f} s, "
        f"storing {summary['units']:,} slots {parts['save']:.2f} s"
    )
    verdict = (
        "yes"
        if made.plan.feasible
        else f"no (short by {summary['extra_samplers']} samplers or {summary['extra_hours']} hours)"
    )
    section = f"""## Staggered-slot planner (issue 4)

Target: slots for 400,000 residents across 150 points in under 5 s.

Command: `.venv/bin/python bench/planner.py`, run on {today}, {_machine()}.

Synthetic county: {residents:,} registered residents ({summary["people"]:,} expected: 常住 and
暂住) in {len(county.households):,} households, {county.buildings:,} buildings with
{county.stairwells:,} stairwells, {len(county.estates)} estates; {len(county.points)} points with
{sum(p[2] for p in county.points):,} samplers, open 07:00–19:00 (30 people a sampler-hour:
capacity {summary["capacity"]:,}), shared out among the estates by size; four estates in five
list the places their points serve, the others' points take the nearest buildings.
Buildings of more than 150 expected people are planned stairwell by stairwell.

| step | time | what |
|---|---|---|
| pure planning (`planner.plan`, in memory) | {pure:.2f} s | {units:,} units → points and windows |
| full service (`make_plan(round)`, SQLite) | {service:.2f} s | {parts_text} |

Result: {summary["placed_people"]:,} of {summary["people"]:,} people placed; feasible:
{verdict}. Load average when measured: {load:.1f}.
"""
    _update_doc(section)
    print(f"figures written to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
