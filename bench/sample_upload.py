"""Benchmark: the bulk sample upload on PostgreSQL through gunicorn, its COPY baseline, and live
coverage for a county of 400,000 residents.

    .venv/bin/python bench/sample_upload.py                  # everything (about five minutes)
    .venv/bin/python bench/sample_upload.py --events 100000  # a shorter upload run
    .venv/bin/python bench/sample_upload.py --no-docs        # do not touch docs/performance.md
    .venv/bin/python bench/sample_upload.py --reuse          # keep the seeded database

It drops and creates the PostgreSQL database `tongxin_bench` on the local server (over its
Unix socket, as the current OS user; `--db` names another), migrates it, and seeds a county:
8 townships, 40 communities, 200 estates, 4,000 buildings, 160,000 households, 400,000
residents (encrypted ID numbers, blind indexes, masks, exactly as the importer writes them),
150 test points, three rounds over the whole county, a controlled estate and a sealed building,
and 1% exemptions. Seeding uses COPY and is not what is measured.

Then, timed:

1. **Upload.** gunicorn (the production WSGI server) serves the app on 127.0.0.1 in the two
   pools docs/operations.md deploys: the upload endpoint from `--workers 3` workers (sync
   workers, or gthread with `--threads`), every other path from `--page-workers 2` (on the
   next port; `--page-workers 0`: one pool for everything). `--readers N` cadres keep the
   coverage pages open on the web pool and refresh them every `--read-every` seconds; the
   run reports each pool's server CPU (workers and their PostgreSQL backends) and sets a run
   with readers against the last one without (bench/out/sample_upload/runs.jsonl).
   `--clients 4` threads POST batches of 1,000 events (`--batch`) to
   /api/v1/sampling/events with a bearer token, over keep-alive connections (http.client).
   The request bodies are built before the timed phase (and kept in bench/out between runs
   on the same seed): the timed clients only send bytes and read the answer's status and
   counts, so the clients' CPU per event (reported apart) stays small beside the server's.
   Every event carries the resident's raw ID number, as a point's device reads it from the
   card, so the server validates it (GB 11643 check digit), computes its blind index, resolves
   the person, the tube (10-in-1, opened by the event), the round and the point, checks for a
   repeat in the round and dedupes by the client event id. One batch in fifty is sent a
   second time (a device that lost the answer), and must come back all "duplicate". Rounds 1
   and 2 get 80% of the residents, round 3 gets 90%: 1,000,000 events in all by default.
2. **COPY baseline.** The same 1,000,000 stored rows, COPYed (binary) into an empty table
   made `LIKE sampling_sampleevent INCLUDING ALL` (same columns, indexes and unique
   constraint): what PostgreSQL itself can take on this machine.
3. **Coverage.** For round 3 (90% done): the county summary (`coverage_report(round)`) and
   the untested list of one estate (`untested(round, estate)`), each timed cold once and then
   as the median of 10 runs, in process on the same database.

Figures go into docs/performance.md (between the sample-upload markers).
"""

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "sample_upload"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:sample_upload -->", "<!-- /bench:sample_upload -->"
BIN = ROOT / ".venv" / "bin"

TOWNSHIPS, COMMUNITIES, ESTATES, BUILDINGS, HOUSEHOLDS = 8, 5, 5, 20, 40
POINTS = 150
ROUND_SHARE = (0.8, 0.8, 0.9)  # residents sampled in rounds 1, 2, 3
POOL = 10
RESEND_EVERY = 50

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华国志海燕红玉凤文梅涵浩然宇轩欣怡梓诺思远嘉俊"
)

sys.path.insert(0, str(ROOT))
from tongxin.core.idnumbers import check_char  # noqa: E402  (plain function, no Django)

sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (bench/_server.py: gunicorn started, awaited and stopped)

BIRTH_DAYS = 29000  # 1940-01-01 + up to ~79 years


def id_number(i: int) -> str:
    """The i-th seeded resident's ID number: unique, valid, computable by the clients."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=i % BIRTH_DAYS)
    first17 = f"330824{birth:%Y%m%d}{i // BIRTH_DAYS:03d}"
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
            "TONGXIN_DATABASE_URL": f"postgres:///{args.db}",
            "TONGXIN_DEBUG": "0",
            "TONGXIN_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TONGXIN_LOG_LEVEL": "WARNING",
            "TONGXIN_DB_CONN_MAX_AGE": "600",
            # One token stands for many devices here, and every client must be admitted: the
            # overload bounds are measured by bench/surge.py, not here.
            "TONGXIN_UPLOAD_BATCHES_PER_MINUTE": "0",
            "TONGXIN_UPLOAD_CONCURRENCY": str(max(args.clients, 2)),
        }
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    return env


def say(text: str) -> None:
    print(text, flush=True)


# --- database and seed ------------------------------------------------------------------------


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect("dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "tongxin"), "migrate", "--noinput", "-v", "0"], env=env, check=True)


def _copy(cursor: Any, table: str, columns: list[str], rows: Any) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(args: argparse.Namespace) -> dict[str, Any]:
    """The county, its residents, points, rounds and zones. Returns what the clients need."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tongxin.accounts.models import ApiToken, Role, User
    from tongxin.core import crypto
    from tongxin.core.masking import mask_document
    from tongxin.core.text import pinyin_keys
    from tongxin.incidents.models import PolicyEdition
    from tongxin.incidents.services import open_incident
    from tongxin.places.models import Place, PlaceKind
    from tongxin.places.services import create_county
    from tongxin.testing.models import (
        Exemption,
        ExemptionReason,
        RoundPoint,
        RoundStatus,
        TestPoint,
    )
    from tongxin.testing.services.rounds import create_round, set_status
    from tongxin.units.models import Unit, UnitAssignment, UnitKind
    from tongxin.zones.services import designate_zone

    started = time.monotonic()
    rng = random.Random(20220305)
    now = timezone.now()
    county = create_county("同心县", "330899")
    places: list[tuple[Any, ...]] = []
    next_id = [Place.objects.order_by("-pk").values_list("pk", flat=True).first() + 1]
    estates: list[tuple[int, str]] = []
    households: list[int] = []
    estate_index: dict[int, int] = {}
    # 40 households a building (2.5 people each) for 400,000 residents; more for more.
    per_building = max(
        HOUSEHOLDS, -(-args.residents * 2 // (5 * TOWNSHIPS * COMMUNITIES * ESTATES * BUILDINGS))
    )

    def add(parent_id: int, parent_path: str, parent_address: str, kind: str, key: str,
            name: str, index: int, numchild: int) -> tuple[int, str, str]:  # fmt: skip
        pk = next_id[0]
        next_id[0] += 1
        path = parent_path + base36(index)
        address = f"{parent_address} {name}"
        places.append(
            (pk, path, len(path) // 4, numchild, parent_id, kind, name, key, "", address, now)
        )
        return pk, path, address

    for t in range(1, TOWNSHIPS + 1):
        tid, tpath, taddr = add(county.pk, county.path, county.address, PlaceKind.TOWNSHIP,
                                f"第{t}街道", f"第{t}街道", t, COMMUNITIES)  # fmt: skip
        for c in range(1, COMMUNITIES + 1):
            cid, cpath, caddr = add(tid, tpath, taddr, PlaceKind.COMMUNITY, f"{t}-{c}社区",
                                    f"{t}-{c}社区", c, ESTATES)  # fmt: skip
            for e in range(1, ESTATES + 1):
                eid, epath, eaddr = add(cid, cpath, caddr, PlaceKind.ESTATE, f"{t}{c}{e}苑",
                                        f"{t}{c}{e}苑", e, BUILDINGS)  # fmt: skip
                estates.append((eid, epath))
                for b in range(1, BUILDINGS + 1):
                    bid, bpath, baddr = add(eid, epath, eaddr, PlaceKind.BUILDING, str(b),
                                            f"{b}幢", b, per_building)  # fmt: skip
                    for h in range(1, per_building + 1):
                        room = f"{(h - 1) // 4 + 1}0{(h - 1) % 4 + 1}"
                        hid, _p, _a = add(bid, bpath, baddr, PlaceKind.HOUSEHOLD, room,
                                          f"{room}室", h, 0)  # fmt: skip
                        households.append(hid)
                        estate_index[hid] = len(estates) - 1
    with connection.cursor() as cursor:
        _copy(
            cursor.cursor,
            "places_place",
            [
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
            ],
            places,
        )
        cursor.execute(
            "UPDATE places_place SET numchild = %s WHERE id = %s", [TOWNSHIPS, county.pk]
        )
        cursor.execute("SELECT setval('places_place_id_seq', %s)", [next_id[0]])
    say(f"  places: {len(places):,} ({time.monotonic() - started:.1f} s)")

    # Residents: 2 or 3 per household (on average 2.5), until the wanted number.
    t0 = time.monotonic()
    names = [
        rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]) for _ in range(3000)
    ]
    keys = {n: pinyin_keys(n) for n in names}
    blind = crypto.blind_index
    encrypt = crypto.encrypt
    statuses = ["resident"] * 95 + ["registered_absent"] * 3 + ["temporary"] * 2
    person_rows = []
    person_households: list[int] = []
    i = 0
    for number, household in enumerate(households):
        for _ in range(3 if number % 2 else 2):
            if i >= args.residents:
                break
            number = id_number(i)
            name = names[i % len(names)]
            pinyin, initials = keys[name]
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            person_rows.append(
                (i + 1, name, pinyin, initials, "resident_id", encrypt(number),
                 blind("resident_id", number), mask_document(number), number[-4:],
                 "M" if int(number[16]) % 2 else "F", birth, "", "", "", "", household,
                 statuses[i % 100], "", now, now)
            )  # fmt: skip
            person_households.append(household)
            i += 1
    with connection.cursor() as cursor:
        _copy(
            cursor.cursor,
            "people_person",
            [
                "id",
                "name",
                "name_pinyin",
                "name_initials",
                "document_type",
                "document_number",
                "document_bidx",
                "document_masked",
                "document_last4",
                "sex",
                "birth_date",
                "phone",
                "phone_bidx",
                "phone_masked",
                "phone_last4",
                "household_id",
                "residence_status",
                "notes",
                "created_at",
                "updated_at",
            ],
            person_rows,
        )
        cursor.execute("SELECT setval('people_person_id_seq', %s)", [len(person_rows) + 1])
        cursor.execute("ANALYZE places_place")
        cursor.execute("ANALYZE people_person")
    say(f"  residents: {len(person_rows):,} ({time.monotonic() - t0:.1f} s)")

    with transaction.atomic():
        edition = PolicyEdition.objects.get(code="np-8")
        start = now - dt.timedelta(days=5)
        incident = open_incident("基准测试疫情", edition, started_at=start - dt.timedelta(days=1))
        unit = Unit.objects.create(name="县人民医院采样队", kind=UnitKind.MEDICAL)
        UnitAssignment.objects.create(unit=unit, place=county, starts_on=start.date())
        chief = User.objects.create_user("command", role=Role.COMMAND_POST, password=None)
        device = User.objects.create_user("device", role=Role.TEST_POINT, unit=unit, password=None)
        _token, key = ApiToken.issue(device, "采样终端（基准测试）")
        rounds = []
        for r in range(3):
            test_round = create_round(
                incident, f"第{r + 1}轮全员核酸", start + dt.timedelta(days=r),
                start + dt.timedelta(days=r, hours=23), [county], by=chief,
            )  # fmt: skip
            set_status(test_round, RoundStatus.ACTIVE)
            rounds.append(test_round)
        estate_places = {p.pk: p for p in Place.objects.filter(kind=PlaceKind.ESTATE)}
        points = [
            TestPoint.objects.create(
                name=f"采样点{n + 1}",
                place=estate_places[estates[n % len(estates)][0]],
                opens_at=dt.time(6),
                closes_at=dt.time(22),
                samplers=4,
            )
            for n in range(POINTS)
        ]
        for test_round in rounds:
            RoundPoint.objects.bulk_create([RoundPoint(round=test_round, point=p) for p in points])
        # A controlled estate with a sealed building inside, as on the report's first night.
        controlled = estate_places[estates[0][0]]
        designate_zone(controlled, "controlled", incident, at=start, reason="基准测试",
                       decided_by=chief)  # fmt: skip
        sealed = Place.objects.filter(parent=controlled, kind=PlaceKind.BUILDING).order_by("path")[
            2
        ]
        designate_zone(sealed, "sealed", incident, at=start, reason="基准测试", decided_by=chief)
        # 1% exemptions in the measured round, all among the people it leaves untested.
        reasons = list(ExemptionReason.values)
        Exemption.objects.bulk_create(
            [
                Exemption(round=rounds[2], person_id=pk, reason=reasons[pk % len(reasons)])
                for pk in range(4, len(person_rows) + 1, 100)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    say(f"  seeded in {time.monotonic() - started:.1f} s")
    return {
        "token": key,
        "rounds": [r.pk for r in rounds],
        "starts": [r.starts_at for r in rounds],
        "points": [p.pk for p in points],
        "estates": estates,
        "people": len(person_rows),
        "households": person_households,
        "estate_of": estate_index,
        "statuses": [row[16] for row in person_rows],
    }


# --- the upload -------------------------------------------------------------------------------


def round_people(r: int, people: int) -> list[int]:
    """Who round r samples: 80%, 80% and 90% of the residents (the rest are its untested)."""
    skip = {3} if ROUND_SHARE[r] >= 0.9 else {3, 7}
    return [p for p in range(people) if p % 10 not in skip]


def batch_plan(info: dict[str, Any], total: int, size: int) -> list[tuple[int, int, list[int]]]:
    """(round index, first tube number, person indices) per batch, up to `total` events.
    Batches hold whole tubes (the size is a multiple of the pool)."""
    size -= size % POOL
    plan = []
    left = total
    for r in range(3):
        people = round_people(r, info["people"])[:left]
        left -= len(people)
        for start in range(0, len(people), size):
            plan.append((r, start // POOL, people[start : start + size]))
        if left <= 0:
            break
    return plan


_COUNTS = re.compile(rb'^\{"stored":(\d+),"duplicate":(\d+),"refused":(\d+),"warnings":(\d+)')


class Client(threading.Thread):
    """One device on a keep-alive connection: it sends bodies prepared before the timed phase
    (`prepare_bodies`) and reads the status and the counts at the head of the answer, so its
    own CPU per event is a few microseconds and the server has the cores."""

    def __init__(self, port: int, token: str, work: Any, bodies: list[bytes]) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.work, self.bodies = port, token, work, bodies
        self.latencies: list[float] = []
        self.counts = {"stored": 0, "duplicate": 0, "refused": 0, "warnings": 0}
        self.resend_ok = 0
        self.errors: list[str] = []

    def post(self, conn: http.client.HTTPConnection, data: bytes) -> tuple[int, ...]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        for attempt in range(3):
            try:
                started = time.perf_counter()
                conn.request("POST", "/api/v1/sampling/events", body=data, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                self.latencies.append(time.perf_counter() - started)
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}: {payload[:300]!r}")
                head = _COUNTS.match(payload)
                if head:
                    return tuple(int(n) for n in head.groups())
                answer = orjson.loads(payload)
                return tuple(answer[k] for k in ("stored", "duplicate", "refused", "warnings"))
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            for number, item in self.work:
                data = self.bodies[number - 1]
                result = self.post(conn, data)
                for key, n in zip(self.counts, result, strict=True):
                    self.counts[key] += n
                if number % RESEND_EVERY == 0:
                    stored, duplicate, _refused, _warnings = self.post(conn, data)
                    if duplicate == len(item[2]) and not stored:
                        self.resend_ok += 1
                    else:
                        self.errors.append(f"resend of batch {number} stored {stored}")
        except Exception as exc:  # reported by the main thread
            self.errors.append(repr(exc))
        finally:
            conn.close()


class Cadre(threading.Thread):
    """A cadre with the coverage pages open during the surge, signed in (a session): the
    county summary and one estate's untested list. `pages="htmx"` (the default) is what a
    browser does with both pages open: the pages opened before the surge (`open`), then every
    `every` seconds (the first time at a random moment of the first window) the part of each
    that refreshes itself — the summary's figures (with the ETag it was given: 304 while they
    have not changed) and the list. `pages="full"` reloads both whole pages every time."""

    def __init__(self, port: int, cookie: str, paths: tuple[str, str], every: float,
                 stop: threading.Event, seed: int, pages: str = "htmx") -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.port, self.cookie, self.paths, self.pages = port, cookie, paths, pages
        self.every, self.stop, self.rng = every, stop, random.Random(seed)
        self.latencies: dict[str, list[float]] = {"summary": [], "untested": []}
        self.not_modified = 0
        self.etag = ""
        self.opened = False
        self.errors: list[str] = []

    def get(self, path: str, headers: dict[str, str], kind: str) -> None:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", path, headers={"Cookie": self.cookie, **headers})
            response = conn.getresponse()
            response.read()
            if response.status == 304:
                self.not_modified += 1
            elif response.status != 200:
                self.errors.append(f"{kind}: HTTP {response.status}")
                return
            if kind == "summary":
                self.etag = response.getheader("ETag") or self.etag
            self.latencies[kind].append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as exc:
            self.errors.append(f"{kind}: {exc!r}")
        finally:
            conn.close()

    def open(self) -> None:
        """Both pages, whole, as the cadre opens them (not counted among the reads)."""
        self.get(self.paths[0], {}, "summary")
        self.get(self.paths[1], {}, "untested")
        self.latencies = {"summary": [], "untested": []}
        self.opened = True

    def run(self) -> None:
        wait = self.rng.uniform(0, self.every)
        opened = self.opened
        while not self.stop.wait(wait):
            started = time.monotonic()
            if opened and self.pages == "htmx":
                figures = {"HX-Request": "true", "HX-Target": "coverage-figures"}
                if self.etag:
                    figures["If-None-Match"] = self.etag
                self.get(self.paths[0], figures, "summary")
                self.get(self.paths[1], {"HX-Request": "true", "HX-Target": "untested-list"},
                         "untested")  # fmt: skip
            else:
                self.get(self.paths[0], {}, "summary")
                self.get(self.paths[1], {}, "untested")
                opened = True
            wait = max(0.0, self.every - (time.monotonic() - started))


def count_first_round(info: dict[str, Any]) -> None:
    """Round 1's expected residents counted, as they are before a surge (the first look at a
    round counts them inline, then every TONGXIN_COVERAGE_RECOUNT_SECONDS in the background)."""
    from tongxin.sampling.services.coverage import recount
    from tongxin.testing.models import TestRound

    recount(TestRound.objects.get(pk=info["rounds"][0]))


def cadres(args: argparse.Namespace, info: dict[str, Any], port: int, stop: threading.Event
           ) -> list[Cadre]:  # fmt: skip
    """`--readers` cadres signed in as the command post (a browser session each), reading
    round 1 (the one being uploaded first), counted once beforehand."""
    if not args.readers:
        return []
    from django.conf import settings

    # The summary is shared by every worker through settings.CACHES["shared"] (the database's
    # cache table unless TONGXIN_CACHE_URL says otherwise): make its table, as an install does.
    from django.core.management import call_command
    from django.test import Client as DjangoClient
    from django.urls import reverse

    from tongxin.accounts.models import User

    call_command("createcachetable", verbosity=0)
    chief = User.objects.get(username="command")
    round_id = info["rounds"][0]
    paths = (
        reverse("sampling:coverage", args=[round_id]),
        reverse("sampling:untested", args=[round_id, info["estates"][17][0]]),
    )
    readers = []
    for n in range(args.readers):
        browser = DjangoClient()
        browser.force_login(chief)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        readers.append(Cadre(port, cookie, paths, args.read_every, stop, n, args.reader_pages))
    return readers


def worker_processes(master: int) -> list[int]:
    workers = []
    for task in Path(f"/proc/{master}/task").iterdir():
        children = (task / "children").read_text().split()
        workers += [int(c) for c in children]
    return workers


def server_processes(master: int, db: str, application: str | None = None) -> list[int]:
    """gunicorn's workers and the PostgreSQL backends serving them (their connections are
    kept open between requests), whose CPU time is what the upload costs. `application`: only
    the backends of connections with that application_name (one pool of two)."""
    workers = worker_processes(master)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND (%s::text IS NULL OR application_name = %s)",
            [db, application, application],
        )
        backends = [row[0] for row in cursor.fetchall()]
    return workers + backends


def pool_env(env: dict[str, str], db: str, name: str) -> dict[str, str]:
    """The environment of one gunicorn pool: its database connections named after it (so
    that its backends' CPU can be told apart from the other pool's)."""
    return {**env, "TONGXIN_DATABASE_URL": f"postgres:///{db}?application_name={name}"}


# Where the reads' cost lands in the database: these tables' activity during the timed phase
# (pg_stat_user_tables; the statistics collector lags by up to PGSTAT_MIN_INTERVAL, 1 s).
STAT_TABLES = (
    "sampling_roundhousehold",
    "sampling_pointhour",
    "sampling_sampledperson",
    "sampling_coveragestate",
    "tongxin_cache",
    "django_session",
    "audit_auditevent",
)
STAT_COLUMNS = (
    "seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch", "n_tup_ins", "n_tup_upd",
    "n_tup_hot_upd", "n_dead_tup",
)  # fmt: skip


def table_stats() -> dict[str, dict[str, int]]:
    """Each STAT_TABLES table's counters so far, and its size in pages."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            f"SELECT relname, {', '.join(STAT_COLUMNS)}, "  # noqa: S608
            "pg_relation_size(relid) / 8192 FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [list(STAT_TABLES)],
        )
        stats = {
            row[0]: {**dict(zip(STAT_COLUMNS, map(int, row[1:-1]), strict=True)), "pages": row[-1]}
            for row in cursor.fetchall()
        }
        # The server as a whole: WAL written (and its full-page images, which follow each
        # checkpoint), checkpoints begun; a checkpoint during a run costs it CPU and WAL that
        # have nothing to do with the readers.
        cursor.execute(
            "SELECT w.wal_records, w.wal_fpi, w.wal_bytes, "
            "b.checkpoints_timed + b.checkpoints_req FROM pg_stat_wal w, pg_stat_bgwriter b"
        )
        records, fpi, wal, checkpoints = cursor.fetchone()
        stats["server"] = {
            "wal_records": int(records),
            "wal_fpi": int(fpi),
            "wal_mb": int(wal) // 1_000_000,
            "checkpoints": int(checkpoints),
        }
        return stats


def stats_used(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, int]]:
    """What the timed phase did to each table (n_dead_tup and pages: as they are at the end)."""
    used = {}
    for table, counters in after.items():
        start = before.get(table, {})
        used[table] = {
            k: v if k in ("n_dead_tup", "pages") else v - start.get(k, 0)
            for k, v in counters.items()
        }
    return used


PG_LOG = Path("/var/log/postgresql/postgresql-15-main.log")
_DURATION = re.compile(
    r"\[(\d+)\] \S+@(\S+) LOG:  duration: ([0-9.]+) ms  (?:statement|execute [^:]*): (.*)"
)


def log_statements(db: str, on: bool) -> None:
    """`--statements`: every statement of the app's connections to `db` logged with its
    duration (log_min_duration_statement = 0 for new connections), or no longer."""
    import psycopg

    with psycopg.connect("dbname=postgres", autocommit=True) as conn:
        if on:
            conn.execute(f'ALTER DATABASE "{db}" SET log_min_duration_statement = 0')
        else:
            conn.execute(f'ALTER DATABASE "{db}" RESET log_min_duration_statement')


def statement_times(db: str, start: int, end: int) -> list[dict[str, Any]]:
    """The statements logged between two offsets of the server's log, by shape (numbers and
    quoted values taken out): how many, and their total and mean duration (wall time in
    the backend: with the data in shared buffers, nearly all of it CPU or lock waits)."""
    with PG_LOG.open("rb") as log:
        log.seek(start)
        text = log.read(end - start).decode("utf-8", "replace")
    shapes: dict[str, list[float]] = {}
    for line in text.splitlines():
        m = _DURATION.search(line)
        if not m or m.group(2) != db:
            continue
        shape = re.sub(r"'[^']*'|\b\d+\b", "?", m.group(4))[:110]
        item = shapes.setdefault(shape, [0, 0.0])
        item[0] += 1
        item[1] += float(m.group(3))
    rows = [
        {"n": n, "total_ms": round(ms, 1), "mean_ms": round(ms / n, 3), "shape": shape}
        for shape, (n, ms) in shapes.items()
    ]
    return sorted(rows, key=lambda r: -r["total_ms"])


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings; a process that appeared meanwhile (a database backend
    opened by a worker's first request) counts from zero."""
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def batch_body(info: dict[str, Any], item: tuple[int, int, list[int]]) -> bytes:
    """The JSON body a point's device sends for one planned batch."""
    r, first_tube, people = item
    start = info["starts"][r]
    if "spans" not in info:  # (not setdefault: its default would be computed every batch)
        info["spans"] = [len(round_people(x, info["people"])) for x in range(3)]
    spans = info["spans"]
    estate_of, households, points = info["estate_of"], info["households"], info["points"]
    step = 20 * 3600 / max(spans[r], 1)
    events = []
    for n, p in enumerate(people):
        tube = first_tube + n // POOL
        sampled = start + dt.timedelta(seconds=(first_tube * POOL + n) * step)
        events.append(
            {
                "id": str(uuid.UUID(int=(0xB0 << 120) | (r << 64) | p)),
                "tube": f"R{r + 1}T{tube:07d}",
                "document_number": id_number(p),
                "sampled_at": sampled.isoformat(),
                "point": points[estate_of[households[p]] % len(points)],
            }
        )
    payload = {"round": info["rounds"][r], "tube_mode": "pool_10", "events": events}
    return orjson.dumps(payload)


def prepare_bodies(info: dict[str, Any], plan: list[Any]) -> tuple[list[bytes], dict[str, Any]]:
    """Every request body of the run, built before the timed phase (JSON bytes, as a device
    keeps its queue) and kept in bench/out between runs on the same seed: the timed clients
    only send them. Returns the bodies and what building them cost (not part of the run)."""
    seed_file = OUT / "seed.json"
    stamp = f"{seed_file.stat().st_mtime_ns}-{len(plan)}-{sum(len(p[2]) for p in plan)}"
    cache = OUT / f"bodies-{stamp}.bin"
    started, cpu0 = time.perf_counter(), sum(os.times()[:2])
    bodies: list[bytes] = []
    if cache.exists():
        data = memoryview(cache.read_bytes())
        at = 0
        while at < len(data):
            size = int.from_bytes(data[at : at + 4], "little")
            bodies.append(bytes(data[at + 4 : at + 4 + size]))
            at += 4 + size
        source = "cache"
    if len(bodies) != len(plan):
        for old in OUT.glob("bodies-*.bin"):
            old.unlink()
        bodies = [batch_body(info, item) for item in plan]
        with open(cache, "wb") as out:
            for body in bodies:
                out.write(len(body).to_bytes(4, "little"))
                out.write(body)
        source = "built"
    return bodies, {
        "source": source,
        "seconds": time.perf_counter() - started,
        "cpu": sum(os.times()[:2]) - cpu0,
        "mb": sum(map(len, bodies)) / 1e6,
    }


def run_upload(args: argparse.Namespace, env: dict[str, str], info: dict[str, Any]) -> dict:
    plan = batch_plan(info, args.events, args.batch)
    bodies, prepared = prepare_bodies(info, plan)

    port = args.port
    if args.statements:
        log_statements(args.db, True)
    # docs/operations.md: the upload endpoint in its own pool (`tongxin-upload`), every other
    # path (the pages the cadres read) in the web pool (`tongxin-web`); `--page-workers 0`
    # serves everything from one pool, as before.
    pools: list[tuple[str, int, int]] = [("tongxin-upload", port, args.workers)]
    page_port = port
    if args.page_workers:
        page_port = port + 1
        pools.append(("tongxin-web", page_port, args.page_workers))
    with contextlib.ExitStack() as running:
        masters = {
            name: running.enter_context(
                _server.serving(
                    pool_env(env, args.db, name),
                    at,
                    workers,
                    OUT / f"gunicorn-{name}.log",
                    threads=args.threads,
                    timeout=300,
                )
            )
            for name, at, workers in pools
        }
        # Warm each worker (imports, first connection) outside the measurement.
        for _name, at, workers in pools:
            for _ in range(workers * 2):
                conn = http.client.HTTPConnection("127.0.0.1", at, timeout=30)
                conn.request("GET", "/api/v1/openapi.json")
                conn.getresponse().read()
                conn.close()
        # Round 1 is counted before the surge, with or without readers (the first look at a
        # round counts it inline, then the background recounts): the same tallies for both
        # runs of a pair, and not part of what is measured.
        count_first_round(info)
        stop = threading.Event()
        readers = cadres(args, info, page_port, stop)
        if args.reader_pages == "htmx":
            # The cadres opened their pages before the surge; what it sees is the refreshes.
            for reader in readers:
                reader.open()
        servers = [p for name, m in masters.items() for p in server_processes(m.pid, args.db, name)]
        time.sleep(1.0)  # the statistics collector's last report before the run
        stats_start = table_stats()
        log_start = PG_LOG.stat().st_size if args.statements else 0
        cpu_start = cpu_seconds(servers)
        load_start = os.getloadavg()[0]
        lock = threading.Lock()
        numbered = iter(enumerate(plan, start=1))

        def work() -> Any:
            while True:
                with lock:
                    item = next(numbered, None)
                if item is None:
                    return
                yield item

        clients = [Client(port, info["token"], work(), bodies) for _ in range(args.clients)]
        if args.reads_only:  # the readers alone: the server's CPU per read, nothing else
            clients = []
        say(f"  {len(plan):,} batches, {args.clients} clients, {args.workers} workers, "
            f"{len(readers)} cadres reading every {args.read_every:.0f} s …")  # fmt: skip
        started = time.perf_counter()
        cpu_before = os.times()
        for thread in [*readers, *clients]:
            thread.start()
        for client in clients:
            client.join()
        if args.reads_only:
            time.sleep(args.reads_only)
        elapsed = time.perf_counter() - started
        stop.set()
        for reader in readers:
            reader.join(60)
        pool_cpu: dict[str, dict[str, float]] = {}
        for name, master in masters.items():
            ends = cpu_seconds(server_processes(master.pid, args.db, name))
            workers = set(worker_processes(master.pid))
            used = cpu_used({p: t for p, t in cpu_start.items() if p in ends}, ends)
            python = cpu_used(
                {p: t for p, t in cpu_start.items() if p in workers},
                {p: t for p, t in ends.items() if p in workers},
            )
            pool_cpu[name] = {"server": used, "python": python, "postgres": used - python}
        server_cpu = sum(c["server"] for c in pool_cpu.values())
        python_cpu = sum(c["python"] for c in pool_cpu.values())
        client_cpu = sum(os.times()[:2]) - sum(cpu_before[:2])
        load_end = os.getloadavg()[0]
        time.sleep(1.0)
        tables = stats_used(stats_start, table_stats())
        if args.statements:
            log_statements(args.db, False)
            statements = statement_times(args.db, log_start, PG_LOG.stat().st_size)
            (OUT / "statements.json").write_text(json.dumps(statements, indent=1))
            for row in statements[:25]:
                say(f"  {row['n']:>7} {row['total_ms']:>10.1f} ms {row['mean_ms']:>8.3f} ms  "
                    f"{row['shape']}")  # fmt: skip
    errors = [e for c in clients for e in c.errors]
    if errors:
        raise RuntimeError(f"upload failed: {errors[:3]}")
    read_errors = [e for r in readers for e in r.errors]
    reads: dict[str, Any] = {"cadres": len(readers), "errors": read_errors}
    for kind in ("summary", "untested"):
        values = sorted(x for r in readers for x in r.latencies[kind])
        if values:
            reads[kind] = {
                "n": len(values),
                "p50_ms": 1000 * statistics.median(values),
                "p95_ms": 1000 * values[max(0, int(len(values) * 0.95) - 1)],
                "max_ms": 1000 * values[-1],
            }
    if readers:
        n = sum(len(r.latencies[k]) for r in readers for k in r.latencies)
        reads["n"] = n
        reads["not_modified"] = sum(r.not_modified for r in readers)
        reads["pages"] = args.reader_pages
        # This process's CPU during the run (the four upload clients cost ~0.1 s of it).
        reads["client_cpu_per_read_ms"] = 1000 * client_cpu / max(n, 1)
    if readers and "tongxin-web" in pool_cpu:
        # The reads in a pool of their own: their server CPU during the upload, exactly.
        web = pool_cpu["tongxin-web"]
        reads["pages_pool_cpu_per_read_ms"] = {
            k: 1000 * v / max(reads.get("n", 0), 1) for k, v in web.items()
        }
    if args.reads_only:
        reads["server_cpu_per_read_ms"] = 1000 * server_cpu / max(reads.get("n", 0), 1)
        reads["python_cpu_per_read_ms"] = 1000 * python_cpu / max(reads.get("n", 0), 1)
        reads["postgres_cpu_per_read_ms"] = (
            1000 * (server_cpu - python_cpu) / max(reads.get("n", 0), 1)
        )
        clients = [Client(port, info["token"], iter(()), bodies)]
    counts = {k: sum(c.counts[k] for c in clients) for k in clients[0].counts}
    latencies = sorted(x for c in clients for x in c.latencies) or [0.0]
    return {
        "server_cpu": server_cpu,
        "python_cpu": python_cpu,
        "postgres_cpu": server_cpu - python_cpu,
        "pools": pool_cpu,
        "tables": tables,
        "client_cpu": client_cpu,
        "load": (load_start, load_end),
        "events": sum(len(p[2]) for p in plan),
        "batches": len(plan),
        "resent": sum(c.resend_ok for c in clients),
        "seconds": elapsed,
        "rate": counts["stored"] / elapsed,
        "counts": counts,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95) - 1],
        "reads": reads,
        "prepared": prepared,
    }


def compare_with_last(args: argparse.Namespace, up: dict[str, Any]) -> None:
    """Each timed upload is kept in bench/out (runs.jsonl). A run with readers is set against
    the last run of the same events without them: the uploads' rate, and the server CPU the
    reads added (Python and PostgreSQL apart) per read, which is what the 10 % bound
    (issue 15, section 4) comes down to on a machine whose cores the uploads keep busy."""
    if args.reads_only:
        return
    reads = up["reads"].get("n", 0)
    run = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "events": up["events"],
        "readers": up["reads"].get("cadres", 0),
        "reads": reads,
        "rate": up["rate"],
        "server_cpu": up["server_cpu"],
        "python_cpu": up["python_cpu"],
        "postgres_cpu": up["postgres_cpu"],
        "load": up["load"],
        "pools": up["pools"],
        "p95_ms": {
            k: up["reads"][k]["p95_ms"] for k in ("summary", "untested") if k in up["reads"]
        },
        "pages_pool_cpu_per_read_ms": up["reads"].get("pages_pool_cpu_per_read_ms"),
        "server": up["tables"].get("server"),
        "roundhousehold": up["tables"].get("sampling_roundhousehold"),
    }
    log = OUT / "runs.jsonl"
    earlier = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    with log.open("a") as out:
        out.write(json.dumps(run) + "\n")
    say(
        f"  server CPU {run['server_cpu']:.1f} s (gunicorn workers {run['python_cpu']:.1f} s, "
        f"PostgreSQL backends {run['postgres_cpu']:.1f} s), load {run['load'][0]:.1f} → "
        f"{run['load'][1]:.1f}"
    )
    if not reads:
        return
    say(
        f"  reads: {reads:,}, p95 summary {run['p95_ms'].get('summary', 0):.0f} ms, untested "
        f"{run['p95_ms'].get('untested', 0):.0f} ms"
    )
    if run["pages_pool_cpu_per_read_ms"]:
        web = run["pages_pool_cpu_per_read_ms"]
        say(
            f"  the pages' pool during the upload: {web['server']:.1f} ms of server CPU per read "
            f"(Python {web['python']:.1f} ms, PostgreSQL {web['postgres']:.1f} ms)"
        )
    alone = [r for r in earlier if r["events"] == run["events"] and not r["readers"]]
    if not alone:
        return
    last = alone[-1]
    added = {k: run[k] - last[k] for k in ("server_cpu", "python_cpu", "postgres_cpu")}
    say(
        f"  against the last run of {last['events']:,} events without readers ({last['at']}, "
        f"{last['rate']:,.0f} events/s): uploads {100 * (run['rate'] / last['rate'] - 1):+.1f} %; "
        f"server CPU added per read {1000 * added['server_cpu'] / reads:.1f} ms "
        f"(Python {1000 * added['python_cpu'] / reads:.1f} ms, "
        f"PostgreSQL {1000 * added['postgres_cpu'] / reads:.1f} ms) over {reads:,} reads"
    )
    upload, before = run["pools"]["tongxin-upload"], last.get("pools", {}).get("tongxin-upload")
    if before and "tongxin-web" in run["pools"]:
        say(
            f"  the upload pool's own CPU: {upload['server']:.1f} s against "
            f"{before['server']:.1f} s "
            f"without readers ({100 * (upload['server'] / before['server'] - 1):+.1f} %)"
        )


# --- COPY baseline ----------------------------------------------------------------------------


def copy_baseline() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute("DROP TABLE IF EXISTS bench_copy")
        raw.execute("CREATE TABLE bench_copy (LIKE sampling_sampleevent INCLUDING ALL)")
        buffer = bytearray()
        with raw.copy("COPY sampling_sampleevent TO STDOUT (FORMAT binary)") as copy:
            for chunk in copy:
                buffer += chunk
        rows = raw.execute("SELECT count(*) FROM sampling_sampleevent").fetchone()[0]
    connection.commit() if not connection.get_autocommit() else None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy("COPY bench_copy FROM STDIN (FORMAT binary)") as copy:
            view = memoryview(buffer)
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy")
    return {"rows": rows, "seconds": elapsed, "rate": rows / elapsed, "mb": len(buffer) / 1e6}


# --- coverage ---------------------------------------------------------------------------------


def time_it(fn: Any, runs: int = 10) -> tuple[float, float, Any]:
    started = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - started)
    return cold * 1000, statistics.median(warm) * 1000, result


def coverage_timings(info: dict[str, Any]) -> dict[str, Any]:
    from tongxin.places.models import Place
    from tongxin.sampling.services.coverage import coverage_report, recount, untested
    from tongxin.testing.models import TestRound

    test_round = TestRound.objects.select_related("incident").get(pk=info["rounds"][2])
    estate = Place.objects.get(pk=info["estates"][17][0])
    started = time.perf_counter()
    recount(test_round)
    recount_ms = (time.perf_counter() - started) * 1000
    cold, warm, report = time_it(lambda: coverage_report(test_round))
    e_cold, e_warm, rows = time_it(lambda: untested(test_round, estate))
    return {
        "recount_ms": recount_ms,
        "summary_cold_ms": cold,
        "summary_ms": warm,
        "estate_cold_ms": e_cold,
        "estate_ms": e_warm,
        "should": report["should_test"],
        "sampled": report["sampled"],
        "untested": report["untested"],
        "estate": estate.name,
        "estate_untested": len(rows),
    }


# --- report -----------------------------------------------------------------------------------


def machine() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {pg.split()[0]}, Linux {platform.release()}"
    )


def write_docs(args: argparse.Namespace, up: dict, copy: dict, cov: dict, where: str) -> str:
    ratio = copy["rate"] / up["rate"] if up["rate"] else float("inf")
    verdict = "meets" if up["rate"] >= 20000 else "does NOT meet"
    load = os.getloadavg()[0]
    counts = up["counts"]
    per_event = 1e6 * up["server_cpu"] / max(counts["stored"], 1)
    capacity = 2 * counts["stored"] / max(up["server_cpu"], 1e-9)
    rows = [
        ("events sent (validated, deduplicated)",
         f"{up['events']:,} in {up['batches']:,} batches"),
        ("stored / duplicate / refused",
         f"{counts['stored']:,} / {counts['duplicate']:,} / {counts['refused']:,} "
         f"({counts['warnings']:,} stored with a warning)"),
        ("batches sent twice (all came back duplicate)", f"{up['resent']:,}"),
        ("wall time", f"{up['seconds']:.1f} s"),
        ("**events stored per second**",
         f"**{up['rate']:,.0f}** ({verdict} the 20,000/s target)"),
        ("batch latency p50 / p95", f"{up['p50_ms']:.0f} ms / {up['p95_ms']:.0f} ms"),
        ("server CPU (gunicorn workers + their PostgreSQL backends)",
         f"{up['server_cpu']:.0f} s: {per_event:.0f} µs per event (two idle cores: "
         f"about {capacity:,.0f} events/s)"),
        ("of which gunicorn workers (Python) / PostgreSQL backends",
         f"{1e6 * up['python_cpu'] / max(counts['stored'], 1):.0f} µs / "
         f"{1e6 * (up['server_cpu'] - up['python_cpu']) / max(counts['stored'], 1):.0f} µs "
         "per event"),
        ("clients' CPU (sending the prepared bodies, reading the answers)",
         f"{up['client_cpu']:.1f} s: {1e6 * up['client_cpu'] / max(counts['stored'], 1):.1f} "
         "µs per event"),
        ("bodies built before the timed phase (not timed)",
         f"{up['prepared']['mb']:,.0f} MB, {up['prepared']['source']} in "
         f"{up['prepared']['seconds']:.0f} s"),
        ("load average at start / end of the upload",
         f"{up['load'][0]:.1f} / {up['load'][1]:.1f}"),
        (f"raw `COPY` (binary) of the same {copy['rows']:,} rows into an equivalent table",
         f"{copy['seconds']:.1f} s, {copy['rate']:,.0f} rows/s"),
        ("ratio COPY : upload", f"{ratio:.1f} : 1"),
        (f"coverage, county summary (round 3: {cov['should']:,} should test, "
         f"{cov['sampled']:,} sampled)",
         f"{cov['summary_ms']:.0f} ms (first call {cov['summary_cold_ms']:.0f} ms)"),
        (f"coverage, untested list of one estate ({cov['estate']}, "
         f"{cov['estate_untested']:,} people)",
         f"{cov['estate_ms']:.0f} ms (first call {cov['estate_cold_ms']:.0f} ms)"),
        ("coverage recount from the registry (in the background, at most every 5 minutes)",
         f"{cov['recount_ms'] / 1000:.1f} s"),
    ]  # fmt: skip
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    text = f"""{BEGIN}
### Figures

Command: `.venv/bin/python bench/sample_upload.py --events {args.events}
--residents {args.residents} --clients {args.clients} --workers {args.workers}
{f"--threads {args.threads} " if args.threads else ""}--batch {args.batch}`, run on
{dt.date.today():%Y-%m-%d}, {where}.

| measure | figure |
|---|---|
{table}

Everything (gunicorn, PostgreSQL and the clients) ran on the same machine, which other work
shared (load average {load:.1f} when the figures were written): wall-clock rates move with that
load, the CPU cost per event much less.
{END}"""
    if args.no_docs:
        return text
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + text + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip() + "\n\n" + text + "\n"
    DOC.write_text(doc, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--residents", type=int, default=400_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="gthread workers with this many threads (docs/operations.md); sync workers without",
    )
    parser.add_argument(
        "--page-workers",
        type=int,
        default=2,
        help="the web pool's workers (the pages the --readers read), the upload pool having "
        "--workers, as docs/operations.md deploys them; 0: one pool for everything",
    )
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", default="tongxin_bench")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the seeded database (reseed only if missing)"
    )
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument(
        "--readers", type=int, default=0, help="cadres reading coverage during the upload"
    )
    parser.add_argument("--read-every", type=float, default=30.0, help="seconds between reads")
    parser.add_argument(
        "--reads-only",
        type=float,
        default=0,
        metavar="SECONDS",
        help="no upload: the readers alone for this long (the server's CPU per read)",
    )
    parser.add_argument(
        "--reader-pages",
        choices=("htmx", "full"),
        default="htmx",
        help="readers refresh the pages' parts as the open pages do (htmx), or reload them whole",
    )
    parser.add_argument(
        "--upload-only", action="store_true", help="skip the COPY baseline and coverage timings"
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="log every statement's duration during the run (PostgreSQL's log, as root) and "
        "report the dearest shapes (a diagnostic: the logging costs time itself)",
    )
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 500 <= args.batch <= 1000:
        parser.error("--batch must be between 500 and 1000")
    if not 2 <= args.workers <= 4:
        parser.error("--workers must be between 2 and 4")
    OUT.mkdir(parents=True, exist_ok=True)
    env = environment(args)
    os.environ.update(env)
    info_file = OUT / "seed.json"
    if not (args.reuse and info_file.exists()):
        say(f"database {args.db}: drop, create, migrate …")
        recreate_database(args.db)
        migrate(env)
    else:
        # A reused database gets the migrations added since it was seeded (the upload reads
        # tables they create, e.g. sampling 0007's rules stamps).
        migrate(env)
    import django

    django.setup()
    from django.conf import settings

    if "tongxin.sampling" not in settings.INSTALLED_APPS:
        sys.exit("tongxin.sampling is not installed in the settings (DJANGO_SETTINGS_MODULE)")
    if args.reuse and info_file.exists():
        info = json.loads(info_file.read_text())
        info["starts"] = [dt.datetime.fromisoformat(s) for s in info["starts"]]
        info["estate_of"] = {int(k): v for k, v in info["estate_of"].items()}
        from django.db import connection

        _server.empty_sampling_tables()
    else:
        say("seeding …")
        info = seed(args)
        info_file.write_text(json.dumps(info, default=str))
    if args.seed_only:
        return
    say("upload …")
    up = run_upload(args, env, info)
    say(f"  {up['counts']['stored']:,} stored in {up['seconds']:.1f} s: {up['rate']:,.0f} events/s")
    say("  " + json.dumps({k: v for k, v in up.items() if k != "counts"}, default=str))
    compare_with_last(args, up)
    if args.upload_only:
        return
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("sampleevent", "tube", "sampledperson", "roundhousehold", "pointhour"):
            cursor.execute(f"VACUUM ANALYZE sampling_{table}")
    say("COPY baseline …")
    copy = copy_baseline()
    say(f"  {copy['rows']:,} rows in {copy['seconds']:.1f} s: {copy['rate']:,.0f} rows/s")
    say("coverage …")
    cov = coverage_timings(info)
    say(f"  summary {cov['summary_ms']:.0f} ms, estate untested {cov['estate_ms']:.0f} ms")
    print(write_docs(args, up, copy, cov, machine()))


if __name__ == "__main__":
    main()
