"""The help platform's figures for the command picture and the daily report.

As they stood at `at` (now by default), for the requests placed under `area` (the whole
county, requests without a place included, when None): received, answered (resident reached),
closed, still open, overdue now and overdue at any point since the start. "Today" is the
command app's business: it subtracts the figures at the start of the day or report period.
Counts only: no request text, no caller, no phone.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from tongxin.helpdesk.models import HelpRequest, Status
from tongxin.incidents.registry import register_figures


def figures(incident: Any, *, area: Any = None, at: dt.datetime | None = None) -> dict[str, Any]:
    at = at or timezone.now()
    qs = HelpRequest.objects.filter(incident=incident, received_at__lte=at).exclude(
        status=Status.MERGED
    )
    if area is not None:
        qs = qs.filter(place__path__startswith=area.path)
    closed = Q(status=Status.CLOSED, closed_at__lte=at)
    open_then = ~closed
    late_contact = Q(contact_due_at__lt=at) & (
        Q(first_contact_at__isnull=True) | Q(first_contact_at__gt=F("contact_due_at"))
    )
    late_close = Q(close_due_at__lt=at) & (
        Q(closed_at__isnull=True) | Q(closed_at__gt=F("close_due_at"))
    )
    contact_missing_now = Q(contact_due_at__lt=at) & (
        Q(first_contact_at__isnull=True) | Q(first_contact_at__gt=at)
    )
    row = qs.aggregate(
        received=Count("id"),
        answered=Count("id", filter=Q(first_contact_at__lte=at)),
        closed=Count("id", filter=closed),
        overdue_now=Count("id", filter=open_then & (contact_missing_now | Q(close_due_at__lt=at))),
        overdue_total=Count("id", filter=late_contact | late_close),
    )
    result = {key: int(value or 0) for key, value in row.items()}
    result["open"] = result["received"] - result["closed"]
    return result


register_figures("helpdesk", figures)
