"""`tongxin supplies …`: stock and household delivery lists from the command line.

    tongxin supplies stock [--warehouse W] [--json]
    tongxin supplies deliveries --estate NODE [--date YYYY-MM-DD] [--json]
    tongxin supplies deliveries --estate NODE --generate --item 蔬菜包 [--date …] [--json]

W is a warehouse id or name; NODE an estate's id, full address or name. The delivery list
is per building: households (room and stairwell only, never a name) and packages, delivered
or not.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tongxin.audit.context import Actor, acting_as
from tongxin.incidents.models import Incident
from tongxin.places.models import PlaceKind
from tongxin.places.services import find_node
from tongxin.supplies.models import DeliveryRound, Item, Warehouse
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.deliveries import delivery_list, generate_round
from tongxin.supplies.services.stock import stock_report


def _incident() -> Incident:
    found = Incident.objects.open().select_related("policy_edition").order_by("-started_at")
    incident = found.first()
    if incident is None:
        raise CommandError(_("没有进行中的响应事件"))
    return incident


class Command(BaseCommand):
    help = "物资保障：库存、入户配送清单"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        stock = sub.add_parser("stock", help=_("各仓库库存（按物资、批次）"))
        stock.add_argument("--warehouse")
        stock.add_argument("--json", action="store_true")
        dl = sub.add_parser("deliveries", help=_("小区入户配送清单（按楼幢）"))
        dl.add_argument("--estate", required=True)
        dl.add_argument("--date")
        dl.add_argument("--generate", action="store_true", help=_("按登记和区域生成清单"))
        dl.add_argument("--item", default="蔬菜包")
        dl.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(Actor(label="tongxin supplies", channel="cli")):
            getattr(self, "_" + options["action"])(options)

    def _stock(self, options: dict[str, Any]) -> None:
        warehouses = Warehouse.objects.filter(active=True)
        raw = (options.get("warehouse") or "").strip()
        if raw:
            warehouses = (
                warehouses.filter(pk=int(raw)) if raw.isdigit() else warehouses.filter(name=raw)
            )
            if not warehouses.exists():
                raise CommandError(_("找不到仓库：%(raw)s") % {"raw": raw})
        report = stock_report(warehouses)
        if options["json"]:
            self.stdout.write(json.dumps({"warehouses": report}, ensure_ascii=False, indent=2))
            return
        for wh in report:
            self.stdout.write(wh["warehouse"])
            for entry in wh["items"]:
                flag = _("（库存不足）") if entry["low"] else ""
                self.stdout.write(f"  {entry['item']} {entry['balance']}{entry['unit']}{flag}")

    def _deliveries(self, options: dict[str, Any]) -> None:
        estate = find_node(options["estate"], PlaceKind.ESTATE)
        if estate is None:
            raise CommandError(_("找不到小区：%(raw)s") % {"raw": options["estate"]})
        day = parse_date(options["date"]) if options.get("date") else None
        if options.get("date") and day is None:
            raise CommandError(_("无法识别的日期：%(raw)s") % {"raw": options["date"]})
        if options["generate"]:
            item = Item.objects.filter(name=options["item"]).first()
            if item is None:
                raise CommandError(_("找不到物资：%(raw)s") % {"raw": options["item"]})
            try:
                round_ = generate_round(_incident(), estate, item, day or timezone.localdate())
            except SuppliesError as exc:
                raise CommandError(str(exc)) from exc
        else:
            rounds = DeliveryRound.objects.filter(estate=estate).select_related("item", "estate")
            if day is not None:
                rounds = rounds.filter(day=day)
            found = rounds.order_by("-day", "-pk").first()
            if found is None:
                raise CommandError(
                    _("%(estate)s 还没有配送清单，可加 --generate 按登记生成")
                    % {"estate": estate.name}
                )
            round_ = found
        data = delivery_list(round_)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        t = data["totals"]
        self.stdout.write(
            f"{estate.name} {data['round']['date']} {data['round']['item']}："
            f"{t.get('households_delivered', 0)}/{t.get('households', 0)} 户已送达"
        )
        for b in data["buildings"]:
            pending = [x["household"] for x in b["households"] if not x["delivered"]]
            self.stdout.write(
                f"  {b['building']} {b['packages']}份，未送：{'、'.join(pending) or '无'}"
            )
