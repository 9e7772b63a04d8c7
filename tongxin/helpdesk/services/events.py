"""The errors the rules raise and the history every step writes."""

import datetime as dt
from typing import Any

from tongxin.audit.context import current_actor
from tongxin.helpdesk.models import HelpRequest, RequestEvent


class HelpdeskError(ValueError):
    """A step the rules refuse; the message (Chinese) is shown to the user."""


class AlreadyDone(HelpdeskError):
    """Someone else got there first (a colleague claimed it, closed it, merged it)."""


def actor_label(user: Any) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user)[:100]
    return current_actor().label[:100]


def log_event(
    request: HelpRequest,
    kind: str,
    *,
    user: Any = None,
    at: dt.datetime,
    note: str = "",
    outcome: str = "",
    data: dict[str, Any] | None = None,
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        at=at,
        actor=user if user is not None and getattr(user, "pk", None) else None,
        actor_label=actor_label(user),
        note=note,
        outcome=outcome,
        data=data or {},
    )
