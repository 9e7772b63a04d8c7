"""Benchmark: workforce coverage, suggested assignment and an estate's delivery list.

    .venv/bin/python bench/workforce_supplies.py [--members 5000] [--posts 300] [--days 7]
                                                 [--households 3000] [--no-docs]

Builds, in a fresh SQLite database in a temporary data directory (never ./var): 10 townships,
`--posts` posts spread over them with two shifts a day for `--days` days (a 05:00–10:00 test
point shift needing 6 samplers and 2 registrars, an 18:00–22:00 one needing 4 and 2),
`--members` verified members with one or two qualifications, about half of every shift
already filled (nobody twice a day); and an estate of `--households` households, one resident
each, under a sealed zone. Then times, on the middle day:

1. the coverage page (`GET /workforce/?date=…` as the command post, rendered in full);
2. the suggested assignment for the whole day (`workforce.services.suggest.suggest`), and a
   shift's page (`GET /workforce/shifts/<id>/`) with the suggestion for its gaps;
3. the estate's delivery list: generating the round from the registry and the zone, the list
   service, and the page (`GET /supplies/rounds/<id>/`).

Targets (issue 13): coverage page < 300 ms, a day's suggestion < 2 s, the delivery list of a
3,000-household estate < 300 ms. Figures go into docs/performance.md between the markers.
"""

import argparse
import datetime as dt
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:workforce_supplies -->", "<!-- /bench:workforce_supplies -->"
sys.path.insert(0, str(ROOT))


def setup_django(data_dir: Path) -> None:
    os.environ["TONGXIN_DATA_DIR"] = str(data_dir)
    os.environ.pop("TONGXIN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
    os.environ["TONGXIN_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("TONGXIN_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn: Any, repeat: int = 5) -> tuple[float, float, Any]:
    """(first call, median of the next `repeat`) in ms, and the last result."""
    t = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - t) * 1000
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - t) * 1000)
    return first, statistics.median(runs), result


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from tongxin.accounts.models import Role, User
    from tongxin.core import crypto
    from tongxin.core.masking import mask_phone
    from tongxin.incidents.models import PolicyEdition
    from tongxin.incidents.services import open_incident
    from tongxin.people.models import Person
    from tongxin.places.models import PlaceKind
    from tongxin.places.services import PlaceTree, create_county
    from tongxin.units.models import Unit
    from tongxin.workforce.models import Assignment, Member, Post, PostKind, Shift, ShiftDemand
    from tongxin.zones.services import designate_zone

    rng = random.Random(13)
    t0 = time.perf_counter()
    edition = PolicyEdition.objects.get(code="np-8")
    start_day = timezone.localdate()
    incident = open_incident("基准测试", edition, timezone.now() - dt.timedelta(days=3))
    unit = Unit.objects.create(name="指挥部", kind="other")
    chief = User.objects.create(username="chief", role=Role.COMMAND_POST, unit=unit)
    county = create_county("基准县", "330899")
    tree = PlaceTree()
    townships = [tree.child(county, PlaceKind.TOWNSHIP, f"t{i}", f"第{i}镇") for i in range(10)]
    communities = [tree.child(t, PlaceKind.COMMUNITY, "c", f"{t.name}社区") for t in townships]
    estates = [
        tree.child(c, PlaceKind.ESTATE, f"e{j}", f"{c.name}{j}小区")
        for c in communities
        for j in range(3)
    ]
    with transaction.atomic():
        posts = Post.objects.bulk_create(
            Post(
                incident=incident,
                name=f"岗位{i}",
                kind=PostKind.TEST_POINT,
                code=f"B{i:05d}",
                place=estates[i % len(estates)],
            )
            for i in range(args.posts)
        )
        members = []
        for i in range(args.members):
            phone = f"139{i:08d}"
            quals = rng.choice((["sampling"], ["registrar"], ["sampling", "registrar"]))
            area = estates[rng.randrange(len(estates))]
            members.append(
                Member(
                    incident=incident,
                    name=f"队员{i}",
                    phone=phone,
                    phone_bidx=crypto.blind_index("phone", phone),
                    phone_masked=mask_phone(phone),
                    qualifications=quals,
                    area=area,
                )
            )
        members = Member.objects.bulk_create(members, batch_size=1000)
        shifts, demands = [], []
        for d in range(args.days):
            day = start_day + dt.timedelta(days=d - args.days // 2)
            for post in posts:
                for (h0, h1), _need in (((5, 10), (6, 2)), ((18, 22), (4, 2))):
                    s0 = timezone.make_aware(dt.datetime.combine(day, dt.time(h0)))
                    s1 = timezone.make_aware(dt.datetime.combine(day, dt.time(h1)))
                    shifts.append(Shift(post=post, starts_at=s0, ends_at=s1))
        shifts = Shift.objects.bulk_create(shifts, batch_size=2000)
        for i, s in enumerate(shifts):
            sampling, registrar = (6, 2) if i % 2 == 0 else (4, 2)
            demands += [
                ShiftDemand(shift=s, qualification="sampling", count=sampling),
                ShiftDemand(shift=s, qualification="registrar", count=registrar),
            ]
        ShiftDemand.objects.bulk_create(demands, batch_size=5000)
        # About half of every shift filled; nobody twice on a day.
        assignments = []
        by_day: dict[dt.date, list[Shift]] = {}
        for s in shifts:
            by_day.setdefault(timezone.localdate(s.starts_at), []).append(s)
        for _day, day_shifts in by_day.items():
            free = list(members)
            rng.shuffle(free)
            for s in day_shifts:
                for q, n in (("sampling", 2 if s.starts_at.hour > 12 else 3), ("registrar", 1)):
                    taken = 0
                    while taken < n and free:
                        m = free.pop()
                        if q in m.qualifications:
                            assignments.append(
                                Assignment(
                                    shift=s,
                                    member=m,
                                    qualification=q,
                                    starts_at=s.starts_at,
                                    ends_at=s.ends_at,
                                )
                            )
                            taken += 1
        Assignment.objects.bulk_create(assignments, batch_size=5000)
    t1 = time.perf_counter()
    # The estate of `--households` households (50 per building), one resident each.
    estate = tree.child(communities[0], PlaceKind.ESTATE, "big", "大型小区")
    households = []
    for b in range(max(args.households // 50, 1)):
        building = tree.child(estate, PlaceKind.BUILDING, str(b + 1), f"{b + 1}幢")
        stair = tree.child(building, PlaceKind.STAIRWELL, "1", "1单元")
        for r in range(50):
            households.append(tree.child(stair, PlaceKind.HOUSEHOLD, f"{r}", f"{r + 101}室"))
    people = []
    for i, h in enumerate(households):
        p = Person(name=f"居民{i}", document_number=f"33089919800101{i:04d}", household=h)
        p.derive_lookup_fields()
        people.append(p)
    Person.objects.bulk_create(people, batch_size=1000)
    designate_zone(estate, "sealed", incident, reason="基准", decided_by=chief)
    t2 = time.perf_counter()
    return {
        "incident": incident, "chief": chief, "estate": estate, "day": start_day,
        "shifts": len(shifts), "assignments": len(assignments), "households": len(households),
        "build_workforce": t1 - t0, "build_estate": t2 - t1,
    }  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client

    from tongxin.supplies.models import Item
    from tongxin.supplies.services.deliveries import delivery_list, generate_round
    from tongxin.workforce.services.suggest import suggest

    world = build(args)
    print(
        f"built: {args.members:,} members, {args.posts} posts, {world['shifts']:,} shifts, "
        f"{world['assignments']:,} assignments in {world['build_workforce']:.1f} s; "
        f"estate of {world['households']:,} households in {world['build_estate']:.1f} s"
    )
    client = Client()
    client.force_login(world["chief"])
    day = world["day"].isoformat()

    def coverage_page() -> Any:
        response = client.get(f"/workforce/?date={day}", secure=True)
        assert response.status_code == 200, response.status_code
        return response

    figures: dict[str, Any] = {}
    figures["coverage"] = timed(coverage_page)[:2]
    first, median, result = timed(lambda: suggest(world["incident"], world["day"]), repeat=3)
    figures["suggest"] = (first, median)
    figures["suggested"] = (len(result.proposals), result.unfilled)
    from tongxin.workforce.models import Shift
    from tongxin.workforce.services import local_day

    start, end = local_day(world["day"])
    shift = Shift.objects.filter(starts_at__gte=start, starts_at__lt=end).order_by("pk").first()
    assert shift is not None

    def shift_page() -> Any:
        response = client.get(f"/workforce/shifts/{shift.pk}/", secure=True)
        assert response.status_code == 200, response.status_code
        return response

    figures["shift_page"] = timed(shift_page, repeat=3)[:2]
    item = Item.objects.create(name="蔬菜包", category="living", unit_label="份")
    t = time.perf_counter()
    round_ = generate_round(world["incident"], world["estate"], item, world["day"])
    figures["generate"] = (time.perf_counter() - t) * 1000
    figures["list"] = timed(lambda: delivery_list(round_))[:2]

    def round_page() -> Any:
        response = client.get(f"/supplies/rounds/{round_.pk}/", secure=True)
        assert response.status_code == 200, response.status_code
        return response

    figures["round_page"] = timed(round_page)[:2]
    figures["world"] = world
    for key in ("coverage", "suggest", "shift_page", "list", "round_page"):
        print(f"{key}: first {figures[key][0]:.0f} ms, median {figures[key][1]:.0f} ms")
    print(f"generate round: {figures['generate']:.0f} ms; suggested {figures['suggested']}")
    return figures


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    import django

    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, SQLite {sqlite3.sqlite_version}"
    )


def update_doc(args: argparse.Namespace, f: dict[str, Any]) -> None:
    w = f["world"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0

    def ok(ms: float, limit: float) -> str:
        return "meets" if ms < limit else "misses"

    rows = [
        (f"coverage page, one day ({args.posts * 2} shifts of {w['shifts']:,})", f["coverage"],
         300),
        (f"suggested assignment for the day ({f['suggested'][0]:,} proposals, "
         f"{f['suggested'][1]:,} left unfilled)", f["suggest"], 2000),
        ("a shift's page with the suggestion for its gaps (the command post assigns from it)",
         f["shift_page"], 2000),
        (f"delivery list of a {w['households']:,}-household estate (service)", f["list"], 300),
        ("the same list as a page", f["round_page"], 300),
    ]  # fmt: skip
    lines = [
        "| measure | first call | median of the next runs | target |",
        "|---|---|---|---|",
    ]
    for label, (first, median), limit in rows:
        verdict = ok(median, limit)
        lines.append(
            f"| {label} | {first:.0f} ms | **{median:.0f} ms** | < {limit} ms ({verdict}) |"
        )
    lines.append(
        f"| generating that round from the registry and the zone (once a day) "
        f"| {f['generate']:.0f} ms | | |"
    )
    table = "\n".join(lines)
    section = f"""### Figures

Command: `.venv/bin/python bench/workforce_supplies.py` (`--members {args.members} --posts
{args.posts} --days {args.days} --households {args.households}`), run on {dt.date.today()},
{machine()}; load average {load:.1f} when written.

{table}

Built for the run: {args.members:,} members, {w["assignments"]:,} assignments, in
{w["build_workforce"]:.1f} s; the estate in {w["build_estate"]:.1f} s. The machine is shared:
wall-clock figures move with its load.
"""
    text = DOC.read_text(encoding="utf-8")
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
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-workforce-") as data_dir:
        setup_django(Path(data_dir))
        figures = run(args)
        if not args.no_docs:
            update_doc(args, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
