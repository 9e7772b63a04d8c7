"""Read-only look-ups the pages share: roots, counts and orderings of the place tree.

Everything goes through `visible_to(user)`; these helpers only shape what the models return.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count
from django.db.models.functions import Substr

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.people.services import resident_counts
from tongxin.places.models import Place, PlaceKind, PlaceQuerySet

_DIGITS = re.compile(r"(\d+)")


def natural_key(place: Place) -> tuple[Any, ...]:
    """Buildings 2 before 10, rooms 101 before 1001: how people on the ground read them."""
    parts = _DIGITS.split(place.key or place.name)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p), place.name


def visible_roots(user: Any) -> PlaceQuerySet:
    """Where the user's tree starts: the county for county-wide roles, else their unit's places."""
    places = Place.objects.visible_to(user)
    jurisdiction = jurisdiction_of(user)
    if jurisdiction.everywhere:
        return places.filter(depth=1)
    return places.filter(path__in=jurisdiction.paths)


def visible_children(user: Any, place: Place) -> list[Place]:
    children = Place.objects.visible_to(user).filter(parent=place)
    return sorted(children, key=natural_key)


def visible_ancestors(user: Any, place: Place) -> list[Place]:
    """The breadcrumb: the place's ancestors the user may open, from the top down."""
    return list(Place.objects.visible_to(user).filter(place.ancestors_q()).exclude(pk=place.pk))


def _siblings_by_parent(places: Iterable[Place]) -> dict[str, list[Place]]:
    groups: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        groups[place.path[: -Place.steplen]].append(place)
    return groups


def household_counts(places: Iterable[Place], user: Any) -> dict[int, int]:
    """Households under each place, one query per group of siblings (one per tree level)."""
    result: dict[int, int] = {}
    for parent_path, siblings in _siblings_by_parent(places).items():
        length = len(siblings[0].path)
        by_path = {p.path: p.pk for p in siblings}
        rows = (
            Place.objects.visible_to(user)
            .filter(kind=PlaceKind.HOUSEHOLD, path__startswith=parent_path)
            .order_by()
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(n=Count("id"))
        )
        for row in rows:
            if row["prefix"] in by_path:
                result[by_path[row["prefix"]]] = row["n"]
    return result


def resident_counts_any(places: Iterable[Place], user: Any) -> dict[int, int]:
    """people.services.resident_counts for places that need not be siblings (one per parent)."""
    result: dict[int, int] = {}
    for siblings in _siblings_by_parent(places).values():
        result.update(resident_counts(siblings, user))
    return result


def with_counts(places: list[Place], user: Any) -> list[dict[str, Any]]:
    """Rows for a list of places: the place, its residents and its households."""
    residents = resident_counts_any(places, user)
    households = household_counts(places, user)
    return [
        {
            "place": p,
            "residents": residents.get(p.pk, 0),
            "households": households.get(p.pk, 0),
            "is_household": p.kind == PlaceKind.HOUSEHOLD,
        }
        for p in places
    ]
