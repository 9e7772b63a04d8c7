"""Live coverage (应检未检): for a round and any place, who should be tested, who has been
sampled, whose result is known, who is still untested (with their households and reasons),
whether those households were reminded, and each point's samples per hour.

A county's figures are sums over `RoundHousehold`, one narrow row per household and round:
uploads add their first samples to it as they store them, result imports their known results,
and `recount` counts the expected residents from the registry (`testing.services.should_test`)
and reconciles everything else, under a lock that makes uploads wait for the few seconds it
takes. The recount runs inline the first time a round's coverage is asked for, then in the
background whenever the figures are older than TONGXIN_COVERAGE_RECOUNT_SECONDS (300).

Everything is scoped with `visible_to(user)`: a unit sees its estates' households only; the
command line (user None) sees the whole round.
"""

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from tongxin.places.models import Place
from tongxin.sampling.models import (
    CoverageState,
    DoorStatus,
    DoorTask,
    PointHour,
    RoundHousehold,
    SampledPerson,
    SampleEvent,
    TestResult,
)
from tongxin.sampling.services import _sql
from tongxin.testing.models import (
    Exemption,
    ExemptionReason,
    ReminderEntry,
    ReminderStatus,
    TestPoint,
    TestRound,
)

KNOWN = (TestResult.NEGATIVE, TestResult.POSITIVE)
UNTESTED_LIMIT = 5000
# The untested page: people per page, and the most a caller may ask for.
UNTESTED_PAGE_SIZE = 100
UNTESTED_MAX_PAGE_SIZE = 500


def recount_seconds() -> int:
    return int(getattr(settings, "TONGXIN_COVERAGE_RECOUNT_SECONDS", 300))


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# --- keeping the tallies ----------------------------------------------------------------------


def _recount_select(test_round: TestRound) -> tuple[str, list[Any]]:
    """The round's tallies as the registry and the sampled people give them, per household:
    every expected resident (lives under the scope, 常住 or 暂住), whether they were sampled
    and have a result, plus the sampled people the round did not expect."""
    from tongxin.testing.services import EXPECTED_STATUSES, scope_paths

    person, place, sampled = (_sql._table(m) for m in (_person_model(), Place, SampledPerson))
    paths = scope_paths(test_round) or ["-"]
    where_path = " OR ".join(["h.path LIKE %s"] * len(paths))
    statuses = ", ".join(["%s"] * len(EXPECTED_STATUSES))
    sql = (
        "SELECT household_id, MAX(path) AS path, SUM(e) AS expected, "  # noqa: S608
        "SUM(s) AS sampled, SUM(o) AS sampled_other, SUM(k) AS result_known FROM ("
        "SELECT p.household_id AS household_id, h.path AS path, 1 AS e, "
        "CASE WHEN sp.id IS NULL THEN 0 ELSE 1 END AS s, 0 AS o, "
        "CASE WHEN sp.result IN (%s, %s) THEN 1 ELSE 0 END AS k "
        f"FROM {person} p JOIN {place} h ON h.id = p.household_id "
        f"LEFT JOIN {sampled} sp ON sp.round_id = %s AND sp.person_id = p.id "
        f"WHERE ({where_path}) AND p.residence_status IN ({statuses}) "
        "UNION ALL "
        f"SELECT household_id, path, 0, 0, 1, 0 FROM {sampled} "
        "WHERE round_id = %s AND NOT expected"
        ") AS counted GROUP BY household_id"
    )
    params = [*KNOWN, test_round.pk, *(f"{p}%" for p in paths), *EXPECTED_STATUSES, test_round.pk]
    return sql, params


_TALLY_FIELDS = ("path", "expected", "sampled", "sampled_other", "result_known")


def _apply_recount(test_round: TestRound) -> None:
    """Write the recount as differences: most households have not changed since the last
    count, so only the few that did are updated, added or removed."""
    tally = _sql._table(RoundHousehold)
    select, params = _recount_select(test_round)
    differs = " OR ".join(f"{tally}.{f} <> t.{f}" for f in _TALLY_FIELDS)
    assign = ", ".join(f"{f} = t.{f}" for f in _TALLY_FIELDS)
    columns = ", ".join(_TALLY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS tx_recount")
        cursor.execute(f"CREATE TEMPORARY TABLE tx_recount AS {select}", params)
        # Whatever the planner believes about freshly written tallies, probes stay cheap.
        cursor.execute("CREATE INDEX tx_recount_household ON tx_recount (household_id)")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE tx_recount")
        cursor.execute(
            f"UPDATE {tally} SET {assign} FROM tx_recount t "  # noqa: S608
            f"WHERE {tally}.round_id = %s AND {tally}.household_id = t.household_id "
            f"AND ({differs})",
            [test_round.pk],
        )
        cursor.execute(
            f"INSERT INTO {tally} (round_id, household_id, {columns}) "  # noqa: S608
            f"SELECT %s, t.household_id, {', '.join('t.' + f for f in _TALLY_FIELDS)} "
            f"FROM tx_recount t WHERE NOT EXISTS (SELECT 1 FROM {tally} rh "
            "WHERE rh.round_id = %s AND rh.household_id = t.household_id)",
            [test_round.pk, test_round.pk],
        )
        cursor.execute(
            f"DELETE FROM {tally} WHERE round_id = %s AND NOT EXISTS ("  # noqa: S608
            f"SELECT 1 FROM tx_recount t WHERE t.household_id = {tally}.household_id)",
            [test_round.pk],
        )
        cursor.execute("DROP TABLE tx_recount")


def _person_model() -> Any:
    from tongxin.people.models import Person

    return Person


def recount(test_round: TestRound, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Count the round's expected residents per household from the registry and reconcile the
    sampled and known-result tallies with it. Uploads to the round wait meanwhile (a few
    seconds for a county)."""
    now = now or timezone.now()
    with transaction.atomic():
        CoverageState.objects.get_or_create(round=test_round)
        state = CoverageState.objects.select_for_update().get(round=test_round)
        _flag_expected(test_round)
        _apply_recount(test_round)
        state.counted_at = now
        state.refresh_requested_at = None
        state.save()
    return RoundHousehold.objects.filter(round=test_round).aggregate(
        households=Count("id"), expected=Sum("expected")
    )


def _flag_expected(test_round: TestRound) -> None:
    """Mark each sampled person expected or not as the registry now says (a cadre may have
    marked someone 外出 since)."""
    from tongxin.testing.services import should_test

    expected = should_test(test_round).filter(pk=OuterRef("person_id"))
    SampledPerson.objects.filter(round=test_round, expected=True).exclude(Exists(expected)).update(
        expected=False
    )
    SampledPerson.objects.filter(round=test_round, expected=False).filter(Exists(expected)).update(
        expected=True
    )


def ensure_counted(test_round: TestRound, now: dt.datetime | None = None) -> dt.datetime | None:
    """Count the round now if it never was; ask the background worker to recount it when the
    count is older than the setting. Returns when it was last counted."""
    now = now or timezone.now()
    # Asked on every read of a coverage page: one indexed lookup, written once.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT counted_at FROM {_sql._table(CoverageState)} WHERE round_id = %s",  # noqa: S608
            [test_round.pk],
        )
        row = cursor.fetchone()
    counted_at = _as_datetime(row[0]) if row else None
    if counted_at is None:
        recount(test_round, now=now)
        return now
    if now - counted_at > dt.timedelta(seconds=recount_seconds()):
        stale = now - dt.timedelta(seconds=recount_seconds())
        asked = (
            CoverageState.objects.filter(round=test_round)
            .filter(Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lt=stale))
            .update(refresh_requested_at=now)
        )
        if asked:
            from tongxin.sampling.tasks import recount_coverage

            transaction.on_commit(lambda: recount_coverage.enqueue(test_round.pk), robust=True)
    return counted_at


def _as_datetime(value: Any) -> dt.datetime | None:
    """A timestamp read by a raw query: PostgreSQL gives an aware datetime, SQLite a naive
    one (or its text) in UTC, read back as the ORM would."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def note_results(tube_ids: list[int]) -> int:
    """Tubes just given a negative or positive result: their members' first known result in
    the round, added once to their household's tally. Returns how many people that was."""
    if not tube_ids:
        return 0
    pairs = set(
        SampleEvent.objects.filter(tube_id__in=tube_ids).values_list("round_id", "person_id")
    )
    if not pairs:
        return 0
    result_of = dict(
        SampleEvent.objects.filter(tube_id__in=tube_ids).values_list("person_id", "tube__result")
    )
    candidates = (
        SampledPerson.objects.select_for_update()
        .filter(
            round_id__in={r for r, _p in pairs},
            person_id__in={p for _r, p in pairs},
            result="",
        )
        .order_by("pk")
    )
    tallies: dict[tuple[int, int], list[Any]] = {}
    done = 0
    for row in candidates:
        if (row.round_id, row.person_id) not in pairs:
            continue
        SampledPerson.objects.filter(pk=row.pk).update(result=result_of[row.person_id])
        done += 1
        if row.expected:
            key = (row.round_id, row.household_id)
            tallies.setdefault(key, [row.round_id, row.household_id, row.path, 0])[3] += 1
    _sql.add_result_tallies([tuple(t) for _k, t in sorted(tallies.items())])
    return done


# --- reading ----------------------------------------------------------------------------------


def _tallies(test_round: TestRound, user: Any) -> Any:
    qs = RoundHousehold.objects.filter(round=test_round)
    return qs.visible_to(user) if user is not None else qs


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    expected = row.get("n_expected") or 0
    sampled = row.get("n_sampled") or 0
    return {
        "should_test": expected,
        "sampled": sampled,
        "result_known": row.get("n_known") or 0,
        "untested": max(0, expected - sampled),
        "rate": round(sampled / expected, 4) if expected else None,
        "sampled_not_expected": row.get("n_other") or 0,
        "households": row.get("n_households") or 0,
        "untested_households": row.get("n_untested_households") or 0,
    }


_AGGREGATES = {
    "n_expected": Sum("expected"),
    "n_sampled": Sum("sampled"),
    "n_other": Sum("sampled_other"),
    "n_known": Sum("result_known"),
    "n_households": Count("id", filter=Q(expected__gt=0)),
    "n_untested_households": Count("id", filter=Q(expected__gt=F("sampled"))),
}


def _tops(test_round: TestRound, user: Any) -> list[Place]:
    """Where a whole-round view starts: the round's scope places, or for a unit the highest of
    its places (or of the scope) that both cover."""
    from tongxin.accounts.jurisdiction import jurisdiction_of
    from tongxin.testing.services import scope_paths

    paths = scope_paths(test_round)
    if user is not None:
        j = jurisdiction_of(user)
        if not j.everywhere:
            paths = sorted(
                {
                    p if p.startswith(mine) else mine
                    for p in paths
                    for mine in j.paths
                    if p.startswith(mine) or mine.startswith(p)
                }
            )
    return list(Place.objects.filter(path__in=paths).order_by("path"))


def coverage_report(
    round: TestRound,
    area: Place | None = None,
    *,
    user: Any = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The coverage of a round under `area` (the whole round when None), JSON-ready, masked
    (counts, place names, point names; no person). `user` scopes it; None is the command
    line's whole round."""
    test_round = round
    now = now or timezone.now()
    counted_at = ensure_counted(test_round, now)
    tallies = _tallies(test_round, user)
    if area is None:
        tops = _tops(test_round, user)
        if len(tops) == 1:
            area = tops[0]
    children: list[dict[str, Any]] = []
    if area is not None:
        tallies = tallies.filter(path__startswith=area.path)
        length = len(area.path) + Place.steplen
        grouped = list(
            tallies.annotate(k=Substr("path", 1, length))
            .values("k")
            .annotate(**_AGGREGATES)
            .order_by()
        )
        names = {p.path: p for p in Place.objects.filter(path__in=[g["k"] for g in grouped])}
        for group in grouped:
            place = names.get(group["k"])
            if place is None or place.path == area.path:
                continue
            children.append(_child(place, group))
        totals = _sum(grouped)
    else:
        for top in tops:
            group = tallies.filter(path__startswith=top.path).aggregate(**_AGGREGATES)
            children.append(_child(top, group))
        totals = _sum(children, from_children=True)
    children.sort(key=lambda c: c["path"])
    for child in children:
        child.pop("path")
    report: dict[str, Any] = {
        "round": {
            "id": test_round.pk,
            "name": test_round.name,
            "status": test_round.status,
            "starts_at": _iso(test_round.starts_at),
            "deadline": _iso(test_round.deadline),
        },
        "area": _place(area) if area is not None else None,
        "generated_at": _iso(now),
        "counted_at": _iso(counted_at),
        **totals,
        "children": children,
    }
    report["exempted_untested"] = _exempted_untested(test_round, area, user)
    report["reminders"] = _reminders(test_round, area, user, report["untested_households"])
    report["points"] = points_per_hour(test_round, area, user)
    return report


def cache_seconds() -> int:
    return int(getattr(settings, "TONGXIN_COVERAGE_CACHE_SECONDS", 30))


SHARED_CACHE = "shared"
# A recomputation that has not finished by then is taken for dead (its worker killed): the next
# reader may start another one.
COMPUTING_SECONDS = 120
# How long a reader with nothing to show waits for the one recomputation already running,
# checking every WAIT_STEP seconds, before computing the figures itself.
WAIT_SECONDS = 15.0
WAIT_STEP = 0.05

logger = logging.getLogger(__name__)


# After the shared cache failed, the worker uses its own for this long before trying again.
RETRY_SHARED_SECONDS = 60.0
_shared_down_until = [0.0]


class _Cache:
    """The shared cache (settings.CACHES["shared"]: the database, or Redis), falling back to
    the process's own cache when it cannot be reached (no cache table yet, Redis down): the
    figures are then shared per worker, as they were before there was a shared cache. The
    worker says so once and tries the shared cache again after RETRY_SHARED_SECONDS."""

    def __init__(self) -> None:
        self.shared = time.monotonic() >= _shared_down_until[0]
        self.backend = caches[SHARED_CACHE] if self.shared else caches["default"]

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.shared:
            try:
                return getattr(self.backend, method)(*args, **kwargs)
            except Exception as exc:  # any backend's own errors: fall back, and say so
                logger.warning("shared cache unavailable, using the worker's own: %r", exc)
                _shared_down_until[0] = time.monotonic() + RETRY_SHARED_SECONDS
                self.backend, self.shared = caches["default"], False
        return getattr(self.backend, method)(*args, **kwargs)


def shared_key(round: TestRound, area: Place | None, user: Any) -> str:
    """Who sees the same figures: the round, the area, the caller's jurisdiction (its places,
    never the person) and the language."""
    import hashlib

    from django.utils.translation import get_language

    from tongxin.accounts.jurisdiction import jurisdiction_of

    j = jurisdiction_of(user)
    reach = "*" if j.everywhere else "|".join(j.paths)
    where = area.pk if area is not None else ""
    digest = hashlib.sha256(f"{round.pk}:{where}:{reach}:{get_language()}".encode()).hexdigest()
    return f"sampling:coverage:{digest}"


def shared_report(round: TestRound, area: Place | None = None, *, user: Any) -> dict[str, Any]:
    """`coverage_report` as the pages and the API serve it: computed at most once every
    TONGXIN_COVERAGE_CACHE_SECONDS (30; 0 turns it off) for the whole site, whichever worker
    serves the request, for everyone who sees the same places (`shared_key`), so two hundred
    cadres refreshing every 30 s during the morning surge cost the database one grouped sum
    per window instead of seven a second. The figures are counts only, no person.

    One recomputation at a time per key: the reader who finds the window over takes a lock in
    the shared cache (an atomic `add`) and recomputes; meanwhile the others are served the
    previous window's figures, or, when there are none yet, wait for the one being computed
    (at most WAIT_SECONDS). A figure is therefore at most a window old, plus the time one
    recomputation takes; `generated_at` says when it was computed."""
    seconds = cache_seconds()
    if seconds <= 0:
        return coverage_report(round, area, user=user)
    cache = _Cache()
    key = shared_key(round, area, user)
    entry = cache("get", key)
    if entry is not None and entry["fresh_until"] > time.time():
        return dict(entry["report"])
    if cache("add", f"{key}:computing", 1, COMPUTING_SECONDS):
        try:
            report = coverage_report(round, area, user=user)
            # Kept beyond its window so that readers have something to show while the next
            # window's figures are computed.
            keep = 2 * seconds + COMPUTING_SECONDS
            cache("set", key, {"report": report, "fresh_until": time.time() + seconds}, keep)
        finally:
            cache("delete", f"{key}:computing")
        return report
    if entry is not None:
        return dict(entry["report"])
    waited = 0.0
    while waited < WAIT_SECONDS:
        time.sleep(WAIT_STEP)
        waited += WAIT_STEP
        entry = cache("get", key)
        if entry is not None:
            return dict(entry["report"])
    return coverage_report(round, area, user=user)


def _place(place: Place) -> dict[str, Any]:
    return {"id": place.pk, "name": place.name, "kind": place.kind, "address": place.address}


def _child(place: Place, group: dict[str, Any]) -> dict[str, Any]:
    return {**_place(place), "path": place.path, **_figures(group)}


def _sum(rows: list[dict[str, Any]], from_children: bool = False) -> dict[str, Any]:
    if from_children:
        keys = {
            "n_expected": "should_test", "n_sampled": "sampled",
            "n_other": "sampled_not_expected", "n_known": "result_known",
            "n_households": "households", "n_untested_households": "untested_households",
        }  # fmt: skip
        total = {k: sum(r[v] or 0 for r in rows) for k, v in keys.items()}
    else:
        total = {k: sum((r.get(k) or 0) for r in rows) for k in _AGGREGATES}
    return _figures(total)


def _exempted_untested(test_round: TestRound, area: Place | None, user: Any) -> dict[str, Any]:
    """Exemptions of people still untested, by reason (the honest part of 应检未检).

    Exemptions are few (a few per cent of a round), so each is looked up by key: the
    exemptions, then which of those people the round expects (and the user may see, under
    the area), then which of them were sampled."""
    from tongxin.people.models import Person
    from tongxin.testing.services import EXPECTED_STATUSES

    reasons = dict(Exemption.objects.filter(round=test_round).values_list("person_id", "reason"))
    if not reasons:
        return {"total": 0, "by_reason": []}
    from tongxin.accounts.jurisdiction import jurisdiction_of
    from tongxin.testing.services import scope_paths

    people = Person.objects.filter(pk__in=list(reasons), residence_status__in=EXPECTED_STATUSES)
    # Each filter joins the households; leave out the ones that cannot remove anybody.
    if user is not None and not jurisdiction_of(user).everywhere:
        people = people.visible_to(user)
    if area is not None and not all(p.startswith(area.path) for p in scope_paths(test_round)):
        people = people.under(area)
    expected = list(people.values_list("pk", flat=True))
    sampled = _sql.sampled_among(test_round.pk, expected)
    counts: dict[str, int] = {}
    for person_id in expected:
        if person_id not in sampled:
            counts[reasons[person_id]] = counts.get(reasons[person_id], 0) + 1
    labels = dict(ExemptionReason.choices)
    return {
        "total": sum(counts.values()),
        "by_reason": [
            {"reason": code, "label": str(labels.get(code, code)), "count": counts[code]}
            for code in ExemptionReason.values
            if counts.get(code)
        ],
    }


def _reminders(
    test_round: TestRound, area: Place | None, user: Any, untested_households: int
) -> dict[str, int]:
    """Of the households with someone untested: reminded, no answer, not reminded yet."""
    untested = _tallies(test_round, user).filter(expected__gt=F("sampled"))
    entries = ReminderEntry.objects.filter(round=test_round)
    if user is not None:
        entries = entries.visible_to(user)
    if area is not None:
        untested = untested.filter(path__startswith=area.path)
        entries = entries.filter(household__path__startswith=area.path)
    counts = dict(
        entries.filter(household_id__in=untested.values("household_id"))
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    reminded = counts.get(ReminderStatus.REMINDED, 0)
    no_answer = counts.get(ReminderStatus.NO_ANSWER, 0)
    return {
        "untested_households": untested_households,
        "reminded": reminded,
        "no_answer": no_answer,
        "not_reminded": max(0, untested_households - reminded - no_answer),
    }


def points_per_hour(
    test_round: TestRound, area: Place | None = None, user: Any = None
) -> list[dict[str, Any]]:
    """Each point's samples per clock hour (county time), busiest first."""
    points = TestPoint.objects.all() if user is None else TestPoint.objects.visible_to(user)
    if area is not None:
        points = points.filter(place__path__startswith=area.path)
    rows = (
        PointHour.objects.filter(round=test_round, point__in=points)
        .values_list("point_id", "point__name", "hour")
        .annotate(n=Sum("samples"))
        .order_by("point_id", "hour")
    )
    by_point: dict[int, dict[str, Any]] = {}
    for point_id, name, hour, samples in rows:
        item = by_point.setdefault(
            point_id, {"id": point_id, "name": name, "samples": 0, "hours": []}
        )
        item["samples"] += samples
        item["hours"].append({"hour": _iso(hour), "samples": samples})
    return sorted(by_point.values(), key=lambda p: (-p["samples"], p["name"]))


def _untested_people(test_round: TestRound, place: Place, user: Any) -> Any:
    """The people under `place` the round expects (the registry: lives there, 常住 or 暂住), the
    user may see, whom the round has not sampled: an anti-join against the round's first
    samples (`SampledPerson`), one probe of its (round, person) unique index per resident."""
    from tongxin.testing.services import should_test

    people = should_test(test_round).under(place)
    if user is not None:
        people = people.visible_to(user)
    return people.exclude(
        Exists(SampledPerson.objects.filter(round=test_round, person_id=OuterRef("pk")))
    )


_UNTESTED_COLUMNS = (
    "pk", "name", "document_masked", "household_id", "household__address", "household__name",
    "reason", "reminder", "door",
)  # fmt: skip


def _with_reasons(test_round: TestRound, people: Any) -> Any:
    """Each listed person's reason (an exemption), their household's reminder and any
    door-to-door task: subqueries by key ((round, person), (round, household)), which
    PostgreSQL evaluates for the rows of the page only."""
    return people.annotate(
        reason=Subquery(
            Exemption.objects.filter(round=test_round, person_id=OuterRef("pk")).values("reason")[
                :1
            ]
        ),
        reminder=Subquery(
            ReminderEntry.objects.filter(
                round=test_round, household_id=OuterRef("household_id")
            ).values("status")[:1]
        ),
        door=Subquery(
            DoorTask.objects.filter(round=test_round, household_id=OuterRef("household_id"))
            .filter(Q(person__isnull=True) | Q(person_id=OuterRef("pk")))
            .values("status")[:1]
        ),
    ).order_by("household__path", "name", "pk")


def _untested_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reasons = dict(ExemptionReason.choices)
    door_states = dict(DoorStatus.choices)
    return [
        {
            "person_id": r["pk"],
            "name": r["name"],
            "document_masked": r["document_masked"],
            "household_id": r["household_id"],
            "household": r["household__address"] or r["household__name"],
            "reason": r["reason"],
            "reason_label": str(reasons[r["reason"]]) if r["reason"] else "",
            "reminder": r["reminder"],
            "door_task": r["door"],
            "door_task_label": str(door_states[r["door"]]) if r["door"] else "",
        }
        for r in rows
    ]


def untested(
    round: TestRound,
    place: Place,
    *,
    user: Any = None,
    limit: int = UNTESTED_LIMIT,
) -> list[dict[str, Any]]:
    """The people under `place` the round expects and has not sampled, by household, with the
    reason they gave (an exemption), whether their household was reminded and any
    door-to-door task. Masked; JSON-ready."""
    people = _with_reasons(round, _untested_people(round, place, user))
    return _untested_rows(list(people.values(*_UNTESTED_COLUMNS)[:limit]))


def untested_page(
    round: TestRound,
    place: Place,
    *,
    user: Any = None,
    page: int = 1,
    size: int | None = None,
) -> dict[str, Any]:
    """One page of `untested` (UNTESTED_PAGE_SIZE people, at most UNTESTED_MAX_PAGE_SIZE, in
    household order) and how many there are in all: `{"rows", "total", "page", "pages",
    "size"}`. A page past the last is the last.

    Read from the running tallies, so that its cost follows the page, not the estate: the
    round's households under `place` with someone untested (`RoundHousehold`, its (round, path)
    index, in path order) give the total and the range of households the page covers; only
    the residents in that range are then read from the registry and anti-joined against the
    round's first samples. The tallies are the summary's: the total is the summary's
    `untested` for the place, and a resident added to the registry since the last recount
    (TONGXIN_COVERAGE_RECOUNT_SECONDS) shows once it is counted. Scoped like `untested`."""
    from tongxin.accounts.permissions import Perm, has_perm

    test_round = round
    size = max(1, min(int(size or UNTESTED_PAGE_SIZE), UNTESTED_MAX_PAGE_SIZE))
    if user is not None and not has_perm(user, Perm.VIEW_RESIDENTS):
        return {"rows": [], "total": 0, "page": 1, "pages": 1, "size": size}
    ensure_counted(test_round)
    homes = list(
        _tallies(test_round, user)
        .filter(path__startswith=place.path, expected__gt=F("sampled"))
        .order_by("path")
        .values_list("household_id", "expected", "sampled")
    )
    total = sum(e - s for _h, e, s in homes)
    pages = max(1, -(-total // size))
    page = min(max(1, int(page)), pages)
    low, high = (page - 1) * size, page * size
    covered: list[int] = []
    skip, start = 0, 0
    for household_id, e, s in homes:
        if start < high and start + (e - s) > low:
            if not covered:
                skip = low - start
            covered.append(household_id)
        start += e - s
        if start >= high:
            break
    rows: list[dict[str, Any]] = []
    if covered:
        rows = _page_people(test_round, place, user, covered, skip, size)
    return {
        "rows": _untested_rows(rows),
        "total": total,
        "page": page,
        "pages": pages,
        "size": size,
    }


def _page_people(
    test_round: TestRound, place: Place, user: Any, households: list[int], skip: int, size: int
) -> list[dict[str, Any]]:
    """The untested residents of these households (the page's range, taken from the tallies
    `visible_to(user)`): the residents the round expects (常住 or 暂住) still living under
    `place` and, for a unit, under its jurisdiction (both on the household's current path),
    whom the round has not sampled, with their reason, reminder and door task, in household
    order. One statement written once: building it through the ORM cost more CPU than
    running it (issue 15, section 4)."""
    from tongxin.accounts.jurisdiction import jurisdiction_of
    from tongxin.testing.services import EXPECTED_STATUSES

    person, home, sampled, exemption, reminder, door = (
        _sql._table(m)
        for m in (_person_model(), Place, SampledPerson, Exemption, ReminderEntry, DoorTask)
    )
    # One array parameter on PostgreSQL (the statement's text, and psycopg's parsing of it,
    # stay the same whatever the page); a list of placeholders elsewhere.
    params: list[Any]
    if connection.vendor == "postgresql":
        where, params = ["p.household_id = ANY(%s)"], [households]
    else:
        where, params = [f"p.household_id IN ({', '.join(['%s'] * len(households))})"], households
    where += [
        f"p.residence_status IN ({', '.join(['%s'] * len(EXPECTED_STATUSES))})",
        "h.path LIKE %s",
    ]
    params = [*params, *EXPECTED_STATUSES, f"{place.path}%"]
    if user is not None:
        j = jurisdiction_of(user)
        if not j.everywhere:
            where.append("(" + " OR ".join(["h.path LIKE %s"] * len(j.paths) or ["1 = 0"]) + ")")
            params += [f"{path}%" for path in j.paths]
    sql = (
        "SELECT p.id, p.name, p.document_masked, p.household_id, h.address, h.name, "  # noqa: S608
        f"(SELECT e.reason FROM {exemption} e WHERE e.round_id = %s AND e.person_id = p.id "
        "LIMIT 1), "
        f"(SELECT r.status FROM {reminder} r WHERE r.round_id = %s "
        "AND r.household_id = p.household_id LIMIT 1), "
        f"(SELECT d.status FROM {door} d WHERE d.round_id = %s "
        "AND d.household_id = p.household_id AND (d.person_id IS NULL OR d.person_id = p.id) "
        "LIMIT 1) "
        f"FROM {person} p JOIN {home} h ON h.id = p.household_id "
        f"WHERE {' AND '.join(where)} "
        f"AND NOT EXISTS (SELECT 1 FROM {sampled} s WHERE s.round_id = %s AND s.person_id = p.id) "
        "ORDER BY h.path, p.name, p.id LIMIT %s OFFSET %s"
    )
    round_id = test_round.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_id] * 3 + params + [round_id, size, skip])
        found = cursor.fetchall()
    return [dict(zip(_UNTESTED_COLUMNS, row, strict=True)) for row in found]


def expected_elsewhere(
    test_round: TestRound, place: Place, *, user: Any = None, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """People under `place` other modules expect to be tested on `on` (today by default) beyond
    the round — tracing's contacts on their test days — each with whether they were sampled
    that day and how many earlier test days they missed (incidents.registry providers)."""
    from tongxin.incidents.registry import expected_tests_providers

    on = on or timezone.localdate()
    rows: list[dict[str, Any]] = []
    for provider in expected_tests_providers().values():
        rows += provider(test_round.incident, area=place, on=on, user=user)
    return rows


def untested_by_household(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The untested list grouped by household, for pages."""
    grouped: dict[int, dict[str, Any]] = {}
    for row in rows:
        group = grouped.setdefault(
            row["household_id"],
            {
                "household_id": row["household_id"],
                "household": row["household"],
                "reminder": row["reminder"],
                "people": [],
            },
        )
        group["people"].append(row)
    return list(grouped.values())
