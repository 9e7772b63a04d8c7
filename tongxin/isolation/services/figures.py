"""The isolation figures for the command picture and the daily report (no personal data)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from tongxin.incidents.models import Incident
from tongxin.isolation.models import (
    Batch,
    BatchMember,
    HomeWatch,
    Outcome,
    Room,
    RoomStatus,
    Site,
    Stay,
    StayStatus,
)
from tongxin.places.models import Place


def figures(
    incident: Incident, *, area: Place | None = None, at: dt.datetime | None = None
) -> dict[str, Any]:
    at = at or timezone.now()
    day = timezone.localdate(at)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    sites = Site.objects.filter(active=True)
    if area is not None:
        sites = sites.filter(place__path__startswith=area.path)
    rooms = Room.objects.filter(site__in=sites).aggregate(
        rooms=Count("id"),
        occupied=Count("id", filter=Q(status=RoomStatus.OCCUPIED)),
        free=Count("id", filter=Q(status=RoomStatus.FREE)),
        to_be_cleaned=Count("id", filter=Q(status=RoomStatus.CLEANING)),
    )
    stays = Stay.objects.filter(incident=incident, site__in=sites, intake_at__lte=at)
    in_isolation = stays.filter(
        Q(released_at__isnull=True) | Q(released_at__gt=at),
        status__in=[StayStatus.IN_SITE, StayStatus.RELEASED, StayStatus.TRANSFERRED],
    ).count()
    released = stays.filter(status=StayStatus.RELEASED, released_at__lte=at)
    batches = Batch.objects.filter(incident=incident, site__in=sites)
    boarded_today = BatchMember.objects.filter(
        batch__in=batches, outcome=Outcome.BOARDED, outcome_at__gte=start, outcome_at__lte=at
    ).count()
    unreachable = BatchMember.objects.filter(
        batch__in=batches, outcome=Outcome.UNREACHABLE, batch__closed_at__isnull=True
    ).count()
    homes = HomeWatch.objects.filter(incident=incident, starts_on__lte=day, ends_on__gte=day)
    if area is not None:
        homes = homes.filter(household__path__startswith=area.path)
    return {
        "sites": sites.count(),
        "rooms": rooms["rooms"],
        "occupied": rooms["occupied"],
        "free": rooms["free"],
        "to_be_cleaned": rooms["to_be_cleaned"],
        "occupancy_percent": round(100 * rooms["occupied"] / rooms["rooms"])
        if rooms["rooms"]
        else 0,
        "transfers_today": batches.filter(planned_at__gte=start, planned_at__lte=at).count(),
        "transferred_today": boarded_today,
        "unreachable_open": unreachable,
        "in_isolation": in_isolation,
        "released": released.count(),
        "released_today": released.filter(released_at__gte=start).count(),
        "home_watch": homes.filter(ended_at__isnull=True).count(),
    }
