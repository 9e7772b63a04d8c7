"""The set-based statements behind `record_batch`.

PostgreSQL gets array parameters (`= ANY(%s)`, `unnest`) and INSERT … ON CONFLICT DO NOTHING
RETURNING, so a batch is a handful of statements however many events it holds and two uploads
of the same events racing each other still store them once. Other databases (SQLite in
development and tests) take the portable path through the ORM: SQLite runs one writer at a
time, so the duplicate check made inside the batch's transaction cannot be overtaken.

Table and column names come from the models' metadata; every value is a parameter.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection

from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.sampling.models import (
    CoverageState,
    PointHour,
    RoundHousehold,
    SampledPerson,
    SampleEvent,
    Tube,
    WalkIn,
)


def _pg() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _pg_cursor() -> Iterator[Any]:
    """A server-side-binding psycopg cursor on Django's connection (inside its transaction):
    arrays of a thousand values travel as binary parameters instead of being quoted into the
    statement text by Django's client-side cursor."""
    import psycopg

    connection.ensure_connection()
    cursor = psycopg.Cursor(connection.connection)
    try:
        yield cursor
    finally:
        cursor.close()


def _ints(values: Iterable[int | None]) -> str:
    """A column of integers (None as an empty field) as one text parameter, read back with
    `string_to_array(%s, ',', '')::bigint[]`: joining a thousand numbers in Python costs
    half of what psycopg's per-element binary array dumper does."""
    return ",".join(["" if v is None else str(v) for v in values])


def _bools(values: Iterable[bool]) -> str:
    return ",".join(["t" if v else "f" for v in values])


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def people_by_bidx(doc_type: str, tokens: list[str]) -> list[tuple[Any, ...]]:
    """(pk, household_id, household path, name, document_masked, residence_status,
    document_bidx) of the people with these blind indexes (the unique (document_type,
    document_bidx) index answers it)."""
    if not tokens:
        return []
    if _pg():
        sql = (
            "SELECT p.id, p.household_id, h.path, p.name, p.document_masked, "  # noqa: S608
            f"p.residence_status, p.document_bidx FROM {_table(Person)} p "
            f"JOIN {_table(Place)} h ON h.id = p.household_id "
            "WHERE p.document_type = %s AND p.document_bidx = ANY(%b::text[])"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [doc_type, tokens])
            return cursor.fetchall()
    return list(
        Person.objects.filter(document_type=doc_type, document_bidx__in=tokens).values_list(
            "pk",
            "household_id",
            "household__path",
            "name",
            "document_masked",
            "residence_status",
            "document_bidx",
        )
    )


def pending_walk_ins(person_ids: list[int]) -> set[int]:
    """Of these people, the walk-ins the grid has not checked yet (one probe of WalkIn's
    unique person index each)."""
    if not person_ids:
        return set()
    if _pg():
        sql = (
            f"SELECT person_id FROM {_table(WalkIn)} "  # noqa: S608
            "WHERE person_id = ANY(string_to_array(%s, ',')::bigint[]) AND checked_at IS NULL"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [_ints(person_ids)])
            return {row[0] for row in cursor.fetchall()}
    return set(
        WalkIn.objects.filter(person_id__in=person_ids, checked_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


TUBE_COLUMNS = (
    "id", "barcode", "round_id", "point_id", "mode", "capacity", "status", "sample_count",
    "opened_at", "closed_at",
)  # fmt: skip


def lock_tubes(barcodes: list[str]) -> list[tuple[Any, ...]]:
    """The tubes with these barcodes, locked until the batch commits (in id order, so two
    batches sharing tubes queue rather than deadlock)."""
    if _pg():
        sql = (
            f"SELECT {', '.join(TUBE_COLUMNS)} FROM {_table(Tube)} "  # noqa: S608
            "WHERE barcode = ANY(%b::text[]) ORDER BY id FOR UPDATE"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [barcodes])
            return cursor.fetchall()
    return list(
        Tube.objects.select_for_update()
        .filter(barcode__in=barcodes)
        .order_by("pk")
        .values_list(*TUBE_COLUMNS)
    )


def existing_event_ids(keys: Sequence[str]) -> set[str]:
    """Which of these event ids (canonical UUID text) are stored already."""
    if not keys:
        return set()
    if _pg():
        sql = (
            f"SELECT client_event_id::text FROM {_table(SampleEvent)} "  # noqa: S608
            "WHERE client_event_id = ANY(string_to_array(%s, ',')::uuid[])"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [",".join(keys)])
            return {row[0] for row in cursor.fetchall()}
    return {
        str(u)
        for u in SampleEvent.objects.filter(client_event_id__in=list(keys)).values_list(
            "client_event_id", flat=True
        )
    }


def sampled_among(round_id: int, person_ids: list[int]) -> set[int]:
    """Which of these people were sampled in the round (one probe of the unique index each)."""
    if not person_ids:
        return set()
    if _pg():
        sql = (
            f"SELECT person_id FROM {_table(SampledPerson)} "  # noqa: S608
            "WHERE round_id = %s AND person_id = ANY(%b::bigint[])"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [round_id, person_ids])
            return {row[0] for row in cursor.fetchall()}
    return set(
        SampledPerson.objects.filter(round_id=round_id, person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )


def hold_coverage(round_ids: Iterable[int]) -> None:
    """Share-lock the rounds' coverage state for the batch: tallies may be added to while
    another batch adds to them, but not while the round's expected counts are recounted."""
    round_ids = sorted(round_ids)
    if not round_ids:
        return
    placeholders = ", ".join(["(%s)"] * len(round_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(CoverageState)} (round_id) VALUES {placeholders} "  # noqa: S608
            "ON CONFLICT (round_id) DO NOTHING",
            round_ids,
        )
        if _pg():
            cursor.execute(
                f"SELECT round_id FROM {_table(CoverageState)} "  # noqa: S608
                "WHERE round_id = ANY(%s) ORDER BY round_id FOR SHARE",
                [round_ids],
            )


def insert_sampled_people(rows: list[tuple[Any, ...]]) -> set[tuple[int, int]]:
    """(round, person, household, path, expected, sampled_at) rows; the (round, person) pairs
    that were new (the first sample of that person in that round)."""
    if _pg():
        r, p, h, pa, e, t = (list(c) for c in zip(*rows, strict=True))
        sql = (
            f"INSERT INTO {_table(SampledPerson)} (round_id, person_id, household_id, path, "  # noqa: S608
            "expected, first_sampled_at, result) SELECT r, p, h, pa, e, s, '' FROM unnest("
            "string_to_array(%s, ',', '')::bigint[], string_to_array(%s, ',', '')::bigint[], "
            "string_to_array(%s, ',', '')::bigint[], %b::text[], "
            "string_to_array(%s, ',')::boolean[], %b::timestamptz[]) AS v(r, p, h, pa, e, s) "
            "ON CONFLICT (round_id, person_id) DO NOTHING RETURNING round_id, person_id"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [_ints(r), _ints(p), _ints(h), pa, _bools(e), t])
            return {(r, p) for r, p in cursor.fetchall()}
    wanted = {(r[0], r[1]) for r in rows}
    have = set(
        SampledPerson.objects.filter(
            round_id__in={r for r, _p in wanted}, person_id__in={p for _r, p in wanted}
        ).values_list("round_id", "person_id")
    )
    new = [r for r in rows if (r[0], r[1]) not in have]
    SampledPerson.objects.bulk_create(
        [
            SampledPerson(
                round_id=r, person_id=p, household_id=h, path=path, expected=e, first_sampled_at=t
            )
            for r, p, h, path, e, t in new
        ],
        batch_size=500,
    )
    return {(r[0], r[1]) for r in new}


def first_samples(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], dt.datetime]:
    if not pairs:
        return {}
    rows = SampledPerson.objects.filter(
        round_id__in={r for r, _p in pairs}, person_id__in={p for _r, p in pairs}
    ).values_list("round_id", "person_id", "first_sampled_at")
    return {(r, p): t for r, p, t in rows if (r, p) in pairs}


def _upsert(
    table: str, columns: str, types: str, conflict: str, update: str, rows: list[tuple]
) -> None:
    """INSERT … ON CONFLICT DO UPDATE of rows (whose keys are distinct): from arrays on
    PostgreSQL, a VALUES list (in chunks under the parameter limit) elsewhere."""
    if not rows:
        return
    if _pg():
        names = [c.strip() for c in columns.split(",")]
        arrays = ", ".join(f"%b::{t}[]" for t in types.split(","))
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
            f"AS v({', '.join(names)}) ON CONFLICT ({conflict}) DO UPDATE SET {update}"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [list(c) for c in zip(*rows, strict=True)])
        return
    adapt = connection.ops.adapt_datetimefield_value
    rows = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in r) for r in rows]
    width = len(rows[0])
    chunk = max(1, 30000 // width)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(part))
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {update}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [v for row in part for v in row])


_TALLY_COLUMNS = "round_id, household_id, path, expected, sampled, sampled_other, result_known"
_TALLY_TYPES = "bigint,bigint,text,int,int,int,int"


def add_household_tallies(rows: list[tuple[Any, ...]]) -> None:
    """(round, household, path, +expected, +sampled, +sampled_other) per household."""
    table = _table(RoundHousehold)
    _upsert(
        table,
        _TALLY_COLUMNS,
        _TALLY_TYPES,
        "round_id, household_id",
        f"expected = {table}.expected + excluded.expected, "
        f"sampled = {table}.sampled + excluded.sampled, "
        f"sampled_other = {table}.sampled_other + excluded.sampled_other",
        [(*row, 0) for row in rows],
    )


def add_result_tallies(rows: list[tuple[Any, ...]]) -> None:
    """(round, household, path, +result_known) per household."""
    table = _table(RoundHousehold)
    _upsert(
        table,
        _TALLY_COLUMNS,
        _TALLY_TYPES,
        "round_id, household_id",
        f"result_known = {table}.result_known + excluded.result_known",
        [(r, h, path, 0, 0, 0, n) for r, h, path, n in rows],
    )


def add_point_hours(rows: list[tuple[Any, ...]]) -> None:
    """(round, point, hour, samples): this upload's samples per point and clock hour."""
    if not rows:
        return
    if _pg():
        r, p, h, n = (list(c) for c in zip(*rows, strict=True))
        sql = (
            f"INSERT INTO {_table(PointHour)} (round_id, point_id, hour, samples) "  # noqa: S608
            "SELECT * FROM unnest(string_to_array(%s, ',')::bigint[], "
            "string_to_array(%s, ',')::bigint[], %b::timestamptz[], "
            "string_to_array(%s, ',')::int[])"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [_ints(r), _ints(p), h, _ints(n)])
        return
    PointHour.objects.bulk_create(
        [PointHour(round_id=r, point_id=p, hour=h, samples=n) for r, p, h, n in rows]
    )


def insert_tubes(
    tubes: Sequence[Any], user: Any, states: dict[str, tuple[int, str, dt.datetime | None]]
) -> dict[str, int]:
    """Open new tubes, each in its state after the batch (`states`: barcode → sample count,
    status, closed at). Returns barcode → id for the tubes this call created: a barcode
    another upload created meanwhile is missing."""
    user_id = getattr(user, "pk", None)
    tubes = sorted(tubes, key=lambda t: t.barcode)
    if _pg():
        sql = (
            f"INSERT INTO {_table(Tube)} (barcode, round_id, point_id, mode, capacity, status, "  # noqa: S608
            "sample_count, opened_at, closed_at, opened_by_id, result, result_lab, "
            "result_conflict) "
            "SELECT b, r, p, m, c, s, n, o, cl, %s::bigint, '', '', false FROM unnest("
            "%b::text[], %b::bigint[], %b::bigint[], %b::text[], %b::int[], %b::text[], "
            "%b::int[], %b::timestamptz[], %b::timestamptz[]) AS v(b, r, p, m, c, s, n, o, cl) "
            "ON CONFLICT (barcode) DO NOTHING RETURNING barcode, id"
        )
        params = [
            user_id,
            [t.barcode for t in tubes],
            [t.round_id for t in tubes],
            [t.point_id for t in tubes],
            [t.mode for t in tubes],
            [t.capacity for t in tubes],
            [str(states[t.barcode][1]) for t in tubes],
            [states[t.barcode][0] for t in tubes],
            [t.opened_at for t in tubes],
            [states[t.barcode][2] for t in tubes],
        ]
        with _pg_cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())
    Tube.objects.bulk_create(
        [
            Tube(
                barcode=t.barcode,
                round_id=t.round_id,
                point_id=t.point_id,
                mode=t.mode,
                capacity=t.capacity,
                status=states[t.barcode][1],
                sample_count=states[t.barcode][0],
                opened_at=t.opened_at,
                closed_at=states[t.barcode][2],
                opened_by_id=user_id,
            )
            for t in tubes
        ]
    )
    return dict(
        Tube.objects.filter(barcode__in=[t.barcode for t in tubes]).values_list("barcode", "pk")
    )


EVENT_COLUMNS = (
    "client_event_id", "round_id", "person_id", "household_id", "tube_id", "point_id",
    "door_task_id", "sampled_at", "repeat",
)  # fmt: skip


def insert_events(
    rows: list[tuple[Any, ...]], received_at: dt.datetime, user_id: int | None, source: str
) -> set[str]:
    """Insert sample events (rows in EVENT_COLUMNS order, the event id as canonical UUID
    text); the ids actually inserted."""
    if _pg():
        e, r, p, h, t, pt, d, s, rp = (list(c) for c in zip(*rows, strict=True))
        ints = "string_to_array(%s, ',', '')::bigint[]"
        sql = (
            f"INSERT INTO {_table(SampleEvent)} ({', '.join(EVENT_COLUMNS)}, "  # noqa: S608
            "received_at, recorded_by_id, source) "
            "SELECT e, r, p, h, t, pt, d, s, rp, %s::timestamptz, %s::bigint, %s FROM unnest("
            f"string_to_array(%s, ',')::uuid[], {ints}, {ints}, {ints}, {ints}, {ints}, "
            f"{ints}, %b::timestamptz[], string_to_array(%s, ',')::boolean[]) "
            "AS v(e, r, p, h, t, pt, d, s, rp) "
            "ON CONFLICT (client_event_id) DO NOTHING RETURNING client_event_id::text"
        )
        params = [received_at, user_id, source, ",".join(e), *map(_ints, (r, p, h, t, pt, d))]
        with _pg_cursor() as cursor:
            cursor.execute(sql, [*params, s, _bools(rp)])
            return {row[0] for row in cursor.fetchall()}
    SampleEvent.objects.bulk_create(
        [
            SampleEvent(
                **dict(zip(EVENT_COLUMNS, row, strict=True)),
                received_at=received_at,
                recorded_by_id=user_id,
                source=source,
            )
            for row in rows
        ],
        batch_size=500,
    )
    return {row[0] for row in rows}


def update_tubes(changes: list[tuple[int, int, str, dt.datetime | None]]) -> None:
    """(id, sample_count, status, closed_at) for each tube the batch changed."""
    if not changes:
        return
    if _pg():
        ids, counts, statuses, closed = (list(c) for c in zip(*changes, strict=True))
        sql = (
            f"UPDATE {_table(Tube)} AS t SET sample_count = v.n, status = v.s, "  # noqa: S608
            "closed_at = v.c FROM unnest(%b::bigint[], %b::int[], %b::text[], "
            "%b::timestamptz[]) AS v(id, n, s, c) WHERE t.id = v.id"
        )
        with _pg_cursor() as cursor:
            cursor.execute(sql, [ids, counts, statuses, closed])
        return
    for tube_id, count, status, closed_at in changes:
        Tube.objects.filter(pk=tube_id).update(
            sample_count=count, status=status, closed_at=closed_at
        )
