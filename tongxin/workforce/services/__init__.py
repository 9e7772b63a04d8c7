"""Workforce rules: who is where, which post is short, who has worked too long.

Views, the API, commands and the demo call these; nothing else writes assignments or
check-ins."""

import datetime as dt
from typing import Any

from django.utils import timezone

from tongxin.incidents.models import Incident


class WorkforceError(ValueError):
    """A rule refused the action; the message is in Chinese, for the person."""


# The edition's "workforce" rules and what applies when an edition is silent.
DEFAULTS: dict[str, Any] = {
    "fatigue_max_hours": 12,
    "fatigue_min_rest_hours": 6,
    "checkin_early_minutes": 60,
    "post_duty_observation_days": 0,
}


def rule(incident: Incident, key: str) -> Any:
    return incident.policy_edition.rule("workforce", key, default=DEFAULTS[key])


def current_incident() -> Incident | None:
    """The open incident (the most recent if several)."""
    return Incident.objects.open().select_related("policy_edition").order_by("-started_at").first()


def local_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The county's calendar day as an aware [start, end)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)
