"""What the bulk upload asks on every batch and what changes only when somebody acts.

Each batch of `record_batch` needs the same answers as the previous one from the same device:
the points the user staffs, the rounds and points they may record at (with the rounds' scopes
and the points' places), the zones in force for the round's incident (who is sealed at home,
which pool size each building takes). Asked through the ORM, these were about a dozen
statements a batch, a quarter of the worker's time per event.

Each gunicorn worker keeps those answers in memory, keyed by everything they depend on (the
user's id, role, unit and activity, the day, the rounds and points named), under the *stamps*
of the tables they come from (sampling.UploadRulesStamp): on PostgreSQL a statement trigger on
each of those tables (sampling migration 0007) writes a new random stamp in the writer's own
transaction. Every batch reads the stamps first (one small statement); when any differs from
what the answers were kept under, they are all dropped and asked again. A change therefore
takes effect on the next batch after its transaction commits, exactly as when every batch
asked. Zones also change with the clock (a designation starts or is lifted at a set time, an
incident ends): their answers are kept only for the interval in which the set in force cannot
change. Elsewhere (SQLite) there are no triggers: every batch asks, as before.
"""

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

# A worker's answers are a few hundred small entries at most (users × round/point sets).
MAX_ENTRIES = 1024

_lock = threading.Lock()
_kept: dict[str, Any] = {"stamp": None, "entries": {}}


def stamp() -> str | None:
    """The current stamps of the watched tables (None: nothing is kept on this database)."""
    if connection.vendor != "postgresql":
        return None
    from tongxin.sampling.models import UploadRulesStamp

    table = connection.ops.quote_name(UploadRulesStamp._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(string_agg(stamp, ',' ORDER BY source), '') FROM {table}"  # noqa: S608
        )
        return str(cursor.fetchone()[0])


def remember(current: str | None, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave under the same stamps and key. Values computed after the
    stamps were read are at least as new as the stamps say, so keeping them under those
    stamps is safe; a value computed while the stamps changed is simply not kept."""
    if current is None:
        return compute()
    with _lock:
        if _kept["stamp"] != current:
            _kept["stamp"], _kept["entries"] = current, {}
        entries: dict[Hashable, Any] = _kept["entries"]
        if key in entries:
            return entries[key]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        if _kept["stamp"] == current:
            if len(entries) >= MAX_ENTRIES:
                entries.clear()
            entries[key] = value
    return value


def remember_each(
    current: str | None, keys: dict[K, Hashable], compute: Callable[[set[K]], dict[K, T]]
) -> dict[K, T]:
    """`remember` for many items at once: `keys` gives each item's key, and `compute(items)`
    the values of the items not kept yet, in one go."""
    found: dict[K, T] = {}
    if current is not None:
        with _lock:
            if _kept["stamp"] == current:
                entries = _kept["entries"]
                found = {item: entries[key] for item, key in keys.items() if key in entries}
    missing = set(keys) - set(found)
    if missing:
        computed = compute(missing)
        found.update(computed)
        if current is not None:
            with _lock:
                if _kept["stamp"] != current:
                    _kept["stamp"], _kept["entries"] = current, {}
                entries = _kept["entries"]
                if len(entries) + len(computed) > MAX_ENTRIES:
                    entries.clear()
                for item, value in computed.items():
                    entries[keys[item]] = value
    return found


def forget() -> None:
    """Drop everything kept (tests; the stamps make it unnecessary in service)."""
    with _lock:
        _kept["stamp"], _kept["entries"] = None, {}


@dataclass
class ZoneWindow:
    """The zones in force for one incident from `start` until `until` (None: until a table
    changes), and what was derived from them: the stay-home zones' (path, kind name), whether
    any zone names a single household, and the sampling mode per (round, place path)."""

    start: dt.datetime
    until: dt.datetime | None
    in_force: Any  # zones.services.InForce: the designations in force, by place path
    stay_home: list[tuple[str, str]]
    single_homes: bool
    modes: dict[tuple[int, str], tuple[str, int]] = field(default_factory=dict)

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= at and (self.until is None or at < self.until)


def zone_window(current: str | None, incident_id: int, at: dt.datetime) -> ZoneWindow:
    """The incident's zones in force at `at` (kept while the stamps hold and `at` stays within
    the interval where no designation starts, ends or is cut by the incident's end)."""
    key = ("zones", incident_id)
    window = remember(current, key, lambda: _zone_window(incident_id, at))
    if not window.covers(at):
        window = _zone_window(incident_id, at)
        if current is not None:
            with _lock:
                if _kept["stamp"] == current:
                    _kept["entries"][key] = window
    return window


def _zone_window(incident_id: int, at: dt.datetime) -> ZoneWindow:
    from django.db.models import Q

    from tongxin.incidents.models import Incident
    from tongxin.places.models import PlaceKind
    from tongxin.zones.models import ZoneDesignation
    from tongxin.zones.services import in_force_by_path

    # Every moment after `at` at which the set in force changes: a designation starting or
    # lifted, the incident ending.
    moments = [
        t
        for start, end in ZoneDesignation.objects.filter(incident_id=incident_id)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=at))
        .values_list("effective_from", "effective_until")
        for t in (start, end)
        if t is not None and t > at
    ]
    ended = Incident.objects.filter(pk=incident_id).values_list("ended_at", flat=True).first()
    if ended is not None and ended > at:
        moments.append(ended)
    in_force = in_force_by_path(at, incident=Incident(pk=incident_id))
    stay_home = []
    single_homes = False
    for path, designations in in_force.items():
        for designation, kind in designations:
            if kind.leave_home is False or kind.door_to_door:
                stay_home.append((path, kind.name))
            single_homes = single_homes or designation.place.kind == PlaceKind.HOUSEHOLD
    return ZoneWindow(at, min(moments, default=None), in_force, stay_home, single_homes)
