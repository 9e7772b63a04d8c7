"""Importing venue check-ins (扫码记录) from exports and the bulk API, idempotently.

Each row is keyed by the incident, venue code, the person's blind index and the entry time, so
the same file (or an overlapping export) twice stores each scan once. People are matched to the
registry by blind index; everyone else is kept as an outside person — no row is dropped for
being unknown. A stay without an exit time lasts its venue kind's default from the edition.

The work is set-based, a batch at a time. Python does per row only what must happen in Python
and is cheap (a dictionary lookup of the venue code, of the raw ID number/phone and of the raw
time, and the row's key); everything that costs per *distinct* value — validating an ID number,
its HMAC blind index, finding the resident or outside person — is done once per distinct value
in the import, and for the batch's new people with a few `IN` queries. The rows then go into a
staging table (PostgreSQL: COPY into a temporary table; SQLite: one executemany), and one
`INSERT … SELECT … ON CONFLICT (venue_id, entered_at, row_key) DO NOTHING` stores the new ones
(the key names the venue and the entry second, so it is unique with them: one index serves
idempotency and co-presence; on PostgreSQL the stay's end — the exit, or the entry plus the
kind's default, capped by the edition's longest stay — and the time zone are computed in that
statement). A big PostgreSQL import stores its batches through two connections at once.
"""

import contextlib
import datetime as dt
import gc
import hashlib
import queue
import threading
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.core import crypto, idnumbers
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.incidents.models import Incident
from tongxin.people.models import DocumentType, Person
from tongxin.tracing.models import CheckIn, ImportBatch, OutsidePerson, Venue, VenueKind
from tongxin.tracing.services.rules import default_stay_minutes, max_stay, stay_minutes_for
from tongxin.tracing.services.sheets import Source, cell, parse_time, read_rows

BATCH = 50_000
# Connections storing a big PostgreSQL import's batches side by side (one backend inserts into
# the indexed table at about one core's speed; the parsing runs beside them).
STORERS = 2
LOOKUP_CHUNK = 5000  # values per IN (…) query (SQLite's variable limit, PostgreSQL's parser)
CACHE_LIMIT = 2_000_000  # distinct raw values remembered per import before starting afresh
# A batch with this many new ID numbers reads the registry's (type, blind index) → id once for
# the rest of the import instead of asking for each batch's numbers (a county's registry is a
# few hundred thousand people: tens of megabytes, read in a second or two).
PRELOAD_AT = 10_000
NAMESPACE = uuid.UUID("5f1f4b1e-8c52-4c1e-9b3a-7a6f0e0c11a1")
_NS = NAMESPACE.bytes
# A uuid's variant digit (bits 10xx) for each hex digit SHA-1 gave in that place.
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "venue_code": ("场所码", "场所编码", "场所代码", "venue_code", "venue"),
    "document_type": ("证件类型", "document_type"),
    "document_number": ("证件号码", "身份证号", "身份证号码", "document_number"),
    "phone": ("手机号", "手机号码", "联系电话", "phone"),
    "name": ("姓名", "name"),
    "entered_at": ("扫码时间", "进入时间", "进场时间", "entered_at", "time"),
    "exited_at": ("离开时间", "离场时间", "exited_at"),
}

REASONS = {
    "venue": _("场所码不存在"),
    "time": _("扫码时间无效"),
    "exit": _("离开时间早于进入时间"),
    "identity": _("缺少有效的证件号码或手机号"),
}


@dataclass
class ImportSummary:
    rows: int = 0
    stored: int = 0
    duplicate: int = 0
    unmatched: int = 0
    rejected: int = 0
    rejected_reasons: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)  # first rows, for the page

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "stored": self.stored,
            "duplicate": self.duplicate,
            "unmatched": self.unmatched,
            "rejected": self.rejected,
            "rejected_reasons": dict(self.rejected_reasons),
        }

    def reject(self, row: int | None, code: str) -> None:
        self.rejected += 1
        self.rejected_reasons[code] += 1
        if len(self.errors) < 200:
            self.errors.append({"row": row, "reason": code, "message": str(REASONS[code])})


@dataclass(slots=True, eq=False)
class _Who:
    """One distinct person of the import (resolved once, whatever the number of scans)."""

    kind: str  # "doc" or "phone": what identifies the person
    document_type: str
    number: str
    phone: str
    name: str
    bidx: str
    person_id: int | None = None
    outside_id: int | None = None
    resolved: bool = False
    key_part: str = ""  # "kind:type:bidx", the person's part of each scan's key

    def __post_init__(self) -> None:
        self.key_part = f"{self.kind}:{self.document_type}:{self.bidx}"


@dataclass(slots=True, eq=False)
class _Place:
    id: int
    code: str
    stay_seconds: int


# A staged row: venue, who, entry (local wall time, text), exit (same, or None), key (hex).
_Staged = tuple[_Place, _Who, str, str | None, str]

_RESIDENT_ID = str(DocumentType.RESIDENT_ID)
_MISSING: Any = object()
_DOC_TYPES = frozenset(str(v) for v in DocumentType.values)


def _identity(item: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """(document_type, document_number, phone, kind) or None when nothing identifies anyone."""
    doc_type = cell(item.get("document_type")) or _RESIDENT_ID
    if doc_type not in _DOC_TYPES:
        doc_type = {"身份证": DocumentType.RESIDENT_ID, "居民身份证": DocumentType.RESIDENT_ID}.get(
            doc_type, DocumentType.OTHER
        )
    number = cell(item.get("document_number"))
    if number and doc_type == _RESIDENT_ID:
        number = idnumbers.normalize(number)
        if not idnumbers.is_valid(number):
            number = ""
    phone = cell(item.get("phone"))
    if phone:
        try:
            phone = normalize_mobile(phone)
        except InvalidPhone:
            phone = ""
    if number:
        return doc_type, number, phone, "doc"
    if phone:
        return doc_type, "", phone, "phone"
    return None


class _Importer:
    """The state of one import: per distinct venue code, identity and time, computed once."""

    def __init__(self, incident: Incident, summary: ImportSummary) -> None:
        self.incident = incident
        self.summary = summary
        self.tz = timezone.get_current_timezone()
        edition = incident.policy_edition
        stays = default_stay_minutes(edition)
        self.stay = {k: stay_minutes_for(stays, k) * 60 for k in VenueKind.values}
        self.longest = int(max_stay(edition).total_seconds())
        self.venues: dict[Any, _Place | None] = {}  # raw cell → venue (None: no such code)
        self.people: dict[Any, _Who | None] = {}  # raw (type, number, phone) → person
        self.by_identity: dict[tuple[str, str], _Who] = {}
        self.times: dict[Any, tuple[str, float, str] | None] = {}  # raw → (local, epoch, text)
        self.residents: dict[tuple[str, str], int] | None = None  # preloaded, big imports

    # -- per distinct value ------------------------------------------------------------------

    def _load_venues(self, batch: list[dict[str, Any]]) -> None:
        raw = {i.get("venue_code") for i in batch} - self.venues.keys()
        if not raw:
            return
        codes = {r: cell(r) for r in raw}
        found = {
            v.code: _Place(v.pk, v.code, self.stay[v.kind])
            for v in Venue.objects.filter(code__in=set(codes.values())).only("pk", "code", "kind")
        }
        for r, code in codes.items():
            self.venues[r] = found.get(code)

    def _who(self, item: dict[str, Any]) -> _Who | None:
        raw = (item.get("document_type"), item.get("document_number"), item.get("phone"))
        try:
            return self.people[raw]
        except KeyError:
            pass
        ident = _identity(item)
        who: _Who | None = None
        if ident is not None:
            doc_type, number, phone, kind = ident
            bidx = (
                crypto.blind_index(doc_type, number)
                if kind == "doc"
                else crypto.blind_index("phone", phone)
            )
            who = self.by_identity.get((kind, bidx))
            if who is None:
                who = _Who(kind, doc_type, number, phone, cell(item.get("name"))[:50], bidx)
                self.by_identity[(kind, bidx)] = who
        if len(self.people) > CACHE_LIMIT:
            self.people.clear()
            self.by_identity.clear()
        self.people[raw] = who
        return who

    def _when(self, raw: Any) -> tuple[str, float, str] | None:
        """(the wall time in the county's zone as text, the epoch seconds, the same as the
        key's text) or None."""
        try:
            return self.times[raw]
        except (KeyError, TypeError):  # TypeError: an unhashable cell
            pass
        parsed = parse_time(raw, self.tz)
        value = None
        if parsed is not None:
            epoch = parsed.timestamp()
            if parsed.microsecond:  # the key names the second (f"{epoch:.0f}"): store that one
                epoch = float(f"{epoch:.0f}")
                parsed = dt.datetime.fromtimestamp(epoch, self.tz)
            local = parsed.astimezone(self.tz).replace(tzinfo=None)
            value = (local.isoformat(" "), epoch, f"{epoch:.0f}")
        if len(self.times) > CACHE_LIMIT:
            self.times.clear()
        with contextlib.suppress(TypeError):
            self.times[raw] = value
        return value

    def _resolve(self, whos: list[_Who]) -> None:
        """Residents by blind index (a phone shared by several residents identifies nobody);
        the others are the incident's outside persons, created when new."""
        docs = [w for w in whos if w.kind == "doc"]
        phones = [w for w in whos if w.kind == "phone"]
        if self.residents is None and len(docs) >= PRELOAD_AT:
            self.residents = {
                (t, b): pk
                for pk, t, b in Person.objects.exclude(document_bidx="")
                .values_list("pk", "document_type", "document_bidx")
                .iterator(chunk_size=50_000)
            }
        if self.residents is not None:
            for w in docs:
                w.person_id = self.residents.get((w.document_type, w.bidx))
            docs = []
        for chunk in _chunks(docs):
            by_doc = {(w.document_type, w.bidx): w for w in chunk}
            rows = Person.objects.filter(
                document_type__in={t for t, _b in by_doc}, document_bidx__in={b for _t, b in by_doc}
            ).values_list("pk", "document_type", "document_bidx")
            for pk, doc_type, bidx in rows:
                if (found := by_doc.get((doc_type, bidx))) is not None:
                    found.person_id = pk
        for chunk in _chunks(phones):
            index = {w.bidx: w for w in chunk}
            owners: dict[str, list[int]] = {}
            for pk, bidx in Person.objects.filter(phone_bidx__in=index).values_list(
                "pk", "phone_bidx"
            ):
                owners.setdefault(bidx, []).append(pk)
            for bidx, pks in owners.items():
                if len(pks) == 1:
                    index[bidx].person_id = pks[0]
        missing = [w for w in whos if w.person_id is None]
        outside = OutsidePerson.objects.filter(incident=self.incident)
        for chunk in _chunks([w for w in missing if w.kind == "doc"]):
            index = {w.bidx: w for w in chunk}
            for pk, bidx in outside.filter(document_bidx__in=index).values_list(
                "pk", "document_bidx"
            ):
                index[bidx].outside_id = pk
        for chunk in _chunks([w for w in missing if w.kind == "phone"]):
            index = {w.bidx: w for w in chunk}
            for pk, bidx in outside.filter(document_bidx="", phone_bidx__in=index).values_list(
                "pk", "phone_bidx"
            ):
                index[bidx].outside_id = pk
        new: list[tuple[_Who, OutsidePerson]] = []
        for w in missing:
            if w.outside_id is None:
                o = OutsidePerson(
                    incident=self.incident,
                    name=w.name,
                    document_type=w.document_type,
                    document_number=w.number,
                    phone=w.phone,
                )
                o.derive_lookup_fields()
                new.append((w, o))
        if new:
            OutsidePerson.objects.bulk_create([o for _w, o in new], batch_size=1000)
            for w, o in new:
                w.outside_id = o.pk
            if any(o.pk is None for _w, o in new):  # a backend that returns no ids
                for w, _o in new:
                    w.outside_id = None
                self._resolve([w for w, _o in new])
                return
        for w in whos:
            w.resolved = True

    # -- per batch ---------------------------------------------------------------------------

    def parse(self, items: list[dict[str, Any]]) -> "_Parsed":
        """The batch's rows checked, keyed and deduplicated: pure Python, no database (it runs
        in a worker thread while the previous batch is being stored)."""
        venues, times, people = self.venues, self.times, self.people
        when, who_of, variant = self._when, self._who, _VARIANT
        fresh_sha1 = hashlib.sha1(_NS, usedforsecurity=False).copy  # the namespace, once
        prefix = f"{self.incident.pk}|"
        out = _Parsed(rows=len(items))
        keys: set[str] = set()
        staged, reject = out.staged, out.rejected.append
        append, add = staged.append, keys.add
        for item in items:
            get = item.get
            venue = venues.get(get("venue_code"))
            if venue is None:
                reject((get("_row"), "venue"))
                continue
            raw = get("entered_at")
            try:
                entered = times[raw]
            except (KeyError, TypeError):  # not seen yet, or an unhashable cell
                entered = when(raw)
            if entered is None:
                reject((get("_row"), "time"))
                continue
            raw = get("exited_at")
            exited = None
            if raw is not None and raw != "":
                try:
                    left = times[raw]
                except (KeyError, TypeError):
                    left = when(raw)
                if left is not None:
                    if left[1] < entered[1]:
                        reject((get("_row"), "exit"))
                        continue
                    exited = left[0]
            who = people.get((get("document_type"), get("document_number"), get("phone")), _MISSING)
            if who is _MISSING:
                who = who_of(item)
            if who is None:
                reject((get("_row"), "identity"))
                continue
            # The row's idempotency key: uuid5(NAMESPACE, "incident|venue|kind:type:bidx|epoch")
            # as 32 hex digits (what both backends store for a UUID), without a UUID object:
            # SHA-1's first 16 bytes with the version nibble 5 and the variant bits 10.
            h = fresh_sha1()
            h.update(f"{prefix}{venue.code}|{who.key_part}|{entered[2]}".encode())
            d = h.hexdigest()
            key = f"{d[:12]}5{d[13:16]}{variant[d[16]]}{d[17:32]}"
            if key in keys:
                out.duplicate += 1  # the same scan twice in one batch
                continue
            add(key)
            append((venue, who, entered[0], exited, key))
        return out

    def store(self, parsed: "_Parsed", storers: "_Storers | None" = None) -> None:
        """Resolve the batch's new people, then stage and insert its rows: here, in one
        transaction, or — a big import on PostgreSQL — by one of the storers' connections,
        after the outside persons the batch brings were committed (their own short transaction),
        so that every connection's rows name only committed people."""
        summary = self.summary
        summary.rows += parsed.rows
        summary.duplicate += parsed.duplicate
        for row, code in parsed.rejected:
            summary.reject(row, code)
        staged = parsed.staged
        if storers is not None:
            with transaction.atomic():
                self._resolve_batch(staged)
            storers.submit(staged)
            return
        with transaction.atomic():
            self._resolve_batch(staged)
            stored = _store_pg(self, staged) if connection.vendor == "postgresql" else None
            if stored is None:
                stored = _store_portable(self, staged)
        self.stored(len(staged), stored)

    def _resolve_batch(self, staged: list[_Staged]) -> None:
        fresh = {id(w): w for _v, w, _e, _x, _k in staged if not w.resolved}
        if fresh:
            self._resolve(list(fresh.values()))
        self.summary.unmatched += sum(1 for row in staged if row[1].person_id is None)

    def stored(self, staged: int, stored: int) -> None:
        self.summary.stored += stored
        self.summary.duplicate += staged - stored

    def run(self, items: Iterable[dict[str, Any]], batch_size: int) -> None:
        """Batch k+1 is parsed in a worker thread while batch k waits on the database (the
        thread runs while this one waits on the socket): Python and PostgreSQL work at once.
        A PostgreSQL import of more than one batch that is not inside a caller's transaction
        stores its batches through `STORERS` connections side by side (each batch its own
        transaction: a caller's transaction could not hold them)."""
        parallel = (
            STORERS > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
        )
        storers: _Storers | None = None
        with (
            _fewer_collections(),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkins") as pool,
        ):
            try:
                pending: Future[_Parsed] | None = None
                for batch in _batches(items, batch_size):
                    self._load_venues(batch)  # the database, in this thread
                    parsing = pool.submit(self.parse, batch)
                    if pending is not None:
                        if parallel and storers is None:
                            storers = _Storers(self, STORERS)
                        self.store(pending.result(), storers)
                    pending = parsing
                if pending is not None:
                    self.store(pending.result(), storers)
            finally:
                if storers is not None:
                    storers.close()


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often during an import: the rows make millions of
    short-lived tuples and dicts, no cycles, and each full collection walks the import's caches
    (hundreds of thousands of people and times) — about 1 µs a row. Restored by the last of the
    imports running at once."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(50_000, 50, 100)
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


class _Storers:
    """Threads, each with its own database connection, inserting batches side by side (one
    transaction per batch). `ON CONFLICT DO NOTHING` keeps them idempotent between themselves
    too: a key being inserted by the other connection is waited for, then skipped. Each batch is
    inserted in the unique index's order, so two connections take those waits in the same order;
    a deadlock the server reports anyway is retried (the insert is idempotent)."""

    def __init__(self, imp: "_Importer", n: int) -> None:
        self.imp = imp
        self.n = n
        self.jobs: queue.Queue[tuple[list[_Staged], Future[int]] | None] = queue.Queue()
        self.inflight: deque[tuple[int, Future[int]]] = deque()
        self.threads = [
            threading.Thread(target=self._work, name=f"checkins-store-{i}", daemon=True)
            for i in range(n)
        ]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                staged, done = job
                try:
                    done.set_result(_store_retrying(self.imp, staged))
                except BaseException as exc:  # handed to the importer's thread
                    done.set_exception(exc)
        finally:
            connection.close()  # this thread's own connection

    def submit(self, staged: list[_Staged]) -> None:
        """Queue a batch; with `n` batches in flight, first wait for the oldest (bounded
        memory, and its counts)."""
        while len(self.inflight) >= self.n:
            self._collect()
        done: Future[int] = Future()
        self.jobs.put((staged, done))
        self.inflight.append((len(staged), done))

    def _collect(self) -> None:
        staged, done = self.inflight.popleft()
        self.imp.stored(staged, done.result())

    def close(self) -> None:
        try:
            while self.inflight:
                self._collect()
        finally:
            for _thread in self.threads:
                self.jobs.put(None)
            for thread in self.threads:
                thread.join()


def _store_retrying(imp: "_Importer", staged: list[_Staged], attempts: int = 5) -> int:
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return _store_pg(imp, staged)
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != "40P01" or attempt == attempts - 1:
                raise  # not a deadlock, or one too many
    raise AssertionError("unreachable")


@dataclass(slots=True)
class _Parsed:
    rows: int
    staged: list[_Staged] = field(default_factory=list)
    rejected: list[tuple[Any, str]] = field(default_factory=list)
    duplicate: int = 0


def _chunks(items: list[_Who]) -> Iterator[list[_Who]]:
    for i in range(0, len(items), LOOKUP_CHUNK):
        yield items[i : i + LOOKUP_CHUNK]


_STAGE = "tracing_checkin_stage"
_KEY = "(venue_id, entered_at, row_key)"  # the unique index checkin_venue_time_key


def _store_pg(imp: _Importer, staged: list[_Staged]) -> int:
    """COPY the batch into a temporary table, then one INSERT … SELECT … ON CONFLICT DO
    NOTHING that computes the zone, the stay's end and leaves the keys already stored."""
    if not staged:
        return 0
    table = CheckIn._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (venue_id integer, person_id bigint, "
            "outside_person_id bigint, entered_at timestamp, exited_at timestamp, "
            "stay_seconds integer, row_key uuid) ON COMMIT DELETE ROWS"
        )
        null = "\\N"
        with cursor.cursor.copy(f"COPY {_STAGE} FROM STDIN") as copy:
            for start in range(0, len(staged), 10_000):
                copy.write(
                    "".join(
                        f"{v.id}\t{w.person_id or null}\t{w.outside_id or null}\t{e}\t"
                        f"{x or null}\t{v.stay_seconds}\t{k}\n"
                        for v, w, e, x, k in staged[start : start + 10_000]
                    )
                )
        cursor.execute(
            f"INSERT INTO {table} (incident_id, venue_id, person_id, outside_person_id, "  # noqa: S608
            "entered_at, exited_at, left_at, row_key) "
            "SELECT %s, venue_id, person_id, outside_person_id, entered_at AT TIME ZONE %s, "
            "exited_at AT TIME ZONE %s, LEAST(COALESCE(exited_at, entered_at "
            "+ make_interval(secs => stay_seconds)), entered_at + make_interval(secs => %s)) "
            f"AT TIME ZONE %s, row_key FROM {_STAGE} ORDER BY venue_id, entered_at, row_key "
            f"ON CONFLICT {_KEY} DO NOTHING",
            [imp.incident.pk, str(imp.tz), str(imp.tz), imp.longest, str(imp.tz)],
        )
        stored = cursor.rowcount
        cursor.execute(f"TRUNCATE {_STAGE}")
    return int(stored)


def _store_portable(imp: _Importer, staged: list[_Staged]) -> int:
    """The same statement for other backends (SQLite): the rows, with their stay's end
    computed here, into a temporary table and one INSERT … SELECT … ON CONFLICT DO NOTHING."""
    if not staged:
        return 0
    table = CheckIn._meta.db_table
    ops = connection.ops
    longest = dt.timedelta(seconds=imp.longest)

    def aware(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=imp.tz)

    values = []
    for v, w, e, x, k in staged:
        entered = aware(e)
        exited = aware(x) if x else None
        left = min(exited or entered + dt.timedelta(seconds=v.stay_seconds), entered + longest)
        values.append(
            (v.id, w.person_id, w.outside_id, ops.adapt_datetimefield_value(entered),
             ops.adapt_datetimefield_value(exited), ops.adapt_datetimefield_value(left), k)
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (venue_id integer, person_id bigint, "
            "outside_person_id bigint, entered_at datetime, exited_at datetime, "
            "left_at datetime, row_key char(32))"
        )
        cursor.execute(f"DELETE FROM {_STAGE}")  # noqa: S608
        cursor.executemany(f"INSERT INTO {_STAGE} VALUES (%s, %s, %s, %s, %s, %s, %s)", values)  # noqa: S608
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        before = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {table} (incident_id, venue_id, person_id, outside_person_id, "  # noqa: S608
            "entered_at, exited_at, left_at, row_key) "
            "SELECT %s, venue_id, person_id, outside_person_id, entered_at, exited_at, left_at, "
            f"row_key FROM {_STAGE} WHERE true ON CONFLICT {_KEY} DO NOTHING",
            [imp.incident.pk],
        )
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        after = cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {_STAGE}")  # noqa: S608
    return int(after - before)


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_rows(
    incident: Incident,
    items: Iterable[dict[str, Any]],
    *,
    name: str = "",
    client_id: str | None = None,
    by: Any = None,
    batch_size: int | None = None,
) -> ImportSummary:
    """Import check-in rows (dicts with venue_code, document_number and/or phone, entered_at,
    optional exited_at, name, document_type). With a client id, a batch sent again answers
    with the first answer and stores nothing."""
    if client_id:
        done = ImportBatch.objects.filter(incident=incident, client_id=client_id).first()
        if done is not None:
            s = ImportSummary(**{k: v for k, v in done.summary.items() if k != "rejected_reasons"})
            s.rejected_reasons = Counter(done.summary.get("rejected_reasons", {}))
            s.duplicate, s.stored = s.stored + s.duplicate, 0
            return s
    summary = ImportSummary()
    _Importer(incident, summary).run(items, batch_size or BATCH)
    with transaction.atomic():
        if client_id:
            ImportBatch.objects.get_or_create(
                incident=incident,
                client_id=client_id,
                defaults={
                    "name": name[:255],
                    "imported_at": timezone.now(),
                    "imported_by": by if getattr(by, "pk", None) else None,
                    "summary": summary.as_dict(),
                },
            )
        record(
            AuditAction.IMPORT,
            target_type="tracing.checkin",
            label=f"扫码记录 {name} ×{summary.stored}"[:255],
            detail=summary.as_dict(),
        )
    return summary


def import_file(incident: Incident, data: Source, name: str, *, by: Any = None) -> ImportSummary:
    """A .xlsx or .csv export of a venue-code system: its bytes, an open binary file or a path.
    The file is streamed (read as the batches of `BATCH` rows are stored), so a path or a file
    of ten million scans is imported in bounded memory."""
    rows = read_rows(data, name, SYNONYMS, ("venue_code", "entered_at"))
    return import_rows(incident, rows, name=name, by=by)
