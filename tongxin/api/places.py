"""The place tree, as far as the caller's jurisdiction reaches, with resident counts."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tongxin.api.schemas import Crumb, PlaceDetail, PlaceOut
from tongxin.people.services import resident_counts
from tongxin.places.models import Place
from tongxin.places.services import visible_children, visible_roots

router = Router(tags=["places"])


class PlaceFilter(Schema):
    parent: int | None = None


def get_visible_place(user: Any, pk: int) -> Place:
    place = Place.objects.visible_to(user).filter(pk=pk).first()
    if place is None:
        raise Http404(_("未找到该地点"))
    return place


def _with_counts(places: list[Place], user: Any) -> list[dict[str, Any]]:
    counts = resident_counts(places, user)
    parent_ids = {p.parent_id for p in places if p.parent_id}
    visible_parents = set(
        Place.objects.visible_to(user).filter(pk__in=parent_ids).values_list("pk", flat=True)
    )
    return [
        PlaceOut.from_place(place, counts.get(place.pk, 0), place.parent_id in visible_parents)
        for place in places
    ]


@router.get("/", response=list[PlaceOut], summary="Top places, or the children of ?parent=ID")
def list_places(request: HttpRequest, filters: Query[PlaceFilter]) -> list[dict[str, Any]]:
    user = request.user
    if filters.parent is None:
        places = list(visible_roots(user))
    else:
        parent = get_visible_place(user, filters.parent)
        places = visible_children(user, parent)
    return _with_counts(places, user)


@router.get("/{place_id}", response=PlaceDetail, summary="One place with its breadcrumb")
def place_detail(request: HttpRequest, place_id: int) -> dict[str, Any]:
    user = request.user
    place = get_visible_place(user, place_id)
    lineage = Place.objects.filter(place.ancestors_q()).exclude(pk=place.pk)
    # Names above the caller's jurisdiction orient them; ids only where they may go.
    reachable = set(
        Place.objects.visible_to(user).filter(place.ancestors_q()).values_list("pk", flat=True)
    )
    ancestors = [
        Crumb(id=a.pk if a.pk in reachable else None, kind=a.kind, name=a.name) for a in lineage
    ]
    data = _with_counts([place], user)[0]
    data["ancestors"] = ancestors
    return data
