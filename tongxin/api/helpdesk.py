"""Help requests (masked) and the help platform's figures, scoped like its pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tongxin.api.pages import BoundedPages
from tongxin.helpdesk.models import Status, overdue_q
from tongxin.helpdesk.services import access, stats, work
from tongxin.helpdesk.services.events import HelpdeskError
from tongxin.helpdesk.services.intake import history
from tongxin.helpdesk.services.triage import EMERGENCY_RULE

router = Router(tags=["helpdesk"])


class HelpRequestOut(Schema):
    """A request as lists show it: the callback number masked, numbers in the text masked."""

    number: str
    received_at: dt.datetime
    channel: str
    category: str
    category_label: str
    priority: str
    is_emergency: bool
    status: str
    status_label: str
    text: str
    caller_name: str
    phone_masked: str
    place_id: int | None
    address: str
    team_id: int | None
    team: str
    claimed_by: str
    contact_due_at: dt.datetime
    close_due_at: dt.datetime
    first_contact_at: dt.datetime | None
    closed_at: dt.datetime | None
    overdue: bool
    suspected_duplicate_of: str | None
    merged_into: str | None

    @staticmethod
    def of(r: Any, now: dt.datetime) -> dict[str, Any]:
        return {
            "number": r.number,
            "received_at": r.received_at,
            "channel": r.channel,
            "category": r.category,
            "category_label": str(r.get_category_display()),
            "priority": r.priority,
            "is_emergency": r.is_emergency,
            "status": r.status,
            "status_label": str(r.get_status_display()),
            "text": r.text,
            "caller_name": r.caller_name,
            "phone_masked": r.phone_masked,
            "place_id": r.place_id,
            "address": (r.place.address if r.place_id and r.place else "") or r.address,
            "team_id": r.team_id,
            "team": r.team.name if r.team_id and r.team else "",
            "claimed_by": str(r.claimed_by) if r.claimed_by_id and r.claimed_by else "",
            "contact_due_at": r.contact_due_at,
            "close_due_at": r.close_due_at,
            "first_contact_at": r.first_contact_at,
            "closed_at": r.closed_at,
            "overdue": r.is_overdue(now),
            "suspected_duplicate_of": (
                r.suspected_duplicate_of.number if r.suspected_duplicate_of_id else None
            ),
            "merged_into": r.merged_into.number if r.merged_into_id else None,
        }


class EventOut(Schema):
    number: str
    at: dt.datetime
    kind: str
    kind_label: str
    outcome: str
    actor: str
    note: str


class HelpRequestDetail(HelpRequestOut):
    emergency_rule: str
    events: list[EventOut]


class RequestFilter(Schema):
    status: str = ""
    category: str = ""
    team: int | None = None
    overdue: bool = False
    open: bool = True


class Pages(BoundedPages):
    pass


@router.get("/requests/", response=list[HelpRequestOut], summary="Help requests (masked)")
@paginate(Pages)
def list_requests(request: HttpRequest, filters: Query[RequestFilter]) -> Any:
    now = timezone.now()
    qs = access.visible_requests(request.user).select_related(
        "team", "claimed_by", "place", "suspected_duplicate_of", "merged_into"
    )
    if filters.open:
        qs = qs.open()
    if filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.overdue:
        qs = qs.filter(overdue_q(now))
    return [HelpRequestOut.of(r, now) for r in qs.in_queue_order()]


@router.get("/requests/{number}", response=HelpRequestDetail, summary="One request and its log")
def request_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    found = access.view_request(request.user, number)
    events = [
        {
            "number": e.request.number,
            "at": e.at,
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),
            "outcome": e.outcome,
            "actor": e.actor_label,
            "note": e.note,
        }
        for e in history(found)
    ]
    return {
        **HelpRequestOut.of(found, timezone.now()),
        "emergency_rule": str(EMERGENCY_RULE),
        "events": events,
    }


@router.post("/requests/{number}/claim", response=HelpRequestOut, summary="Claim for my team")
def claim(request: HttpRequest, number: str) -> dict[str, Any]:
    found = access.get_request(request.user, number)
    try:
        claimed = work.claim(found, request.user)
    except HelpdeskError as exc:
        raise HttpError(409, str(exc)) from None
    return HelpRequestOut.of(claimed, timezone.now())


class StatsQuery(Schema):
    start: dt.datetime
    end: dt.datetime


@router.get("/stats", summary="Figures for requests received in [start, end)")
def figures(request: HttpRequest, query: Query[StatsQuery]) -> dict[str, Any]:
    start, end = query.start, query.end
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if timezone.is_naive(end):
        end = timezone.make_aware(end)
    if end <= start:
        raise HttpError(400, "end must be after start")
    try:
        stats.check_window(start, end)
    except stats.WindowTooLong as exc:
        raise HttpError(422, str(exc)) from None
    return stats.compute(start, end, user=request.user).as_dict()
