"""流调 over /api/v1/tracing/: cases, contacts, venues, co-presence and a bulk check-in upload.

Cases and their contacts (which name the case) are for investigators and the command post;
units and grid staff get their contacts' management (level, dates, tasks) without the case.
Identities are masked; opening a case or a person's management is audited like the pages.
"""

import datetime as dt
import json
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from tongxin.accounts.permissions import Perm
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.sampling.models import PositivePerson
from tongxin.tracing.models import Case, Channel, Contact, Management, Venue, VenueKind
from tongxin.tracing.services import TracingError, confirm_contacts
from tongxin.tracing.services.access import incident_for, require, visible_case, visible_management
from tongxin.tracing.services.cases import case_from_positive, deadlines
from tongxin.tracing.services.checkins import import_rows
from tongxin.tracing.services.copresence import at_venue
from tongxin.tracing.services.derive import derive_for_case
from tongxin.tracing.services.reports import (
    contact_dict,
    contacts_overview,
    management_dict,
    mask_name,
    who,
)

router = Router(tags=["tracing"])

MAX_CHECKINS = 5000


class IncidentFilter(Schema):
    incident: int | None = None


class CaseOut(Schema):
    id: int
    label: str
    number: int
    person: dict[str, Any]
    classification: str
    classification_label: str
    channel: str
    status: str
    reported_at: dt.datetime
    onset_date: dt.date | None
    first_positive_at: dt.datetime | None
    deadlines: dict[str, dt.datetime]
    contacts: int
    candidates: int


class StayOut(Schema):
    venue: str | None
    address: str
    started_at: dt.datetime
    ended_at: dt.datetime
    crowd: str
    ventilation: str
    masks: str


class CaseDetail(CaseOut):
    timeline: list[StayOut]
    links: list[dict[str, Any]]
    classification_history: list[dict[str, Any]]


class FromPositiveIn(Schema):
    positive: int
    channel: str = Channel.COMMUNITY


class ConfirmIn(Schema):
    contacts: list[int]


class CountOut(Schema):
    confirmed: int


class VenueIn(Schema):
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    kind: str = VenueKind.OTHER
    address: str = ""


class VenueOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    address: str


# The upload is read from the body as it is (like the sampling upload): the rows carry ID
# numbers and phones in, and no schema of the API may name such a field.
CHECKIN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["client_id", "rows"],
    "properties": {
        "client_id": {"type": "string", "description": "a batch sent twice is stored once"},
        "incident": {"type": "integer", "description": "default: the open incident"},
        "rows": {
            "type": "array",
            "maxItems": MAX_CHECKINS,
            "items": {
                "type": "object",
                "required": ["venue_code", "entered_at"],
                "properties": {
                    "venue_code": {"type": "string"},
                    "document_type": {"type": "string", "default": "resident_id"},
                    "document_number": {"type": "string", "description": "ID number scanned"},
                    "phone": {"type": "string", "description": "or the mobile number"},
                    "name": {"type": "string"},
                    "entered_at": {"type": "string", "format": "date-time"},
                    "exited_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}


class CheckInSummary(Schema):
    rows: int
    stored: int
    duplicate: int
    unmatched: int
    rejected: int
    rejected_reasons: dict[str, int]


class CopresenceFilter(Schema):
    venue: str
    start: dt.datetime = Field(alias="from")
    end: dt.datetime = Field(alias="to")
    min_minutes: int = 0
    incident: int | None = None


def _case_out(case: Case) -> dict[str, Any]:
    links = case.contacts.all()
    return {
        "id": case.pk,
        "label": case.label,
        "number": case.number,
        "person": _case_person(case),
        "classification": case.classification,
        "classification_label": case.get_classification_display(),
        "channel": case.channel,
        "status": case.status,
        "reported_at": case.reported_at,
        "onset_date": case.onset_date,
        "first_positive_at": case.first_positive_at,
        "deadlines": deadlines(case),
        "contacts": links.filter(status="confirmed").count(),
        "candidates": links.filter(status="candidate").count(),
    }


def _case_person(case: Case) -> dict[str, Any]:
    p = case.person or case.outside_person
    assert p is not None
    return {
        "name": mask_name(p.name),
        "document": p.document_masked,
        "phone": p.phone_masked,
        "in_registry": case.person_id is not None,
    }


@router.get("/cases/", response=list[CaseOut], summary="Cases of the incident (masked)")
def list_cases(request: HttpRequest, filters: Query[IncidentFilter]) -> list[dict[str, Any]]:
    require(request.user, Perm.VIEW_CASES)
    incident = incident_for(request.user, filters.incident)
    cases = Case.objects.visible_to(request.user).filter(incident=incident)
    cases = cases.select_related("incident__policy_edition", "person", "outside_person")
    return [_case_out(c) for c in cases]


@router.get("/cases/{int:case_id}", response=CaseDetail, summary="A case (audited)")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = visible_case(request.user, case_id)
    links = case.contacts.select_related(
        "management__person", "management__outside_person", "source_case"
    ).order_by("level", "pk")
    return {
        **_case_out(case),
        "timeline": [
            {
                "venue": s.venue.name if s.venue else None,
                "address": s.address,
                "started_at": s.started_at,
                "ended_at": s.ended_at,
                "crowd": s.crowd,
                "ventilation": s.ventilation,
                "masks": s.masks,
            }
            for s in case.stays.select_related("venue")
        ],
        "links": [contact_dict(c) for c in links],
        "classification_history": [
            {"classification": h.classification, "at": h.at.isoformat()}
            for h in case.classifications.all()
        ],
    }


@router.post("/cases/from-positive", response={201: CaseOut}, summary="Open a case from a positive")
def from_positive(request: HttpRequest, payload: FromPositiveIn) -> Status:
    require(request.user, Perm.MANAGE_TRACING)
    positive = PositivePerson.objects.visible_to(request.user).filter(pk=payload.positive).first()
    if positive is None:
        raise Http404
    if payload.channel not in Channel.values:
        raise HttpError(400, "channel")
    try:
        case = case_from_positive(positive, channel=payload.channel, by=request.user)
    except TracingError as exc:
        raise HttpError(400, str(exc)) from exc
    return Status(201, _case_out(case))


@router.post(
    "/cases/{int:case_id}/derive",
    response=list[dict[str, Any]],
    summary="Derive the case's candidates by the edition's rules (nothing is confirmed)",
)
def derive(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    require(request.user, Perm.MANAGE_TRACING)
    case = visible_case(request.user, case_id, audit=False)
    contacts = derive_for_case(case)
    loaded = Contact.objects.filter(pk__in=[c.pk for c in contacts]).select_related(
        "management__person", "management__outside_person", "source_case", "source_management"
    )
    return [contact_dict(c) for c in loaded]


@router.post("/contacts/confirm", response=CountOut, summary="Confirm candidates (bulk)")
def confirm(request: HttpRequest, payload: ConfirmIn) -> dict[str, int]:
    require(request.user, Perm.MANAGE_TRACING)
    contacts = list(
        Contact.objects.visible_to(request.user)
        .filter(pk__in=payload.contacts)
        .select_related("management")
    )
    if len(contacts) != len(set(payload.contacts)):
        raise Http404
    return {"confirmed": confirm_contacts(contacts, request.user)}


@router.get(
    "/contacts/",
    response=dict[str, Any],
    summary="Contacts by level and management status, and the list (masked; never the case)",
)
def contacts(request: HttpRequest, filters: Query[IncidentFilter]) -> dict[str, Any]:
    require(request.user, Perm.VIEW_CONTACTS)
    incident = incident_for(request.user, filters.incident)
    data = contacts_overview(incident, Management.objects.visible_to(request.user))
    record(
        AuditAction.VIEW,
        target_type="tracing.management",
        label=f"接触者名单 ×{len(data['contacts'])}",
        detail={"incident": incident.pk, "rows": len(data["contacts"])},
    )
    return data


@router.get("/contacts/{int:management_id}", response=dict[str, Any], summary="One contact")
def contact(request: HttpRequest, management_id: int) -> dict[str, Any]:
    m = visible_management(request.user, management_id)
    return {**management_dict(m), **who(m)}


@router.get("/venues/", response=list[VenueOut], summary="Venues")
def venues(request: HttpRequest) -> list[Venue]:
    require(request.user, Perm.VIEW_CONTACTS)
    return list(Venue.objects.visible_to(request.user)[:2000])


@router.post("/venues/", response={201: VenueOut}, summary="Add a venue (or update it by code)")
def add_venue(request: HttpRequest, payload: VenueIn) -> Status:
    require(request.user, Perm.MANAGE_TRACING)
    if payload.kind not in VenueKind.values:
        raise HttpError(400, "kind")
    venue, _created = Venue.objects.update_or_create(
        code=payload.code.strip(),
        defaults={"name": payload.name, "kind": payload.kind, "address": payload.address},
    )
    return Status(201, venue)


@router.post(
    "/checkins",
    response={200: CheckInSummary, 400: dict[str, str]},
    summary="Upload check-ins (up to 5,000); a batch resent with its client id stores nothing",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CHECKIN_SCHEMA}},
        }
    },
)
def upload_checkins(request: HttpRequest) -> Status:
    require(request.user, Perm.MANAGE_TRACING)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return Status(400, {"detail": _("请求内容不是有效的 JSON")})
    rows = payload.get("rows") if isinstance(payload, dict) else None
    client_id = str(payload.get("client_id") or "")[:100] if isinstance(payload, dict) else ""
    if not isinstance(rows, list) or not client_id or len(rows) > MAX_CHECKINS:
        return Status(
            400, {"detail": _('请求内容应为 {"client_id": …, "rows": [...]}，最多 5000 行')}
        )
    incident_id = payload.get("incident")
    incident = incident_for(request.user, incident_id if isinstance(incident_id, int) else None)
    items = [
        {k: r.get(k) for k in ("venue_code", "document_type", "document_number", "phone", "name",
                               "entered_at", "exited_at")}
        for r in rows
        if isinstance(r, dict)
    ]  # fmt: skip
    summary = import_rows(
        incident, items, name=f"api:{client_id}", client_id=client_id, by=request.user
    )
    return Status(200, summary.as_dict())


@router.get("/copresence", response=list[dict[str, Any]], summary="Who was at a venue in a window")
def copresence(request: HttpRequest, filters: Query[CopresenceFilter]) -> list[dict[str, Any]]:
    require(request.user, Perm.VIEW_CASES)
    venue = Venue.objects.visible_to(request.user).filter(code=filters.venue).first()
    if venue is None:
        raise Http404
    incident = incident_for(request.user, filters.incident)
    people = at_venue(incident, venue, filters.start, filters.end, filters.min_minutes)
    record(
        AuditAction.VIEW,
        target_type="tracing.checkin",
        label=f"时空交集 {venue.code} ×{len(people)}",
        detail={"venue": venue.code, "rows": len(people)},
    )
    return [{**p.as_dict(), "name": mask_name(p.name)} for p in people]
