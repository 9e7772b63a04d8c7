"""The demo county's supplies: the county warehouse and a street transfer station, PPE,
sampling consumables and living supplies received by batch, issues that leave N95 masks and
sampling tubes below their thresholds (the warehouse is running low), requests from test
points (500 tubes by 05:00), and today's vegetable-package round for the controlled estate
with its sealed buildings, partly delivered, with a food help request waiting on it.

Found-or-created: a re-run adds nothing."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongxin.accounts.models import Role, User
from tongxin.helpdesk.models import Category, HelpRequest
from tongxin.incidents.models import Incident
from tongxin.places.models import PlaceKind
from tongxin.supplies.models import (
    HouseholdDelivery,
    Item,
    ItemCategory,
    SupplyRequest,
    Warehouse,
)
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.deliveries import generate_round, link_help_request, mark_delivered
from tongxin.supplies.services.requests import confirm_receipt, issue_request
from tongxin.supplies.services.stock import issue, receive
from tongxin.units.models import Unit
from tongxin.zones.models import ZoneDesignation

ITEMS = (
    ("防护服", ItemCategory.PPE, "套", 300, 1200, 980),
    ("N95口罩", ItemCategory.PPE, "个", 2000, 5000, 4300),
    ("面屏", ItemCategory.PPE, "个", 200, 800, 300),
    ("手套", ItemCategory.PPE, "副", 1000, 6000, 2500),
    ("采样管", ItemCategory.SAMPLING, "支", 3000, 12000, 10200),
    ("拭子", ItemCategory.SAMPLING, "支", 5000, 30000, 18000),
    ("蔬菜包", ItemCategory.LIVING, "份", 500, 3000, 400),
    ("米", ItemCategory.LIVING, "袋", 100, 600, 120),
    ("油", ItemCategory.LIVING, "桶", 100, 400, 60),
    ("药品", ItemCategory.MEDICINE, "份", 50, 200, 40),
)  # name, category, unit, threshold, received, issued


def load_demo_supplies(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    if Warehouse.objects.exists() or not incident.is_open:
        return _summary()
    with transaction.atomic():
        _build(incident, now)
    return _summary()


def _summary() -> dict[str, Any]:
    return {
        "warehouses": Warehouse.objects.count(),
        "items": Item.objects.count(),
        "deliveries": HouseholdDelivery.objects.count(),
    }


def _build(incident: Incident, now: dt.datetime) -> None:
    team = Unit.objects.filter(name="县物资保障组").first()
    keeper = User.objects.filter(role=Role.SUPPORT_TEAM, is_active=True).order_by("pk").first()
    county = Warehouse.objects.create(name="县应急物资仓库", unit=team)
    station = Warehouse.objects.create(name="城关街道物资中转站", unit=team)
    received = now - dt.timedelta(days=2)
    items = {}
    for name, category, unit, threshold, got, gone in ITEMS:
        item = Item.objects.create(
            name=name, category=category, unit_label=unit, low_stock_at=threshold
        )
        items[name] = item
        first = got * 2 // 3
        receive(county, item, first, batch="2022-03-A", by=keeper, at=received,
                expires_on=dt.date(2022, 9, 30))  # fmt: skip
        receive(county, item, got - first, batch="2022-03-B", by=keeper,
                at=received + dt.timedelta(hours=20), expires_on=dt.date(2022, 12, 31))  # fmt: skip
        issue(county, item, gone, by=keeper, note="各采样点、封控小区领用",
              at=received + dt.timedelta(days=1))  # fmt: skip
        receive(station, item, max(threshold // 2, 10), batch="调拨", by=keeper, at=received)
    tomorrow_five = timezone.make_aware(
        dt.datetime.combine(timezone.localdate(now) + dt.timedelta(days=1), dt.time(5))
    )
    points = ("城东嘉苑1号采样点", "城东嘉苑2号采样点", "锦绣花园采样点")
    SupplyRequest.objects.create(
        incident=incident, warehouse=county, item=items["采样管"], quantity=500,
        needed_by=tomorrow_five, for_post=points[0], requested_at=now - dt.timedelta(hours=2),
    )  # fmt: skip
    SupplyRequest.objects.create(
        incident=incident, warehouse=county, item=items["防护服"], quantity=60,
        needed_by=tomorrow_five, for_post=points[1], requested_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    done = SupplyRequest.objects.create(
        incident=incident, warehouse=county, item=items["拭子"], quantity=800,
        needed_by=now - dt.timedelta(hours=6), for_post=points[2],
        requested_at=now - dt.timedelta(hours=10),
    )  # fmt: skip
    issue_request(done, by=keeper, at=now - dt.timedelta(hours=9))
    confirm_receipt(done, "采样点负责人", at=now - dt.timedelta(hours=8))

    # Today's vegetable packages for the controlled estate (sealed buildings inside it).
    controlled = (
        ZoneDesignation.objects.filter(
            incident=incident, effective_until__isnull=True, place__kind=PlaceKind.ESTATE
        )
        .select_related("place")
        .order_by("-kind_rank", "pk")
        .first()
    )
    if controlled is None:
        return
    try:
        round_ = generate_round(
            incident, controlled.place, items["蔬菜包"], timezone.localdate(now), warehouse=county,
            by=keeper, at=now,
        )  # fmt: skip
    except SuppliesError:
        return
    deliveries = list(round_.deliveries.select_related("round__item").order_by("household__path"))
    food = (
        HelpRequest.objects.filter(
            incident=incident, category=Category.FOOD, place__path__startswith=controlled.place.path
        )
        .open()
        .first()
    )
    by_household = {d.household_id: d for d in deliveries}
    if food is not None and food.place_id in by_household:
        link_help_request(by_household[food.place_id], food)
    for n, delivery in enumerate(deliveries):
        if n % 5 < 2 and delivery.help_request_id is None:
            mark_delivered(delivery, keeper, client_id=f"demo-{delivery.pk}",
                           at=now - dt.timedelta(minutes=90 - n % 60))  # fmt: skip
