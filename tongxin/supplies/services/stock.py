"""The stock ledger. Receiving adds to a batch; issuing takes from the batches that expire
first. An issue locks the item's batches in the warehouse (SELECT … FOR UPDATE) and
decrements each with a conditional UPDATE, and the database refuses a negative batch (CHECK),
so two people issuing the last boxes at once cannot both have them."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.notifications.services import notify
from tongxin.supplies.models import (
    Item,
    MoveKind,
    StockLot,
    StockMove,
    SupplyRequest,
    Warehouse,
)
from tongxin.supplies.services import SuppliesError


def balance(warehouse: Warehouse, item: Item) -> int:
    return int(
        StockLot.objects.filter(warehouse=warehouse, item=item).aggregate(n=Sum("quantity"))["n"]
        or 0
    )


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


@transaction.atomic
def receive(
    warehouse: Warehouse,
    item: Item,
    quantity: int,
    *,
    batch: str = "",
    expires_on: dt.date | None = None,
    by: Any = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> StockMove:
    if quantity <= 0:
        raise SuppliesError(_("入库数量须大于零"))
    at = at or timezone.now()
    lot, _created = StockLot.objects.select_for_update().get_or_create(
        warehouse=warehouse, item=item, batch=batch,
        defaults={"expires_on": expires_on, "received_at": at},
    )  # fmt: skip
    StockLot.objects.filter(pk=lot.pk).update(quantity=F("quantity") + quantity)
    return StockMove.objects.create(
        warehouse=warehouse, item=item, lot=lot, kind=MoveKind.IN, quantity=quantity,
        balance_after=balance(warehouse, item), at=at, by=_user(by), note=note[:200],
    )  # fmt: skip


@dataclass(frozen=True)
class Issued:
    moves: list[StockMove]
    balance: int
    low: bool


def issue(
    warehouse: Warehouse,
    item: Item,
    quantity: int,
    *,
    by: Any = None,
    request: SupplyRequest | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Issued:
    """Take `quantity` out, earliest expiry first; refused whole if the stock is short."""
    if quantity <= 0:
        raise SuppliesError(_("出库数量须大于零"))
    at = at or timezone.now()
    with transaction.atomic():
        lots = list(
            StockLot.objects.select_for_update()
            .filter(warehouse=warehouse, item=item, quantity__gt=0)
            .order_by(F("expires_on").asc(nulls_last=True), "received_at", "pk")
        )
        before = sum(lot.quantity for lot in lots)
        if before < quantity:
            raise SuppliesError(
                _("%(item)s 库存不足：现有 %(have)d%(unit)s，需要 %(want)d%(unit)s")
                % {"item": item.name, "have": before, "want": quantity, "unit": item.unit_label}
            )
        remaining = quantity
        moves = []
        running = before
        for lot in lots:
            if not remaining:
                break
            take = min(lot.quantity, remaining)
            if not StockLot.objects.filter(pk=lot.pk, quantity__gte=take).update(
                quantity=F("quantity") - take
            ):
                raise SuppliesError(_("库存刚刚已变化，请重试"))
            remaining -= take
            running -= take
            moves.append(
                StockMove(
                    warehouse=warehouse,
                    item=item,
                    lot=lot,
                    kind=MoveKind.OUT,
                    quantity=-take,
                    balance_after=running,
                    at=at,
                    by=_user(by),
                    request=request,
                    note=note[:200],
                )
            )
        StockMove.objects.bulk_create(moves)
        after = before - quantity
        low = bool(item.low_stock_at) and after < item.low_stock_at
        if low and before >= item.low_stock_at:
            _alert(warehouse, item, after)
    return Issued(moves, after, low)


def _alert(warehouse: Warehouse, item: Item, left: int) -> None:
    """Tell the warehouse's unit (and the command post's inbox through the unit) once, when
    the balance crosses the item's threshold."""
    notify(
        "supplies_low_stock",
        units=[warehouse.unit] if warehouse.unit is not None else [],
        context={
            "item": item,
            "warehouse": warehouse,
            "balance": left,
            "threshold": item.low_stock_at,
            "unit": item.unit_label,
        },
    )


def stock_report(warehouses: Any) -> list[dict[str, Any]]:
    """Per warehouse and item: balance, batches, and whether it is below its threshold."""
    rows = (
        StockLot.objects.filter(warehouse__in=warehouses)
        .select_related("warehouse", "item")
        .order_by("warehouse__name", "item__category", "item__name", "expires_on", "pk")
    )
    report: dict[int, dict[str, Any]] = {}
    for lot in rows:
        wh = report.setdefault(
            lot.warehouse_id, {"warehouse": lot.warehouse.name, "id": lot.warehouse_id, "items": {}}
        )
        entry = wh["items"].setdefault(
            lot.item_id,
            {
                "item": lot.item.name, "category": lot.item.category, "unit": lot.item.unit_label,
                "balance": 0, "low_stock_at": lot.item.low_stock_at, "batches": [],
            },
        )  # fmt: skip
        entry["balance"] += lot.quantity
        entry["batches"].append(
            {
                "batch": lot.batch,
                "quantity": lot.quantity,
                "expires_on": lot.expires_on.isoformat() if lot.expires_on else None,
            }
        )
    result = []
    for wh in report.values():
        items = list(wh["items"].values())
        for entry in items:
            entry["low"] = bool(entry["low_stock_at"]) and entry["balance"] < entry["low_stock_at"]
        items.sort(key=lambda e: (not e["low"], e["category"], e["item"]))
        result.append({"warehouse": wh["warehouse"], "id": wh["id"], "items": items})
    return result
