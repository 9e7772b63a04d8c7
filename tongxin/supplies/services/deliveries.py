"""Household deliveries for sealed and controlled estates.

A round's list is generated from the registry and the zone: every household of the estate in
a zone that may not be left (the edition's `leave_zone: false`, e.g. 封控区 and 管控区; a
single sealed building inside an open estate counts) with people living there (常住/暂住),
packages by household size (the edition's `supplies.people_per_package`). Doorsteps are
marked by the volunteer or cadre; a help request for living supplies linked to the household's
delivery is closed with it, through the help platform's own services."""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.helpdesk import services as helpdesk
from tongxin.helpdesk.models import Category, HelpRequest, Outcome
from tongxin.incidents.models import Incident
from tongxin.people.models import ResidenceStatus
from tongxin.places.models import Place, PlaceKind
from tongxin.supplies.models import DeliveryRound, HouseholdDelivery, Item, Warehouse
from tongxin.supplies.services import SuppliesError, rule
from tongxin.zones.services import effective_zones

LIVING_THERE = (ResidenceStatus.RESIDENT, ResidenceStatus.TEMPORARY)
BUILDING_PATH = 5 * Place.steplen
STAIRWELL_PATH = 6 * Place.steplen


@transaction.atomic
def generate_round(
    incident: Incident,
    estate: Place,
    item: Item,
    day: dt.date,
    *,
    warehouse: Warehouse | None = None,
    by: Any = None,
    at: dt.datetime | None = None,
) -> DeliveryRound:
    """Create (or complete) the round of `item` for the estate on `day`."""
    if estate.kind != PlaceKind.ESTATE:
        raise SuppliesError(_("请选择一个小区"))
    at = at or timezone.now()
    households = list(
        Place.objects.under(estate)
        .filter(kind=PlaceKind.HOUSEHOLD)
        .annotate(people=Count("residents", filter=Q(residents__residence_status__in=LIVING_THERE)))
        .filter(people__gt=0)
        .only("id", "path", "name")
    )
    zones = effective_zones(households, at, incident=incident)
    inside = [h for h in households if (z := zones.get(h.pk)) and z.kind.leave_zone is False]
    if not inside:
        raise SuppliesError(_("%(estate)s 没有封控或管控的住户") % {"estate": estate.name})
    per_package = max(int(rule(incident, "people_per_package")), 1)
    round_, _created = DeliveryRound.objects.get_or_create(
        estate=estate, item=item, day=day,
        defaults={"incident": incident, "warehouse": warehouse, "created_at": at,
                  "created_by": by if getattr(by, "pk", None) else None},
    )  # fmt: skip
    existing = set(round_.deliveries.values_list("household_id", flat=True))
    parents = {
        p.path: p.pk
        for p in Place.objects.under(estate)
        .filter(kind__in=(PlaceKind.BUILDING, PlaceKind.STAIRWELL))
        .only("id", "path")
    }
    new = []
    for h in inside:
        if h.pk in existing:
            continue
        stairwell = parents.get(h.path[:STAIRWELL_PATH]) if len(h.path) > STAIRWELL_PATH else None
        new.append(
            HouseholdDelivery(
                round=round_,
                household=h,
                building_id=parents[h.path[:BUILDING_PATH]],
                stairwell_id=stairwell,
                people=h.people,  # type: ignore[attr-defined]
                packages=math.ceil(h.people / per_package),  # type: ignore[attr-defined]
            )
        )
    HouseholdDelivery.objects.bulk_create(new, batch_size=1000)
    return round_


def delivery_list(round_: DeliveryRound, deliveries: Any = None) -> dict[str, Any]:
    """Per building (and stairwell): the households and their packages, delivered or not."""
    qs = deliveries if deliveries is not None else round_.deliveries.all()
    rows = qs.filter(round=round_).values(
        "pk", "household__name", "household__path", "building__name", "building__path",
        "stairwell__name", "packages", "people", "delivered_at", "help_request__number",
    )  # fmt: skip
    buildings: dict[str, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: r["household__path"]):
        b = buildings.setdefault(
            r["building__path"],
            {"building": r["building__name"], "households": [], "packages": 0,
             "delivered_packages": 0, "households_delivered": 0},
        )  # fmt: skip
        delivered = r["delivered_at"] is not None
        b["households"].append(
            {
                "id": r["pk"], "household": r["household__name"],
                "stairwell": r["stairwell__name"] or "", "packages": r["packages"],
                "delivered": delivered,
                "delivered_at": timezone.localtime(r["delivered_at"]).isoformat()
                if delivered else None,
                "help_request": r["help_request__number"] or None,
            }
        )  # fmt: skip
        b["packages"] += r["packages"]
        if delivered:
            b["delivered_packages"] += r["packages"]
            b["households_delivered"] += 1
    listed = sorted(buildings.items())
    totals: dict[str, int] = defaultdict(int)
    for _path, b in listed:
        totals["households"] += len(b["households"])
        totals["households_delivered"] += b["households_delivered"]
        totals["packages"] += b["packages"]
        totals["delivered_packages"] += b["delivered_packages"]
    return {
        "estate": {"id": round_.estate_id, "name": round_.estate.name},
        "round": {"id": round_.pk, "item": round_.item.name, "date": round_.day.isoformat()},
        "totals": dict(totals),
        "buildings": [b for _path, b in listed],
    }


@dataclass(frozen=True)
class Marked:
    delivery: HouseholdDelivery
    repeated: bool
    request_closed: bool
    request_note: str = ""


def mark_delivered(
    delivery: HouseholdDelivery,
    user: Any,
    *,
    client_id: str = "",
    at: dt.datetime | None = None,
) -> Marked:
    """Doorstep delivery. Safe to send twice (client id, or already delivered). Closes the
    linked help request through the help platform when the user works on it."""
    at = at or timezone.now()
    client_id = client_id.strip()[:64] or None  # type: ignore[assignment]
    if (
        client_id
        and HouseholdDelivery.objects.filter(client_id=client_id).exclude(pk=delivery.pk).exists()
    ):
        raise SuppliesError(_("客户端编号已用于其他住户"))
    with transaction.atomic():
        won = HouseholdDelivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(
            delivered_at=at, delivered_by=user if getattr(user, "pk", None) else None,
            client_id=client_id,
        )  # fmt: skip
        delivery.refresh_from_db()
        if not won:
            return Marked(delivery, True, False)
        closed, note = _close_request(delivery, user, at)
    return Marked(delivery, False, closed, note)


def _close_request(delivery: HouseholdDelivery, user: Any, at: dt.datetime) -> tuple[bool, str]:
    request = delivery.help_request
    if request is None or not request.is_open:
        return False, ""
    if not helpdesk.works_on(user, request):
        return False, _("求助工单 %(n)s 需由承办组办结") % {"n": request.number}
    item = delivery.round.item.name
    text = _("已送达%(item)s %(n)d份（入户配送）") % {"item": item, "n": delivery.packages}
    request = helpdesk.log_contact(request, user, Outcome.DELIVERED, text, now=at)
    helpdesk.close(request, user, text, now=at)
    return True, ""


def link_help_request(
    delivery: HouseholdDelivery, request: HelpRequest, user: Any = None
) -> HouseholdDelivery:
    """Fulfil a help request for living supplies by this household's delivery. From a page
    (`user` given) only by who works on the request: the team it was dispatched to (the
    support group) or the platform's duty staff."""
    if user is not None and not helpdesk.works_on(user, request):
        raise SuppliesError(_("只有承办组成员或平台值守人员可以关联求助工单"))
    if not request.is_open:
        raise SuppliesError(_("求助工单已办结"))
    if request.category != Category.FOOD:
        raise SuppliesError(_("只有生活物资类求助可由入户配送办结"))
    if delivery.delivered_at is not None:
        raise SuppliesError(_("该户已送达，不能再关联求助工单"))
    if delivery.help_request_id not in (None, request.pk):
        raise SuppliesError(_("该户的配送已关联其他求助工单"))
    household_id = request.place_id or (request.person.household_id if request.person else None)
    if household_id != delivery.household_id:
        raise SuppliesError(_("求助工单的住址与该户不一致"))
    delivery.help_request = request
    delivery.save(update_fields=["help_request"])
    return delivery


def linkable_requests(
    round_: DeliveryRound, requests: Any, deliveries: list[int] | None = None
) -> dict[int, list[HelpRequest]]:
    """Open requests for living supplies (among `requests`, the caller's visible ones) from
    households of the round (or of `deliveries`, the building on the phone) still waiting for
    their delivery and not yet linked: per delivery."""
    waiting_qs = round_.deliveries.filter(delivered_at__isnull=True, help_request__isnull=True)
    if deliveries is not None:
        waiting_qs = waiting_qs.filter(pk__in=deliveries)
    waiting = dict(waiting_qs.values_list("household_id", "pk"))
    if not waiting:
        return {}
    found = (
        requests.open()
        .filter(category=Category.FOOD, incident_id=round_.incident_id)
        .filter(Q(place_id__in=waiting) | Q(person__household_id__in=waiting))
        .exclude(supply_deliveries__isnull=False)
        .select_related("person")
        .order_by("received_at", "pk")[:200]
    )
    result: dict[int, list[HelpRequest]] = defaultdict(list)
    for request in found:
        household = request.place_id or (request.person.household_id if request.person else None)
        if household in waiting:
            result[waiting[household]].append(request)
    return dict(result)
