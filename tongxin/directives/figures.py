"""Directives' figures for the command picture and the daily report.

As they stood at `at`: directives issued, still open, past their deadline, and per unit the
copies not yet completed and those overdue. Under an `area`, only the copies of units
responsible for a place there (网格包干) count. Unit names are not personal data.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from tongxin.directives.models import Directive, DirectiveStatus, DirectiveTarget
from tongxin.incidents.registry import register_figures


def figures(incident: Any, *, area: Any = None, at: dt.datetime | None = None) -> dict[str, Any]:
    at = at or timezone.now()
    targets = DirectiveTarget.objects.filter(
        directive__incident=incident, directive__issued_at__lte=at
    ).exclude(directive__status=DirectiveStatus.CANCELLED)
    directives = Directive.objects.filter(incident=incident, issued_at__lte=at).exclude(
        status=DirectiveStatus.CANCELLED
    )
    if area is not None:
        from tongxin.units.models import UnitAssignment

        units = UnitAssignment.objects.filter(place__path__startswith=area.path).values("unit_id")
        targets = targets.filter(unit_id__in=units)
        directives = directives.filter(pk__in=targets.values("directive_id"))
    target_open = Q(completed_at__isnull=True) | Q(completed_at__gt=at)
    totals = directives.aggregate(
        issued=Count("id"),
        open=Count("id", filter=Q(closed_at__isnull=True) | Q(closed_at__gt=at)),
        overdue=Count(
            "id", filter=(Q(closed_at__isnull=True) | Q(closed_at__gt=at)) & Q(deadline__lt=at)
        ),
    )
    by_unit = (
        targets.filter(target_open)
        .values("unit__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(directive__deadline__lt=at)))
        .order_by("-overdue", "-open", "unit__name")
    )
    result: dict[str, Any] = {key: int(value or 0) for key, value in totals.items()}
    result["unit_copies_open"] = sum(row["open"] for row in by_unit)
    result["by_unit"] = [
        {"unit": row["unit__name"], "open": row["open"], "overdue": row["overdue"]}
        for row in by_unit
    ]
    return result


register_figures("directives", figures)
