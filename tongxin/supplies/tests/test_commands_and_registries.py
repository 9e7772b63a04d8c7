import io
import json

import pytest
from django.core.management import call_command

from tongxin.factories import PersonFactory, household
from tongxin.incidents.registry import figures_providers, purge_handlers
from tongxin.supplies.factories import item, warehouse
from tongxin.supplies.models import HouseholdDelivery
from tongxin.supplies.services.deliveries import mark_delivered
from tongxin.supplies.services.stock import receive
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("supplies", *args, stdout=out)
    return json.loads(out.getvalue())


def test_stock_json_flags_low_items_first() -> None:
    wh = warehouse("县应急物资仓库")
    receive(wh, item("N95口罩", low_stock_at=500), 400, batch="2022-03")
    receive(wh, item("手套"), 1000)
    data = _run("stock", "--warehouse", "县应急物资仓库", "--json")
    [only] = data["warehouses"]
    assert [(e["item"], e["balance"], e["low"]) for e in only["items"]] == [
        ("N95口罩", 400, True),
        ("手套", 1000, False),
    ]
    assert only["items"][0]["batches"] == [
        {"batch": "2022-03", "quantity": 400, "expires_on": None}
    ]


def test_deliveries_json_per_building_and_the_registries(incident, chief) -> None:
    h = household("阳光小区", "1", "101")
    PersonFactory(household=h, name="张三", phone="13800138000")
    estate = h.parent.parent
    designate_zone(estate, "sealed", incident, at=local(6), reason="阳性", decided_by=chief)
    item("蔬菜包", category="living")
    data = _run("deliveries", "--estate", str(estate.pk), "--generate", "--json")
    assert data["buildings"][0]["households"][0]["household"] == "101室"
    assert data["buildings"][0]["households"][0]["delivered"] is False
    mark_delivered(HouseholdDelivery.objects.get(), chief, client_id="x", at=local(7, 9))
    data = _run("deliveries", "--estate", "阳光小区", "--json")
    assert data["totals"]["households_delivered"] == 1
    assert "张三" not in json.dumps(data, ensure_ascii=False)

    wh = warehouse()
    receive(wh, item("防护服", low_stock_at=10), 12)
    figures = figures_providers()["supplies"](incident, at=local(8))
    assert figures["household_deliveries"] == {
        "households": 1, "delivered": 1, "packages": 1, "packages_delivered": 1,
    }  # fmt: skip
    assert figures["low_stock_items"] == 0
    purge = purge_handlers()["supplies"]
    assert purge(incident, dry_run=True) == {"receipts": 0, "deliveries": 1}
    assert purge(incident, dry_run=False) == {"receipts": 0, "deliveries": 1}
    assert purge(incident, dry_run=False) == {"receipts": 0, "deliveries": 0}
    assert HouseholdDelivery.objects.get().delivered_at is not None


def test_round_generation_refuses_outside_zones(incident) -> None:
    h = household("阳光小区", "1", "101")
    PersonFactory(household=h)
    item("蔬菜包")
    with pytest.raises(Exception, match="没有封控或管控"):
        _run("deliveries", "--estate", "阳光小区", "--generate", "--json")
