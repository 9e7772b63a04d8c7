from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import natural_key, visible_children, visible_roots
from tongxin.web.decorators import is_fragment_request, page
from tongxin.web.queries import visible_ancestors, with_counts

PANEL = "place-panel"


@page(Perm.VIEW_PLACES)
def tree(request: HttpRequest) -> HttpResponse:
    """The top of the user's tree; a single root (the county) opens straight away."""
    roots = sorted(visible_roots(request.user), key=natural_key)
    if len(roots) == 1:
        return redirect("place", pk=roots[0].pk)
    return render(
        request,
        "web/places/roots.html",
        {
            "rows": with_counts(roots, request.user),
            "can_see_residents": has_perm(request.user, Perm.VIEW_RESIDENTS),
        },
    )


def _place_context(request: HttpRequest, place: Place) -> dict[str, Any]:
    user: Any = request.user
    context: dict[str, Any] = {
        "place": place,
        "ancestors": visible_ancestors(user, place),
        "everywhere": jurisdiction_of(user).everywhere,
        "can_see_residents": has_perm(user, Perm.VIEW_RESIDENTS),
        "totals": {
            "residents": Person.objects.visible_to(user).under(place).count(),
            "households": Place.objects.visible_to(user)
            .under(place)
            .filter(kind=PlaceKind.HOUSEHOLD)
            .count(),
        },
    }
    if place.kind == PlaceKind.HOUSEHOLD:
        context["residents"] = (
            Person.objects.visible_to(user).for_list().filter(household=place).order_by("id")
        )
    else:
        context["rows"] = with_counts(visible_children(user, place), user)
    return context


@page(Perm.VIEW_PLACES)
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Place.objects.visible_to(request.user), pk=pk)
    context = _place_context(request, place)
    if is_fragment_request(request, PANEL):
        return render(request, "web/places/_panel.html", {**context, "fragment": True})
    return render(request, "web/places/place.html", context)


@page(Perm.VIEW_PLACES)
def place_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of a place, for expanding it in place; a plain visit gets the whole page."""
    place = get_object_or_404(Place.objects.visible_to(request.user), pk=pk)
    if not is_fragment_request(request):
        return redirect("place", pk=place.pk)
    rows = with_counts(visible_children(request.user, place), request.user)
    return render(
        request,
        "web/places/_children.html",
        {"rows": rows, "can_see_residents": has_perm(request.user, Perm.VIEW_RESIDENTS)},
    )
