"""What the round pages show: figures and modes per area, scoped to the viewer."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.testing.models import (
    POOL_SIZES,
    Exemption,
    RoundArea,
    RoundPoint,
    SamplingMode,
    TestRound,
)
from tongxin.testing.services.modes import sampling_modes_for
from tongxin.testing.services.scope import scope_q, should_test


def mode_label(mode: str, size: int) -> str:
    label = str(SamplingMode(mode).label)
    if mode == SamplingMode.POOL:
        return f"{size}合1{label}"
    return label


@dataclass
class AreaModes:
    """One estate (or other place) of the scope and how its buildings are sampled."""

    place: Place
    modes: list[tuple[str, int]] = field(default_factory=list)  # (label, buildings)
    overridden: bool = False


def round_figures(round: TestRound, user: Any) -> dict[str, Any]:
    expected = should_test(round).filter(pk__in=Person.objects.visible_to(user).values("pk"))
    people = expected.count()
    households = expected.values("household_id").distinct().count()
    exemptions = Exemption.objects.visible_to(user).filter(round=round)
    by_reason = Counter(exemptions.values_list("reason", flat=True))
    return {
        "people": people,
        "households": households,
        "exempted": sum(by_reason.values()),
        "by_reason": by_reason,
    }


def area_modes(round: TestRound, user: Any, limit: int = 200) -> list[AreaModes]:
    """Per estate in the scope the user can see: buildings per sampling mode (zone-driven
    unless overridden). Buildings are asked about as places; a household designated on its
    own (rare) is not reflected here but is by sampling_mode_for."""
    visible = Place.objects.visible_to(user).filter(scope_q(round, "path"))
    buildings = list(visible.filter(kind=PlaceKind.BUILDING).order_by("path")[: limit * 60])
    if not buildings:
        return []
    modes = sampling_modes_for(round, buildings)
    overrides = set(
        RoundArea.objects.filter(round=round)
        .exclude(mode_override="")
        .values_list("place__path", flat=True)
    )
    step = Place.steplen
    per_estate: dict[str, Counter[str]] = defaultdict(Counter)
    for b in buildings:
        mode, size = modes[b.pk]
        per_estate[b.path[:-step]][mode_label(mode, size)] += 1
    estates = {p.path: p for p in Place.objects.filter(path__in=list(per_estate))}
    rows = []
    for path in sorted(per_estate)[:limit]:
        estate = estates.get(path)
        if estate is None:
            continue
        rows.append(
            AreaModes(
                estate,
                sorted(per_estate[path].items(), key=lambda kv: -kv[1]),
                any(o.startswith(path) or path.startswith(o) for o in overrides),
            )
        )
    return rows


def round_points(round: TestRound, user: Any) -> list[RoundPoint]:
    """The round's points: all of them county-wide; for a unit, those serving or located in
    its estates (a point across the road still shows, it is where its residents go)."""
    from tongxin.accounts.jurisdiction import jurisdiction_of

    qs = RoundPoint.objects.filter(round=round).select_related("point__place")
    j = jurisdiction_of(user)
    if not j.everywhere:
        qs = qs.filter(
            j.q("point__place__path") | j.q("serves__path") | j.q("slots__place__path")
        ).distinct()
    return list(qs.prefetch_related("serves").order_by("point__name"))


def expected_per_point(round: TestRound) -> dict[int, int]:
    rows = (
        RoundPoint.objects.filter(round=round)
        .annotate(n=Count("slots__people"))
        .values_list("pk", "n")
    )
    return dict(rows)


def rounds_for_list(user: Any) -> Any:
    return (
        TestRound.objects.visible_to(user)
        .select_related("incident", "plan")
        .prefetch_related("areas__place")
        .annotate(points=Count("round_points", distinct=True))
    )


def default_pool_label() -> dict[str, int]:
    return {str(k): v for k, v in POOL_SIZES.items()}


def scope_places(round: TestRound, user: Any) -> Any:
    """Places under the scope the user may pick (for overrides and points' places)."""
    return (
        Place.objects.visible_to(user)
        .filter(scope_q(round, "path"))
        .filter(Q(kind__in=[PlaceKind.COMMUNITY, PlaceKind.ESTATE, PlaceKind.BUILDING]))
        .order_by("path")
    )
