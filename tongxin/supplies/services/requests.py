"""Requests from posts (a test point needs 500 tubes by 05:00): issue, then delivery with a
receipt."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.supplies.models import RequestStatus, SupplyRequest
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.stock import issue


def issue_request(
    request: SupplyRequest, *, by: Any = None, at: dt.datetime | None = None
) -> SupplyRequest:
    at = at or timezone.now()
    with transaction.atomic():
        locked = SupplyRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.OPEN:
            raise SuppliesError(_("该申领已处理"))
        issue(
            locked.warehouse, locked.item, locked.quantity, by=by, request=locked, at=at,
            note=locked.for_post,
        )  # fmt: skip
        locked.status = RequestStatus.ISSUED
        locked.issued_at = at
        locked.save(update_fields=["status", "issued_at"])
    return locked


def confirm_receipt(
    request: SupplyRequest, receiver: str, *, at: dt.datetime | None = None
) -> SupplyRequest:
    receiver = receiver.strip()
    if not receiver:
        raise SuppliesError(_("请填写签收人"))
    updated = SupplyRequest.objects.filter(pk=request.pk, status=RequestStatus.ISSUED).update(
        status=RequestStatus.DELIVERED,
        delivered_at=at or timezone.now(),
        receipt_name=receiver[:50],
    )
    if not updated:
        raise SuppliesError(_("只有已出库的申领可以签收"))
    request.refresh_from_db()
    return request


def create_request(
    incident: Any,
    warehouse: Any,
    item: Any,
    quantity: int,
    for_post: str,
    *,
    needed_by: dt.datetime | None = None,
    place: Any = None,
    by: Any = None,
) -> SupplyRequest:
    """申领: a post asks a warehouse for an item (a test point needs 500 tubes by 05:00)."""
    if quantity <= 0:
        raise SuppliesError(_("申领数量须大于零"))
    for_post = for_post.strip()
    if not for_post:
        raise SuppliesError(_("请填写申领岗位"))
    if not warehouse.active:
        raise SuppliesError(_("该仓库已停用"))
    return SupplyRequest.objects.create(
        incident=incident, warehouse=warehouse, item=item, quantity=quantity,
        for_post=for_post[:100], needed_by=needed_by, place=place,
        requested_by=by if getattr(by, "pk", None) else None,
    )  # fmt: skip
