"""Sampling devices, labs and dashboards: bulk sample upload, lab results, coverage, recalls.

The bulk upload reads its body itself (orjson) and answers with a ready-made JSON response: a
batch of 1,000 events is validated by the sampling service in a few set-based statements, and
passing it through a schema twice (in and out) would cost more than the database does. The
OpenAPI document still describes the request (EVENT_SCHEMA) and the answer (BatchOut).
"""

import datetime as dt
import logging
from typing import Any

import orjson
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import field_validator

from tongxin.api.places import get_visible_place
from tongxin.people.services import PermissionDenied
from tongxin.sampling.services import admission, coverage, recalls, recording, results
from tongxin.sampling.services.access import can
from tongxin.testing.models import TestRound

router = Router(tags=["sampling"])
logger = logging.getLogger(__name__)

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "round": {"type": "integer", "description": "default round for every event"},
        "point": {"type": "integer", "description": "default test point for every event"},
        "tube_mode": {
            "type": "string",
            "enum": ["single", "household", "pool_10", "pool_20", "pool"],
            "description": "mode of tubes the batch opens (default: as the policy gives)",
        },
        "events": {
            "type": "array",
            "maxItems": recording.MAX_BATCH,
            "items": {
                "type": "object",
                "required": ["id", "tube", "sampled_at"],
                "properties": {
                    "id": {"type": "string", "format": "uuid", "description": "client id"},
                    "kind": {"type": "string", "enum": ["sample", "close"]},
                    "tube": {"type": "string", "description": "tube barcode"},
                    "document_number": {"type": "string", "description": "ID read from card"},
                    "document_type": {"type": "string", "default": "resident_id"},
                    "person": {"type": "integer", "description": "or a resident id"},
                    "sampled_at": {"type": "string", "format": "date-time"},
                    "round": {"type": "integer"},
                    "point": {"type": "integer"},
                    "door_task": {"type": "integer"},
                    "tube_mode": {"type": "string"},
                    "tube_capacity": {"type": "integer"},
                    "walk_in": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "building": {"type": "integer"},
                            "room": {"type": "string"},
                            "phone": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}


class EventResult(Schema):
    id: str
    status: str = Field(description="stored, duplicate or refused")
    reason: str | None = None
    message: str | None = None
    warnings: list[str] | None = None
    person: str | None = Field(None, description="name and masked ID number")
    tube: str | None = None


class BatchOut(Schema):
    stored: int
    duplicate: int
    refused: int
    warnings: int
    results: list[EventResult]
    tubes: dict[str, dict[str, Any]]


class Problem(Schema):
    detail: str


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(data),
        content_type="application/json; charset=utf-8",
        status=status,
    )


@router.post(
    "/events",
    response={200: BatchOut, 400: Problem, 403: Problem, 429: Problem, 503: Problem},
    summary="Upload a batch of sample events (up to 1,000); a batch sent twice is stored once",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": EVENT_SCHEMA}}}
    },
)
def upload_events(request: HttpRequest) -> HttpResponse:
    try:
        payload = orjson.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _json({"detail": _("请求内容不是有效的 JSON")}, 400)
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return _json({"detail": _('请求内容应为 {"events": [...]}')}, 400)
    defaults = {
        k: payload[k] for k in ("round", "point", "tube_mode", "tube_capacity") if k in payload
    }
    source = str(payload.get("source")) if payload.get("source") in ("point", "door") else "device"
    try:
        with admission.admitted(admission.device_of(request)):
            result = recording.record_batch(
                payload["events"], user=request.user, defaults=defaults, source=source
            )
    except admission.Shed as exc:
        return _retry_later(exc.status, exc.retry_after)
    except (OperationalError, InterfaceError) as exc:
        # The database is restarting, out of connections or gave up on a lock: nothing of the
        # batch was committed (one transaction), so the device simply sends it again. Said in
        # the log by kind only (a database message may quote the values it was given).
        logger.warning("sample upload deferred (503): database %s", type(exc).__name__)
        return _retry_later(503, admission.busy_retry_after())
    except recording.NotAllowed as exc:
        return _json({"detail": str(exc)}, 403)
    except recording.BatchError as exc:
        return _json({"detail": str(exc)}, 400)
    return _json(result.as_dict())


def _retry_later(status: int, seconds: int) -> HttpResponse:
    if status == 429:
        detail = _("上传太频繁，请稍后再试（样本已在本机排队）")
    else:
        detail = _("服务器繁忙，请稍后再试（样本已在本机排队）")
    response = _json({"detail": detail}, status)
    response["Retry-After"] = str(seconds)
    return response


class ResultRow(Schema):
    barcode: str
    result: str = Field(
        description="exactly one of: 阴性 / 未检出 / negative, 阳性 / 检出 / positive, "
        "无效 / invalid (abbreviations such as 阴 or + are refused as invalid rows)"
    )
    reported_at: str = Field(description="ISO date-time; county time when no offset")
    lab: str | None = None
    ct: float | None = None
    ct_orf1ab: float | None = None
    ct_n: float | None = None

    @field_validator("reported_at")
    @classmethod
    def _iso_time(cls, value: str) -> str:
        """A time that breaks the declared format is the caller's error (422), not a row
        quietly refused."""
        try:
            dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("reported_at must be an ISO date-time") from None
        return value


class ResultsIn(Schema):
    lab: str = ""
    rows: list[ResultRow] = Field(max_length=10000)


@router.post(
    "/results",
    response={200: dict[str, Any], 403: Problem},
    summary="Labs: upload results per tube barcode (idempotent; unknown and conflicting reported)",
)
def upload_results(request: HttpRequest, payload: ResultsIn) -> Any:
    try:
        return results.import_result_rows(
            [row.dict() for row in payload.rows], user=request.user, lab=payload.lab
        )
    except results.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None


def _round(request: HttpRequest, round_id: int) -> TestRound:
    return get_object_or_404(
        TestRound.objects.visible_to(request.user).select_related("incident"), pk=round_id
    )


@router.get(
    "/rounds/{round_id}/coverage",
    response=dict[str, Any],
    summary="Coverage of a round (optionally under ?area=PLACE_ID), scoped to the caller",
)
def round_coverage(request: HttpRequest, round_id: int, area: int | None = None) -> Any:
    if not can(request.user, "view_coverage"):
        raise Http404
    test_round = _round(request, round_id)
    place = get_visible_place(request.user, area) if area is not None else None
    return coverage.shared_report(test_round, place, user=request.user)


@router.get(
    "/rounds/{round_id}/recalls",
    response=list[dict[str, Any]],
    summary="Recalls of a round with their members (masked), scoped to the caller",
)
def round_recalls(request: HttpRequest, round_id: int) -> Any:
    if not can(request.user, "view_recalls"):
        raise Http404
    return recalls.recalls_report(_round(request, round_id), request.user)
