"""Tracing's figures for the command picture and the daily report: counts only."""

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from tongxin.incidents.models import Incident
from tongxin.places.models import Place
from tongxin.tracing.models import (
    Case,
    Channel,
    Classification,
    Contact,
    ContactStatus,
    Level,
    Management,
    ManagementStatus,
)


def figures(
    incident: Incident, *, area: Place | None = None, at: dt.datetime | None = None
) -> dict[str, Any]:
    """Cases by classification and channel, contacts by level and management status, and the
    candidates still waiting for an investigator. Limited to `area` by the person's household
    (outside persons count only county-wide) and to what existed at `at`."""
    at = at or timezone.now()
    cases = Case.objects.filter(incident=incident, created_at__lte=at)
    managements = Management.objects.filter(incident=incident).exclude(
        status=ManagementStatus.CANDIDATE
    )
    candidates = Contact.objects.filter(
        incident=incident, status=ContactStatus.CANDIDATE, created_at__lte=at
    )
    if area is not None:
        cases = cases.filter(person__household__path__startswith=area.path)
        managements = managements.filter(path__startswith=area.path)
        candidates = candidates.filter(management__path__startswith=area.path)
    managements = managements.filter(
        contacts__status=ContactStatus.CONFIRMED, contacts__confirmed_at__lte=at
    ).distinct()
    by_class = dict(cases.values_list("classification").annotate(n=Count("pk")))
    by_channel = dict(cases.values_list("channel").annotate(n=Count("pk")))
    by_level_status: dict[str, dict[str, int]] = {lv: {} for lv in Level.values}
    for level, status, n in (
        managements.order_by().values_list("level", "status").annotate(n=Count("pk", distinct=True))
    ):
        by_level_status.setdefault(level, {})[status] = n
    return {
        "cases": sum(by_class.values()),
        "cases_by_classification": {c: by_class.get(c, 0) for c in Classification.values},
        "confirmed_cases": sum(n for c, n in by_class.items() if c != Classification.ASYMPTOMATIC),
        "cases_by_channel": {c: by_channel.get(c, 0) for c in Channel.values},
        "contacts_by_level": {lv: sum(s.values()) for lv, s in by_level_status.items()},
        "contacts_by_level_and_status": {
            lv: {
                s: by_level_status[lv].get(s, 0)
                for s in ManagementStatus.values
                if s != "candidate"
            }
            for lv in Level.values
        },
        "candidates_to_confirm": candidates.count(),
        # The codes' names (distinct across the groups), for whoever shows the groups above.
        "labels": {
            code: str(label)
            for code, label in Classification.choices
            + Channel.choices
            + Level.choices
            + ManagementStatus.choices
        },
    }
