"""Settings the help platform reads, with the defaults used when the install does not set them.

TONGXIN_HELPDESK_LIMITS          minutes to first contact and to closing, per priority, e.g.
                                 {"urgent": {"contact": 30, "close": 240}, ...}
TONGXIN_HELPDESK_ESCALATION_MINUTES
                                 minutes after the team lead's reminder before the command post
                                 is told of an overdue request
TONGXIN_HELPDESK_NUMBER_PREFIX   prefix of request numbers (QZ → QZ20220305-0001)
TONGXIN_HELPDESK_HOTLINE         the help hotline's number, shown on the public pages
TONGXIN_HELPDESK_RATE_LIMITS     {"name": [count, seconds]} for the public pages (see RATE_LIMITS)
TONGXIN_HELPDESK_CLIENT_IP_HEADER
                                 request.META key holding the client address when a reverse
                                 proxy sits in front (e.g. "HTTP_X_REAL_IP"); REMOTE_ADDR if empty
TONGXIN_HELPDESK_MIN_FILL_SECONDS
                                 a public form sent back faster than this is a robot's
"""

import datetime as dt

from django.conf import settings

DEFAULT_LIMITS: dict[str, dict[str, int]] = {
    "urgent": {"contact": 30, "close": 4 * 60},
    "high": {"contact": 60, "close": 12 * 60},
    "normal": {"contact": 2 * 60, "close": 24 * 60},
}

# (how many, per how many seconds). Generous enough for a family asking twice, tight enough
# that nobody can flood the duty staff or guess a status check's four digits.
RATE_LIMITS: dict[str, tuple[int, int]] = {
    "submit_ip": (6, 10 * 60),
    "submit_ip_day": (40, 24 * 3600),
    "submit_phone": (4, 3600),
    "status_ip": (30, 10 * 60),
    "status_number": (6, 3600),
}


def limits(priority: str) -> tuple[dt.timedelta, dt.timedelta]:
    """(time to first contact, time to closing) for a priority."""
    configured = getattr(settings, "TONGXIN_HELPDESK_LIMITS", None) or {}
    row = {**DEFAULT_LIMITS.get(priority, DEFAULT_LIMITS["normal"]), **configured.get(priority, {})}
    return dt.timedelta(minutes=int(row["contact"])), dt.timedelta(minutes=int(row["close"]))


def escalation_grace() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "TONGXIN_HELPDESK_ESCALATION_MINUTES", 30)))


def number_prefix() -> str:
    return str(getattr(settings, "TONGXIN_HELPDESK_NUMBER_PREFIX", "QZ") or "QZ")


def hotline() -> str:
    return str(getattr(settings, "TONGXIN_HELPDESK_HOTLINE", "") or "")


def rate_limit(name: str) -> tuple[int, int]:
    configured = getattr(settings, "TONGXIN_HELPDESK_RATE_LIMITS", None) or {}
    count, seconds = configured.get(name, RATE_LIMITS[name])
    return int(count), int(seconds)


def client_ip_header() -> str:
    return str(getattr(settings, "TONGXIN_HELPDESK_CLIENT_IP_HEADER", "") or "REMOTE_ADDR")


def min_fill_seconds() -> int:
    return int(getattr(settings, "TONGXIN_HELPDESK_MIN_FILL_SECONDS", 3))
