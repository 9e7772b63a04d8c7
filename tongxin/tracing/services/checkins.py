"""Importing venue check-ins (扫码记录) from exports and the bulk API, idempotently.

Each row is keyed by the incident, venue code, the person's blind index and the entry time, so
the same file (or an overlapping export) twice stores each scan once. People are matched to the
registry by blind index; everyone else is kept as an outside person — no row is dropped for
being unknown. A stay without an exit time lasts its venue kind's default from the edition.
Rows are written a batch at a time; on PostgreSQL through COPY into a temporary table and one
INSERT … ON CONFLICT DO NOTHING, elsewhere through bulk inserts.
"""

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
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
from tongxin.tracing.services.sheets import cell, parse_time, read_rows

BATCH = 5000
NAMESPACE = uuid.UUID("5f1f4b1e-8c52-4c1e-9b3a-7a6f0e0c11a1")

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


@dataclass(slots=True)
class _Parsed:
    venue: Venue
    entered_at: dt.datetime
    exited_at: dt.datetime | None
    document_type: str
    document_number: str
    phone: str
    name: str
    kind: str  # "doc" or "phone": what identifies the person
    bidx: str
    key: uuid.UUID


_RESIDENT_ID = str(DocumentType.RESIDENT_ID)
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


_Ident = tuple[str, str, str, str, str]  # document type, number, phone, kind, blind index


def _identity_of(item: dict[str, Any], cache: dict[Any, _Ident | None]) -> _Ident | None:
    """The row's identity with its blind index, computed once per distinct raw value (a person
    scans many times in an export)."""
    raw = (item.get("document_type"), item.get("document_number"), item.get("phone"))
    try:
        return cache[raw]
    except KeyError:
        pass
    ident = _identity(item)
    result: _Ident | None = None
    if ident is not None:
        doc_type, number, phone, kind = ident
        bidx = (
            crypto.blind_index(doc_type, number)
            if kind == "doc"
            else crypto.blind_index("phone", phone)
        )
        result = (doc_type, number, phone, kind, bidx)
    if len(cache) > 500_000:
        cache.clear()
    cache[raw] = result
    return result


def _parse(
    incident: Incident,
    item: dict[str, Any],
    venues: dict[str, Venue],
    summary: ImportSummary,
    cache: dict[Any, _Ident | None],
    tz: Any = None,
) -> _Parsed | None:
    venue = venues.get(cell(item.get("venue_code")))
    if venue is None:
        summary.reject(item.get("_row"), "venue")
        return None
    entered = parse_time(item.get("entered_at"), tz)
    if entered is None:
        summary.reject(item.get("_row"), "time")
        return None
    raw_exit = item.get("exited_at")
    exited = parse_time(raw_exit, tz) if raw_exit not in (None, "") else None
    if exited is not None and exited < entered:
        summary.reject(item.get("_row"), "exit")
        return None
    ident = _identity_of(item, cache)
    if ident is None:
        summary.reject(item.get("_row"), "identity")
        return None
    doc_type, number, phone, kind, bidx = ident
    key = uuid.uuid5(
        NAMESPACE, f"{incident.pk}|{venue.code}|{kind}:{doc_type}:{bidx}|{entered.timestamp():.0f}"
    )
    return _Parsed(
        venue,
        entered,
        exited,
        doc_type,
        number,
        phone,
        cell(item.get("name"))[:50],
        kind,
        bidx,
        key,
    )


def _match(
    incident: Incident, parsed: list[_Parsed]
) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    """(kind, bidx) → (person id, outside person id); missing outside persons are created."""
    docs = {(p.document_type, p.bidx) for p in parsed if p.kind == "doc"}
    phones = {p.bidx for p in parsed if p.kind == "phone"}
    found: dict[tuple[str, str], tuple[int | None, int | None]] = {}
    if docs:
        # By (document type, blind index): the order of the unique index, so it is used.
        for pk, doc_type, bidx in Person.objects.filter(
            document_type__in={t for t, _b in docs}, document_bidx__in={b for _t, b in docs}
        ).values_list("pk", "document_type", "document_bidx"):
            if (doc_type, bidx) in docs:
                found[("doc", bidx)] = (pk, None)
    if phones:
        by_phone: dict[str, list[int]] = {}
        for pk, bidx in Person.objects.filter(phone_bidx__in=phones).values_list(
            "pk", "phone_bidx"
        ):
            by_phone.setdefault(bidx, []).append(pk)
        for bidx, pks in by_phone.items():
            if len(pks) == 1:  # a phone shared by a family identifies nobody in particular
                found[("phone", bidx)] = (pks[0], None)
    missing = [p for p in parsed if (p.kind, p.bidx) not in found]
    if not missing:
        return found
    outside = OutsidePerson.objects.filter(incident=incident)
    for pk, dbidx in outside.filter(
        document_bidx__in={p.bidx for p in missing if p.kind == "doc"}
    ).values_list("pk", "document_bidx"):
        found[("doc", dbidx)] = (None, pk)
    for pk, pbidx in outside.filter(
        document_bidx="", phone_bidx__in={p.bidx for p in missing if p.kind == "phone"}
    ).values_list("pk", "phone_bidx"):
        found[("phone", pbidx)] = (None, pk)
    new: dict[tuple[str, str], OutsidePerson] = {}
    for p in missing:
        k = (p.kind, p.bidx)
        if k in found or k in new:
            continue
        o = OutsidePerson(
            incident=incident,
            name=p.name,
            document_type=p.document_type,
            document_number=p.document_number,
            phone=p.phone,
        )
        o.derive_lookup_fields()
        new[k] = o
    if new:
        OutsidePerson.objects.bulk_create(new.values(), batch_size=1000)
        if any(o.pk is None for o in new.values()):  # backends that return no ids
            return _match(incident, parsed)
        for k, o in new.items():
            found[k] = (None, o.pk)
    return found


_COLUMNS = (
    "incident_id", "venue_id", "person_id", "outside_person_id", "entered_at", "exited_at",
    "left_at", "row_key",
)  # fmt: skip
_Row = tuple[
    int, int, int | None, int | None, dt.datetime, dt.datetime | None, dt.datetime, uuid.UUID
]


def _insert(rows: list[_Row]) -> int:
    """Insert rows whose key is new; the number actually stored."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _insert_pg(rows)
    keys = [r[7] for r in rows]
    have = set(CheckIn.objects.filter(row_key__in=keys).values_list("row_key", flat=True))
    fresh = [CheckIn(**dict(zip(_COLUMNS, r, strict=True))) for r in rows if r[7] not in have]
    CheckIn.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    return len(fresh)


def _insert_pg(rows: list[_Row]) -> int:
    """COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING: a file imported
    twice, or two overlapping exports at once, store each scan once."""
    table = CheckIn._meta.db_table
    cols = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tracing_checkin_load ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {cols} FROM {table} WITH NO DATA"
        )
        cursor.execute("TRUNCATE tracing_checkin_load")
        with cursor.cursor.copy(f"COPY tracing_checkin_load ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM tracing_checkin_load "  # noqa: S608
            "ON CONFLICT (row_key) DO NOTHING"
        )
        stored = cursor.rowcount
        cursor.execute("TRUNCATE tracing_checkin_load")
    return int(stored)


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
    batch_size: int = BATCH,
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
    stays = default_stay_minutes(incident.policy_edition)
    longest = max_stay(incident.policy_edition)
    default_stay = {
        kind: dt.timedelta(minutes=stay_minutes_for(stays, kind)) for kind in VenueKind.values
    }
    cache: dict[Any, _Ident | None] = {}
    tz = timezone.get_current_timezone()
    summary = ImportSummary()
    venues: dict[str, Venue] = {}
    for batch in _batches(items, batch_size):
        summary.rows += len(batch)
        codes = {cell(i.get("venue_code")) for i in batch} - set(venues)
        venues.update({v.code: v for v in Venue.objects.filter(code__in=codes)})
        parsed: dict[uuid.UUID, _Parsed] = {}
        for item in batch:
            p = _parse(incident, item, venues, summary, cache, tz)
            if p is None:
                continue
            if p.key in parsed:
                summary.duplicate += 1  # the same scan twice in one file
                continue
            parsed[p.key] = p
        with transaction.atomic():
            people = _match(incident, list(parsed.values()))
            rows: list[_Row] = []
            for p in parsed.values():
                person_id, outside_id = people[(p.kind, p.bidx)]
                if person_id is None:
                    summary.unmatched += 1
                left = p.exited_at or p.entered_at + default_stay[p.venue.kind]
                left = min(left, p.entered_at + longest)  # an exit never scanned
                rows.append(
                    (incident.pk, p.venue.pk, person_id, outside_id, p.entered_at, p.exited_at,
                     left, p.key)
                )  # fmt: skip
            stored = _insert(rows)
        summary.stored += stored
        summary.duplicate += len(rows) - stored
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


def import_file(incident: Incident, data: bytes, name: str, *, by: Any = None) -> ImportSummary:
    """A .xlsx or .csv export of a venue-code system."""
    rows = read_rows(data, name, SYNONYMS, ("venue_code", "entered_at"))
    return import_rows(incident, rows, name=name, by=by)
