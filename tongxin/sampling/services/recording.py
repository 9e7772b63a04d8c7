"""Recording sample events: the point page, door-to-door teams and the devices' bulk upload
all come through `record_batch`.

A batch of up to 1,000 events is validated and stored in a bounded number of statements,
whatever its size: the rounds and points it names (two queries), the people by blind index
(one per document type), the tubes it touches (locked, one query), the event ids already
stored (one), earlier samples of the same people in the round (one), then one INSERT of the
new tubes, one INSERT … ON CONFLICT DO NOTHING RETURNING of the events, one UPDATE of the tube
counts and one audit row. Nothing is done per event in the database, except registering a
walk-in (a person new to the registry), which is rare.

Each event gets a result: stored (perhaps with a warning), duplicate (its id was stored
before: a batch sent twice is stored once) or refused with a reason and a Chinese message.
"""

import datetime as dt
import functools
import operator
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.core import crypto, idnumbers
from tongxin.core.masking import mask_document
from tongxin.core.text import clean_text
from tongxin.people.models import DocumentType, Person
from tongxin.sampling.models import (
    DoorTask,
    SampleEvent,
    SampleSource,
    TubeStatus,
)
from tongxin.sampling.services import _sql, upload_rules
from tongxin.sampling.services.access import can, staffed_points
from tongxin.testing.models import (
    POOL_SIZES,
    RoundPoint,
    RoundStatus,
    SamplingMode,
    TestPoint,
    TestRound,
)

MAX_BATCH = 1000
# A device's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
BARCODE_MAX = 64

_MODES = frozenset(SamplingMode.values)
_DOCUMENT_TYPES = frozenset(DocumentType.values)
_POOL = str(SamplingMode.POOL.value)
_RESIDENT_ID = str(DocumentType.RESIDENT_ID.value)

STORED = "stored"
DUPLICATE = "duplicate"
REFUSED = "refused"


class BatchError(ValueError):
    """The batch as a whole cannot be taken (too large, not a list, no permission)."""


class NotAllowed(BatchError):
    pass


def _messages() -> dict[str, str]:
    # Built per call: translated into the language active for the request.
    return {
        "bad_id": _("缺少事件编号，或编号不是有效的 UUID"),
        "id_conflict": _("事件编号已用于另一条不同的采样记录，请为新记录生成新编号"),
        "bad_kind": _("事件类型无效"),
        "bad_time": _("采样时间无效"),
        "future_time": _("采样时间晚于当前时间，请检查设备时钟"),
        "no_round": _("轮次不存在，或您无权在该轮次登记"),
        "round_closed": _("该轮次已结束，不能再登记采样"),
        "no_point": _("该采样点未参加本轮次，或您无权在此登记"),
        "no_task": _("上门采样任务不存在，或不属于本轮次"),
        "no_identity": _("缺少居民身份信息（身份证号或居民编号）"),
        "bad_document": _("证件号码无效"),
        "unknown_person": _("登记名单中没有此人，请现场登记"),
        "no_tube": _("缺少试管条码"),
        "bad_tube": _("试管条码过长或含有空白字符"),
        "bad_mode": _("采样方式无效"),
        "tube_other_round": _("试管 %(tube)s 属于其他轮次，不能使用"),
        "tube_closed": _("试管 %(tube)s 已封管，不能再加样，请换新管"),
        "tube_full": _("试管 %(tube)s 已满（%(n)s/%(n)s 人），请换新管"),
        "tube_other_household": _("试管 %(tube)s 为一户一管，只能采同一户的成员"),
        "tube_busy": _("试管 %(tube)s 正在被另一台设备开管，请稍后重传"),
        "tube_empty": _("试管 %(tube)s 还没有样本，无需封管"),
        "tube_unknown": _("试管 %(tube)s 未登记"),
        "walk_in": _("现场登记未通过：%(detail)s"),
    }


@dataclass(slots=True)
class _Event:
    index: int
    key: str
    kind: str = "sample"
    round_id: int | None = None
    point_id: int | None = None
    door_task_id: int | None = None
    barcode: str = ""
    tube_mode: str = ""
    tube_capacity: int | None = None
    person_id: int | None = None
    doc_type: str = ""
    doc_number: str = ""
    walk_in: dict[str, Any] | None = None
    sampled_at: dt.datetime | None = None
    household_id: int | None = None
    household_path: str = ""
    status_code: str = ""  # residence status
    new_person: bool = False  # registered on the spot
    # Registered, but outside what the sampler may learn about: answered like a stranger.
    hidden: bool = False
    person_label: str = ""
    status: str = ""
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    warnings: dict[str, dict[str, Any]] = field(default_factory=dict)
    tube_id: int | None = None

    @property
    def open(self) -> bool:
        return not self.status

    def refuse(self, reason: str, **detail: Any) -> None:
        self.status, self.reason, self.detail = REFUSED, reason, detail


@dataclass(slots=True)
class _TubeState:
    id: int | None
    barcode: str
    round_id: int
    point_id: int | None
    mode: str
    capacity: int
    status: str
    count: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None
    household_id: int | None = None  # a household tube's household
    added: int = 0
    closing: dt.datetime | None = None
    written: bool = False  # inserted by this batch in its final state

    @property
    def new(self) -> bool:
        return self.id is None


@dataclass
class BatchResult:
    results: list[dict[str, Any]]
    stored: int = 0
    duplicate: int = 0
    refused: int = 0
    warnings: int = 0
    tubes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "duplicate": self.duplicate,
            "refused": self.refused,
            "warnings": self.warnings,
            "results": self.results,
            "tubes": self.tubes,
        }


# --- parsing ----------------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    if type(value) is int:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = idnumbers.WEIGHTS
_ID_ZERO = ord("0") * sum(_ID_WEIGHTS)
_ID_CHECK = idnumbers.CHECK_CHARS
# Birth dates (YYYYMMDD) seen valid, for the day they were checked on: a county's residents
# share a few tens of thousands of them.
_births: dict[str, bool] = {}
_births_day: list[dt.date | None] = [None]


def _plain_resident_id(number: str, today: dt.date) -> bool:
    """Whether `number` is a valid 18-character resident ID number exactly as a card's chip
    gives it: the same rules as `idnumbers.parse` (province, birth date not in the future nor
    before 1890, GB 11643 check character) in a few C calls, for the thousands a second a bulk
    upload checks. False means "ask idnumbers.parse", which normalises or explains."""
    if _PLAIN_ID.fullmatch(number) is None or number[:2] not in idnumbers.PROVINCES:
        return False
    if _births_day[0] != today or len(_births) > 100_000:
        _births.clear()
        _births_day[0] = today
    birth = number[6:14]
    valid = _births.get(birth)
    if valid is None:
        try:
            born = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
        except ValueError:
            valid = False
        else:
            valid = born <= today and born.year >= 1890
        _births[birth] = valid
    if not valid:
        return False
    digits = number.encode()
    return _ID_CHECK[(sum(map(operator.mul, digits, _ID_WEIGHTS)) - _ID_ZERO) % 11] == number[17]


def _parse_time(value: Any, tz: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _parse(
    index: int, raw: Any, defaults: dict[str, Any], tz: Any, latest: dt.datetime, today: dt.date
) -> _Event:
    if not isinstance(raw, dict):
        event = _Event(index, "")
        event.refuse("bad_id")
        return event
    get = raw.get
    key = get("id")
    event = _Event(index, key if isinstance(key, str) else str(key or ""))
    if not _CANONICAL_UUID.fullmatch(event.key):
        # What a device almost always sends is already canonical (and so a valid UUID);
        # anything else is parsed, and kept as str() of the UUID, its canonical form.
        try:
            event.key = str(uuid.UUID(event.key))
        except (ValueError, AttributeError, TypeError):
            event.refuse("bad_id")
            return event
    event.kind = get("kind") or "sample"
    if event.kind not in ("sample", "close"):
        event.refuse("bad_kind")
        return event
    barcode = get("tube")
    if not isinstance(barcode, str) or not barcode.strip():
        event.refuse("no_tube")
        return event
    barcode = barcode.strip()
    # str.split() cuts at exactly the characters str.isspace() calls whitespace.
    if len(barcode) > BARCODE_MAX or barcode.split() != [barcode]:
        event.refuse("bad_tube")
        return event
    event.barcode = barcode
    event.sampled_at = _parse_time(get("sampled_at") or get("at"), tz)
    if event.sampled_at is None:
        event.refuse("bad_time")
        return event
    if event.sampled_at > latest:
        event.refuse("future_time")
        return event
    event.round_id = _int(get("round", defaults.get("round")))
    if event.round_id is None:
        event.refuse("no_round")
        return event
    event.point_id = _int(get("point", defaults.get("point")))
    event.door_task_id = _int(get("door_task"))
    if event.kind == "close":
        return event
    mode = get("tube_mode") or defaults.get("tube_mode") or ""
    if mode and (not isinstance(mode, str) or mode not in _MODES):
        event.refuse("bad_mode")
        return event
    event.tube_mode = mode
    if mode == _POOL:
        # A pool size the edition sets other than 10 or 20 travels with the mode.
        event.tube_capacity = _int(get("tube_capacity", defaults.get("tube_capacity")))
        if not event.tube_capacity or event.tube_capacity < 2:
            event.refuse("bad_mode")
            return event
    person = get("person")
    number = get("document_number")
    if person is not None:
        event.person_id = _int(person)
        if event.person_id is None:
            event.refuse("no_identity")
        return event
    if not isinstance(number, str) or not number.strip():
        event.refuse("no_identity")
        return event
    doc_type = get("document_type") or _RESIDENT_ID
    if not isinstance(doc_type, str) or doc_type not in _DOCUMENT_TYPES:
        event.refuse("bad_document")
        return event
    if doc_type == _RESIDENT_ID:
        if not _plain_resident_id(number, today):
            # Anything but a valid plain number (full-width digits, 15 digits, an error) takes
            # the registry's own parser, which normalises it or says what is wrong.
            try:
                number = idnumbers.parse(number, today).number
            except idnumbers.InvalidIdNumber as exc:
                event.refuse("bad_document", detail=exc.message)
                return event
    else:
        number = idnumbers.normalize(number)
    event.doc_type, event.doc_number = doc_type, number
    walk_in = get("walk_in")
    event.walk_in = walk_in if isinstance(walk_in, dict) else None
    return event


# --- the batch --------------------------------------------------------------------------------


def record_batch(
    events: Sequence[Any],
    *,
    user: Any,
    defaults: dict[str, Any] | None = None,
    source: str = SampleSource.DEVICE,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Validate and store a batch of sample events (see the module docstring).

    An event: {"id": uuid, "tube": barcode, "document_number": "…" | "person": id,
    "sampled_at": ISO time, "round": id, "point": id, "tube_mode": "pool_10" (when opening a
    tube; optional), "door_task": id (optional), "walk_in": {"name", "building", "room",
    "phone"} (optional)}; or {"id", "kind": "close", "tube", "at"} to close a pooled tube
    before it is full. `defaults` gives round, point and tube_mode for every event.
    """
    rules = upload_rules.stamp()
    sampler = can(user, "record_samples")
    staffed = upload_rules.remember(
        rules, ("staffed", *_identity(user), timezone.localdate()), lambda: staffed_points(user)
    )
    if not sampler and not staffed:
        raise NotAllowed(_("您没有登记采样的权限"))
    if not isinstance(events, (list, tuple)):
        raise BatchError(_("events 必须是列表"))
    if len(events) > MAX_BATCH:
        raise BatchError(_("每批最多 %(n)d 条") % {"n": MAX_BATCH})
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    latest = now + FUTURE_TOLERANCE
    today = dt.date.today()
    defaults = defaults or {}
    for attempt in range(3):
        parsed = [_parse(i, raw, defaults, tz, latest, today) for i, raw in enumerate(events)]
        seen: set[str] = set()
        for event in parsed:
            if event.open:
                if event.key in seen:
                    event.status = DUPLICATE
                seen.add(event.key)
        batch = _Batch(parsed, user, source, now, sampler=sampler, staffed=staffed, rules=rules)
        try:
            with transaction.atomic():
                batch.run()
        except OperationalError as exc:
            # Two uploads touching the same households in a different order: the database
            # picks one to give up; it simply runs again.
            if attempt == 2 or "deadlock" not in str(exc).lower():
                raise
            continue
        return _result(parsed, batch.tubes.values())
    raise AssertionError("unreachable")


class _Batch:
    def __init__(
        self, events: list[_Event], user: Any, source: str, now: dt.datetime, *,
        sampler: bool = True, staffed: frozenset[int] = frozenset(), rules: str | None = None,
    ) -> None:  # fmt: skip
        self.events = events
        # The stamps the per-worker answers are kept under (upload_rules; None: ask each time).
        self.rules = rules
        self.user = user
        # A sampler by role records where their jurisdiction reaches; anyone else only at the
        # points they staff (access.staffed_points), never door to door.
        self.sampler = sampler
        self.staffed = staffed
        self.source = source
        self.now = now
        self.tubes: dict[str, _TubeState] = {}
        self.rounds: dict[int, TestRound] = {}
        self.scopes: dict[int, tuple[str, ...]] = {}
        self.required: dict[tuple[int, int], tuple[str, int]] = {}
        self.task_households: set[int] = set()
        self.task_paths: dict[int, str] = {}
        self.point_paths: dict[int, str] = {}
        self._firsts: dict[tuple[int, int], _Event] = {}
        # The path prefixes a sampler may learn about, per (round, point, door task).
        self._reach: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._new: set[tuple[int, int]] = set()

    def live(self, kind: str | None = None) -> list[_Event]:
        if kind is None:
            return [e for e in self.events if not e.status]
        return [e for e in self.events if not e.status and e.kind == kind]

    def stored(self) -> list[_Event]:
        return [e for e in self.events if e.status == STORED and e.kind == "sample"]

    def run(self) -> None:
        self._check_rounds_and_points()
        self._check_door_tasks()
        self._resolve_people()
        self._register_walk_ins()
        self._required_modes()
        self._check_stay_home()
        _sql.hold_coverage({e.round_id for e in self.live()})  # type: ignore[misc]
        self._lock_tubes()
        self._mark_stored_duplicates()
        self._apply_in_scan_order()
        self._open_new_tubes()
        self._count_people()
        self._insert_events()
        self._write_tubes()
        self._finish_door_tasks()
        self._audit()
        # Last: the household and point counters are the rows concurrent uploads share, so
        # they are held locked for as short a time as possible before the commit.
        self._write_tallies()

    # rounds, points, tasks

    def _check_rounds_and_points(self) -> None:
        live = self.live()
        round_ids = frozenset(e.round_id for e in live)
        if not round_ids:
            return
        # Kept per worker while the rules' tables are unchanged (upload_rules), by everything
        # the answers depend on: the user, their role, unit and staffing, the day.
        who = (*_identity(self.user), self.sampler, self.staffed, timezone.localdate())
        rounds, self.scopes = upload_rules.remember(
            self.rules,
            ("rounds", *who, round_ids),
            lambda: self._reachable_rounds(round_ids),  # type: ignore[arg-type]
        )
        self.rounds = rounds
        point_ids = {e.point_id for e in live if e.point_id is not None}
        points = upload_rules.remember_each(
            self.rules,
            {p: ("point", *who, round_ids, p) for p in point_ids},
            lambda missing: self._reachable_points(rounds, missing),
        )
        self.point_paths = {p: path for p, (path, _r) in points.items() if path is not None}
        for event in live:
            found = rounds.get(event.round_id)  # type: ignore[arg-type]
            if found is None:
                event.refuse("no_round")
            elif found.status == RoundStatus.CLOSED:
                event.refuse("round_closed")
            elif (
                event.point_id is not None and event.round_id not in points[event.point_id][1]
            ) or (event.point_id is None and event.door_task_id is None):
                event.refuse("no_point")
            elif event.door_task_id is not None and not self.sampler:
                event.refuse("no_task")

    def _reachable_rounds(
        self, round_ids: frozenset[int]
    ) -> tuple[dict[int, TestRound], dict[int, tuple[str, ...]]]:
        """The rounds the user may record in, with their scopes."""
        wanted = TestRound.objects.filter(pk__in=round_ids)
        reachable = wanted.none()
        if self.sampler:
            reachable = wanted.filter(pk__in=TestRound.objects.visible_to(self.user).values("pk"))
        if self.staffed:
            reachable |= wanted.filter(round_points__point_id__in=self.staffed)
        rounds = {r.pk: r for r in reachable.distinct().select_related("incident__policy_edition")}
        from tongxin.testing.services import scope_paths

        return rounds, {pk: tuple(scope_paths(r)) for pk, r in rounds.items()}

    def _reachable_points(
        self, rounds: dict[int, TestRound], point_ids: set[int]
    ) -> dict[int, tuple[str | None, frozenset[int]]]:
        """Each point's place path (None: no such point) and the rounds among `rounds` the
        user may record at it in."""
        paths = dict(TestPoint.objects.filter(pk__in=point_ids).values_list("pk", "place__path"))
        where = Q(point_id__in=self.staffed)
        if self.sampler:
            where |= Q(point__in=TestPoint.objects.visible_to(self.user))
        allowed: dict[int, set[int]] = defaultdict(set)
        for round_id, point_id in RoundPoint.objects.filter(
            where, round_id__in=list(rounds), point_id__in=point_ids
        ).values_list("round_id", "point_id"):
            allowed[point_id].add(round_id)
        return {p: (paths.get(p), frozenset(allowed.get(p, ()))) for p in point_ids}

    def _check_door_tasks(self) -> None:
        wanted = {e.door_task_id for e in self.live() if e.door_task_id is not None}
        if not wanted:
            return
        tasks = {
            t["pk"]: t
            for t in DoorTask.objects.visible_to(self.user)
            .filter(pk__in=wanted)
            .values("pk", "round_id", "household_id", "household__path")
        }
        self.task_households = {t["household_id"] for t in tasks.values()}
        self.task_paths = {pk: t["household__path"] for pk, t in tasks.items()}
        for event in self.live():
            if event.door_task_id is None:
                continue
            task = tasks.get(event.door_task_id)
            if task is None or task["round_id"] != event.round_id:
                event.refuse("no_task")

    # people

    def _in_reach(self, event: _Event, path: str) -> bool:
        """Whether a person living at `path` is one the sampler may learn about: within the
        round's scope, the point's area or the door-to-door task's household. Anyone else is
        still sampled (their swab is in the tube) but answered without a name, exactly like
        somebody not in the registry at all: the upload is no registry oracle."""
        where = (event.round_id, event.point_id, event.door_task_id)
        reach = self._reach.get(where)
        if reach is None:
            prefixes = list(self.scopes.get(event.round_id, ()))  # type: ignore[arg-type]
            if event.point_id is not None and event.point_id in self.point_paths:
                prefixes.append(self.point_paths[event.point_id])
            if event.door_task_id is not None and event.door_task_id in self.task_paths:
                prefixes.append(self.task_paths[event.door_task_id])
            reach = self._reach[where] = tuple(p for p in prefixes if p)
        return bool(path) and bool(reach) and path.startswith(reach)

    def _unlisted(self, event: _Event) -> None:
        """Answer for someone outside the round's list: the masked number the device sent,
        no name, and the same warning whether or not the registry knows them elsewhere."""
        event.person_label = mask_document(event.doc_number) if event.doc_number else ""
        event.warnings["not_listed"] = {}

    def _resolve_people(self) -> None:
        samples = self.live("sample")
        by_number: dict[tuple[str, str], list[_Event]] = defaultdict(list)
        by_id: dict[int, list[_Event]] = defaultdict(list)
        for event in samples:
            if event.person_id is not None:
                by_id[event.person_id].append(event)
            else:
                by_number[(event.doc_type, event.doc_number)].append(event)
        # The blind index once per distinct number (under every key during a rotation).
        by_type: dict[str, dict[str, list[_Event]]] = defaultdict(dict)
        for (doc_type, number), events in by_number.items():
            for token in crypto.blind_indexes(doc_type, number):
                by_type[doc_type][token] = events
        found = [
            (tokens, row)
            for doc_type, tokens in by_type.items()
            for row in _sql.people_by_bidx(doc_type, list(tokens))
        ]
        pending = _pending_walk_ins([row[0] for _tokens, row in found])
        for tokens, row in found:
            pk, household_id, path, name, masked, status, token = row
            for event in tokens[token]:
                event.person_id, event.household_id = pk, household_id
                event.household_path, event.status_code = path, status
                if pk not in pending and self._in_reach(event, path):
                    event.person_label = f"{name} {masked}"
                    continue
                event.hidden = True
                if event.walk_in and clean_name(event.walk_in.get("name")):
                    # What the sampler typed comes back, as for a new walk-in.
                    event.person_label = f"{clean_name(event.walk_in.get('name'))} {masked}"
                    event.warnings["walk_in"] = {}
                else:
                    self._unlisted(event)
        if by_id:
            # A person chosen by id was found by a search scoped to the user (or is a member of
            # a household the user's door-to-door task is for); an id from a device must be
            # within the same reach.
            reach = Q(pk__in=Person.objects.visible_to(self.user).filter(pk__in=list(by_id)))
            if self.task_households:
                reach |= Q(household_id__in=self.task_households)
            for pk, household_id, path, name, masked, status in Person.objects.filter(
                reach, pk__in=list(by_id)
            ).values_list(
                "pk", "household_id", "household__path", "name", "document_masked",
                "residence_status",
            ):  # fmt: skip
                for event in by_id.pop(pk):
                    event.household_id, event.household_path = household_id, path
                    event.status_code = status
                    event.person_label = f"{name} {masked}"
                    if not self._in_reach(event, path):
                        event.warnings["not_listed"] = {}
            for events in by_id.values():
                for event in events:
                    event.refuse("unknown_person")

    def _register_walk_ins(self) -> None:
        """Somebody not in the registry is sampled all the same: registered on the spot with
        what the card says (the number, encrypted like every resident's) and, when the
        sampler typed them, name and address; without those they wait in 现场登记待核实 with
        their address to be completed. A swab in a tube is never dropped."""
        from tongxin.sampling.services.walkins import (
            WalkInError,
            register_unlisted,
            register_walk_in,
        )

        done: dict[tuple[str, str], Person] = {}
        for event in self.live("sample"):
            if event.household_id is not None:
                continue
            key = (event.doc_type, event.doc_number)
            person = done.get(key)
            details = event.walk_in or {}
            name = clean_name(details.get("name"))
            if person is None and name:
                try:
                    person = register_walk_in(
                        self.user,
                        round_id=event.round_id,  # type: ignore[arg-type]
                        point_id=event.point_id,
                        name=name,
                        document_type=event.doc_type,
                        document_number=event.doc_number,
                        building_id=_int(details.get("building")),
                        room=str(details.get("room") or ""),
                        phone=str(details.get("phone") or ""),
                        now=self.now,
                    )
                except WalkInError:
                    person = None
            if person is None:
                try:
                    person = register_unlisted(
                        self.user,
                        round_id=event.round_id,  # type: ignore[arg-type]
                        point_id=event.point_id,
                        household_id=self._task_household(event),
                        name=name,
                        document_type=event.doc_type,
                        document_number=event.doc_number,
                        phone=str(details.get("phone") or ""),
                        now=self.now,
                    )
                except WalkInError as exc:
                    # Nowhere at all to place them (a round without an estate).
                    event.refuse("walk_in", detail=str(exc))
                    continue
            done[key] = person
            event.person_id, event.household_id = person.pk, person.household_id
            event.household_path = person.household.path
            event.status_code = person.residence_status
            event.new_person = True
            if name:
                event.person_label = f"{name} {person.document_masked}"
                event.warnings["walk_in"] = {}
            else:
                self._unlisted(event)

    def _task_household(self, event: _Event) -> int | None:
        if event.door_task_id is None:
            return None
        return (
            DoorTask.objects.filter(pk=event.door_task_id)
            .values_list("household_id", flat=True)
            .first()
        )

    def _check_stay_home(self) -> None:
        """A resident of a zone whose people stay home (封控区) is sampled at home, single tube,
        by a door-to-door team: scanned at a point, they are stored (the swab is in the tube)
        but the sampler is stopped with a clear warning."""
        at_point = [
            e
            for e in self.live("sample")
            if e.door_task_id is None and not e.hidden and not e.new_person
        ]
        if not at_point:
            return
        incidents = {self.rounds[e.round_id].incident_id for e in at_point}  # type: ignore[index]
        zones: dict[int, list[tuple[str, str]]] = {}
        for incident_id in incidents:
            window = upload_rules.zone_window(self.rules, incident_id, self.now)
            if window.stay_home:
                zones[incident_id] = window.stay_home
        if not zones:
            return
        for event in at_point:
            incident_id = self.rounds[event.round_id].incident_id  # type: ignore[index]
            for path, name in zones.get(incident_id, ()):
                if event.household_path.startswith(path):
                    event.warnings["sealed"] = {"zone": name}
                    break

    def _required_modes(self) -> None:
        """What the policy (or the round's override) asks for where each person lives: a new
        tube without a declared mode takes its first member's, and a person put in a bigger
        pool than their zone allows is flagged.

        A household's mode depends only on the places above it (overrides name areas, not
        households) unless a zone was designated on a single household; so, unless one was,
        one household per building stands for the rest of it (a batch of 1,000 events from
        a point asks about a few dozen buildings, not 1,000 households)."""
        from tongxin.places.models import Place
        from tongxin.testing.services import sampling_modes_for
        from tongxin.testing.services.modes import mode_overrides

        by_round: dict[int, dict[int, str]] = defaultdict(dict)
        for event in self.live("sample"):
            by_round[event.round_id][event.household_id] = event.household_path  # type: ignore[index]
        for round_id, households in by_round.items():
            test_round = self.rounds[round_id]
            window = upload_rules.zone_window(self.rules, test_round.incident_id, self.now)
            # What was asked before while the same zones were in force (and no override,
            # edition or place changed: the stamps) is kept in the window.
            known = window.modes  # shared by the worker's threads: read once per key
            keys: dict[int, str] = {}
            mine: dict[str, tuple[str, int]] = {}
            asked: dict[str, Place] = {}
            for household_id, path in households.items():
                key = path if window.single_homes else path[: -Place.steplen]
                keys[household_id] = key
                if key in mine or key in asked:
                    continue
                mode = known.get((round_id, key))
                if mode is not None:
                    mine[key] = mode
                else:
                    asked[key] = Place(pk=household_id, path=path)
            if asked:
                overrides = upload_rules.remember(
                    self.rules,
                    ("overrides", round_id),
                    functools.partial(mode_overrides, test_round),
                )
                modes = sampling_modes_for(
                    test_round, asked.values(), self.now,
                    overrides=overrides, in_force=window.in_force,
                )  # fmt: skip
                for key, place in asked.items():
                    mine[key] = modes[place.pk]
                if len(known) > 100_000:
                    known.clear()
                known.update({(round_id, key): mine[key] for key in asked})
            for household_id, key in keys.items():
                self.required[(round_id, household_id)] = mine[key]

    # tubes

    def _lock_tubes(self) -> None:
        barcodes = sorted({e.barcode for e in self.live()})
        if not barcodes:
            return
        household_tubes: list[int] = []
        for row in _sql.lock_tubes(barcodes):
            state = _TubeState(*row)
            self.tubes[state.barcode] = state
            if state.mode == SamplingMode.HOUSEHOLD and state.count:
                household_tubes.append(state.id)  # type: ignore[arg-type]
        if household_tubes:
            by_id = {t.id: t for t in self.tubes.values()}
            for tube_id, household_id in (
                SampleEvent.objects.filter(tube_id__in=household_tubes)
                .values_list("tube_id", "household_id")
                .distinct()
            ):
                by_id[tube_id].household_id = household_id

    def _mark_stored_duplicates(self) -> None:
        live = [e for e in self.live() if e.kind == "sample"]
        if not live:
            return
        stored = _sql.existing_event_ids([e.key for e in live])
        for event in live:
            if event.key in stored:
                event.status = DUPLICATE
        _refuse_reused_ids([e for e in live if e.status == DUPLICATE])

    def _mode_for_new_tube(self, event: _Event) -> tuple[str, int]:
        mode = event.tube_mode
        size = event.tube_capacity or 0
        if not mode:
            mode, size = self.required[(event.round_id, event.household_id)]  # type: ignore[index]
        elif mode in POOL_SIZES:
            size = POOL_SIZES[SamplingMode(mode)]
        if mode == SamplingMode.HOUSEHOLD:
            size = _household_size(event.household_id)  # type: ignore[arg-type]
        return mode, max(1, size)

    def _check_mode(self, event: _Event, tube: "_TubeState") -> None:
        required = self.required.get((event.round_id, event.household_id))  # type: ignore[arg-type]
        if required is None:
            return
        mode, size = required
        if mode == SamplingMode.HOUSEHOLD:
            too_big = tube.mode not in (SamplingMode.HOUSEHOLD, SamplingMode.SINGLE)
        else:
            too_big = tube.mode != SamplingMode.HOUSEHOLD and tube.capacity > max(size, 1)
        if too_big:
            event.warnings["mode"] = {"mode": SamplingMode(mode).label}

    def _apply_in_scan_order(self) -> None:
        """Samples and closes take effect one after another in the order they were scanned
        (the batch's order): a tube closed in the middle of a batch refuses the samples after
        the close exactly as if the batch had been cut there. An offline handset's queue may
        be sent in any number of pieces; the outcome is the same."""
        for event in self.live():
            if event.kind == "close":
                self._close(event)
            else:
                self._assign(event)

    def _assign(self, event: _Event) -> None:
        tube = self.tubes.get(event.barcode)
        if tube is None:
            mode, capacity = self._mode_for_new_tube(event)
            tube = _TubeState(
                None, event.barcode, event.round_id, event.point_id, mode,  # type: ignore[arg-type]
                capacity, TubeStatus.OPEN, 0, event.sampled_at,  # type: ignore[arg-type]
            )  # fmt: skip
            self.tubes[event.barcode] = tube
        if tube.round_id != event.round_id:
            event.refuse("tube_other_round", tube=tube.barcode)
        elif tube.status == TubeStatus.CLOSED or tube.closing is not None:
            event.refuse("tube_closed", tube=tube.barcode)
        elif tube.status == TubeStatus.FULL or tube.count + tube.added >= tube.capacity:
            event.refuse("tube_full", tube=tube.barcode, n=tube.capacity)
        elif (
            tube.mode == SamplingMode.HOUSEHOLD
            and tube.household_id is not None
            and tube.household_id != event.household_id
        ):
            event.refuse("tube_other_household", tube=tube.barcode)
        else:
            tube.added += 1
            if tube.mode == SamplingMode.HOUSEHOLD:
                tube.household_id = event.household_id
            event.status = STORED
            self._check_mode(event, tube)

    def _close(self, event: _Event) -> None:
        tube = self.tubes.get(event.barcode)
        if tube is None or (tube.new and not tube.added):
            event.refuse("tube_unknown", tube=event.barcode)
        elif tube.round_id != event.round_id:
            event.refuse("tube_other_round", tube=tube.barcode)
        elif (
            tube.status != TubeStatus.OPEN
            or tube.closing is not None
            or tube.count + tube.added >= tube.capacity
        ):
            event.status = DUPLICATE
        elif tube.count + tube.added == 0:
            event.refuse("tube_empty", tube=tube.barcode)
        else:
            tube.closing = event.sampled_at
            event.status = STORED

    # writing

    def _open_new_tubes(self) -> None:
        new_tubes = [t for t in self.tubes.values() if t.new and t.added]
        if not new_tubes:
            return
        # A new tube is inserted as this batch leaves it (count, status, closing time): no
        # second write of the row (and of its indexes) in `_write_tubes`.
        last = self._last_samples()
        states = {t.barcode: self._final_state(t, last.get(t.barcode)) for t in new_tubes}
        created = _sql.insert_tubes(new_tubes, self.user, states)
        for tube in new_tubes:
            tube.id = created.get(tube.barcode)
            tube.written = tube.id is not None
        for event in self.stored():
            tube = self.tubes[event.barcode]
            if tube.id is None:
                # Another upload opened the same new tube a moment ago: resending will work.
                event.refuse("tube_busy", tube=tube.barcode)
                tube.added -= 1

    def _expected(self, event: _Event) -> bool:
        """Whether the round expects this person: lives in its scope, 常住 or 暂住."""
        return event.status_code in _expected_statuses() and event.household_path.startswith(
            self.scopes.get(event.round_id, ())  # type: ignore[arg-type]
        )

    def _count_people(self) -> None:
        """Record each person's first sample in the round (exactly once, whoever uploads it
        first) and add them to their household's and their point's tallies. A person already
        sampled in the round is stored with a warning."""
        firsts: dict[tuple[int, int], _Event] = {}
        for event in self.stored():
            firsts.setdefault((event.round_id, event.person_id), event)  # type: ignore[arg-type]
        rows = [
            (r, p, e.household_id, e.household_path, self._expected(e), e.sampled_at)
            for (r, p), e in firsts.items()
        ]
        new = _sql.insert_sampled_people(rows) if rows else set()
        repeats = [
            e
            for e in self.stored()
            if (e.round_id, e.person_id) not in new or firsts[(e.round_id, e.person_id)] is not e  # type: ignore[index]
        ]
        earlier = _sql.first_samples(
            {(e.round_id, e.person_id) for e in repeats if (e.round_id, e.person_id) not in new}  # type: ignore[misc]
        )
        for event in repeats:
            pair = (event.round_id, event.person_id)
            first = earlier.get(pair) if pair not in new else firsts[pair].sampled_at  # type: ignore[index, arg-type]
            when = timezone.localtime(first).strftime("%m-%d %H:%M") if first else ""
            event.warnings["repeat"] = {"when": when} if when else {}
        self._firsts, self._new = firsts, new

    def _write_tallies(self) -> None:
        firsts, new = self._firsts, self._new
        tallies: dict[tuple[int, int], list[Any]] = {}
        for (r, p), event in firsts.items():
            if (r, p) not in new:
                continue
            key = (r, event.household_id or 0)
            tally = tallies.setdefault(key, [r, event.household_id, event.household_path, 0, 0, 0])
            if self._expected(event):
                tally[3] += 1 if event.new_person else 0
                tally[4] += 1
            else:
                tally[5] += 1
        _sql.add_household_tallies([tuple(t) for _k, t in sorted(tallies.items())])
        # Samples per point and clock hour (UTC), the hour as whole hours since the epoch.
        hours: dict[tuple[int, int, int], int] = defaultdict(int)
        for event in self.stored():
            if event.point_id is not None:
                hour = int(event.sampled_at.timestamp() // 3600)  # type: ignore[union-attr]
                hours[(event.round_id, event.point_id, hour)] += 1  # type: ignore[index]
        _sql.add_point_hours(
            [
                (r, p, dt.datetime.fromtimestamp(h * 3600, dt.UTC), n)
                for (r, p, h), n in sorted(hours.items())
            ]
        )

    def _insert_events(self) -> None:
        rows = []
        for event in self.stored():
            tube = self.tubes[event.barcode]
            event.tube_id = tube.id
            rows.append(
                (
                    event.key, event.round_id, event.person_id, event.household_id, tube.id,
                    event.point_id, event.door_task_id, event.sampled_at,
                    "repeat" in event.warnings,
                )
            )  # fmt: skip
        if rows:
            _sql.insert_events(rows, self.now, getattr(self.user, "pk", None), self.source)

    def _last_samples(self) -> dict[str, dt.datetime]:
        """The last sample stored into each tube (a tube filled by this batch closes then)."""
        last: dict[str, dt.datetime] = {}
        for event in self.stored():
            if event.sampled_at:
                seen = last.get(event.barcode, event.sampled_at)
                last[event.barcode] = max(seen, event.sampled_at)
        return last

    def _final_state(
        self, tube: "_TubeState", last: dt.datetime | None
    ) -> tuple[int, str, dt.datetime | None]:
        """(sample count, status, closed at) of a tube once this batch is applied."""
        count = tube.count + tube.added
        status, closed_at = tube.status, tube.closed_at
        if count >= tube.capacity:
            status = TubeStatus.FULL
            closed_at = closed_at or last or self.now
        elif tube.closing is not None:
            status, closed_at = TubeStatus.CLOSED, tube.closing
        return count, status, closed_at

    def _write_tubes(self) -> None:
        changes = []
        last = self._last_samples()
        for tube in self.tubes.values():
            if tube.id is None or tube.written or (not tube.added and tube.closing is None):
                continue
            changes.append((tube.id, *self._final_state(tube, last.get(tube.barcode))))
        _sql.update_tubes(changes)

    def _finish_door_tasks(self) -> None:
        task_ids = {e.door_task_id for e in self.stored() if e.door_task_id is not None}
        if task_ids:
            from tongxin.sampling.services.door import complete_sampled_tasks

            complete_sampled_tasks(task_ids, self.now)

    def _audit(self) -> None:
        counts: dict[str, int] = defaultdict(int)
        for event in self.events:
            counts[event.status] += 1
        if not counts.get(STORED):
            return
        record(
            AuditAction.CREATE,
            target_type="sampling.sampleevent",
            label=_("采样登记 %(n)d 条") % {"n": counts[STORED]},
            detail={
                "source": self.source,
                "events": len(self.events),
                "stored": counts.get(STORED, 0),
                "duplicate": counts.get(DUPLICATE, 0),
                "refused": counts.get(REFUSED, 0),
                "rounds": sorted({e.round_id for e in self.events if e.round_id}),
                "points": sorted({e.point_id for e in self.events if e.point_id}),
                # Which people the batch resolved from what the devices sent (ids, not names
                # or numbers), and how many were answered without a name.
                "people": sorted({e.person_id for e in self.events if e.person_id}),
                "not_listed": sum(1 for e in self.events if "not_listed" in e.warnings),
            },
        )


def _identity(user: Any) -> tuple[Any, ...]:
    """What the per-worker answers about a user depend on (their account's row is read on
    every request, so a changed role, unit or activity changes the key at once)."""
    return (
        getattr(user, "pk", None),
        getattr(user, "role", None),
        getattr(user, "unit_id", None),
        getattr(user, "is_active", None),
        bool(getattr(user, "is_authenticated", False)),
    )


@functools.cache
def _expected_statuses() -> Any:
    from tongxin.testing.services import EXPECTED_STATUSES

    return EXPECTED_STATUSES


def clean_name(value: Any) -> str:
    return clean_text(str(value or ""))[:50]


def _household_size(household_id: int) -> int:
    return max(1, Person.objects.filter(household_id=household_id).count())


def _pending_walk_ins(person_ids: list[int]) -> set[int]:
    """Of these people, the walk-ins the grid has not checked yet. A number the registry did
    not know became one at its first upload; answering it by name (or as a repeat) on the next
    upload would tell it from a person registered outside the device's reach, who is answered
    as a stranger every time. So until the grid has checked them they are answered as a
    stranger too (the swab is theirs all the same)."""
    return _sql.pending_walk_ins(person_ids)


def _result(events: Iterable[_Event], tubes: Iterable[_TubeState]) -> BatchResult:
    messages: dict[str, str] | None = None
    out = BatchResult(results=[])
    out.tubes = {
        t.barcode: {
            "mode": t.mode,
            "capacity": t.capacity,
            "count": t.count + t.added,
            "status": t.status
            if t.count + t.added < t.capacity and t.closing is None
            else (TubeStatus.FULL if t.count + t.added >= t.capacity else TubeStatus.CLOSED),
        }
        for t in tubes
        if t.id is not None
    }
    for event in events:
        item: dict[str, Any] = {"id": event.key, "status": event.status}
        if event.status == REFUSED:
            messages = messages or _messages()
            item["reason"] = event.reason
            item["message"] = _format(messages[event.reason], event.detail)
            out.refused += 1
        elif event.status == DUPLICATE:
            out.duplicate += 1
        else:
            out.stored += 1
        if event.person_label and event.status != REFUSED:
            item["person"] = event.person_label
        warnings = event.warnings
        if event.hidden:
            # Nothing about a person outside the sampler's reach (an earlier sample, their
            # zone's mode) beyond what a stranger's number gets.
            warnings = {k: v for k, v in warnings.items() if k in _STRANGER_WARNINGS}
        if event.status == STORED and warnings:
            out.warnings += 1
            item["warnings"] = list(warnings)
            item["message"] = "；".join(_warning_text(code, d) for code, d in warnings.items())
        if event.tube_id is not None or event.kind == "close":
            item["tube"] = event.barcode
        out.results.append(item)
    return out


_STRANGER_WARNINGS = ("not_listed", "walk_in")


def _format(template: str, detail: dict[str, Any]) -> str:
    if "detail" in detail and "%(detail)s" not in template:
        return f"{template}：{detail['detail']}"
    try:
        return template % detail if detail else template
    except (KeyError, TypeError):
        return template


def _warning_text(code: str, detail: dict[str, Any]) -> str:
    if code == "repeat":
        if detail.get("when"):
            return _("此人本轮已于 %(when)s 采样，已再次登记，请确认") % detail
        return _("此人本批次已采样过，已再次登记，请确认")
    if code == "walk_in":
        return _("已现场登记为新居民，待网格核实")
    if code == "not_listed":
        return _("本轮名单中没有此人：样本已记录，请补登姓名和住址，待网格核实")
    if code == "sealed":
        return (
            _("停！此人住在%(zone)s，应居家由上门采样组单管采样；本次样本已记录，请劝其立即回家")
            % detail
        )
    if code == "mode":
        return _("此人所在区域应采用%(mode)s") % detail
    return ""


def _refuse_reused_ids(resent: list[_Event]) -> None:
    """An event id already stored, sent again with other content (another tube, person, round
    or time), is a conflict, not a harmless resend: it is refused and says so."""
    if not resent:
        return
    stored: dict[Any, tuple[Any, ...]] = {
        row[0]: row[1:]
        for row in SampleEvent.objects.filter(
            client_event_id__in=[uuid.UUID(e.key) for e in resent]
        ).values_list("client_event_id", "tube__barcode", "person_id", "round_id", "sampled_at")
    }
    for event in resent:
        barcode, person_id, round_id, sampled_at = stored.get(uuid.UUID(event.key)) or (None,) * 4
        same = (
            barcode == event.barcode
            and round_id == event.round_id
            and sampled_at == event.sampled_at
            and (event.person_id is None or person_id == event.person_id)
        )
        if barcode is not None and not same:
            event.refuse("id_conflict")
