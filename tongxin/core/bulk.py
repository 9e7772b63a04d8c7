"""Storing and building many model rows at once, for the bulk paths (derivation at scale).

`bulk_create` costs about 0.15 ms a row on PostgreSQL for a model of fifteen columns: Django
prepares every value through its field, then psycopg quotes each parameter into the statement
text. On PostgreSQL `copy_rows` sends the same values by `COPY … FROM STDIN` (psycopg 3 formats
each row in C) and `reserve_ids` takes the primary keys from the table's sequence first, so
nothing is read back. `instances` builds the model objects for rows whose every column the
caller already holds, as `Model.from_db` would, without Django's per-field `__init__`.

Only PostgreSQL takes the COPY path; callers keep `bulk_create` for other databases.
"""

import gc
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=models.Model)


_pause = threading.Lock()
_pausing = [0, False]  # bulk paths running, whether the collector was on before the first


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a bulk path builds its objects: deriving
    60,000 次密接 makes about half a million containers, and the collections they trigger
    (each older generation walking every live object of the worker) took a third of its
    Python time. Reference counting still frees everything as usual; cycles made meanwhile
    wait for the next collection after the last bulk path of the process ends (threads of one
    worker share the collector, hence the count)."""
    with _pause:
        if _pausing[0] == 0:
            _pausing[1] = gc.isenabled()
            gc.disable()
        _pausing[0] += 1
    try:
        yield
    finally:
        with _pause:
            _pausing[0] -= 1
            if _pausing[0] == 0 and _pausing[1]:
                gc.enable()


def copies() -> bool:
    """Whether this database takes the COPY path (PostgreSQL with psycopg 3)."""
    return connection.vendor == "postgresql"


class NewRows:
    """Rows of new objects of one model: every concrete field's value in field order, the
    ones not given taking what `save()` would store (the field's default, called afresh for
    a callable one such as `list`; `now` for auto_now(_add) fields). A field added to the model
    later is written with its own default."""

    def __init__(self, model: type[models.Model], now: Any) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        own = [f.name for f in self.fields if type(f).__module__.startswith("tongxin.")]
        if own:
            # Our own fields (encrypted text, blind indexes) prepare their value for the
            # database; COPY would write the Python value as it is, i.e. in clear.
            raise TypeError(f"{model.__name__}: {', '.join(own)} cannot be written by COPY")
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.template: list[Any] = []
        self.fresh: list[tuple[int, models.Field]] = []  # type: ignore[type-arg]
        for i, f in enumerate(self.fields):
            if f.primary_key:
                self.template.append(None)
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.template.append(now)
            else:
                self.template.append(f.get_default())
                if f.has_default() and callable(f.default):
                    self.fresh.append((i, f))
        # Fields whose Python value is not what the database takes (JSON): adapted per row.
        self.adapt = [(i, f) for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]

    def row(self, values: dict[str, Any]) -> list[Any]:
        """One new object's values (Python), `values` by attname over the defaults."""
        row = self.template.copy()
        for i, f in self.fresh:
            row[i] = f.get_default()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return row

    def db_row(self, row: Sequence[Any]) -> list[Any]:
        """The same values as the database takes them (for `copy_rows`): JSON as its text."""
        if not self.adapt:
            return list(row)
        out = list(row)
        for i, f in self.adapt:
            value = out[i]
            if value is None:
                continue
            if not value and type(value) in (list, dict):
                out[i] = "[]" if type(value) is list else "{}"
            else:
                out[i] = json.dumps(value, cls=f.encoder)  # type: ignore[attr-defined]
        return out


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys from the table's sequence (PostgreSQL), in one query."""
    if count <= 0:
        return []
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        # The sequence looked up once (a per-row lookup of the catalog costs more than nextval).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(
    model: type[models.Model],
    fields: Sequence[models.Field],  # type: ignore[type-arg]
    rows: Iterable[Sequence[Any]],
) -> int:
    """COPY rows (database values, in the order of `fields`) into the model's table."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def instances(
    model: type[M],
    rows: Iterable[Sequence[Any]],
    db: str = "default",
    attnames: Sequence[str] | None = None,
) -> list[M]:
    """Model objects for rows already stored: what `Model.from_db` gives (not adding, the
    database set, an audited model's loaded snapshot), without the per-field `__init__`
    (≈ 4 × cheaper). Each row holds every concrete field's value in field order, or the
    values of `attnames` (the other fields then deferred: read from the database when first
    used, as with `.only()`). A model with init signal receivers goes through `from_db`.
    The rows are kept by an audited model's objects (their loaded values): do not change
    them afterwards."""
    build = builder(model, db, attnames)
    return [build(row) for row in rows]


def builder(
    model: type[M], db: str = "default", attnames: Sequence[str] | None = None
) -> Callable[[Sequence[Any]], M]:
    """`instances` one row at a time (for a loop that also streams the rows to COPY)."""
    names = tuple(attnames) if attnames is not None else None
    fields = list(names) if names is not None else [f.attname for f in model._meta.concrete_fields]
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return lambda row: model.from_db(db, fields, list(row))
    audited = hasattr(model, "audit_snapshot_of")
    new = model.__new__

    def build(row: Sequence[Any]) -> M:
        obj = new(model)
        obj.__dict__.update(zip(fields, row, strict=True))
        state = ModelState()
        state.adding = False
        state.db = db
        obj._state = state
        if audited:  # its loaded snapshot, worked out if a save asks for it
            obj.__dict__["_audit_row"] = (row, names)
        return obj

    return build


def id_list(ids: Iterable[int]) -> str:
    """Ids as one text parameter, for `unnest(string_to_array(%s, ',')::bigint[])`."""
    return ",".join(str(int(i)) for i in ids)
