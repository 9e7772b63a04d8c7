"""A zone layout for the demo county, like the report's first nights.

The estate with the most buildings becomes a controlled zone with three sealed buildings
inside (each with a positive found in it), the rest of its township a prevention zone, and a
second estate of the township a controlled zone whose last positive lies further back, with an
all-negative whole-area round a few hours ago: the one closest to lifting (proposed on the board
once the edition's days have passed). Works on whatever tree is loaded; idempotent.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.zones import kinds as zk
from tongxin.zones.models import AreaTestRound, PositiveFinding, ZoneDesignation
from tongxin.zones.services import designate_zone, record_area_round, record_positive

# Which buildings of the big estate are sealed (positions in building order, 0-based).
SEALED_POSITIONS = (2, 6, 11)


def _first_household(place: Place) -> Place:
    found = Place.objects.under(place).filter(kind=PlaceKind.HOUSEHOLD).order_by("path").first()
    return found or place


def _buildings(estate: Place) -> list[Place]:
    from tongxin.places.services import natural_key

    return sorted(Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING), key=natural_key)


def load_demo_zones(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    """Create the demo layout in `incident` as of `now` (aware). Returns counts of what exists.

    Kinds are taken by rank from the incident's edition (highest, middle, lowest), so the demo
    reads 封控/管控/防范 under the 8th edition and 高/中/低风险 under the 9th."""
    summary = {"created": False}
    existing = ZoneDesignation.objects.filter(incident=incident)
    kinds = zk.zone_kinds(incident.policy_edition)
    estates = (
        Place.objects.filter(kind=PlaceKind.ESTATE)
        .annotate(n=Count("children"))
        .filter(n__gt=0)
        .order_by("-n", "path")
    )
    big = estates.first()
    if existing.exists() or big is None or len(kinds) < 2 or not incident.is_open:
        return {**summary, **_counts(incident)}
    sealed_kind, controlled_kind, prevention_kind = kinds[0], kinds[1], kinds[-1]
    township = Place.objects.filter(path=big.path[: 2 * Place.steplen]).first()
    neighbour = estates.filter(path__startswith=(township or big).path).exclude(pk=big.pk)
    near = neighbour.order_by("path").first()
    decider = User.objects.filter(role=Role.COMMAND_POST, is_active=True).order_by("pk").first()

    # The layout spans at most the last 16 days, and never starts before the incident.
    base = max(incident.started_at, now - dt.timedelta(days=16))
    sealed_at = max(base + dt.timedelta(hours=3), now - dt.timedelta(days=2))

    with transaction.atomic():
        if township is not None and prevention_kind.code != controlled_kind.code:
            designate_zone(
                township, prevention_kind.code, incident, at=base + dt.timedelta(hours=1),
                reason=_("县城区域实行防范区管理"), decided_by=decider,
            )  # fmt: skip
        if near is not None:
            record_positive(
                incident, _first_household(near), base + dt.timedelta(minutes=30),
                source=_("重点人群核酸检测阳性"), reference="DEMO-P-001",
            )  # fmt: skip
            designate_zone(
                near, controlled_kind.code, incident, at=base + dt.timedelta(hours=1),
                reason=_("小区内发现阳性感染者，全域管控"), decided_by=decider,
            )  # fmt: skip
            record_area_round(
                incident, near, now - dt.timedelta(hours=3), all_negative=True,
                reference="DEMO-R-near",
            )  # fmt: skip
        designate_zone(
            big, controlled_kind.code, incident, at=base + dt.timedelta(hours=2),
            reason=_("密接、次密接居住小区，实行管控"), decided_by=decider,
        )  # fmt: skip
        buildings = _buildings(big)
        for number, position in enumerate(SEALED_POSITIONS, start=1):
            if position >= len(buildings):
                continue
            building = buildings[position]
            record_positive(
                incident, _first_household(building), sealed_at - dt.timedelta(hours=1),
                source=_("混管复核阳性"), reference=f"DEMO-P-{100 + number}",
            )  # fmt: skip
            designate_zone(
                building, sealed_kind.code, incident, at=sealed_at,
                reason=_("楼内发现阳性感染者，实行封控"), decided_by=decider,
            )  # fmt: skip
        record_area_round(
            incident, big, now - dt.timedelta(hours=20), all_negative=True,
            reference="DEMO-R-big",
        )  # fmt: skip
    return {"created": True, **_counts(incident)}


def _counts(incident: Incident) -> dict[str, int]:
    return {
        "designations": ZoneDesignation.objects.filter(incident=incident).count(),
        "positives": PositiveFinding.objects.filter(incident=incident).count(),
        "rounds": AreaTestRound.objects.filter(incident=incident).count(),
    }
