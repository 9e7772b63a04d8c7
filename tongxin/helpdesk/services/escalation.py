"""Overdue requests climb: first the team's lead (or, for a request nobody has dispatched yet,
the duty staff), then — after a grace period — the command post. `tongxin helpdesk sweep`
runs this from cron every few minutes.

Each level is recorded with a conditional update, so running the sweep again, or twice at
once, tells nobody twice.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.helpdesk import conf
from tongxin.helpdesk.models import Escalation, EventKind, HelpRequest, overdue_q
from tongxin.helpdesk.services import ratelimit
from tongxin.helpdesk.services.events import log_event
from tongxin.helpdesk.services.triage import EMERGENCY_RULE
from tongxin.helpdesk.services.work import link, team_leads
from tongxin.notifications.services import notify, safe_reverse


@dataclass
class SweepResult:
    reminded: list[HelpRequest] = field(default_factory=list)  # team leads (or duty staff) told
    escalated: list[HelpRequest] = field(default_factory=list)  # command post told
    counters_pruned: int = 0


def duty_staff() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.HELPDESK).order_by("pk"))


def command_post() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.COMMAND_POST).order_by("pk"))


def _overdue_reason(request: HelpRequest, now: dt.datetime) -> str:
    if request.cycle_contact_at is None and request.contact_due_at < now:
        return _("超过联系时限仍未联系上求助人")
    return _("超过办结时限仍未办结")


def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    overdue = HelpRequest.objects.overdue(now).select_related("team", "incident", "claimed_by")
    HelpRequest.objects.overdue(now).filter(was_overdue=False).update(was_overdue=True)

    for request in overdue.filter(escalation_level=Escalation.NONE).order_by("contact_due_at"):
        if (
            not HelpRequest.objects.filter(pk=request.pk, escalation_level=Escalation.NONE)
            .filter(overdue_q(now))
            .update(escalation_level=Escalation.TEAM_LEAD, escalated_at=now)
        ):
            continue
        reason = _overdue_reason(request, now)
        users = team_leads(request.team_id) if request.team_id else duty_staff()
        if request.claimed_by_id and request.claimed_by:
            users = [*users, request.claimed_by]
        notify(
            "request_overdue",
            users=users,
            units=[request.team] if request.team else [],
            context={"request": request, "reason": reason, "emergency_rule": EMERGENCY_RULE},
            link=link(request),
            incident=request.incident,
        )
        log_event(
            request, EventKind.ESCALATED, at=now, note=reason,
            data={"level": int(Escalation.TEAM_LEAD)},
        )  # fmt: skip
        result.reminded.append(request)

    grace_ended = now - conf.escalation_grace()
    by_incident: dict[int | None, list[HelpRequest]] = defaultdict(list)
    for request in overdue.filter(
        escalation_level=Escalation.TEAM_LEAD, escalated_at__lte=grace_ended
    ).order_by("contact_due_at"):
        if not HelpRequest.objects.filter(
            Q(pk=request.pk, escalation_level=Escalation.TEAM_LEAD), overdue_q(now)
        ).update(escalation_level=Escalation.COMMAND_POST, escalated_at=now):
            continue
        log_event(
            request, EventKind.ESCALATED, at=now, note=_("已上报指挥部"),
            data={"level": int(Escalation.COMMAND_POST)},
        )  # fmt: skip
        by_incident[request.incident_id].append(request)
        result.escalated.append(request)
    for requests in by_incident.values():
        notify(
            "request_escalated",
            users=command_post(),
            context={
                "requests": requests,
                "count": len(requests),
                "emergencies": sum(1 for r in requests if r.is_emergency),
            },
            link=safe_reverse("helpdesk:county"),
            incident=requests[0].incident,
        )

    result.counters_pruned = ratelimit.prune(now)
    return result
