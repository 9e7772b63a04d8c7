"""Centralized isolation over /api/v1/isolation/: the escort's check-ins (idempotent by the
client's id), the site's receipt and health checks, scoped like the pages (an escort or driver
sees only their batch; a site its own). Names and masked numbers only."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from tongxin.isolation.models import BatchMember
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services import batches as bs
from tongxin.isolation.services.sites import board
from tongxin.isolation.services.stays import record_health_check, release_due, visible_stay

router = Router(tags=["isolation"])


class MemberOut(Schema):
    id: int
    stop: int
    name: str
    document_masked: str
    phone_masked: str
    age: int | None
    level: str
    address: str
    needs: list[str]
    outcome: str
    reason: str
    received: bool
    contacts: int


class TransferBatchOut(Schema):
    id: int
    code: str
    site: str
    vehicle_plate: str
    status: str
    planned_at: dt.datetime
    members: list[MemberOut]
    counts: dict[str, Any]


class CheckInIn(Schema):
    client_id: str
    member: int
    kind: Literal["outcome", "contact"] = "outcome"
    outcome: str = ""
    reason: str = ""
    method: str = ""
    result: str = ""
    at: dt.datetime | None = None


class CheckInsIn(Schema):
    items: list[CheckInIn]


class CheckInResultOut(Schema):
    client_id: str
    status: str
    message: str
    member: int | None
    outcome: str


class CheckInsOut(Schema):
    results: list[CheckInResultOut]
    counts: dict[str, Any]


class ReceiptIn(Schema):
    members: list[int]


class ReceiptOut(Schema):
    received: list[int]
    counts: dict[str, Any]


class HealthCheckIn(Schema):
    client_id: str
    stay: int
    temperature: float
    symptoms: list[str] = []
    slot: Literal["am", "pm"] | None = None
    at: dt.datetime | None = None


class HealthCheckOut(Schema):
    id: int
    stay: int
    date: dt.date
    slot: str
    temperature: float
    fever: bool
    created: bool


def _fail(exc: IsolationError) -> HttpError:
    return HttpError(403 if isinstance(exc, NotAllowed) else 409, str(exc))


def _members(batch: Any) -> list[dict[str, Any]]:
    from django.db.models import Count

    rows = (
        BatchMember.objects.filter(batch=batch)
        .select_related("entry")
        .annotate(n_contacts=Count("contacts"))
        .order_by("stop", "pk")
    )
    return [
        {
            "id": m.pk,
            "stop": m.stop,
            "name": m.entry.name,
            "document_masked": m.entry.document_masked,
            "phone_masked": m.entry.phone_masked,
            "age": m.entry.age,
            "level": m.entry.level,
            "address": m.entry.address,
            "needs": m.entry.need_labels(),
            "outcome": m.outcome,
            "reason": m.outcome_reason,
            "received": m.received_at is not None,
            "contacts": m.n_contacts,  # type: ignore[attr-defined]
        }
        for m in rows
    ]


@router.get("/sites", summary="Occupancy per site and for the county, against the reserve")
def sites(request: HttpRequest) -> dict[str, Any]:
    from tongxin.accounts.permissions import Perm, has_perm

    if not has_perm(request.user, Perm.WORK_ISOLATION):
        raise HttpError(403, "forbidden")
    return board(request.user).as_dict()


@router.get(
    "/batches/{int:batch_id}", response=TransferBatchOut, summary="A batch (crew or site only)"
)
def batch_detail(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    batch = bs.visible_batch(request.user, batch_id)
    return {
        "id": batch.pk, "code": batch.code, "site": batch.site.name,
        "vehicle_plate": batch.vehicle_plate, "status": batch.status,
        "planned_at": batch.planned_at, "members": _members(batch),
        "counts": bs.reconcile(batch).as_dict(),
    }  # fmt: skip


@router.post(
    "/batches/{int:batch_id}/checkins",
    response=CheckInsOut,
    summary="The escort's check-ins and contact logs; each applied once by its client_id",
)
def checkins(request: HttpRequest, batch_id: int, payload: CheckInsIn) -> dict[str, Any]:
    batch = bs.visible_batch(request.user, batch_id)
    try:
        results = bs.apply_checkins(request.user, batch, [i.dict() for i in payload.items])
    except IsolationError as exc:
        raise _fail(exc) from exc
    return {"results": [r.as_dict() for r in results], "counts": bs.reconcile(batch).as_dict()}


@router.post(
    "/batches/{int:batch_id}/receipt",
    response=ReceiptOut,
    summary="The site signs for the people who arrived (boarded only)",
)
def receipt(request: HttpRequest, batch_id: int, payload: ReceiptIn) -> dict[str, Any]:
    batch = bs.visible_batch(request.user, batch_id)
    try:
        done = bs.receive(request.user, batch, payload.members)
    except IsolationError as exc:
        raise _fail(exc) from exc
    return {"received": [m.pk for m in done], "counts": bs.reconcile(batch).as_dict()}


@router.post(
    "/health-checks",
    response={200: HealthCheckOut, 201: HealthCheckOut},
    summary="A twice-daily health check; idempotent by client_id",
)
def health_check(request: HttpRequest, payload: HealthCheckIn) -> Status:
    stay = visible_stay(request.user, payload.stay)
    try:
        check, created = record_health_check(
            request.user, stay, temperature=payload.temperature, symptoms=payload.symptoms,
            slot=payload.slot, at=payload.at, client_id=payload.client_id,
        )  # fmt: skip
    except (IsolationError, ValueError) as exc:
        if isinstance(exc, IsolationError):
            raise _fail(exc) from exc
        raise HttpError(422, str(exc)) from exc
    body = {
        "id": check.pk, "stay": stay.pk, "date": check.date, "slot": check.slot,
        "temperature": float(check.temperature), "fever": check.fever, "created": created,
    }  # fmt: skip
    return Status(201 if created else 200, body)


@router.get("/release-due", summary="People due for release on a day, with their last test")
def due(request: HttpRequest, date: dt.date) -> dict[str, Any]:
    from tongxin.accounts.permissions import Perm, has_perm

    if not has_perm(request.user, Perm.WORK_ISOLATION):
        raise HttpError(403, "forbidden")
    return {"date": date.isoformat(), "people": release_due(date, request.user)}
