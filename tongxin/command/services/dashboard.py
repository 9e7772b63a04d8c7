"""Who sees which picture, and what changed since they last looked.

The command post sees the county and may drill into any township or estate. A unit leader
sees the sum over the unit's own estates, and may drill only into those (anything else is a
404, like every out-of-area object). The wall view is the county picture without names of
people (there are none in the figures anyway) for the command room's screen.
"""

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.command.models import DashboardView
from tongxin.command.services import figures as fig
from tongxin.incidents.models import Incident
from tongxin.places.models import Place


class NoIncident(Http404):
    pass


def current_incident(incident_id: int | str | None = None) -> Incident:
    qs = Incident.objects.all()
    if incident_id is not None and incident_id != "":
        try:
            found = qs.filter(pk=int(incident_id)).first()
        except (TypeError, ValueError):
            found = None
    else:
        found = qs.open().order_by("-started_at").first() or qs.order_by("-started_at").first()
    if found is None:
        raise NoIncident("no incident")
    return found


@dataclass
class Scope:
    areas: list[Place] | None  # None: the whole county
    area: Place | None  # the place drilled into, if any
    trail: list[Place]  # county → … → area, for the breadcrumbs

    @property
    def key(self) -> str:
        return fig.area_key(self.areas)


def scope_for(user: Any, area_id: int | str | None = None) -> Scope:
    """The areas a user's picture covers, drilled into `area_id` when given (404 outside)."""
    if user is not None and not has_perm(user, Perm.VIEW_COMMAND):
        raise Http404
    j = jurisdiction_of(user) if user is not None else None
    area = None
    if area_id not in (None, ""):
        try:
            area = Place.objects.filter(pk=int(str(area_id))).first()
        except ValueError:
            area = None
        if area is None or (
            j is not None and not j.everywhere and not any(area.path.startswith(p) for p in j.paths)
        ):
            raise Http404
    if area is not None:
        trail = list(Place.objects.filter(area.ancestors_q()).order_by("path"))
        if area.depth == 1:
            return Scope(areas=None, area=None, trail=trail)
        return Scope(areas=[area], area=area, trail=trail)
    if j is None or j.everywhere:
        return Scope(areas=None, area=None, trail=[])
    return Scope(
        areas=list(Place.objects.filter(path__in=j.paths).order_by("path")), area=None, trail=[]
    )


def drill_children(user: Any, scope: Scope) -> list[Place]:
    if scope.area is None and scope.areas is not None:
        return list(scope.areas)
    children = fig.children_for_drill(scope.area)
    j = jurisdiction_of(user) if user is not None else None
    if j is not None and not j.everywhere:
        children = [c for c in children if any(c.path.startswith(p) for p in j.paths)]
    return children


def changes_since_last_view(
    user: Any, incident: Incident, scope: Scope, data: dict[str, Any]
) -> tuple[dict[str, Any], Any]:
    """module.key → value last seen, for figures that differ now; and when it was seen. Records
    this view as the new last one."""
    now_values = fig.flat(data)
    view = DashboardView.objects.filter(user=user, incident=incident, area_key=scope.key).first()
    changed: dict[str, Any] = {}
    seen_at = None
    if view is not None:
        seen_at = view.seen_at
        changed = {
            k: view.figures.get(k) for k, v in now_values.items() if view.figures.get(k) != v
        }
        view.figures, view.seen_at = now_values, timezone.now()
        view.save(update_fields=["figures", "seen_at"])
    else:
        DashboardView.objects.create(
            user=user,
            incident=incident,
            area_key=scope.key,
            seen_at=timezone.now(),
            figures=now_values,
        )
    return changed, seen_at
