"""Check-ins at posts, coverage and the volunteer list over /api/v1/workforce/.

A check-in (or check-out) carries the phone's client id: sending it again answers the same
and stores nothing more. The caller checks in as themselves (their account's member record);
coverage is scoped to the posts the caller may see.
"""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.api.pages import BoundedPages
from tongxin.api.places import get_visible_place
from tongxin.workforce.models import Assignment, Member, Post, Verification
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


class VolunteerFilter(Schema):
    status: Verification | None = Field(None, description="pending, verified or rejected")
    organisation: int | None = Field(None, description="a volunteer organisation's id")
    area: int | None = Field(None, description="volunteers living under this place")


class VolunteerOut(Schema):
    """Masked: the phone and ID number never leave in full."""

    id: int
    name: str
    phone_masked: str
    document_masked: str
    qualifications: list[str]
    skills: str
    availability: str
    area_id: int | None
    area: str | None
    organisation_id: int | None
    organisation: str | None
    verification: str
    verified_at: dt.datetime | None
    registered_at: dt.datetime = Field(..., alias="created_at")

    @staticmethod
    def resolve_area(obj: Member) -> str | None:
        return obj.area.name if obj.area_id and obj.area else None

    @staticmethod
    def resolve_organisation(obj: Member) -> str | None:
        return obj.organisation.name if obj.organisation_id and obj.organisation else None


class VolunteerPages(BoundedPages):
    pass


@router.get(
    "/volunteers",
    response=list[VolunteerOut],
    summary="Volunteers of the open incident the caller may see (masked, paged)",
)
@paginate(VolunteerPages)
def list_volunteers(request: HttpRequest, filters: Query[VolunteerFilter]) -> Any:
    if not has_perm(request.user, Perm.VIEW_WORKFORCE):
        raise Http404
    incident = current_incident()
    if incident is None:
        raise Http404
    rows = Member.objects.visible_to(request.user).filter(incident=incident, is_volunteer=True)
    if filters.status is not None:
        rows = rows.filter(verification=filters.status)
    if filters.organisation is not None:
        rows = rows.filter(organisation_id=filters.organisation)
    if filters.area is not None:
        place = get_visible_place(request.user, filters.area)
        rows = rows.filter(area__path__startswith=place.path)
    return (
        rows.select_related("area", "organisation")
        .defer("phone", "document_number")
        .order_by("created_at", "pk")
    )
