"""Check-ins at posts and coverage over /api/v1/workforce/.

A check-in (or check-out) carries the phone's client id: sending it again answers the same
and stores nothing more. The caller checks in as themselves (their account's member record);
coverage is scoped to the posts the caller may see.
"""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.api.places import get_visible_place
from tongxin.workforce.models import Assignment, Member, Post
from tongxin.workforce.services import WorkforceError, current_incident
from tongxin.workforce.services.attendance import CheckResult, check_in, check_out
from tongxin.workforce.services.coverage import coverage

router = Router(tags=["workforce"])


class PostCheckIn(Schema):
    client_id: str = Field(min_length=1, max_length=64, description="the phone's own id")
    action: Literal["in", "out"] = "in"
    code: str = Field("", max_length=12, description="the post code (for a check-in)")
    at: dt.datetime | None = Field(None, description="when, if sent later (offline)")


class FatigueOut(Schema):
    hours: float
    warning: bool
    message: str


class CheckInOut(Schema):
    id: int
    status: Literal["checked_in", "checked_out"]
    repeated: bool
    post: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    hours: float
    fatigue: FatigueOut


class CheckInProblem(Schema):
    detail: str


def member_of(user: Any) -> Member:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    member = (
        Member.objects.filter(user_id=user.pk).select_related("incident__policy_edition").first()
    )
    if member is None:
        raise Http404
    return member


def _out(result: CheckResult) -> dict[str, Any]:
    a = result.attendance
    return {
        "id": a.pk,
        "status": "checked_out" if a.checked_out_at else "checked_in",
        "repeated": result.repeated,
        "post": a.post.name,
        "checked_in_at": a.checked_in_at,
        "checked_out_at": a.checked_out_at,
        "hours": round(a.hours(a.checked_out_at or a.checked_in_at), 2),
        "fatigue": {
            "hours": result.fatigue.hours,
            "warning": result.fatigue.warning,
            "message": result.fatigue.message(),
        },
    }


@router.post(
    "/checkins",
    response={200: CheckInOut, 400: CheckInProblem, 404: CheckInProblem},
    summary="Check in at a post by its code, or check out; idempotent by client_id",
)
def post_checkin(request: HttpRequest, payload: PostCheckIn) -> Any:
    member = member_of(request.user)
    try:
        if payload.action == "in":
            result = check_in(member, payload.code, client_id=payload.client_id, at=payload.at)
        else:
            result = check_out(member, client_id=payload.client_id, at=payload.at)
    except WorkforceError as exc:
        raise HttpError(400, str(exc)) from None
    return _out(result)


class ShiftOut(Schema):
    post: str
    code: str
    qualification: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@router.get("/me/shifts", response=list[ShiftOut], summary="The caller's own shifts")
def my_shifts(request: HttpRequest) -> Any:
    member = member_of(request.user)
    rows = Assignment.objects.filter(member=member).select_related("shift__post")
    return [
        {
            "post": a.shift.post.name,
            "code": a.shift.post.code,
            "qualification": a.qualification,
            "starts_at": a.starts_at,
            "ends_at": a.ends_at,
        }
        for a in rows.order_by("starts_at")
    ]


@router.get(
    "/coverage",
    response=dict[str, Any],
    summary="Demand, assigned and gap per post and shift on a day (gaps first), scoped",
)
def get_coverage(request: HttpRequest, date: dt.date, township: int | None = None) -> Any:
    if not has_perm(request.user, Perm.VIEW_WORKFORCE):
        raise Http404
    incident = current_incident()
    if incident is None:
        raise Http404
    place = get_visible_place(request.user, township) if township is not None else None
    report = coverage(incident, date, township=place, posts=Post.objects.visible_to(request.user))
    return report.as_dict()
