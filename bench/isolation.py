"""Benchmark: centralized isolation at the issue's scale.

    .venv/bin/python bench/isolation.py [--people 5000] [--sites 40] [--batch 500]
        [--database postgres://postgres@127.0.0.1:5432/tx_bench_isolation] [--no-docs]

Builds, in a fresh database (PostgreSQL when --database is given, otherwise SQLite in a
temporary folder): `--sites` isolation sites (one of them large enough for the batch), `--people`
residents in isolation (stays admitted over the last 14 days, half on each level, spread over
the sites with 密接 and 次密接 on separate floors), a negative test for some of them, then a
waiting batch of `--batch` people bound for the large site. It times

1. allocating the whole batch (`allocate_batch`: rules, placement, inserts, room history),
2. the county occupancy board (`board`), warm,
3. the day's release-due list with each person's last test (`release_due`), warm.

Each is run several times (allocation on fresh copies of the batch) and the median reported.
The figures are written into docs/performance.md (between the isolation-benchmark markers).
Loopback only; nothing leaves the machine.
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:isolation -->", "<!-- /bench:isolation -->"
sys.path.insert(0, str(ROOT))


def setup_django(database: str | None, data_dir: Path) -> None:
    os.environ["TONGXIN_DATA_DIR"] = str(data_dir)
    if database:
        os.environ["TONGXIN_DATABASE_URL"] = database
        _recreate(database)
    else:
        os.environ.pop("TONGXIN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
    os.environ.setdefault("TONGXIN_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _recreate(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn, runs: int = 7) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(first, median of the rest, median CPU time of this process) in milliseconds. The CPU
    time is what the machine's other load does not inflate (the database's share is not in
    it)."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return times[0], statistics.median(times[1:]), statistics.median(cpu[1:])


def build(people: int, sites: int, extra: int, rng: random.Random) -> dict:  # type: ignore[type-arg]
    from django.utils import timezone

    from tongxin.factories import make_id_number
    from tongxin.incidents.models import PolicyEdition
    from tongxin.incidents.services import open_incident
    from tongxin.isolation.models import (
        EntryStatus,
        Room,
        RoomStatus,
        RoomType,
        Site,
        SiteKind,
        Stay,
        StayStatus,
        TransferEntry,
    )
    from tongxin.isolation.services.rules import level_rule
    from tongxin.isolation.services.stays import end_date
    from tongxin.people.models import Person
    from tongxin.places.models import PlaceKind
    from tongxin.places.services import PlaceTree, create_county

    now = timezone.now()
    incident = open_incident(
        "基准测试", PolicyEdition.objects.get(code="np-8"), now - dt.timedelta(days=20)
    )
    edition = incident.policy_edition
    rules = {lv: level_rule(edition, lv) for lv in ("close", "secondary")}
    county = create_county("基准县", "330899")
    tree = PlaceTree()
    town = tree.child(county, PlaceKind.TOWNSHIP, "城关", "城关街道")
    community = tree.child(town, PlaceKind.COMMUNITY, "东门", "东门社区")
    estates = [tree.child(community, PlaceKind.ESTATE, f"E{i}", f"小区{i}") for i in range(10)]
    buildings = [
        tree.child(e, PlaceKind.BUILDING, str(b), f"{b}幢") for e in estates for b in range(1, 11)
    ]
    total = people + extra  # the extra residents make up the batches
    homes = []
    for i in range(total // 2 + 1):
        homes.append(
            tree.child(
                buildings[i % len(buildings)], PlaceKind.HOUSEHOLD, str(1000 + i), f"{1000 + i}室"
            )
        )

    persons = []
    used: set[str] = set()
    for i in range(total):
        number = make_id_number(birth=f"{rng.randint(1950, 2000)}0101", rng=rng)
        while number in used:
            number = make_id_number(birth=f"{rng.randint(1950, 2000)}0101", rng=rng)
        used.add(number)
        p = Person(
            name=f"人员{i}", document_number=number, phone=f"138{i:08d}", household=homes[i // 2]
        )
        p.derive_lookup_fields()
        persons.append(p)
    Person.objects.bulk_create(persons, batch_size=1000)

    # Sites: the first is large (the batch's destination), the others share the stays.
    site_objs = [
        Site.objects.create(name=f"隔离点{i:02d}", place=town, kind=SiteKind.HOTEL)
        for i in range(sites)
    ]
    rooms = []
    big_floors, big_per_floor = 24, 45
    for s, site in enumerate(site_objs):
        floors, per = (big_floors, big_per_floor) if s == 0 else (8, 20)
        for floor in range(1, floors + 1):
            for n in range(1, per + 1):
                rtype = RoomType.ACCESSIBLE if n == 1 else RoomType.SINGLE
                rooms.append(
                    Room(
                        site=site,
                        number=f"{floor}{n:02d}",
                        floor=floor,
                        type=rtype,
                        status=RoomStatus.FREE,
                        status_since=now,
                    )
                )
    Room.objects.bulk_create(rooms, batch_size=2000)
    by_site: dict[int, list] = {}  # type: ignore[type-arg]
    for room in Room.objects.order_by("site_id", "floor", "number"):
        by_site.setdefault(room.site_id, []).append(room)

    # People in isolation: close contacts on odd floors, secondary on even floors.
    entries, stays = [], []
    free_by_site = {
        sid: {
            "close": [r for r in rs if r.floor % 2],
            "secondary": [r for r in rs if not r.floor % 2],
        }
        for sid, rs in by_site.items()
    }
    big_id = site_objs[0].pk
    small_ids = [s.pk for s in site_objs[1:]]
    # The big site holds 250 people already; the rest go to the other sites.
    placed_big = 0
    for i in range(people):
        level = "close" if i % 2 == 0 else "secondary"
        site_id = big_id if placed_big < 250 and i % 10 == 0 else small_ids[i % len(small_ids)]
        pool = free_by_site[site_id][level]
        if not pool:
            site_id = next(sid for sid in small_ids if free_by_site[sid][level])
            pool = free_by_site[site_id][level]
        if site_id == big_id:
            placed_big += 1
        room = pool.pop()
        # Admitted over the level's centralized days: about one in 8-15 is due on a given day.
        days = int(rules[level]["centralized_days"])
        exposed = now - dt.timedelta(days=rng.randint(0, days), hours=rng.randint(0, 23))
        person = persons[i]
        entry = TransferEntry(
            incident=incident,
            person=person,
            name=person.name,
            document_masked=person.document_masked,
            household_id=person.household_id,
            level=level,
            source="manual",
            reason="基准",
            last_exposure=exposed,
            edition_code="np-8",
            rule=rules[level],
            status=EntryStatus.ISOLATED,
        )
        entries.append(entry)
        stays.append((entry, room, level, exposed))
    TransferEntry.objects.bulk_create(entries, batch_size=1000)
    Stay.objects.bulk_create(
        [
            Stay(
                incident=incident,
                entry=e,
                test_person_id=e.person_id,
                site_id=room.site_id,
                room=room,
                room_type=room.type,
                bed=1,
                in_room=True,
                level=lv,
                status=StayStatus.IN_SITE,
                edition_code="np-8",
                rules=rules[lv],
                last_exposure=ex,
                intake_at=ex + dt.timedelta(hours=12),
                ends_on=end_date(rules[lv], ex),
            )
            for e, room, lv, ex in stays
        ],
        batch_size=1000,
    )
    Room.objects.filter(pk__in=[r.pk for _e, r, _l, _x in stays]).update(status=RoomStatus.OCCUPIED)
    return {"incident": incident, "persons": persons, "big_site": site_objs[0], "now": now}


def add_tests(world: dict, rng: random.Random) -> int:  # type: ignore[type-arg]
    """A negative single tube for the people due today (as the site's sampling records them)."""
    import uuid

    from django.utils import timezone

    from tongxin.isolation.models import Stay
    from tongxin.isolation.services.insite import site_round
    from tongxin.sampling.models import SampleEvent, Tube

    today = timezone.localdate(world["now"])
    due = list(
        Stay.objects.filter(status="in_site", ends_on__lte=today).select_related(
            "entry", "site", "incident"
        )
    )
    tubes, events = [], []
    rounds: dict[int, tuple] = {}  # type: ignore[type-arg]
    for stay in due:
        if stay.site_id not in rounds:
            rounds[stay.site_id] = site_round(stay.incident, stay.site)
        test_round, point = rounds[stay.site_id]
        at = world["now"] - dt.timedelta(hours=rng.randint(2, 20))
        tube = Tube(
            barcode=f"B{uuid.uuid4().hex[:16]}",
            round=test_round,
            point=point,
            mode="single",
            capacity=1,
            status="closed",
            sample_count=1,
            opened_at=at,
            closed_at=at,
            result="negative",
            result_at=at,
        )
        tubes.append((tube, stay, at))
    Tube.objects.bulk_create([t for t, _s, _a in tubes], batch_size=1000)
    for tube, stay, at in tubes:
        events.append(
            SampleEvent(
                client_event_id=uuid.uuid4(),
                round=tube.round,
                person_id=stay.entry.person_id,
                household_id=stay.entry.household_id,
                tube=tube,
                point=tube.point,
                sampled_at=at,
                received_at=at,
                source="point",
            )
        )
    SampleEvent.objects.bulk_create(events, batch_size=1000)
    return len(due)


def make_batch(world: dict, size: int, offset: int) -> object:  # type: ignore[type-arg]
    from tongxin.isolation.services.batches import create_batch
    from tongxin.isolation.services.transfer_list import add_entry

    incident = world["incident"]
    people = world["persons"][offset : offset + size]
    entries = [
        add_entry(
            None,
            incident,
            p,
            level="close" if i % 3 else "secondary",
            reason="基准",
            wheelchair=(i % 50 == 0),
        )
        for i, p in enumerate(people)
    ]
    return create_batch(
        None,
        incident,
        world["big_site"],
        entries,
        vehicle_plate="浙H00000",
        seats=size + 50,
        planned_at=world["now"],
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database", default=None)
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print where allocation spends")
    args = parser.parse_args()
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(args.database, Path(tmp))
        from django.db import connection, transaction
        from django.utils import timezone

        from tongxin.isolation.models import Stay
        from tongxin.isolation.services.allocation import allocate_batch
        from tongxin.isolation.services.sites import board
        from tongxin.isolation.services.stays import release_due

        start = time.perf_counter()
        world = build(args.people, args.sites, args.batch * 3, rng)
        from tongxin.isolation.models import Room, RoomStatus

        tested = add_tests(world, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
        built = time.perf_counter() - start
        in_isolation = Stay.objects.filter(status="in_site").count()
        big_free = Room.objects.filter(site=world["big_site"], status=RoomStatus.FREE).count()

        # Allocation: three fresh batches, each rolled back after timing.
        alloc_times, placed = [], 0
        for k in range(3):
            with transaction.atomic():
                batch = make_batch(world, args.batch, args.people + k * args.batch)
                t0 = time.perf_counter()
                if args.profile and k == 0:
                    import cProfile
                    import pstats

                    profiler = cProfile.Profile()
                    placements = profiler.runcall(allocate_batch, None, batch)
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                else:
                    placements = allocate_batch(None, batch)
                alloc_times.append((time.perf_counter() - t0) * 1000)
                placed = sum(1 for p in placements if p.room)
                transaction.set_rollback(True)
        today = timezone.localdate(world["now"])
        board_first, board_ms, board_cpu = timed(lambda: board(None).as_dict())
        due_first, due_ms, due_cpu = timed(lambda: release_due(today))
        load = os.getloadavg()[0]
        due_rows = len(release_due(today))
        vendor = connection.vendor
        version = (
            connection.cursor().connection.info.server_version if vendor == "postgresql" else None
        )

    import django

    db = f"PostgreSQL {version // 10000}.{version % 100}" if version else "SQLite"
    runs = ", ".join(f"{t:.0f}" for t in alloc_times)
    rows = [
        ("people in isolation / sites", f"{in_isolation:,} / {args.sites}"),
        ("free rooms at the batch's site before allocation", f"{big_free:,}"),
        (
            f"allocate a batch of {args.batch} (median of 3; placed)",
            f"**{statistics.median(alloc_times):.0f} ms** ({placed} placed; runs {runs} ms)",
        ),
        (
            "county occupancy board (warm median; first)",
            f"**{board_ms:.1f} ms** ({board_first:.1f} ms; Python CPU {board_cpu:.1f} ms)",
        ),
        (
            f"release-due list for today ({due_rows} people, {tested} with a negative test; "
            "warm median; first)",
            f"**{due_ms:.1f} ms** ({due_first:.1f} ms; Python CPU {due_cpu:.1f} ms)",
        ),
        ("building the data set", f"{built:.0f} s"),
        ("load average when timed (2 cores, shared)", f"{load:.1f}"),
    ]
    text = "\n".join(
        [
            "### Figures",
            "",
            "Command: `.venv/bin/python bench/isolation.py "
            f"--people {args.people} --sites {args.sites} --batch {args.batch}"
            + (" --database postgres://…`" if args.database else "`")
            + f", run on {dt.date.today().isoformat()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, Django {django.get_version()}, {db}, "
            f"{platform.system()} {platform.release()}.",
            "",
            "| measure | figure |",
            "|---|---|",
            *[f"| {k} | {v} |" for k, v in rows],
            "",
        ]
    )
    print(text)
    if not args.no_docs:
        doc = DOC.read_text(encoding="utf-8")
        block = f"{BEGIN}\n{text}{END}"
        if BEGIN in doc:
            head, rest = doc.split(BEGIN, 1)
            doc = head + block + rest.split(END, 1)[1]
        else:
            doc = doc.rstrip("\n") + "\n\n" + block + "\n"
        DOC.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
