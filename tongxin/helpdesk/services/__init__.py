"""The help platform's rules. Views, the API, commands and the demo call these; nothing else
writes help requests."""

from tongxin.helpdesk.services.access import (
    get_request,
    is_duty_staff,
    is_team_member,
    may_see_help_desk,
    visible_requests,
    works_on,
)
from tongxin.helpdesk.services.escalation import SweepResult, sweep
from tongxin.helpdesk.services.events import AlreadyDone, HelpdeskError
from tongxin.helpdesk.services.intake import (
    Intake,
    IntakeError,
    Received,
    dismiss_duplicate,
    find_duplicates,
    history,
    likely_duplicates,
    merge,
    receive,
)
from tongxin.helpdesk.services.stats import Figures, Stats, compute
from tongxin.helpdesk.services.triage import EMERGENCY_RULE, Suggestion, suggest
from tongxin.helpdesk.services.work import (
    add_note,
    claim,
    close,
    dispatch,
    follow_up,
    log_contact,
    reopen,
    return_to_desk,
    reveal_phone,
    reveal_text,
    triage,
)

__all__ = [
    "EMERGENCY_RULE",
    "AlreadyDone",
    "Figures",
    "HelpdeskError",
    "Intake",
    "IntakeError",
    "Received",
    "Stats",
    "Suggestion",
    "SweepResult",
    "add_note",
    "claim",
    "close",
    "compute",
    "dismiss_duplicate",
    "dispatch",
    "find_duplicates",
    "follow_up",
    "get_request",
    "history",
    "is_duty_staff",
    "is_team_member",
    "likely_duplicates",
    "log_contact",
    "may_see_help_desk",
    "merge",
    "receive",
    "reopen",
    "return_to_desk",
    "reveal_phone",
    "reveal_text",
    "suggest",
    "sweep",
    "triage",
    "visible_requests",
    "works_on",
]
