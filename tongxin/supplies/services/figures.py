"""Supplies figures: items below their threshold, open requests, household deliveries done
and pending. Counts only."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from tongxin.incidents.models import Incident
from tongxin.places.models import Place
from tongxin.supplies.models import HouseholdDelivery, RequestStatus, StockLot, SupplyRequest


def figures(
    incident: Incident, *, area: Place | None = None, at: dt.datetime | None = None
) -> dict[str, Any]:
    at = at or timezone.now()
    lots = StockLot.objects.all()
    if area is not None:
        lots = lots.filter(warehouse__place__path__startswith=area.path)
    balances = (
        lots.order_by()
        .values("warehouse_id", "item_id", "item__low_stock_at")
        .annotate(n=Sum("quantity"))
    )
    low = sum(1 for b in balances if b["item__low_stock_at"] and b["n"] < b["item__low_stock_at"])
    requests = SupplyRequest.objects.filter(incident=incident, requested_at__lte=at)
    deliveries = HouseholdDelivery.objects.filter(round__incident=incident)
    if area is not None:
        requests = requests.filter(warehouse__place__path__startswith=area.path)
        deliveries = deliveries.filter(household__path__startswith=area.path)
    done = Q(delivered_at__isnull=False, delivered_at__lte=at)
    household = deliveries.aggregate(
        households=Count("id"),
        delivered=Count("id", filter=done),
        package_total=Sum("packages"),
        package_delivered=Sum("packages", filter=done),
    )
    return {
        "low_stock_items": low,
        "requests": requests.aggregate(
            open=Count("id", filter=Q(status=RequestStatus.OPEN)),
            overdue=Count("id", filter=Q(status=RequestStatus.OPEN, needed_by__lt=at)),
            issued=Count(
                "id", filter=Q(status__in=(RequestStatus.ISSUED, RequestStatus.DELIVERED))
            ),
        ),
        "household_deliveries": {
            "households": household["households"] or 0,
            "delivered": household["delivered"] or 0,
            "packages": household["package_total"] or 0,
            "packages_delivered": household["package_delivered"] or 0,
        },
        "help_requests_fulfilled": deliveries.filter(done, help_request__isnull=False).count(),
    }
