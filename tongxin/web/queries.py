"""Read-only look-ups the pages share: breadcrumbs and rows with counts.

Everything goes through `visible_to(user)`; these helpers only shape what the models return.
"""

from typing import Any

from tongxin.people.services import resident_counts
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import household_counts


def visible_ancestors(user: Any, place: Place) -> list[Place]:
    """The breadcrumb: the place's ancestors the user may open, from the top down."""
    return list(Place.objects.visible_to(user).filter(place.ancestors_q()).exclude(pk=place.pk))


def with_counts(places: list[Place], user: Any) -> list[dict[str, Any]]:
    """Rows for a list of places: the place, its residents and its households."""
    residents = resident_counts(places, user)
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
