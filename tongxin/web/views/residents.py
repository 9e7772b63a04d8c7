from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.core.text import clean_text
from tongxin.people import services as people
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.web.decorators import is_fragment_request, page
from tongxin.web.templatetags.tongxin_web import scrub

RESULTS = "results"
PAGE_SIZE = 30
AREA_KINDS = (PlaceKind.COUNTY, PlaceKind.TOWNSHIP, PlaceKind.COMMUNITY, PlaceKind.ESTATE)


def area_choices(user: Any, current: Place | None = None) -> list[Place]:
    """Places offered as an area filter: the administrative levels and estates in reach.

    A deeper place picked from the tree (a building, a household) is offered as well."""
    places = list(Place.objects.visible_to(user).filter(kind__in=AREA_KINDS).order_by("path"))
    if current is not None and current not in places:
        places.insert(0, current)
    return places


def visible_area(user: Any, value: str | None) -> Place | None:
    """The area a form asked for; one outside the user's jurisdiction is a 404 like any other."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(Place.objects.visible_to(user), pk=int(value))


@page(Perm.VIEW_RESIDENTS)
def resident_list(request: HttpRequest) -> HttpResponse:
    """Search and list. Typed searches are POSTed: a full ID or phone number must not end up in
    a URL, and so in access logs and browser history; browsing by area stays a plain link."""
    user: Any = request.user
    params = request.POST if request.method == "POST" else request.GET
    query = clean_text(params.get("q", ""))
    area = visible_area(user, params.get("area"))
    residents = Person.objects.visible_to(user).for_list()
    if area is not None:
        residents = residents.under(area)
    residents = people.search(residents, query).order_by("household__path", "id")
    page_obj = Paginator(residents, PAGE_SIZE).get_page(params.get("page"))
    shown_query = scrub(query)
    context: dict[str, Any] = {
        "query": query,
        # A number the page would have to mask is not echoed back into the search box.
        "query_echo": query if shown_query == query else "",
        "shown_query": shown_query,
        "area": area,
        "page_obj": page_obj,
    }
    if is_fragment_request(request, RESULTS):
        return render(request, "web/residents/_results.html", context)
    context["areas"] = area_choices(user, area)
    return render(request, "web/residents/list.html", context)


@page(Perm.VIEW_RESIDENTS)
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = people.view_person(request.user, pk)
    return render(
        request,
        "web/residents/detail.html",
        {
            "person": person,
            "household": person.household,
            "can_reveal": has_perm(request.user, Perm.REVEAL_PERSONAL),
        },
    )


@require_POST
@page(Perm.VIEW_RESIDENTS)
def reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """One field in clear for a permitted user; the value travels in this response only."""
    try:
        value = people.reveal(request.user, pk, field, request.POST.get("reason"))
    except people.PermissionDenied as exc:
        status = 400 if isinstance(exc, people.ReasonRequired) else 403
        if not is_fragment_request(request) and status == 403:
            raise PermissionDenied(str(exc)) from exc
        context: dict[str, Any] = {"field": field, "error": str(exc)}
        return render(request, "web/residents/_revealed.html", context, status=status)
    context = {"field": field, "value": value, "person": None}
    template = "web/residents/_revealed.html"
    if not is_fragment_request(request):
        context["person"] = people.get_visible_person(request.user, pk)
        template = "web/residents/revealed.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store, private"
    return response
