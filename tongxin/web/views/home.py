from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tongxin.accounts.home import panels_for
from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.models import Role
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import natural_key
from tongxin.units.models import BuildingAssignment, GridRole, Unit, UnitAssignment
from tongxin.web.decorators import page
from tongxin.web.queries import with_counts

UNIT_ROLES = {Role.UNIT_LEADER, Role.GRID_STAFF}


def _county_figures(user: Any) -> dict[str, Any]:
    places = Place.objects.visible_to(user)
    return {
        "residents": Person.objects.visible_to(user).count(),
        "households": places.filter(kind=PlaceKind.HOUSEHOLD).count(),
        "estates": places.filter(kind=PlaceKind.ESTATE).count(),
        "units": Unit.objects.visible_to(user).count(),
        "open_incidents": list(Incident.objects.visible_to(user).open()),
    }


def _unit_overview(user: Any) -> dict[str, Any]:
    visible = Place.objects.visible_to(user)
    assigned = visible.filter(
        unit_assignments__in=UnitAssignment.objects.active().filter(unit_id=user.unit_id)
    ).distinct()
    today = timezone.localdate()
    current = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return {
        "estates": with_counts(sorted(assigned, key=natural_key), user),
        "grid_roles": GridRole.objects.filter(user=user, place__in=visible)
        .select_related("place")
        .order_by("place__path"),
        "buildings": BuildingAssignment.objects.filter(current, user=user, place__in=visible)
        .select_related("place")
        .order_by("place__path"),
    }


@page()
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {"unit": user.unit, "everywhere": jurisdiction_of(user).everywhere}
    if user.role == Role.COMMAND_POST:
        context["figures"] = _county_figures(user)
    elif user.role in UNIT_ROLES and user.unit_id:
        context["overview"] = _unit_overview(user)
    context["is_sysadmin"] = user.role == Role.SYSADMIN
    context["panels"] = panels_for(user)
    return render(request, "web/home.html", context)
