"""Care profiles and green-channel runs over /api/v1/care/, scoped and audited like the pages.

Mounted by the lead in api.py: `api.add_router("/care/", care_router)`.
Personal data is masked (names and addresses only, as the crew needs them); a care profile or
a manifest read is audited like opening the page.
"""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from tongxin.care.services import care_profile_for, describe
from tongxin.care.services import runs as rs
from tongxin.care.services.registry import CareError, NotAllowed, get_visible_care_person

router = Router(tags=["care"])


class NeedOut(Schema):
    id: int
    kind: str
    kind_label: str
    line: str  # e.g. "血透：县人民医院，周一/三/五 07:30"
    hospital: str | None
    weekdays: str
    session_time: dt.time | None
    due_date: dt.date | None


class CareProfileOut(Schema):
    person_id: int
    tags: list[str]
    summary: str
    url: str
    needs: list[NeedOut]


class PassengerOut(Schema):
    id: int
    person_id: int
    name: str
    at_door: bool
    address: str | None  # only for a door pick-up
    zone: str
    stop: str | None
    boarding_time: dt.time | None
    slot: str | None
    status: str
    phone_masked: str


class RunOut(Schema):
    id: int
    date: dt.date
    township_id: int
    township: str
    hospital: str
    vehicle: str
    driver: str | None
    escort: str | None
    departs_at: dt.time | None
    picked_up: int
    arrived: int


class RunDetail(RunOut):
    passengers: list[PassengerOut]


class RunFilter(Schema):
    date: dt.date | None = None


class CheckIn(Schema):
    stage: Literal["pickup", "arrival", "absent", "undo"]


class CheckOut(Schema):
    id: int
    status: str
    changed: bool


class PlanIn(Schema):
    date: dt.date
    township_id: int | None = None


class PlanOut(Schema):
    runs: list[int]
    added: int
    removed: int
    unbooked: int


def _run_out(run: Any) -> dict[str, Any]:
    return {
        "id": run.pk, "date": run.date, "township_id": run.township_id,
        "township": run.township.name, "hospital": run.hospital.name, "vehicle": run.vehicle,
        "driver": str(run.driver) if run.driver else None,
        "escort": str(run.escort) if run.escort else None,
        "departs_at": run.departs_at, "picked_up": run.picked_up_count,
        "arrived": run.arrived_count,
    }  # fmt: skip


def _passenger_out(p: Any) -> dict[str, Any]:
    slot = p.slot
    return {
        "id": p.pk, "person_id": p.person_id, "name": p.person.name, "at_door": p.at_door,
        "address": p.person.household.address if p.at_door else None, "zone": p.zone_name,
        "stop": p.stop.name if p.stop else None, "boarding_time": p.boarding_time,
        "slot": f"{slot.starts_at:%H:%M}-{slot.ends_at:%H:%M} {slot.area}" if slot else None,
        "status": p.status, "phone_masked": p.person.phone_masked,
    }  # fmt: skip


@router.get(
    "/people/{int:person_id}",
    response=CareProfileOut,
    summary="A resident's care profile (404 when not registered or out of reach; audited)",
)
def care_profile(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = get_visible_care_person(request.user, person_id)
    profile = care_profile_for(person)
    if profile is None:
        raise Http404
    return {
        "person_id": profile.person_id, "tags": profile.tags, "summary": profile.summary,
        "url": profile.url,
        "needs": [
            {"id": n.pk, "kind": n.kind, "kind_label": str(n.get_kind_display()),
             "line": describe(n), "hospital": n.hospital.name if n.hospital else None,
             "weekdays": n.weekdays, "session_time": n.session_time, "due_date": n.due_date}
            for n in profile.needs
        ],
    }  # fmt: skip


@router.get(
    "/runs/", response=list[RunOut], summary="Green-channel runs of a day (tomorrow by default)"
)
def list_runs(request: HttpRequest, filters: Query[RunFilter]) -> list[dict[str, Any]]:
    date = filters.date or rs.tomorrow()
    runs = (
        rs.visible_runs(request.user)
        .filter(date=date)
        .select_related("township", "hospital", "driver", "escort")
        .order_by("township__path", "hospital__name")
    )
    return [_run_out(r) for r in runs]


@router.get("/runs/{int:run_id}", response=RunDetail, summary="A run and its manifest (audited)")
def run_detail(request: HttpRequest, run_id: int) -> dict[str, Any]:
    run, passengers = rs.open_manifest(request.user, run_id)
    return {**_run_out(run), "passengers": [_passenger_out(p) for p in passengers]}


@router.post(
    "/passengers/{int:passenger_id}/check",
    response=CheckOut,
    summary="Tick a passenger off (pickup, arrival, absent, undo); idempotent",
)
def check_off(request: HttpRequest, passenger_id: int, payload: CheckIn) -> dict[str, Any]:
    try:
        passenger, changed = rs.check_off(request.user, passenger_id, payload.stage)
    except NotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    return {"id": passenger.pk, "status": passenger.status, "changed": changed}


@router.post("/runs/plan", response=PlanOut, summary="Build a day's runs from the registry")
def plan_runs(request: HttpRequest, payload: PlanIn) -> dict[str, Any]:
    try:
        total = rs.plan_runs_for(request.user, payload.date, payload.township_id)
    except NotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    except CareError as exc:
        raise HttpError(400, str(exc)) from exc
    return {"runs": [r.pk for r in total.runs], "added": total.added,
            "removed": total.removed, "unbooked": total.unbooked}  # fmt: skip
