"""Zones' figures for the command picture and the daily report.

As they stood at `at`: designations in force on places under `area` (or covering it from
above), per kind their count and the residents registered under them (counted per
designation's place, so a sealed building inside a controlled estate counts in both), how
many designations were made and ended since the start (the command app turns these into
"changes today"), and the lifting proposals standing at `at`. Counts and kind names only.
"""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tongxin.incidents.registry import register_figures
from tongxin.people.models import Person
from tongxin.zones import kinds as zk
from tongxin.zones.models import ZoneDesignation, ancestor_paths
from tongxin.zones.services import lifting_proposals


def _relevant(qs: Any, area: Any) -> Any:
    if area is None:
        return qs
    return qs.filter(
        Q(place__path__startswith=area.path) | Q(place__path__in=ancestor_paths([area.path]))
    )


def figures(incident: Any, *, area: Any = None, at: dt.datetime | None = None) -> dict[str, Any]:
    at = at or timezone.now()
    all_of_incident = _relevant(ZoneDesignation.objects.filter(incident=incident), area)
    in_force = list(all_of_incident.in_force(at).select_related("place"))
    counted_paths = {
        d.pk: (
            area.path if area is not None and len(area.path) > len(d.place.path) else d.place.path
        )
        for d in in_force
    }
    # One indexed count per designated place (its households' residents), not one scan of
    # every resident with a filter per designation.
    per_path: dict[str, int] = {}
    for path in set(counted_paths.values()):
        per_path[path] = Person.objects.filter(household__path__startswith=path).count()
    residents = {f"d{pk}": per_path[path] for pk, path in counted_paths.items()}
    result: dict[str, Any] = {"in_force": len(in_force)}
    labels: dict[str, str] = {}
    for kind in zk.zone_kinds(incident.policy_edition):
        mine = [d for d in in_force if d.kind == kind.code]
        result[f"{kind.code}_count"] = len(mine)
        result[f"{kind.code}_residents"] = sum(residents.get(f"d{d.pk}") or 0 for d in mine)
        labels[f"{kind.code}_count"] = str(kind.name)
        labels[f"{kind.code}_residents"] = f"{kind.name}·人"
    result["designated_total"] = all_of_incident.filter(effective_from__lte=at).count()
    result["ended_total"] = all_of_incident.filter(effective_until__lte=at).count()
    proposals = lifting_proposals(incident, at)
    result["lifting_proposals"] = sum(
        1
        for status in proposals
        if area is None or status.designation.place.path.startswith(area.path)
    )
    result["labels"] = labels
    return result


register_figures("zones", figures)
