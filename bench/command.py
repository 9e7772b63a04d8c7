# ruff: noqa: E501  (benchmark seeding and table rows read best on one line each)
"""Benchmark: the command picture (dashboard, wall refresh) and the daily report on PostgreSQL.

    .venv/bin/python bench/command.py                 # scale 0.25 (100,000 residents)
    .venv/bin/python bench/command.py --scale 1       # 400,000 residents, 1,000,000 samples
    .venv/bin/python bench/command.py --no-docs       # do not touch docs/performance.md

It drops and creates the PostgreSQL database `tx_command_bench` (`--db` names another URL),
migrates it and seeds, at `--scale` of the issue's county: 8 townships, 40 communities,
200 estates, 4,000 buildings, households and residents (400,000 × scale, with encrypted ID
numbers), three test rounds with 2.5 samples per resident in all (1,000,000 × scale: tubes
of ten, sampled people, per-household tallies, results for the first two rounds and most of
the third), 1,000 help requests over three days, 50 units with their estates, 30 directives
and a few zones. Seeding uses bulk inserts and is not what is measured.

Timed, in process through Django's test client (server time: no network):
1. the dashboard page `/command/` with the picture's cache cleared before each request (a
   county-wide picture computed from scratch: every module's figures now and at midnight);
2. the wall view's refresh (`/command/wall/` as htmx asks for it) within the cache window;
3. `reports.generate` for a day (the snapshot: every module at the cut-off and the period
   start, each township, the timeline), and rendering its .docx and .xlsx.
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:command -->", "<!-- /bench:command -->"
sys.path.insert(0, str(ROOT))


def backend_cpu(pid: int) -> float | None:
    """CPU seconds used so far by the PostgreSQL backend `pid` (same machine), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms(fn: Any, runs: int, pid: int) -> float | None:
    """Mean CPU+DB time of `fn` in ms: this process's CPU time plus the PostgreSQL backend's
    (parallel query off, so the backend does all of the database's work). Unlike the wall
    time it hardly moves with the machine's load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    start_db, start_py = backend_cpu(pid), time.process_time()
    for _ in range(runs):
        fn()
    end_db, end_py = backend_cpu(pid), time.process_time()
    with connection.cursor() as cursor:
        cursor.execute("RESET max_parallel_workers_per_gather")
    if start_db is None or end_db is None:
        return None
    return (end_py - start_py + end_db - start_db) * 1000 / runs


def median_ms(fn: Any, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def seed(scale: float) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tongxin.accounts.models import Role
    from tongxin.directives.models import Directive, DirectiveTarget
    from tongxin.helpdesk.models import Category, Channel, HelpRequest, Priority, Status
    from tongxin.incidents.models import PolicyEdition
    from tongxin.incidents.services import open_incident
    from tongxin.people.models import Person
    from tongxin.places.models import Place, PlaceKind
    from tongxin.sampling.models import RoundHousehold, SampledPerson, SampleEvent, Tube
    from tongxin.testing.models import RoundArea, TestPoint, TestRound
    from tongxin.units.models import Unit, UnitAssignment
    from tongxin.zones.models import ZoneDesignation

    rng = random.Random(7)
    tz = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(2022, 3, 6, 21, tzinfo=tz)
    incident = open_incident("2022-03 基准", PolicyEdition.objects.get(code="np-8"), start)
    households_per_building = max(1, round(10 * scale * 4))
    counts: dict[str, int] = {}

    def node(parent: Place | None, path: str, kind: str, name: str) -> Place:
        return Place(parent=parent, path=path, depth=len(path) // 4, numchild=0, kind=kind,
                     name=name, key=name)  # fmt: skip

    county = node(None, "0001", PlaceKind.COUNTY, "基准县")
    county.save()
    level: list[Place] = [county]
    spec = [(PlaceKind.TOWNSHIP, 8, "镇"), (PlaceKind.COMMUNITY, 5, "社区"),
            (PlaceKind.ESTATE, 5, "小区"), (PlaceKind.BUILDING, 20, "幢"),
            (PlaceKind.HOUSEHOLD, households_per_building, "室")]  # fmt: skip
    estates: list[Place] = []
    for kind, n, suffix in spec:
        made = []
        for parent in level:
            for i in range(n):
                made.append(
                    node(
                        parent,
                        parent.path + f"{i + 1:04d}",
                        kind,
                        f"{parent.name[-6:]}{i + 1}{suffix}",
                    )
                )
            parent.numchild = n
        Place.objects.bulk_create(made, batch_size=5000)
        level = list(Place.objects.filter(kind=kind).order_by("path"))
        if kind == PlaceKind.ESTATE:
            estates = level
    households = level
    counts["households"] = len(households)
    people_target = int(400_000 * scale)
    people: list[Person] = []
    for i in range(people_target):
        home = households[i % len(households)]
        people.append(Person(
            name=f"居民{i}", name_pinyin="jm", name_initials="jm", document_type="resident_id",
            document_number=f"33082419800101{i:04d}"[-18:], document_bidx=f"b{i}",
            document_masked="3308**********0000", document_last4=f"{i % 10000:04d}",
            household=home, residence_status="resident",
        ))  # fmt: skip
        if len(people) == 5000:
            Person.objects.bulk_create(people)
            people = []
    Person.objects.bulk_create(people)
    counts["residents"] = Person.objects.count()

    units = [Unit(name=f"县单位{i}", kind="government") for i in range(50)]
    Unit.objects.bulk_create(units)
    units = list(Unit.objects.order_by("pk"))
    UnitAssignment.objects.bulk_create(
        [
            UnitAssignment(unit=units[i % 50], place=e, starts_on=dt.date(2022, 1, 1))
            for i, e in enumerate(estates)
        ]
    )
    user_model = get_user_model()
    chief = user_model.objects.create(username="bench_command", role=Role.COMMAND_POST)
    points = [TestPoint(name=f"采样点{i}", place=estates[i % len(estates)], opens_at=dt.time(6),
                        closes_at=dt.time(22)) for i in range(150)]  # fmt: skip
    TestPoint.objects.bulk_create(points)
    points = list(TestPoint.objects.order_by("pk"))

    person_rows = list(
        Person.objects.order_by("pk").values_list("pk", "household_id", "household__path")
    )
    samples = 0
    for r, share in enumerate((0.8, 0.8, 0.9)):
        day = start + dt.timedelta(hours=9 + 24 * r)
        test_round = TestRound.objects.create(
            incident=incident, name=f"第{r + 1}轮全员核酸", starts_at=day, deadline=day + dt.timedelta(hours=14),
            status="closed" if r < 2 else "active",
        )  # fmt: skip
        RoundArea.objects.create(round=test_round, place=county)
        chosen = [p for p in person_rows if rng.random() < share]
        tubes, events, sampled = [], [], []
        for t in range(0, len(chosen), 10):
            at = day + dt.timedelta(minutes=rng.randrange(0, 720))
            known = r < 2 or rng.random() < 0.7
            tubes.append(Tube(barcode=f"R{r}T{t}", round=test_round, point=points[(t // 10) % 150],
                              mode="pool_10", capacity=10, status="closed", sample_count=10, opened_at=at,
                              closed_at=at + dt.timedelta(minutes=20),
                              result="negative" if known else "", result_at=at + dt.timedelta(hours=6) if known else None))  # fmt: skip
        Tube.objects.bulk_create(tubes, batch_size=5000)
        tube_ids = list(
            Tube.objects.filter(round=test_round)
            .order_by("pk")
            .values_list("pk", "opened_at", "result")
        )
        for i, (pid, hid, path) in enumerate(chosen):
            tube_id, at, result = tube_ids[i // 10]
            events.append(SampleEvent(client_event_id=uuid.uuid4(), round=test_round, person_id=pid,
                                      household_id=hid, tube_id=tube_id, point=points[(i // 100) % 150],
                                      sampled_at=at, received_at=at, source="device"))  # fmt: skip
            sampled.append(SampledPerson(round=test_round, person_id=pid, household_id=hid, path=path,
                                         first_sampled_at=at, result=result))  # fmt: skip
        SampleEvent.objects.bulk_create(events, batch_size=5000)
        SampledPerson.objects.bulk_create(sampled, batch_size=5000)
        samples += len(events)
        per_home: dict[int, list[int]] = {}
        for _pid, hid, _path in person_rows:
            per_home.setdefault(hid, [0, 0, 0])[0] += 1
        for s in sampled:
            row = per_home[s.household_id]
            row[1] += 1
            row[2] += 1 if s.result else 0
        paths = {h.pk: h.path for h in households}
        RoundHousehold.objects.bulk_create([
            RoundHousehold(round=test_round, household_id=hid, path=paths[hid], expected=e, sampled=s, result_known=k)
            for hid, (e, s, k) in per_home.items()
        ], batch_size=5000)  # fmt: skip
    counts["samples"] = samples

    requests = []
    for i in range(1000):
        at = start + dt.timedelta(minutes=rng.randrange(0, 70 * 60))
        closed = rng.random() < 0.9
        requests.append(HelpRequest(
            number=f"B{i:05d}", incident=incident, channel=Channel.WEB, received_at=at, text="求助",
            phone_bidx=f"p{i}", phone_masked="139****0000", phone_last4="0000",
            place=households[rng.randrange(len(households))], category=Category.FOOD,
            priority=Priority.NORMAL, status=Status.CLOSED if closed else Status.RECEIVED,
            contact_due_at=at + dt.timedelta(hours=1), close_due_at=at + dt.timedelta(hours=24),
            first_contact_at=at + dt.timedelta(minutes=30) if closed else None,
            closed_at=at + dt.timedelta(hours=5) if closed else None,
        ))  # fmt: skip
    HelpRequest.objects.bulk_create(requests)
    counts["help_requests"] = 1000
    for i in range(30):
        at = start + dt.timedelta(hours=2 * i)
        directive = Directive.objects.create(incident=incident, seq=i + 1, title=f"指令{i + 1}", text="……",
                                             deadline=at + dt.timedelta(hours=12), issued_by=chief, issued_at=at)  # fmt: skip
        DirectiveTarget.objects.bulk_create(
            [DirectiveTarget(directive=directive, unit=u) for u in units[i % 5 :: 5]]
        )
    for i, estate in enumerate(estates[:6]):
        ZoneDesignation.objects.create(incident=incident, place=estate, kind="controlled", kind_name="管控区",
                                       kind_rank=2, effective_from=start + dt.timedelta(hours=i), reason="基准")  # fmt: skip
    counts["contacts"] = seed_contacts(incident, start, person_rows, rng)
    del timezone
    return {"incident": incident, "chief": chief, "counts": counts}


def seed_contacts(
    incident: Any, start: dt.datetime, person_rows: list[Any], rng: random.Random
) -> int:
    """20 cases and 5,000 confirmed contacts (密接 and 次密接), each with its management record."""
    from django.db.models import F

    from tongxin.tracing.models import (
        Case,
        Channel,
        Classification,
        Contact,
        ContactStatus,
        ExposureType,
        Level,
        Management,
        ManagementStatus,
    )

    step = max(1, len(person_rows) // 5020)
    chosen = person_rows[::step][:5020]
    case_rows, contact_rows = chosen[:20], chosen[20:]
    Case.objects.bulk_create([
        Case(incident=incident, number=i + 1, person_id=pid, classification=Classification.values[i % len(Classification.values)],
             channel=Channel.values[i % len(Channel.values)], reported_at=start + dt.timedelta(hours=3 + 3 * i))
        for i, (pid, _hid, _path) in enumerate(case_rows)
    ])  # fmt: skip
    cases = list(Case.objects.filter(incident=incident).order_by("number"))
    for case in cases:  # created_at is set on insert; the report counts cases by it
        Case.objects.filter(pk=case.pk).update(created_at=case.reported_at)
    statuses = [
        ManagementStatus.DUE,
        ManagementStatus.ISOLATED,
        ManagementStatus.HOME,
        ManagementStatus.RELEASED,
    ]
    managements = []
    for i, (pid, hid, path) in enumerate(contact_rows):
        level = Level.CLOSE if i % 5 < 2 else Level.SECONDARY
        managements.append(Management(incident=incident, person_id=pid, household_id=hid, path=path, level=level,
                                      status=statuses[i % 4], edition_code="np-8"))  # fmt: skip
    Management.objects.bulk_create(managements, batch_size=2000)
    managements = list(Management.objects.filter(incident=incident).order_by("pk"))
    contacts = []
    for i, management in enumerate(managements):
        exposed = start + dt.timedelta(minutes=rng.randrange(0, 60 * 60))
        contacts.append(Contact(incident=incident, management=management, source_case=cases[i % len(cases)],
                                exposure_type=ExposureType.values[0], first_exposure=exposed, last_exposure=exposed,
                                level=management.level, status=ContactStatus.CONFIRMED,
                                confirmed_at=exposed + dt.timedelta(hours=4)))  # fmt: skip
    Contact.objects.bulk_create(contacts, batch_size=2000)
    Contact.objects.filter(incident=incident).update(created_at=F("confirmed_at"))
    return len(contacts)


def reseeded() -> dict[str, Any]:
    """What an earlier run seeded (--reuse)."""
    from django.contrib.auth import get_user_model

    from tongxin.helpdesk.models import HelpRequest
    from tongxin.incidents.models import Incident
    from tongxin.people.models import Person
    from tongxin.places.models import Place
    from tongxin.sampling.models import SampleEvent
    from tongxin.tracing.models import Contact

    counts = {
        "residents": Person.objects.count(),
        "households": Place.objects.filter(kind="household").count(),
        "samples": SampleEvent.objects.count(),
        "help_requests": HelpRequest.objects.count(),
        "contacts": Contact.objects.count(),
    }
    return {
        "incident": Incident.objects.get(name="2022-03 基准"),
        "chief": get_user_model().objects.get(username="bench_command"),
        "counts": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/tx_command_bench")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep a database seeded before")
    args = parser.parse_args()
    admin_url = args.db.rsplit("/", 1)[0] + "/postgres"
    name = args.db.rsplit("/", 1)[1]
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (args.reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["TONGXIN_DATABASE_URL"] = args.db
    os.environ.setdefault("TONGXIN_DATA_DIR", str(ROOT / "bench" / "out" / "command"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    Path(os.environ["TONGXIN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    subprocess.run([str(ROOT / ".venv" / "bin" / "tongxin"), "migrate", "-v", "0"], check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from tongxin.command.models import DailyReport
    from tongxin.command.services import documents, reports

    settings.ALLOWED_HOSTS.append("testserver")
    started = time.perf_counter()
    from tongxin.incidents.models import Incident

    if args.reuse and Incident.objects.filter(name="2022-03 基准").exists():
        seeded = reseeded()
    else:
        seeded = seed(args.scale)
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # What autovacuum would have done to a live database by now (visibility map for
        # index-only scans, statistics); a fresh bulk load has neither.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    incident, chief = seeded["incident"], seeded["chief"]
    client = Client()
    client.force_login(chief)

    from tongxin.command.services import figures as fig

    def dashboard() -> None:
        cache.clear()
        assert client.get("/command/").status_code == 200

    def dashboard_expired() -> None:
        # The picture's window has passed; the day's baseline (kept 20 windows) has not.
        seconds = max(1, fig.cache_seconds())
        bucket = int(time.time()) // seconds
        cache.delete(f"tx:command:picture:{incident.pk}:all:{bucket}")
        assert client.get("/command/").status_code == 200

    def dashboard_cached() -> None:
        assert client.get("/command/").status_code == 200

    def wall() -> None:
        response = client.get(
            "/command/wall/", headers={"HX-Request": "true", "HX-Target": "wall-cards"}
        )
        assert response.status_code == 200

    load_before = os.getloadavg()[0]
    dashboard()  # first request: sessions, templates
    dash_median, dash_max = median_ms(dashboard, 7)
    dashboard()
    expired_median, expired_max = median_ms(dashboard_expired, 7)
    cached_median, cached_max = median_ms(dashboard_cached, 30)
    wall()
    wall_median, wall_max = median_ms(wall, 30)
    day = dt.date(2022, 3, 8)

    def generate() -> None:
        DailyReport.objects.filter(incident=incident).delete()
        reports.generate(incident, day)

    gen_median, gen_max = median_ms(generate, 3)
    report = DailyReport.objects.get(incident=incident, report_date=day)
    # CPU+DB time, independent of the machine's load (see cpu_ms).
    dash_cpu = cpu_ms(dashboard_expired, 7, backend_pid)
    wall_cpu = cpu_ms(wall, 30, backend_pid)
    gen_cpu = cpu_ms(generate, 3, backend_pid)

    def cpu(value: float | None, unit: str = "ms") -> str:
        if value is None:
            return "—"
        return f"{value / 1000:.2f} s" if unit == "s" else f"{value:.0f} ms"

    docx_median, _m = median_ms(lambda: documents.render_docx(report), 3)
    xlsx_median, _m = median_ms(lambda: documents.render_xlsx(report), 3)
    counts = seeded["counts"]
    load = os.getloadavg()[0]
    lines = [
        BEGIN,
        "## Command picture and daily report (issue 14, section 4)",
        "",
        "Targets: dashboard < 300 ms server time, wall refresh < 100 ms, daily report < 5 s,",
        "for 400,000 residents, 1,000,000 samples, 5,000 contacts and 1,000 help requests.",
        "",
        f"Command: `.venv/bin/python bench/command.py --scale {args.scale:g}`, run on "
        f"{dt.date.today().isoformat()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        "PostgreSQL on 127.0.0.1, in process through Django's test client (no network).",
        "",
        f"Seeded (scale {args.scale:g} of the issue's county, not measured): "
        f"{counts['residents']:,} residents in {counts['households']:,} households, "
        f"{counts['samples']:,} samples in three rounds, {counts['help_requests']:,} help requests, "
        f"{counts['contacts']:,} contacts of 20 cases, 30 directives to 50 units, 6 zones.",
        "",
        "Wall time is server time on this (shared) machine; CPU+DB time is this process's CPU",
        "time plus the PostgreSQL backend's (read from /proc, parallel query off for that pass),",
        "which the load of other work hardly changes.",
        "",
        "| what | median (wall) | slowest (wall) | CPU+DB (mean) |",
        "|---|---|---|---|",
        f"| dashboard `/command/`, every cache cleared before each (7 runs) | {dash_median:.0f} ms | {dash_max:.0f} ms | |",
        f"| dashboard, picture recomputed (its 30 s window passed; the day's baseline still cached) (7 runs) | {expired_median:.0f} ms | {expired_max:.0f} ms | {cpu(dash_cpu)} |",
        f"| dashboard within the cache window (30 runs) | {cached_median:.1f} ms | {cached_max:.1f} ms | |",
        f"| wall refresh `/command/wall/` (htmx), within the cache window (30 runs) | {wall_median:.1f} ms | {wall_max:.1f} ms | {cpu(wall_cpu)} |",
        f"| `reports.generate` for a day, snapshot of 8 townships (3 runs) | {gen_median / 1000:.2f} s | {gen_max / 1000:.2f} s | {cpu(gen_cpu, 's')} |",
        f"| render .docx / .xlsx from the snapshot | {docx_median:.0f} ms / {xlsx_median:.0f} ms | | |",
        "",
        f"Load average (1 min) when measured: {load_before:.1f} at the start, {load:.1f} at the end "
        "(2 cores shared by other work).",
        END,
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_docs:
        doc = DOC.read_text()
        if BEGIN in doc:
            head, rest = doc.split(BEGIN, 1)
            doc = head + text + rest.split(END, 1)[1]
        else:
            doc = doc.rstrip("\n") + "\n\n" + text + "\n"
        DOC.write_text(doc)


if __name__ == "__main__":
    main()
