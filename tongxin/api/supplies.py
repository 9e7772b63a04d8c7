"""Stock and household deliveries over /api/v1/supplies/.

Marking a doorstep carries the phone's client id: sending it again answers the same. A
delivery outside the caller's reach is 404.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.supplies.models import DeliveryRound, HouseholdDelivery, Warehouse
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.deliveries import delivery_list, mark_delivered
from tongxin.supplies.services.stock import stock_report

router = Router(tags=["supplies"])


class Delivered(Schema):
    client_id: str = Field(min_length=1, max_length=64)
    delivery: int
    at: dt.datetime | None = None


class DeliveredOut(Schema):
    id: int
    delivered: bool
    delivered_at: dt.datetime | None
    repeated: bool
    help_request_closed: bool
    note: str


class DeliveryProblem(Schema):
    detail: str


@router.post(
    "/deliveries",
    response={200: DeliveredOut, 400: DeliveryProblem, 404: DeliveryProblem},
    summary="Mark a household's doorstep delivery; idempotent by client_id",
)
def post_delivery(request: HttpRequest, payload: Delivered) -> Any:
    if not has_perm(request.user, Perm.DELIVER_SUPPLIES):
        raise Http404
    delivery = get_object_or_404(
        HouseholdDelivery.objects.visible_to(request.user).select_related(
            "round__item", "help_request"
        ),
        pk=payload.delivery,
    )
    try:
        marked = mark_delivered(delivery, request.user, client_id=payload.client_id, at=payload.at)
    except SuppliesError as exc:
        raise HttpError(400, str(exc)) from None
    return {
        "id": delivery.pk,
        "delivered": marked.delivery.delivered_at is not None,
        "delivered_at": marked.delivery.delivered_at,
        "repeated": marked.repeated,
        "help_request_closed": marked.request_closed,
        "note": marked.request_note,
    }


@router.get("/rounds/{round_id}", response=dict[str, Any], summary="A round's list per building")
def get_round(request: HttpRequest, round_id: int) -> Any:
    round_ = get_object_or_404(
        DeliveryRound.objects.visible_to(request.user).select_related("estate", "item"),
        pk=round_id,
    )
    return delivery_list(round_, HouseholdDelivery.objects.visible_to(request.user))


@router.get("/stock", response=dict[str, Any], summary="Stock per warehouse, item and batch")
def get_stock(request: HttpRequest, warehouse: int | None = None) -> Any:
    warehouses = Warehouse.objects.visible_to(request.user)
    if warehouse is not None:
        warehouses = warehouses.filter(pk=warehouse)
        if not warehouses.exists():
            raise Http404
    return {"warehouses": stock_report(warehouses)}
