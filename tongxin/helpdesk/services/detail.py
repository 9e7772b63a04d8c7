"""Everything the request page shows beside the request itself."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tongxin.helpdesk.models import HelpRequest, RequestEvent, Status
from tongxin.helpdesk.services import access, registry
from tongxin.helpdesk.services.intake import find_duplicates, history
from tongxin.people.models import Person


@dataclass
class RequestView:
    request: HelpRequest
    zone: Any = None
    responsible: registry.Responsible = field(default_factory=registry.Responsible)
    care: Any = None
    care_url: str = ""
    care_tags: list[str] = field(default_factory=list)
    duplicates: list[HelpRequest] = field(default_factory=list)
    merged: list[HelpRequest] = field(default_factory=list)
    events: list[RequestEvent] = field(default_factory=list)
    overdue: bool = False
    # what the viewer may do
    duty: bool = False
    member: bool = False
    works: bool = False
    can_claim: bool = False
    can_reveal: bool = False


def view(request: HelpRequest, user: Any, *, now: dt.datetime | None = None) -> RequestView:
    now = now or timezone.now()
    # The care plan is health data: shown (and its view audited by the care app) to those who
    # may see the resident's record; the others working the request see the tags taken at
    # intake.
    care = None
    if request.person_id and (
        Person.objects.visible_to(user).filter(pk=request.person_id).exists()
    ):
        care = registry.care_profile(request.person, audit=True)
    member = access.is_team_member(user, request)
    result = RequestView(
        request=request,
        zone=registry.zone_of(request.place, request.incident),
        responsible=registry.responsible_for(request.place),
        care=care,
        care_url=registry.care_url(care),
        care_tags=registry.care_tags(care) or list(request.care_tags),
        merged=list(request.merged_requests.order_by("received_at")),
        events=history(request),
        overdue=request.is_overdue(now),
        duty=access.is_duty_staff(user),
        member=member,
        works=access.works_on(user, request),
        can_reveal=access.can_reveal_phone(user, request),
    )
    result.can_claim = (
        member
        and request.claimed_by_id is None
        and request.status in (Status.DISPATCHED, Status.IN_PROGRESS)
    )
    if request.is_open:
        result.duplicates = find_duplicates(
            phone=request.phone, place=request.place, person=request.person, exclude=request
        )
    return result
