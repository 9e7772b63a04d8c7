# ruff: noqa: E501  (the doc table template and seed rows are long lines)
"""Benchmark: 流调 at county scale on PostgreSQL (issue 11, section 7).

    .venv/bin/python bench/tracing.py                                   # full scale
    .venv/bin/python bench/tracing.py --people 100000 --checkins 2000000  # a stated smaller scale
    .venv/bin/python bench/tracing.py --no-docs                         # do not touch the doc

It drops and creates the PostgreSQL database `--db` (default `tx_i11_bench`) on `--pg` (default
postgres://postgres@127.0.0.1:5432), migrates it, and seeds (COPY, not measured) a county of
`--people` residents (8 townships, 200 estates, 4,000 buildings of 20 floors, 160,000
households, encrypted ID numbers with blind index, as the importer writes them) and
`--venues` venues; it writes a CSV export of `--checkins` venue check-ins over 14 days (90% by
residents, 10% by 20,000 people from other counties; 70% with an exit time). Then, timed:

1. **Import.** `tracing.services.checkins.import_file` on the file's path, streamed 50,000 rows
   at a time (exactly what `tongxin tracing import-checkins` runs): each distinct ID number validated and hashed once,
   matched to the registry by blind index, outside persons created, idempotency keys, COPY
   into a temporary staging table and one `INSERT … SELECT … ON CONFLICT DO NOTHING` per
   batch. Then the first 100,000 rows again (all duplicates), and the file readers alone:
   the first million CSV rows through `sheets.read_rows`, and 200,000 of them as an .xlsx.
2. **COPY baseline.** The stored rows, COPYed into an empty table made
   `LIKE tracing_checkin INCLUDING ALL`: what PostgreSQL itself takes on this machine.
3. **Co-presence.** `copresence.at_venue` for a busy venue and a 2-hour window: cold once,
   then the median over 20 venues.
4. **Derivation.** A case with 20 stays (at random busy venues, an hour each, within its
   exposure window): `derive_for_case` (household, building, venue rules; candidates stored).
   Then 50 of its candidates are confirmed as 密接 and `derive_for_case` runs again, deriving
   their 次密接 (their own check-ins from first exposure until now).

EXPLAIN (ANALYZE, BUFFERS) of the two check-in queries goes into docs/performance.md with the
figures (between the tracing-benchmark markers).
"""

import argparse
import csv
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "tracing"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:tracing -->", "<!-- /bench:tracing -->"
BIN = ROOT / ".venv" / "bin"

TOWNSHIPS, COMMUNITIES, ESTATES, BUILDINGS, HOUSEHOLDS = 8, 5, 5, 20, 40
OUTSIDERS = 20_000
DAYS = 14

sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from tongxin.core.idnumbers import check_char  # noqa: E402  (plain function, no Django)


def say(text: str) -> None:
    print(text, flush=True)


def id_number(i: int, region: str = "330899") -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=i % 29000)
    first17 = f"{region}{birth:%Y%m%d}{i // 29000:03d}"
    return first17 + check_char(first17)


def base36(n: int, width: int = 4) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(width, "0")


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TONGXIN_DATA_DIR": str(OUT),
            "TONGXIN_DATABASE_URL": f"{args.pg}/{args.db}",
            "TONGXIN_DEBUG": "0",
            "TONGXIN_LOG_LEVEL": "WARNING",
        }
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    return env


def recreate_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')


def _copy(cursor: Any, table: str, columns: list[str], rows: Any) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# --- seed (not measured) --------------------------------------------------------------------


def seed(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from tongxin.core import crypto
    from tongxin.core.masking import mask_document
    from tongxin.incidents.models import PolicyEdition
    from tongxin.incidents.services import open_incident
    from tongxin.places.models import Place, PlaceKind
    from tongxin.places.services import create_county
    from tongxin.tracing.models import Venue, VenueKind

    t0 = time.monotonic()
    now = timezone.now()
    county = create_county("同心县", "330899")
    next_id = [Place.objects.order_by("-pk").values_list("pk", flat=True).first() + 1]
    places: list[tuple[Any, ...]] = []
    households: list[int] = []

    def add(parent: int, ppath: str, paddr: str, kind: str, name: str, i: int, n: int) -> tuple:
        pk = next_id[0]
        next_id[0] += 1
        path = ppath + base36(i)
        places.append(
            (pk, path, len(path) // 4, n, parent, kind, name, name, "", f"{paddr} {name}", now)
        )
        return pk, path, f"{paddr} {name}"

    for t in range(1, TOWNSHIPS + 1):
        tid, tp, ta = add(
            county.pk, county.path, county.address, PlaceKind.TOWNSHIP, f"第{t}街道", t, COMMUNITIES
        )
        for c in range(1, COMMUNITIES + 1):
            cid, cp, ca = add(tid, tp, ta, PlaceKind.COMMUNITY, f"{t}-{c}社区", c, ESTATES)
            for e in range(1, ESTATES + 1):
                eid, ep, ea = add(cid, cp, ca, PlaceKind.ESTATE, f"{t}{c}{e}苑", e, BUILDINGS)
                for b in range(1, BUILDINGS + 1):
                    bid, bp, ba = add(eid, ep, ea, PlaceKind.BUILDING, f"{b}幢", b, HOUSEHOLDS)
                    for h in range(1, HOUSEHOLDS + 1):
                        room = f"{(h - 1) // 2 + 1}0{(h - 1) % 2 + 1}"  # 20 floors, 2 flats
                        hid, _p, _a = add(bid, bp, ba, PlaceKind.HOUSEHOLD, f"{room}室", h, 0)
                        households.append(hid)
    cols = [
        "id",
        "path",
        "depth",
        "numchild",
        "parent_id",
        "kind",
        "name",
        "key",
        "code",
        "address",
        "created_at",
    ]
    with connection.cursor() as cursor:
        _copy(cursor.cursor, "places_place", cols, places)
        cursor.execute(
            "UPDATE places_place SET numchild = %s WHERE id = %s", [TOWNSHIPS, county.pk]
        )
        cursor.execute("SELECT setval('places_place_id_seq', %s)", [next_id[0]])
    rows = []
    for i in range(args.people):
        number = id_number(i)
        rows.append(
            (i + 1, f"居民{i}", f"jumin{i}", "jm", "resident_id", crypto.encrypt(number),
             crypto.blind_index("resident_id", number), mask_document(number), number[-4:],
             "", None, "", "", "", "", households[(i * 2) // 5 % len(households)], "resident",
             "", now, now)
        )  # fmt: skip
    pcols = [
        "id", "name", "name_pinyin", "name_initials", "document_type", "document_number",
        "document_bidx", "document_masked", "document_last4", "sex", "birth_date", "phone",
        "phone_bidx", "phone_masked", "phone_last4", "household_id", "residence_status", "notes",
        "created_at", "updated_at",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        _copy(cursor.cursor, "people_person", pcols, rows)
        cursor.execute("SELECT setval('people_person_id_seq', %s)", [args.people + 1])
        cursor.execute("ANALYZE places_place")
        cursor.execute("ANALYZE people_person")
    kinds = list(VenueKind.values)
    Venue.objects.bulk_create(
        [
            Venue(code=f"V{v:05d}", name=f"场所{v}", kind=kinds[v % len(kinds)])
            for v in range(args.venues)
        ],
        batch_size=2000,
    )
    start = now - dt.timedelta(days=DAYS)
    incident = open_incident("基准测试疫情", PolicyEdition.objects.get(code="np-9"), start)
    say(
        f"  seeded {len(places):,} places, {args.people:,} residents, {args.venues:,} venues ({time.monotonic() - t0:.0f} s)"
    )
    return {"incident": incident, "start": start}


def write_checkins(args: argparse.Namespace, start: dt.datetime) -> Path:
    """The export: venue code, ID number, scan time, exit time (empty for 30%)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"checkins-{args.checkins}.csv"
    if path.exists():
        return path
    rng = random.Random(20220311)
    # Venues are not equally busy: a few markets and supermarkets get most of the scans.
    weights = [1.0 / (1 + v % 97) for v in range(args.venues)]
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    outsiders = [
        id_number(i, rng.choice(["330802", "330881", "362330", "330803"])) for i in range(OUTSIDERS)
    ]
    import bisect

    # Every ID number and every minute's text once (ten million rows of strftime and check
    # digits would take longer than the import being measured).
    residents = [id_number(i) for i in range(args.people)]
    codes = [f"V{v:05d}" for v in range(args.venues)]
    base = start.replace(tzinfo=None) + dt.timedelta(hours=8)
    minutes = [
        (base + dt.timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:%S")
        for m in range((DAYS + 1) * 24 * 60)
    ]
    rnd, randrange, people = rng.random, rng.randrange, args.people
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["场所码", "证件号码", "扫码时间", "离开时间"])
        left = args.checkins
        while left:
            chunk = []
            for _ in range(min(left, 100_000)):
                v = bisect.bisect(cum, rnd() * total)
                who = (
                    outsiders[randrange(OUTSIDERS)] if rnd() < 0.1 else residents[randrange(people)]
                )
                at = randrange(DAYS) * 1440 + randrange(7 * 60, 22 * 60)
                exit_ = minutes[at + randrange(5, 120)] if rnd() < 0.7 else ""
                chunk.append((codes[v], who, minutes[at], exit_))
            w.writerows(chunk)
            left -= len(chunk)
    return path


def stream(path: Path, limit: int | None = None) -> Any:
    with path.open(encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for n, (venue, doc, entered, exited) in enumerate(r, start=2):
            if limit is not None and n > limit + 1:
                return
            yield {
                "_row": n,
                "venue_code": venue,
                "document_number": doc,
                "entered_at": entered,
                "exited_at": exited,
            }


# --- timed ----------------------------------------------------------------------------------


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def reading(path: Path, rows: int) -> dict[str, Any]:
    """The file readers alone (what `import_file` adds before the engine): the first `rows`
    rows of the CSV through `sheets.read_rows`, and the same rows as an .xlsx (openpyxl,
    read-only mode) — rows per second of reading, nothing stored."""
    import io

    import openpyxl

    from tongxin.tracing.services.checkins import SYNONYMS
    from tongxin.tracing.services.sheets import read_rows

    with path.open("rb") as f:
        data = b"".join(f.readline() for _ in range(rows + 1))
    w0, c0 = time.monotonic(), cpu()
    n = sum(1 for _ in read_rows(data, "x.csv", SYNONYMS, ("venue_code", "entered_at")))
    csv_s, csv_cpu = time.monotonic() - w0, cpu() - c0
    xrows = min(rows, 200_000)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    with path.open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            if i > xrows:
                break
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    w0, c0 = time.monotonic(), cpu()
    xn = sum(1 for _ in read_rows(buf.getvalue(), "x.xlsx", SYNONYMS, ("venue_code", "entered_at")))
    xlsx_s, xlsx_cpu = time.monotonic() - w0, cpu() - c0
    return {"csv_rows": n, "csv_seconds": csv_s, "csv_cpu": csv_cpu, "xlsx_rows": xn,
            "xlsx_seconds": xlsx_s, "xlsx_cpu": xlsx_cpu, "xlsx_mb": len(buf.getvalue()) / 1e6}  # fmt: skip


def backend_cpu(connection: Any) -> Any:
    """A function giving the CPU seconds used so far by this connection's PostgreSQL backend
    (read from /proc: the server runs on this machine), or 0 when it cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def used() -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return used


def run_import(incident: Any, path: Path) -> dict[str, Any]:
    """The CLI's engine on the file itself: `import_file` streams it (`sheets.read_rows`, a
    batch of 50,000 rows at a time), exactly what `tongxin tracing import-checkins` runs."""
    from django.db import connection
    from tracing_import import Backends  # bench/tracing_import.py

    from tongxin.tracing.services.checkins import import_file, import_rows

    # Every backend of the database (the import stores through more than one connection).
    settings = connection.settings_dict
    dsn = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    load0 = os.getloadavg()[0]
    with Backends(dsn, settings["NAME"]) as pg:
        w0, c0 = time.monotonic(), cpu()
        summary = import_file(incident, path, path.name)
        wall, used = time.monotonic() - w0, cpu() - c0
    pg_used = pg.used("backend")
    load1 = os.getloadavg()[0]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tracing_checkin")
    w1 = time.monotonic()
    c1 = cpu()
    again = import_rows(incident, stream(path, 100_000), name=path.name)
    rewall, recpu = time.monotonic() - w1, cpu() - c1
    return {"summary": summary.as_dict(), "seconds": wall, "cpu": used, "rate": summary.rows / wall,
            "load": [load0, load1], "pg_cpu": pg_used,
            "again": again.as_dict(), "again_seconds": rewall, "again_cpu": recpu}  # fmt: skip


def copy_baseline() -> dict[str, Any]:
    from django.db import connection

    buf = OUT / "baseline.bin"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_checkin_copy")
        cursor.execute("CREATE TABLE bench_checkin_copy (LIKE tracing_checkin INCLUDING ALL)")
        with (
            buf.open("wb") as f,
            cursor.cursor.copy("COPY tracing_checkin TO STDOUT (FORMAT binary)") as copy,
        ):
            for data in copy:
                f.write(data)
        cursor.execute("SELECT count(*) FROM tracing_checkin")
        rows = cursor.fetchone()[0]
        pg = backend_cpu(connection)
        load0 = os.getloadavg()[0]
        t0, p0 = time.monotonic(), pg()
        with (
            buf.open("rb") as f,
            cursor.cursor.copy("COPY bench_checkin_copy FROM STDIN (FORMAT binary)") as copy,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        seconds, pg_used = time.monotonic() - t0, pg() - p0
        cursor.execute("DROP TABLE bench_checkin_copy")
    buf.unlink()
    return {"rows": rows, "seconds": seconds, "rate": rows / seconds, "pg_cpu": pg_used,
            "load": [load0, os.getloadavg()[0]]}  # fmt: skip


def busy_windows(n: int) -> list[tuple[int, dt.datetime, dt.datetime]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT venue_id, date_trunc('hour', entered_at) h, count(*) c FROM tracing_checkin "
            "WHERE venue_id IN (SELECT id FROM tracing_venue ORDER BY id LIMIT 400) "
            "GROUP BY 1, 2 ORDER BY c DESC LIMIT %s",
            [n],
        )
        return [(v, h, h + dt.timedelta(hours=2)) for v, h, _c in cursor.fetchall()]


def explain(sql: str, params: list[Any]) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def venue_incident() -> Any:
    from tongxin.incidents.models import Incident

    return Incident.objects.get(name="基准测试疫情")


def copresence_timings() -> dict[str, Any]:
    from tongxin.tracing.models import CheckIn, Venue
    from tongxin.tracing.services.copresence import at_venue

    windows = busy_windows(21)
    venue_id, start, end = windows[0]
    venue = Venue.objects.get(pk=venue_id)
    t0 = time.monotonic()
    people = at_venue(venue_incident(), venue, start, end, 15)
    cold = (time.monotonic() - t0) * 1000
    times = []
    for v, s, e in windows[1:]:
        t = time.monotonic()
        at_venue(venue_incident(), Venue.objects.get(pk=v), s, e, 15)
        times.append((time.monotonic() - t) * 1000)
    from tongxin.tracing.services.rules import max_stay

    incident = venue_incident()
    # The query co-presence runs (copresence._collect), bounded by the edition's longest stay.
    qs = (
        CheckIn.objects.filter(incident=incident, venue_id=venue_id)
        .overlapping(start, end, max_stay(incident.policy_edition))
        .values_list("person_id", "outside_person_id", "entered_at", "left_at")
    )
    sql, params = qs.query.sql_with_params()
    return {"cold_ms": cold, "median_ms": statistics.median(times), "max_ms": max(times),
            "people": len(people), "plan": explain(sql, list(params))}  # fmt: skip


def derive_timings(incident: Any) -> dict[str, Any]:
    from django.utils import timezone

    from tongxin.people.models import Person
    from tongxin.tracing.models import Case, CheckIn, Contact, Level, Stay
    from tongxin.tracing.services import confirm_contacts
    from tongxin.tracing.services.cases import create_case
    from tongxin.tracing.services.derive import derive_for_case
    from tongxin.tracing.services.rules import max_stay

    now = timezone.now()
    person = Person.objects.exclude(pk__in=Case.objects.values("person_id")).order_by("pk").first()
    case = create_case(incident, person=person, channel="community", reported_at=now - dt.timedelta(days=1),
                       onset_date=timezone.localdate() - dt.timedelta(days=2))  # fmt: skip
    from tongxin.tracing.services.derive import case_window

    w_start, w_end = case_window(case)
    # The case's stays: 20 random scans in its window (random rows: venues as busy as real ones).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT venue_id, entered_at FROM tracing_checkin TABLESAMPLE SYSTEM (1) "
            "WHERE entered_at >= %s AND entered_at < %s LIMIT 20",
            [w_start, w_end - dt.timedelta(hours=1)],
        )
        windows = cursor.fetchall()
    for venue_id, s in windows:
        Stay.objects.create(
            incident=incident,
            case=case,
            venue_id=venue_id,
            started_at=s,
            ended_at=s + dt.timedelta(hours=1),
        )
    pg = backend_cpu(connection)
    t0, c0, b0 = time.monotonic(), time.process_time(), pg()
    first = derive_for_case(case)
    first_s = time.monotonic() - t0
    first_cpu, first_pg = time.process_time() - c0, pg() - b0
    close = [c for c in first if c.level == Level.CLOSE and c.management.person_id][:50]
    confirm_contacts(close, None)
    t1, c1, b1 = time.monotonic(), time.process_time(), pg()
    both = derive_for_case(case)
    second_s = time.monotonic() - t1
    second_cpu, second_pg = time.process_time() - c1, pg() - b1
    secondary = (
        Contact.objects.filter(
            source_management__contacts__source_case=case, source_management__isnull=False
        )
        .distinct()
        .count()
    )
    m = close[0].management
    qs = (
        CheckIn.objects.filter(incident=incident)
        .of_subject(m.person_id, None)
        .overlapping(m.contacts.first().first_exposure, now, max_stay(incident.policy_edition))
        .values_list("pk", "venue_id", "entered_at", "left_at")
    )
    sql, params = qs.query.sql_with_params()
    return {"stays": len(windows), "candidates": len(first), "seconds": first_s, "close": len(close),
            "secondary": secondary, "all": len(both), "second_seconds": second_s,
            "cpu": {"first_python": round(first_cpu, 2), "first_backend": round(first_pg, 2),
                    "second_python": round(second_cpu, 2), "second_backend": round(second_pg, 2)},
            "plan": explain(sql, list(params))}  # fmt: skip


def machine() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu_name = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_name = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} cores ({cpu_name}), load average {load:.1f} at the end, Python "
            f"{platform.python_version()}, Django {django.get_version()}, PostgreSQL {pg.split()[0]}")  # fmt: skip


def write_docs(
    args: argparse.Namespace, imp: dict, copy: dict, cop: dict, der: dict, where: str
) -> str:
    s = imp["summary"]
    cpu_note = f", {imp['cpu']:.1f} s CPU in Python" if imp.get("cpu") else ""
    if imp.get("pg_cpu"):
        cpu_note += f", {imp['pg_cpu']:.1f} s CPU in the PostgreSQL backends (every connection)"
    if imp.get("load"):
        cpu_note += f"; load average {imp['load'][0]:.1f} → {imp['load'][1]:.1f}"
    copy_load = (
        f"; load average {copy['load'][0]:.1f} → {copy['load'][1]:.1f}" if copy.get("load") else ""
    )
    if copy.get("pg_cpu"):
        copy_load = f"; {copy['pg_cpu']:.1f} s CPU in the backend" + copy_load
    fresh_row = ""
    read_rows_md = ""
    if imp.get("reading"):
        r = imp["reading"]
        read_rows_md = (
            f"| reading the CSV alone (`sheets.read_rows`, first {r['csv_rows']:,} rows, nothing "
            f"stored) | — | {r['csv_rows'] / r['csv_seconds']:,.0f} rows/s ({r['csv_seconds']:.1f} s "
            f"wall, {r['csv_cpu']:.1f} s CPU) |\n"
            f"| reading the same rows as .xlsx (openpyxl read-only, {r['xlsx_rows']:,} rows, "
            f"{r['xlsx_mb']:.0f} MB) | — | {r['xlsx_rows'] / r['xlsx_seconds']:,.0f} rows/s "
            f"({r['xlsx_seconds']:.1f} s wall, {r['xlsx_cpu']:.1f} s CPU) |\n"
        )
    if imp.get("fresh"):
        f = imp["fresh"]
        fresh_row = (
            f"| the same import measured again later, first {f['summary']['rows']:,} rows into "
            f"another incident ({f['summary']['stored']:,} stored) | ≥ 50,000 rows/s | "
            f"**{f['summary']['rows'] / f['seconds']:,.0f} rows/s** ({f['seconds']:.1f} s wall, "
            f"{f['cpu']:.1f} s CPU in Python: {f['summary']['rows'] / f['cpu']:,.0f} rows per "
            "CPU-second) |\n"
        )
    full = args.people == 400_000 and args.checkins == 10_000_000 and args.venues == 5000
    scale = "full scale" if full else "a reduced scale (see below)"
    text = f"""{BEGIN}
Measured {dt.date.today():%Y-%m-%d} with `.venv/bin/python bench/tracing.py --people {args.people} --venues {args.venues} --checkins {args.checkins}`
({scale}: {args.people:,} residents, {args.venues:,} venues, {args.checkins:,} check-ins over {DAYS} days),
on {where}. The machine is shared by several engineers' test runs: wall times are upper bounds.

| what | target | measured |
|---|---|---|
| check-in import, {s["rows"]:,} rows ({s["stored"]:,} stored, {s["duplicate"]:,} duplicate, {s["unmatched"]:,} unmatched, {s["rejected"]:,} rejected) | ≥ 50,000 rows/s | **{imp["rate"]:,.0f} rows/s** ({imp["seconds"]:.1f} s wall{cpu_note}) |
{read_rows_md}{fresh_row}| raw `COPY` of the table's {copy["rows"]:,} stored rows into `LIKE tracing_checkin INCLUDING ALL` | (baseline) | {copy["rate"]:,.0f} rows/s ({copy["seconds"]:.1f} s{copy_load}): the import runs at **{imp["rate"] / copy["rate"]:.0%}** of COPY |
| the first 100,000 rows imported again | stores nothing | {imp["again"]["stored"]} stored, {imp["again"]["duplicate"]:,} duplicate in {imp["again_seconds"]:.1f} s wall, {imp["again_cpu"]:.1f} s CPU in Python ({100_000 / imp["again_cpu"]:,.0f} rows per CPU-second: parsing, hashing, matching and the key check) |
| co-presence, one venue, 2-hour window, ≥ 15 min | < 100 ms | **{cop["median_ms"]:.1f} ms** median over 20 busy venues (max {cop["max_ms"]:.1f} ms, cold {cop["cold_ms"]:.1f} ms, {cop["people"]} people in the busiest) |
| derive every candidate of a case with {der["stays"]} stays | < 1 s | **{der["seconds"] * 1000:.0f} ms** ({der["candidates"]} candidates stored) |
| 次密接 of the same case with {der["close"]} confirmed 密接 | < 5 s | **{der["second_seconds"] * 1000:.0f} ms** (the whole derivation again; {der["secondary"]} 次密接 candidates) |

Co-presence (`CheckIn.objects.filter(incident=…, venue_id=…).overlapping(start, end, max_stay)`:
the entry time bounded on both sides by the edition's longest stay, so a range of `checkin_venue_time`):

```
{cop["plan"]}
```

A 密接's own check-ins since their first exposure (the 次密接 rule, per 密接):

```
{der["plan"]}
```
{END}"""
    if args.docs:
        doc = DOC.read_text(encoding="utf-8")
        if BEGIN in doc:
            doc = doc[: doc.index(BEGIN)] + text + doc[doc.index(END) + len(END) :]
        else:
            doc = doc.rstrip() + "\n\n" + text + "\n"
        DOC.write_text(doc, encoding="utf-8")
    return text


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--db", default="tx_i11_bench")  # e.g. tx_<branch>_bench
    p.add_argument("--people", type=int, default=400_000)
    p.add_argument("--venues", type=int, default=5000)
    p.add_argument("--checkins", type=int, default=10_000_000)
    p.add_argument("--no-docs", dest="docs", action="store_false")
    p.add_argument("--fresh", type=int, default=0, help="with --reuse: import N rows anew")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="keep the seeded and imported database; take the import figures from out/import.json",
    )
    args = p.parse_args()
    env = environment(args)
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        say(f"database {args.db} …")
        recreate_database(args)
        subprocess.run(
            [str(BIN / "tongxin"), "migrate", "--noinput", "-v", "0"], env=env, check=True
        )
    os.environ.update(env)
    import django

    django.setup()
    from tongxin.audit.context import Actor, acting_as

    with acting_as(Actor(user=None, label="bench", channel="cli")):
        import json

        saved = OUT / "import.json"
        if args.reuse:
            info = {"incident": venue_incident()}
            imp = json.loads(saved.read_text())
            path = OUT / f"checkins-{args.checkins}.csv"
            say("re-import of 100,000 rows …")
            w0, c0 = time.monotonic(), cpu()
            from tongxin.tracing.services.checkins import import_rows

            again = import_rows(info["incident"], stream(path, 100_000), name=path.name)
            imp["again"], imp["again_seconds"] = again.as_dict(), time.monotonic() - w0
            imp["again_cpu"] = cpu() - c0
            if args.fresh:
                # The first --fresh rows into another incident (other keys: all stored), now.
                from tongxin.incidents.models import Incident

                other, _new = Incident.objects.get_or_create(
                    name="基准测试疫情（重测）",
                    defaults={
                        "policy_edition": info["incident"].policy_edition,
                        "started_at": info["incident"].started_at,
                    },
                )
                say(f"fresh import of {args.fresh:,} rows …")
                w0, c0 = time.monotonic(), cpu()
                fresh = import_rows(other, stream(path, args.fresh), name=path.name)
                imp["fresh"] = {
                    "summary": fresh.as_dict(),
                    "seconds": time.monotonic() - w0,
                    "cpu": cpu() - c0,
                }
        else:
            say("seeding …")
            info = seed(args)
            say("writing the export …")
            path = write_checkins(args, info["start"])
            say("import …")
            imp = run_import(info["incident"], path)
            say("reading the file alone …")
            imp["reading"] = reading(path, min(args.checkins, 1_000_000))
            saved.write_text(json.dumps(imp))
        say(f"  {imp['summary']} in {imp['seconds']:.1f} s: {imp['rate']:,.0f} rows/s")
        say("COPY baseline …")
        copy = copy_baseline()
        say(f"  {copy['rate']:,.0f} rows/s")
        say("co-presence …")
        cop = copresence_timings()
        say(f"  median {cop['median_ms']:.1f} ms")
        say("derivation …")
        der = derive_timings(info["incident"])
        say(f"  {der['seconds']:.2f} s, 次密接 {der['second_seconds']:.2f} s")
        print(write_docs(args, imp, copy, cop, der, machine()))


if __name__ == "__main__":
    main()
