"""What each kind of user sees: the duty staff's queue, a team's list, the county view.

Everything starts from `HelpRequest.objects.visible_to(user)`. Overdue rows carry
`.overdue = True`, which every board shows in red.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from tongxin.helpdesk.models import (
    OPEN_STATUSES,
    Category,
    HelpRequest,
    HelpRequestQuerySet,
    Status,
    overdue_q,
)
from tongxin.helpdesk.services.access import visible_requests

RELATED = ("team", "claimed_by", "place", "suspected_duplicate_of")


def _mark(requests: list[HelpRequest], now: dt.datetime) -> list[HelpRequest]:
    for r in requests:
        r.overdue = r.is_overdue(now)  # type: ignore[attr-defined]
        r.due = r.next_due()  # type: ignore[attr-defined]
        r.age_minutes = int((now - r.received_at).total_seconds() // 60)  # type: ignore[attr-defined]
    return requests


PER_PAGE = 50


def page_of(
    qs: Any, number: Any, *, now: dt.datetime | None = None, per_page: int | None = None
) -> Page:
    """One page of a board's rows, marked (overdue, due, age) for display."""
    page = Paginator(qs, per_page or PER_PAGE).get_page(number)
    page.object_list = _mark(list(page.object_list), now or timezone.now())
    return page


def queue_rows(
    user: Any,
    *,
    status: str = "",
    category: str = "",
    only_overdue: bool = False,
    now: dt.datetime | None = None,
) -> HelpRequestQuerySet:
    """The duty staff's queue: open requests, emergencies first, then by priority and age (the
    one to act on next is at the top of page 1)."""
    now = now or timezone.now()
    qs: HelpRequestQuerySet = visible_requests(user).open()
    if status in OPEN_STATUSES:
        qs = qs.filter(status=status)
    if category in Category.values:
        qs = qs.filter(category=category)
    if only_overdue:
        qs = qs.filter(overdue_q(now))
    return qs.in_queue_order().select_related(*RELATED)


def queue(
    user: Any,
    *,
    status: str = "",
    category: str = "",
    only_overdue: bool = False,
    now: dt.datetime | None = None,
    limit: int = 300,
) -> list[HelpRequest]:
    now = now or timezone.now()
    qs = queue_rows(user, status=status, category=category, only_overdue=only_overdue, now=now)
    return _mark(list(qs[:limit]), now)


@dataclass
class TeamBoard:
    unclaimed: list[HelpRequest] = field(default_factory=list)
    mine: list[HelpRequest] = field(default_factory=list)
    others: list[HelpRequest] = field(default_factory=list)
    recently_closed: list[HelpRequest] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.unclaimed) + len(self.mine) + len(self.others)

    @property
    def overdue_count(self) -> int:
        rows = self.unclaimed + self.mine + self.others
        return sum(1 for r in rows if getattr(r, "overdue", False))


def team_board(user: Any, unit_id: int, *, now: dt.datetime | None = None) -> TeamBoard:
    """What is dispatched to a team: not yet claimed, claimed by me, claimed by colleagues,
    and what the team closed in the last day."""
    now = now or timezone.now()
    mine_qs = visible_requests(user).filter(team_id=unit_id)
    rows = _mark(list(mine_qs.open().in_queue_order().select_related(*RELATED)), now)
    board = TeamBoard()
    for r in rows:
        if r.claimed_by_id is None:
            board.unclaimed.append(r)
        elif r.claimed_by_id == getattr(user, "pk", None):
            board.mine.append(r)
        else:
            board.others.append(r)
    board.recently_closed = list(
        mine_qs.filter(status=Status.CLOSED, closed_at__gte=now - dt.timedelta(days=1))
        .select_related(*RELATED)
        .order_by("-closed_at")[:50]
    )
    return board


@dataclass
class TeamRow:
    team_id: int | None
    name: str
    open: int
    unclaimed: int
    overdue: int
    emergencies: int


@dataclass
class CountyView:
    by_status: list[tuple[str, str, int]]
    by_category: list[tuple[str, str, int, int]]  # code, label, open, overdue
    teams: list[TeamRow]
    overdue: list[HelpRequest]
    emergencies: list[HelpRequest]
    open_total: int
    overdue_total: int
    awaiting_follow_up: int


def county_view(user: Any, *, now: dt.datetime | None = None) -> CountyView:
    now = now or timezone.now()
    open_qs = visible_requests(user).open()
    late = overdue_q(now)
    status_counts = dict(open_qs.values_list("status").annotate(n=Count("pk")))
    by_status = [(s, str(label), status_counts.get(s, 0)) for s, label in Status.choices
                 if s in OPEN_STATUSES]  # fmt: skip
    category_rows = {
        row["category"]: row
        for row in open_qs.values("category").annotate(n=Count("pk"), late=Count("pk", filter=late))
    }
    by_category = [
        (code, str(label), category_rows.get(code, {}).get("n", 0),
         category_rows.get(code, {}).get("late", 0))
        for code, label in Category.choices
    ]  # fmt: skip
    team_rows = (
        open_qs.values("team_id", "team__name")
        .annotate(
            n=Count("pk"),
            unclaimed=Count("pk", filter=Q(claimed_by__isnull=True)),
            late=Count("pk", filter=late),
            emergencies=Count("pk", filter=Q(is_emergency=True)),
        )
        .order_by("-late", "-n", "team__name")
    )
    teams = [
        TeamRow(r["team_id"], r["team__name"] or "", r["n"], r["unclaimed"], r["late"],
                r["emergencies"])
        for r in team_rows
    ]  # fmt: skip
    overdue = _mark(list(open_qs.filter(late).in_queue_order().select_related(*RELATED)[:100]), now)
    emergencies = _mark(
        list(open_qs.filter(is_emergency=True).in_queue_order().select_related(*RELATED)[:50]),
        now,
    )
    return CountyView(
        by_status=by_status,
        by_category=by_category,
        teams=teams,
        overdue=overdue,
        emergencies=emergencies,
        open_total=sum(status_counts.values()),
        overdue_total=open_qs.filter(late).count(),
        awaiting_follow_up=awaiting_follow_up_count(user),
    )


def _awaiting_follow_up(user: Any) -> HelpRequestQuerySet:
    return visible_requests(user).filter(status=Status.CLOSED, followed_up_at__isnull=True)


def awaiting_follow_up_count(user: Any) -> int:
    return _awaiting_follow_up(user).count()


# How the follow-up list can be sorted: the default puts the request just closed first (the
# call back is best made while the resident remembers it); "oldest" works through the backlog.
FOLLOW_UP_ORDERS: dict[str, tuple[str, ...]] = {
    "recent": ("-closed_at", "-pk"),
    "oldest": ("closed_at", "pk"),
    "urgent": ("-is_emergency", "priority_rank", "-closed_at", "-pk"),
}


def follow_up_rows(user: Any, *, order: str = "recent", number: str = "") -> HelpRequestQuerySet:
    """Closed requests nobody has called back yet, in the chosen order; `number` finds one."""
    qs = _awaiting_follow_up(user).select_related(*RELATED)
    if number.strip():
        qs = qs.filter(number__icontains=number.strip())
    ordering = FOLLOW_UP_ORDERS.get(order, FOLLOW_UP_ORDERS["recent"])
    if "priority_rank" in ordering:
        qs = qs.in_queue_order()
    return qs.order_by(*ordering)


def awaiting_follow_up(user: Any, limit: int = 100) -> list[HelpRequest]:
    return list(follow_up_rows(user)[:limit])
