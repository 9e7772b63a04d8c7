"""A help desk in mid-operation for the demo county (`tongxin demo` calls this).

Two parts. The report's three days, on the report's own dates: the platform opened on the
evening of 6 March 2022 and by the evening of the 9th had received 886 requests (880余条)
and closed 846 (840余条); the 40 still open at that cut-off were closed the next morning,
and four duplicates were merged. Then the desk as it is now, placed relative to the moment
the demo is loaded (the queues and "overdue now" are about the present): the last twelve
hours' requests in every state — closed and followed up, waiting to be dispatched,
dispatched and unclaimed, claimed, in progress, overdue (escalated), reopened after an
unsatisfied follow-up, and a few duplicates merged. Deterministic (seeded), fast (bulk
inserts), and idempotent (a second run finds the first run's requests and adds nothing).
Text is data, like the demo's place and unit names: not translated.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tongxin.accounts.models import Role, User
from tongxin.core.personal import phone_fields
from tongxin.helpdesk import conf
from tongxin.helpdesk.models import (
    Category,
    Channel,
    Escalation,
    EventKind,
    HelpRequest,
    Outcome,
    Priority,
    RequestEvent,
    Satisfaction,
    Status,
)
from tongxin.helpdesk.services.numbers import day_of, reserve
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import Unit, UnitAssignment, UnitKind

DEMO_SOURCE = "演示数据"
SEED = 20220306
# The report's days: 890 requests from the opening to 23:00 on day 3, 4 of them merged
# into another (886 counted); all but the newest 40 closed by then (846).
HISTORY_TOTAL = 890
HISTORY_MERGED = 4
HISTORY_CLOSED = 846
# The desk now: the last LIVE_HOURS hours' requests, LIVE_OPEN of them not closed yet.
LIVE_TOTAL = 60
LIVE_OPEN = 44
LIVE_HOURS = 12
# From the opening evening (the incident's start) to 23:00 on day 3.
HISTORY_HOURS = 74

SUPPORT_TEAMS = (
    ("县物资保障组", "wzbz", 3),
    ("县医疗保障组", "ylbz", 3),
    ("县交通保障组", "jtbz", 2),
)

TEXTS: dict[str, list[str]] = {
    Category.FOOD: [
        "家里两个孩子，管控后买不到菜，米和奶粉都快没了",
        "独居老人，家中蔬菜吃完了，希望帮忙代购",
        "小区封控，家里没有食用油和鸡蛋，请帮忙配送",
        "婴儿奶粉还剩一天的量，急需购买同款奶粉",
        "一家五口，买菜团购迟迟不到，家里已断粮",
    ],
    Category.MEDICINE: [
        "高血压药吃完了，需要代配硝苯地平",
        "糖尿病患者，胰岛素只剩两天，需要配药",
        "孩子发烧38.5度，家里没有退烧药",
        "老人需要去医院复诊换药，不知如何出门",
        "慢性病长期用药快断了，希望社区帮忙代配",
    ],
    Category.DIALYSIS: [
        "我父亲是血透病人，每周一三五去县医院透析，现在公交停了怎么去",
        "透析病人，明早要去医院，小区不让出，请安排车辆",
        "尿毒症血透，周三的透析怎么安排，需要接送",
    ],
    Category.MATERNITY: [
        "孕38周，预产期下周，产检怎么去医院",
        "怀孕7个月，需要按时产检，请问如何安排",
        "老婆临产，肚子疼得厉害，需要马上去医院",
    ],
    Category.EMERGENCY: [
        "老人突然胸痛，出冷汗，需要马上就医",
        "家人呼吸困难，嘴唇发紫，请尽快安排",
        "孩子高热抽搐，需要紧急送医",
    ],
    Category.MENTAL: [
        "隔离在家好几天，晚上睡不着，心里很焦虑",
        "母亲独居，情绪很低落，希望有人和她聊聊",
    ],
    Category.ISOLATION: [
        "我是密接的家属，要不要一起去隔离点，孩子怎么办",
        "隔离点能不能带宠物，家里的猫没人照顾",
        "接到转运通知，需要准备哪些东西，什么时候来接",
    ],
    Category.POLICY: [
        "管控区可以出小区做核酸吗",
        "外地返回需要报备吗，怎么报备",
        "防范区能不能正常上班",
        "健康码变黄了怎么办",
    ],
    Category.OTHER: [
        "楼道垃圾两天没清运了",
        "家里水管爆了，需要维修师傅上门",
        "快递被拦在小区门口，里面有药品",
    ],
}
# Roughly the mix the report's hotline took: daily goods and medicine above all.
WEIGHTS: dict[str, int] = {
    Category.FOOD: 34,
    Category.MEDICINE: 22,
    Category.DIALYSIS: 4,
    Category.MATERNITY: 4,
    Category.EMERGENCY: 2,
    Category.MENTAL: 4,
    Category.ISOLATION: 10,
    Category.POLICY: 14,
    Category.OTHER: 6,
}
RESOLUTIONS: dict[str, str] = {
    Category.FOOD: "已配送蔬菜、米面和奶粉到户，居民签收",
    Category.MEDICINE: "已由网格员代配药品送达",
    Category.DIALYSIS: "已纳入血透绿色通道，专车接送，已告知接送时间",
    Category.MATERNITY: "已联系医院产科，安排专车接送，先救治后查验",
    Category.EMERGENCY: "已联系120送医，全程未要求核酸阴性证明",
    Category.MENTAL: "心理咨询师已电话疏导，留下热线号码",
    Category.ISOLATION: "已解答转运和隔离安排，儿童可由一名家属陪同",
    Category.POLICY: "已电话解答相关政策",
    Category.OTHER: "已协调物业处理",
}
URGENT_CATEGORIES = {Category.DIALYSIS, Category.MATERNITY, Category.EMERGENCY}


@dataclass
class _Plan:
    """One demo request and the steps it went through (offsets from receipt, in minutes)."""

    received_at: dt.datetime
    category: str
    text: str
    state: str  # closed, received, dispatched, claimed, in_progress, reopened, merged
    team: Unit | None = None
    worker: User | None = None
    person: Person | None = None
    place: Place | None = None
    phone: str = ""
    name: str = ""
    contact_after: int = 20
    close_after: int = 180
    overdue: bool = False
    followed: str = ""
    events: list[RequestEvent] = field(default_factory=list)
    # The moment its state is as of; closed within this window instead, when given (after
    # the moment: still open then).
    as_of: dt.datetime | None = None
    close_between: tuple[dt.datetime, dt.datetime] | None = None


def _team_members(counts: dict[str, int]) -> dict[int, list[User]]:
    """The support groups (created if missing) and a few members each."""
    members: dict[int, list[User]] = {}
    password = None
    for name, code, count in SUPPORT_TEAMS:
        unit, _created = Unit.objects.get_or_create(name=name, defaults={"kind": UnitKind.SUPPORT})
        staff = list(User.objects.filter(unit=unit, is_active=True).order_by("pk"))
        for i in range(1, count + 1):
            username = f"{code}{i:02d}"
            if any(u.username == username for u in staff):
                continue
            user = User.objects.filter(username=username).first()
            if user is None:
                password = password or make_password(None)
                user = User(
                    username=username,
                    full_name=f"{name[1:3]}组员{i}",
                    role=Role.UNIT_LEADER if i == 1 else Role.SUPPORT_TEAM,
                    unit=unit,
                    position="组长" if i == 1 else "组员",
                    password=password,
                )
                user.save()
                counts["users"] = counts.get("users", 0) + 1
            staff.append(user)
        members[unit.pk] = staff
    return members


def _responsible_units() -> dict[str, Unit]:
    """Estate path → its responsible unit."""
    found: dict[str, Unit] = {}
    for a in UnitAssignment.objects.active().select_related("unit", "place"):
        found[a.place.path] = a.unit
    return found


def _unit_for(place: Place | None, units_by_path: dict[str, Unit]) -> Unit | None:
    if place is None:
        return None
    step = Place.steplen
    for end in range(len(place.path), 0, -step):
        unit = units_by_path.get(place.path[:end])
        if unit is not None:
            return unit
    return None


def _phone_fields(phone: str) -> dict[str, Any]:
    return {**phone_fields(phone), "phone_is_mobile": True}


def load_demo_helpdesk(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    """Create the demo help desk as of `now` (aware). Returns counts of what exists."""
    existing = HelpRequest.objects.filter(incident=incident, source_label=DEMO_SOURCE)
    if existing.exists() or not incident.is_open:
        return {"created": 0, **_summary(incident)}
    with transaction.atomic():
        created = _build(incident, now)
    return {"created": created, **_summary(incident)}


def _summary(incident: Incident) -> dict[str, Any]:
    qs = HelpRequest.objects.filter(incident=incident, source_label=DEMO_SOURCE)
    by_status: dict[str, int] = defaultdict(int)
    for status in qs.values_list("status", flat=True):
        by_status[status] += 1
    return {"requests": sum(by_status.values()), "by_status": dict(by_status)}


def _build(incident: Incident, now: dt.datetime) -> int:
    rng = random.Random(SEED)  # noqa: S311  (demo data, not security)
    counts: dict[str, int] = {}
    members = _team_members(counts)
    food, medical, transport = (Unit.objects.get(name=name) for name, _code, _n in SUPPORT_TEAMS)
    units_by_path = _responsible_units()
    for unit_id in {u.pk for u in units_by_path.values()}:
        members.setdefault(
            unit_id, list(User.objects.filter(unit_id=unit_id, is_active=True).order_by("pk")[:4])
        )
    desk = list(User.objects.filter(role=Role.HELPDESK, is_active=True).order_by("pk")[:1])
    desk_user = desk[0] if desk else None

    # About 420 residents with a phone, spread over the county, ask for help (ids first:
    # decrypting the whole registry to pick a few hundred would be most of the demo's time).
    with_phone = list(
        Person.objects.exclude(phone_bidx="").order_by("pk").values_list("pk", flat=True)
    )
    person_ids = with_phone[:: max(1, len(with_phone) // 420)][:420]
    people = list(
        Person.objects.filter(pk__in=person_ids)
        .select_related("household")
        .defer("document_number")
        .order_by("pk")
    )
    household_ids = list(
        Place.objects.filter(kind=PlaceKind.HOUSEHOLD).order_by("path").values_list("pk", flat=True)
    )[::17]
    households = list(Place.objects.filter(pk__in=household_ids).order_by("path"))

    def planned(start: dt.datetime, hours: int, total: int) -> list[_Plan]:
        made: list[_Plan] = []
        for i in range(total):
            # More calls in the middle of the period than at the very start.
            share = rng.betavariate(1.6, 1.3)
            received = start + dt.timedelta(minutes=share * (hours * 60 - 15))
            category = rng.choices(categories, weights)[0]
            text = rng.choice(TEXTS[category])
            plan = _Plan(received_at=received, category=category, text=text, state="closed")
            if i < len(people) and rng.random() < 0.75:
                person = people[i]
                plan.person, plan.place = person, person.household
                plan.phone, plan.name = person.phone, person.name
            else:
                plan.place = households[rng.randrange(len(households))] if households else None
                plan.phone = "1" + rng.choice("35789") + f"{rng.randrange(10**9):09d}"
            made.append(plan)
        made.sort(key=lambda p: p.received_at)
        return made

    categories = list(WEIGHTS)
    weights = [WEIGHTS[c] for c in categories]

    # The report's days, from the opening evening to 23:00 on day 3 (the report's "至3月9日
    # 晚上"): all closed by then but the newest 40, closed the next morning (after the day's
    # 24时 cut-off); four duplicates among those merged.
    history_start = incident.started_at
    history_end = history_start + dt.timedelta(hours=HISTORY_HOURS)
    history = planned(history_start, HISTORY_HOURS, HISTORY_TOTAL)
    cutoff = timezone.localtime(history_end).replace(hour=0, minute=0) + dt.timedelta(days=1)
    late = history[-(HISTORY_TOTAL - HISTORY_MERGED - HISTORY_CLOSED) - HISTORY_MERGED :]
    for plan in late[:HISTORY_MERGED]:
        plan.state = "merged"
    for plan in late[HISTORY_MERGED:]:
        plan.close_between = (cutoff + dt.timedelta(minutes=20), cutoff + dt.timedelta(hours=9))
    for plan in history:
        plan.as_of = history_end

    # The desk now: the last hours' requests; the newest are still being worked on, a few
    # earlier ones missed their limits.
    live = planned(now - dt.timedelta(hours=LIVE_HOURS), LIVE_HOURS, LIVE_TOTAL)
    tail = live[-LIVE_OPEN:]
    # The two newest calls are a woman in labour and a dialysis patient, so every board shows
    # the emergency rule and a special-population request.
    tail[-1].category, tail[-1].text = Category.MATERNITY, "老婆临产，肚子疼得厉害，需要马上去医院"
    tail[-2].category, tail[-2].text = Category.DIALYSIS, TEXTS[Category.DIALYSIS][0]
    tail[-1].state, tail[-2].state = "in_progress", "dispatched"
    states = (
        ["received"] * 7 + ["dispatched"] * 8 + ["claimed"] * 6 + ["in_progress"] * 11
        + ["reopened"] * 6 + ["merged"] * 4
    )  # fmt: skip
    rng.shuffle(states)
    for plan, state in zip(tail[:-2], states, strict=True):
        plan.state = state
    for plan in live:
        plan.as_of = now
    plans = history + live

    def team_for(plan: _Plan) -> Unit:
        if plan.category in {Category.DIALYSIS, Category.ISOLATION}:
            return transport
        if plan.category in {
            Category.MEDICINE,
            Category.MATERNITY,
            Category.EMERGENCY,
            Category.MENTAL,
        }:
            return medical
        if plan.category == Category.FOOD and rng.random() < 0.5:
            return _unit_for(plan.place, units_by_path) or food
        return food

    requests: list[HelpRequest] = []
    by_day: dict[dt.date, list[HelpRequest]] = defaultdict(list)
    merged_pairs: list[tuple[HelpRequest, HelpRequest]] = []
    for plan in plans:
        priority = (
            Priority.URGENT
            if plan.category in URGENT_CATEGORIES
            else (Priority.HIGH if rng.random() < 0.25 else Priority.NORMAL)
        )
        emergency = plan.category == Category.EMERGENCY or "临产" in plan.text
        contact_limit, close_limit = conf.limits(priority)
        received = plan.received_at
        req = HelpRequest(
            incident=incident,
            channel=rng.choices(
                [Channel.HOTLINE, Channel.WEB, Channel.HOTLINE_12345], [55, 35, 10]
            )[0],
            source_label=DEMO_SOURCE,
            received_at=received,
            received_by=desk_user,
            caller_name=plan.name or "",
            address=plan.place.address if plan.place else "",
            place=plan.place,
            person=plan.person,
            text=plan.text,
            category=plan.category,
            priority_suggested=priority,
            matched_keywords=[],
            priority=priority,
            priority_confirmed_at=received + dt.timedelta(minutes=2),
            priority_confirmed_by=desk_user,
            is_emergency=emergency,
            contact_due_at=received + contact_limit,
            close_due_at=received + close_limit,
            **_phone_fields(plan.phone),
        )
        plan_now = plan.close_between[1] if plan.close_between else (plan.as_of or now)
        _advance(req, plan, rng, plan_now, team_for, members, desk_user, contact_limit, close_limit)
        if req.is_open:
            _escalate(req, plan_now, req._demo_events)  # type: ignore[attr-defined]
        req.updated_at = plan_now
        requests.append(req)
        by_day[day_of(received)].append(req)

    for day, day_requests in sorted(by_day.items()):
        for req, number in zip(day_requests, reserve(day, len(day_requests)), strict=True):
            req.number = number
    HelpRequest.objects.bulk_create(requests, batch_size=500)

    # Merge the "merged" ones into a request of their own part received before them (an open
    # one in the desk now).
    for part in (requests[: len(history)], requests[len(history) :]):
        targets = [r for r in part if r.status in (Status.DISPATCHED, Status.IN_PROGRESS)] or [
            r for r in part if r.status == Status.CLOSED
        ]
        for req in part:
            if req.status == Status.MERGED and targets:
                into = targets[len(merged_pairs) % len(targets)]
                merged_pairs.append((req, into))
    for dup, into in merged_pairs:
        HelpRequest.objects.filter(pk=dup.pk).update(merged_into=into, merged_at=dup.updated_at)
    events: list[RequestEvent] = []
    for req in requests:
        for event in req._demo_events:  # type: ignore[attr-defined]
            event.request = req
            events.append(event)
    for dup, into in merged_pairs:
        events.append(
            RequestEvent(
                request=dup,
                at=dup.received_at + dt.timedelta(minutes=5),
                kind=EventKind.MERGED,
                actor=desk_user,
                actor_label=str(desk_user or "demo"),
                note=f"已合并至 {into.number}",
                data={"into": into.number},
            )
        )
        events.append(
            RequestEvent(
                request=into,
                at=dup.received_at + dt.timedelta(minutes=5),
                kind=EventKind.MERGED,
                actor=desk_user,
                actor_label=str(desk_user or "demo"),
                note=f"并入 {dup.number}：{dup.text}",
                data={"merged": dup.number},
            )
        )
    RequestEvent.objects.bulk_create(events, batch_size=1000)
    return len(requests)


def _advance(
    req: HelpRequest,
    plan: _Plan,
    rng: random.Random,
    now: dt.datetime,
    team_for: Any,
    members: dict[int, list[User]],
    desk: User | None,
    contact_limit: dt.timedelta,
    close_limit: dt.timedelta,
) -> None:
    """Fill in the request's state and its events, as the steps would have left them."""
    events: list[RequestEvent] = []
    desk_label = str(desk or "demo")

    def event(at: dt.datetime, kind: str, who: User | None, note: str = "", **extra: Any) -> None:
        events.append(
            RequestEvent(
                at=min(at, now),
                kind=kind,
                actor=who,
                actor_label=str(who or desk_label),
                note=note,
                **extra,
            )
        )

    received = req.received_at
    event(received, EventKind.RECEIVED, desk, req.get_channel_display())
    req._demo_events = events  # type: ignore[attr-defined]
    state = plan.state
    req.status = Status.RECEIVED
    if state == "received":
        return
    if state == "merged":
        req.status = Status.MERGED
        req.updated_at = received + dt.timedelta(minutes=5)
        return

    urgent = req.priority == Priority.URGENT
    team = team_for(plan)
    staff: list[User | None] = [*members.get(team.pk, [])] or [None]
    worker = staff[rng.randrange(len(staff))]
    dispatched = received + dt.timedelta(minutes=rng.randint(2, 6 if urgent else 15))
    req.team, req.dispatched_at, req.dispatched_by = team, dispatched, desk
    req.status = Status.DISPATCHED
    event(dispatched, EventKind.DISPATCHED, desk, data={"team": team.name, "team_id": team.pk})
    if state == "dispatched":
        return

    claimed = dispatched + dt.timedelta(minutes=rng.randint(1, 8))
    req.claimed_by, req.claimed_at, req.status = worker, claimed, Status.CLAIMED
    event(claimed, EventKind.CLAIMED, worker)
    if state == "claimed":
        return

    limit = int(contact_limit.total_seconds() // 60)
    late = rng.random() < 0.05
    contact_minutes = (
        rng.randint(limit + 5, limit * 2) if late else rng.randint(4, max(5, limit - 3))
    )
    contact = received + dt.timedelta(minutes=contact_minutes)
    if contact >= now:
        # Too recent to have been reached yet: leave it claimed.
        return
    if rng.random() < 0.15:
        event(
            contact - dt.timedelta(minutes=3), EventKind.CONTACT, worker, outcome=Outcome.NO_ANSWER
        )
    event(contact, EventKind.CONTACT, worker, "已与求助人确认需求", outcome=Outcome.CALLED)
    req.first_contact_at = req.cycle_contact_at = contact
    req.status = Status.IN_PROGRESS
    req.was_overdue = contact > req.contact_due_at
    if state == "in_progress":
        return

    close_limit_min = int(close_limit.total_seconds() // 60)
    closed = contact + dt.timedelta(minutes=rng.randint(15, max(20, close_limit_min // 2)))
    if plan.close_between is not None:
        first, last = plan.close_between
        span = int((last - first).total_seconds() // 60)
        closed = max(first + dt.timedelta(minutes=rng.randint(0, span)), closed)
        closed = min(closed, last)
    elif closed >= now:
        closed = now - dt.timedelta(minutes=rng.randint(1, 10))
        closed = max(closed, contact + dt.timedelta(minutes=1))
    delivered = plan.category in {Category.FOOD, Category.MEDICINE}
    if delivered:
        event(
            closed - dt.timedelta(minutes=5), EventKind.CONTACT, worker, outcome=Outcome.DELIVERED
        )
    resolution = RESOLUTIONS[plan.category]
    event(closed, EventKind.CLOSED, worker, resolution)
    req.status, req.closed_at, req.closed_by, req.resolution = (
        Status.CLOSED,
        closed,
        worker,
        resolution,
    )
    req.was_overdue = req.was_overdue or closed > req.close_due_at
    followed = closed + dt.timedelta(minutes=rng.randint(30, 240))
    if state == "reopened":
        followed = min(followed, now - dt.timedelta(minutes=40))
        followed = max(followed, closed + dt.timedelta(minutes=1))
        event(
            followed,
            EventKind.FOLLOWED_UP,
            desk,
            "居民反映仍未收到物资",
            data={"satisfaction": Satisfaction.UNSATISFIED},
        )
        event(followed, EventKind.REOPENED, desk, "回访不满意：居民反映仍未收到物资")
        req.followed_up_at, req.satisfaction = followed, Satisfaction.UNSATISFIED
        req.reopened_count = 1
        req.closed_at = req.closed_by = None
        req.cycle_contact_at = None
        req.contact_due_at = followed + contact_limit
        req.close_due_at = followed + close_limit
        req.status = Status.CLAIMED
        return
    if followed < now and rng.random() < 0.7:
        satisfied = rng.random() < 0.96
        satisfaction = Satisfaction.SATISFIED if satisfied else Satisfaction.UNSATISFIED
        event(
            followed,
            EventKind.FOLLOWED_UP,
            desk,
            "" if satisfied else "对等待时间不满意",
            data={"satisfaction": satisfaction},
        )
        req.followed_up_at, req.satisfaction = followed, satisfaction


def _escalate(req: HelpRequest, now: dt.datetime, events: list[RequestEvent]) -> None:
    """What the sweep would have recorded for an open request past its limit."""
    if not req.is_overdue(now):
        return
    req.was_overdue = True
    due = req.next_due()
    reminded = due + dt.timedelta(minutes=1)
    req.escalation_level, req.escalated_at = Escalation.TEAM_LEAD, reminded
    events.append(
        RequestEvent(
            at=reminded,
            kind=EventKind.ESCALATED,
            actor_label="system",
            note="超时提醒组长",
            data={"level": 1},
        )
    )
    escalated = reminded + conf.escalation_grace()
    if escalated < now:
        req.escalation_level, req.escalated_at = Escalation.COMMAND_POST, escalated
        events.append(
            RequestEvent(
                at=escalated,
                kind=EventKind.ESCALATED,
                actor_label="system",
                note="已上报指挥部",
                data={"level": 2},
            )
        )
