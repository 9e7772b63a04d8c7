"""Working a request: triage, dispatch (转办), claim, contact log, close (办结), follow-up
(回访) and reopening.

State changes are conditional UPDATEs on the request row (… WHERE claimed_by IS NULL, …
WHERE status IN open), so two people pressing the same button at once change it once and the
other is told who was first.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record, record_reveal
from tongxin.helpdesk import conf
from tongxin.helpdesk.models import (
    OPEN_STATUSES,
    REACHED,
    Category,
    EventKind,
    HelpRequest,
    Outcome,
    Priority,
    Satisfaction,
    Status,
)
from tongxin.helpdesk.services import sms
from tongxin.helpdesk.services.access import (
    can_reveal_phone,
    is_duty_staff,
    is_team_member,
    works_on,
)
from tongxin.helpdesk.services.events import AlreadyDone, HelpdeskError, log_event
from tongxin.helpdesk.services.text import redact
from tongxin.helpdesk.services.triage import EMERGENCY_CATEGORIES
from tongxin.notifications.services import notify, safe_reverse
from tongxin.units.models import Unit


def _require_duty(user: Any) -> None:
    if not is_duty_staff(user):
        raise HelpdeskError(_("只有平台值守人员和指挥部可以进行此操作"))


def _require_open(request: HelpRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise HelpdeskError(
            _("工单 %(n)s 已是“%(s)s”状态")
            % {"n": request.number, "s": request.get_status_display()}
        )


def _status_change(request: HelpRequest, before: str, after: str, **extra: Any) -> None:
    record(AuditAction.UPDATE, request, changes={"status": [before, after], **extra})


def link(request: HelpRequest) -> str:
    return safe_reverse("helpdesk:detail", request.number)


def _fresh(request: HelpRequest) -> HelpRequest:
    request.refresh_from_db()
    return request


# --- triage ----------------------------------------------------------------------------------


@transaction.atomic
def triage(
    request: HelpRequest,
    user: Any,
    *,
    priority: str,
    category: str,
    emergency: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> HelpRequest:
    """The duty staff confirm (or correct) the suggested priority and category. Deadlines count
    from when the request was received (or reopened), whatever the priority was before."""
    _require_duty(user)
    _require_open(request)
    if priority not in Priority.values or category not in Category.values:
        raise HelpdeskError(_("请选择紧急程度和类别"))
    now = now or timezone.now()
    if category in EMERGENCY_CATEGORIES:
        emergency = True
    if emergency:
        priority = Priority.URGENT
    contact_limit, close_limit = conf.limits(priority)
    start = _cycle_start(request)
    changes = {
        "priority": priority,
        "category": category,
        "is_emergency": emergency,
        "priority_confirmed_at": now,
        "priority_confirmed_by": user,
        "contact_due_at": start + contact_limit,
        "close_due_at": start + close_limit,
    }
    before = {k: getattr(request, k) for k in ("priority", "category", "is_emergency")}
    HelpRequest.objects.filter(pk=request.pk).update(**changes)
    after = {"priority": priority, "category": category, "is_emergency": emergency}
    diff = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    log_event(
        request, EventKind.TRIAGED, user=user, at=now, note=redact(note)[0],
        data={k: v[1] for k, v in diff.items()} | {"priority": priority},
    )  # fmt: skip
    if diff:
        record(AuditAction.UPDATE, request, changes=diff)
    return _fresh(request)


def _cycle_start(request: HelpRequest) -> dt.datetime:
    """When the current round of work began: receipt, or the last reopening."""
    if request.reopened_count:
        last = request.events.filter(kind=EventKind.REOPENED).order_by("-at").values("at").first()
        if last:
            return last["at"]
    return request.received_at


# --- dispatch --------------------------------------------------------------------------------


def team_leads(unit_id: int) -> list[User]:
    staff = User.objects.filter(unit_id=unit_id, is_active=True)
    leads = list(staff.filter(role=Role.UNIT_LEADER))
    return leads or list(staff)


@transaction.atomic
def dispatch(
    request: HelpRequest,
    team: Unit,
    user: Any,
    *,
    note: str = "",
    now: dt.datetime | None = None,
) -> HelpRequest:
    """转办: hand the request to a team (a support group, a responsible unit, a township) and
    tell the team (inbox, SMS, its group robot). Re-dispatching to another team releases the
    claim."""
    _require_duty(user)
    now = now or timezone.now()
    if request.team_id == team.pk and request.status != Status.RECEIVED:
        raise AlreadyDone(_("已转办至 %(t)s") % {"t": team.name})
    if request.priority_confirmed_at is None:
        # Dispatching is confirming: the duty staff looked at it and passed it on as it stands.
        HelpRequest.objects.filter(pk=request.pk).update(
            priority_confirmed_at=now, priority_confirmed_by=user
        )
    before = request.status
    after = Status.IN_PROGRESS if request.cycle_contact_at else Status.DISPATCHED
    # Matches only if nobody dispatched it elsewhere since the page was loaded.
    updated = HelpRequest.objects.filter(
        pk=request.pk, status__in=OPEN_STATUSES, team_id=request.team_id
    ).update(
        team=team, dispatched_at=now, dispatched_by=user, claimed_by=None, claimed_at=None,
        status=after, escalation_level=0, escalated_at=None, updated_at=now,
    )  # fmt: skip
    if not updated:
        raise AlreadyDone(_("工单刚刚已被他人处理，请刷新后再试"))
    request = _fresh(request)
    log_event(
        request, EventKind.DISPATCHED, user=user, at=now, note=redact(note)[0],
        data={"team": team.name, "team_id": team.pk},
    )  # fmt: skip
    _status_change(request, before, after, team=[None, team.name])
    from tongxin.helpdesk.services.triage import EMERGENCY_RULE

    notify(
        "request_dispatched",
        units=[team],
        context={"request": request, "note": redact(note)[0], "emergency_rule": EMERGENCY_RULE},
        link=link(request),
        incident=request.incident,
    )
    return request


@transaction.atomic
def return_to_desk(
    request: HelpRequest, user: Any, reason: str, *, now: dt.datetime | None = None
) -> HelpRequest:
    """A team sends a request back to the duty staff (not theirs to do); a reason is required."""
    if not is_team_member(user, request):
        raise HelpdeskError(_("只有承办组成员可以退回"))
    reason = redact(reason)[0]
    if not reason:
        raise HelpdeskError(_("请说明退回原因"))
    now = now or timezone.now()
    before = request.status
    if not HelpRequest.objects.filter(
        pk=request.pk, team_id=user.unit_id, status__in=OPEN_STATUSES
    ).update(
        team=None, claimed_by=None, claimed_at=None, status=Status.RECEIVED, updated_at=now,
        escalation_level=0, escalated_at=None,
    ):  # fmt: skip
        raise AlreadyDone(_("工单已不在本组"))
    request = _fresh(request)
    log_event(request, EventKind.RETURNED, user=user, at=now, note=reason)
    _status_change(request, before, Status.RECEIVED)
    return request


# --- claiming --------------------------------------------------------------------------------


def claim(request: HelpRequest, user: Any, *, now: dt.datetime | None = None) -> HelpRequest:
    """A team member takes the request on. Only one can: the update matches only while nobody
    holds it, so of two people pressing at once, one wins and the other is told who did."""
    if not is_team_member(user, request):
        raise HelpdeskError(_("只有承办组成员可以认领"))
    now = now or timezone.now()
    with transaction.atomic():
        won = HelpRequest.objects.filter(
            pk=request.pk, claimed_by__isnull=True, team_id=user.unit_id,
            status__in=(Status.DISPATCHED, Status.IN_PROGRESS),
        ).update(
            claimed_by=user, claimed_at=now, updated_at=now,
            status=Status.CLAIMED if request.cycle_contact_at is None else Status.IN_PROGRESS,
        )  # fmt: skip
        if not won:
            raise _claim_lost(request)
        request = _fresh(request)
        log_event(request, EventKind.CLAIMED, user=user, at=now)
        _status_change(request, Status.DISPATCHED, request.status, claimed_by=[None, str(user)])
    return request


def _claim_lost(request: HelpRequest) -> HelpdeskError:
    current = HelpRequest.objects.select_related("claimed_by").get(pk=request.pk)
    if current.claimed_by_id is not None:
        return AlreadyDone(_("已被 %(who)s 认领") % {"who": current.claimed_by})
    return AlreadyDone(_("工单当前为“%(s)s”状态，不能认领") % {"s": current.get_status_display()})


# --- the contact log -------------------------------------------------------------------------


@transaction.atomic
def log_contact(
    request: HelpRequest,
    user: Any,
    outcome: str,
    note: str = "",
    *,
    now: dt.datetime | None = None,
) -> HelpRequest:
    """Record a contact attempt (called, no answer, visited, delivered). Reaching the resident
    is the first contact the time limit counts; a team member who has not claimed the request
    claims it by logging (if nobody else holds it)."""
    if not works_on(user, request):
        raise HelpdeskError(_("只有承办组成员或平台值守人员可以登记联系情况"))
    _require_open(request)
    if outcome not in Outcome.values:
        raise HelpdeskError(_("请选择联系结果"))
    now = now or timezone.now()
    if is_team_member(user, request):
        HelpRequest.objects.filter(pk=request.pk, claimed_by__isnull=True).update(
            claimed_by=user, claimed_at=now
        )
        HelpRequest.objects.filter(pk=request.pk, status=Status.DISPATCHED).update(
            status=Status.CLAIMED
        )
    reached = outcome in REACHED
    if reached:
        late = request.cycle_contact_at is None and now > request.contact_due_at
        HelpRequest.objects.filter(pk=request.pk, first_contact_at__isnull=True).update(
            first_contact_at=now
        )
        fields: dict[str, Any] = {"updated_at": now}
        if late:
            fields["was_overdue"] = True
        HelpRequest.objects.filter(pk=request.pk, cycle_contact_at__isnull=True).update(
            cycle_contact_at=now, **fields
        )
        before = request.status
        if HelpRequest.objects.filter(
            pk=request.pk, status__in=(Status.RECEIVED, Status.DISPATCHED, Status.CLAIMED)
        ).update(status=Status.IN_PROGRESS):
            _status_change(request, before, Status.IN_PROGRESS)
    log_event(request, EventKind.CONTACT, user=user, at=now, outcome=outcome, note=redact(note)[0])
    return _fresh(request)


def add_note(request: HelpRequest, user: Any, note: str, *, now: dt.datetime | None = None) -> None:
    if not works_on(user, request):
        raise HelpdeskError(_("只有承办组成员或平台值守人员可以添加备注"))
    text = redact(note)[0]
    if not text:
        raise HelpdeskError(_("请填写备注内容"))
    log_event(request, EventKind.NOTE, user=user, at=now or timezone.now(), note=text)


# --- closing and following up ----------------------------------------------------------------


@transaction.atomic
def close(
    request: HelpRequest,
    user: Any,
    resolution: str,
    *,
    now: dt.datetime | None = None,
    notify_resident: bool = True,
) -> HelpRequest:
    """办结: only with a resolution, and only once the resident has been reached."""
    if not works_on(user, request):
        raise HelpdeskError(_("只有承办组成员或平台值守人员可以办结"))
    _require_open(request)
    resolution = redact(resolution)[0]
    if not resolution:
        raise HelpdeskError(_("办结须填写办理结果"))
    if request.cycle_contact_at is None:
        raise HelpdeskError(_("尚未联系上求助人，请先登记联系情况"))
    now = now or timezone.now()
    before = request.status
    fields: dict[str, Any] = {}
    if now > request.close_due_at:
        fields["was_overdue"] = True
    if not HelpRequest.objects.filter(pk=request.pk, status__in=OPEN_STATUSES).update(
        status=Status.CLOSED, closed_at=now, closed_by=user, resolution=resolution,
        updated_at=now, **fields,
    ):  # fmt: skip
        raise _already_closed(request)
    request = _fresh(request)
    log_event(request, EventKind.CLOSED, user=user, at=now, note=resolution)
    _status_change(request, before, Status.CLOSED)
    if notify_resident:
        sms.send_closed(request, now)
    return request


def _already_closed(request: HelpRequest) -> HelpdeskError:
    current = HelpRequest.objects.select_related("closed_by").get(pk=request.pk)
    if current.status == Status.CLOSED:
        return AlreadyDone(_("已由 %(who)s 办结") % {"who": current.closed_by or "—"})
    return AlreadyDone(_("工单当前为“%(s)s”状态") % {"s": current.get_status_display()})


@transaction.atomic
def follow_up(
    request: HelpRequest,
    user: Any,
    *,
    satisfied: bool,
    note: str = "",
    wrongly_closed: bool = False,
    now: dt.datetime | None = None,
) -> HelpRequest:
    """回访: the duty staff call the resident back after closing. Unsatisfied, or closed
    though the need was not met, reopens the request for the same team."""
    _require_duty(user)
    if request.status != Status.CLOSED:
        raise HelpdeskError(_("只能回访已办结的工单"))
    now = now or timezone.now()
    satisfaction = Satisfaction.SATISFIED if satisfied else Satisfaction.UNSATISFIED
    HelpRequest.objects.filter(pk=request.pk).update(
        followed_up_at=now, satisfaction=satisfaction, updated_at=now
    )
    log_event(
        request, EventKind.FOLLOWED_UP, user=user, at=now, note=redact(note)[0],
        data={"satisfaction": satisfaction, "wrongly_closed": wrongly_closed},
    )  # fmt: skip
    request = _fresh(request)
    if not satisfied or wrongly_closed:
        reason = _("回访不满意") if not satisfied else _("回访发现未解决")
        request = reopen(request, user, reason=f"{reason}：{redact(note)[0]}".rstrip("："), now=now)
    return request


@transaction.atomic
def reopen(
    request: HelpRequest, user: Any, *, reason: str, now: dt.datetime | None = None
) -> HelpRequest:
    """Back to work: same team and claimant, fresh time limits from now, escalation reset."""
    _require_duty(user)
    reason = redact(reason)[0]
    if not reason:
        raise HelpdeskError(_("请说明重新办理的原因"))
    now = now or timezone.now()
    contact_limit, close_limit = conf.limits(request.priority)
    if request.team_id is None:
        status = Status.RECEIVED
    elif (
        request.claimed_by_id
        and request.claimed_by
        and request.claimed_by.unit_id == request.team_id
    ):
        status = Status.CLAIMED
    else:
        status = Status.DISPATCHED
    fields: dict[str, Any] = {
        "status": status, "closed_at": None, "closed_by": None,
        "contact_due_at": now + contact_limit, "close_due_at": now + close_limit,
        "cycle_contact_at": None, "escalation_level": 0, "escalated_at": None, "updated_at": now,
    }  # fmt: skip
    if status == Status.DISPATCHED:
        fields.update(claimed_by=None, claimed_at=None)
    updated = HelpRequest.objects.filter(pk=request.pk, status=Status.CLOSED).update(
        reopened_count=request.reopened_count + 1, **fields
    )
    if not updated:
        raise AlreadyDone(_("工单已在办理中"))
    request = _fresh(request)
    log_event(request, EventKind.REOPENED, user=user, at=now, note=reason)
    _status_change(request, Status.CLOSED, status)
    if request.team_id is not None:
        from tongxin.helpdesk.services.triage import EMERGENCY_RULE

        notify(
            "request_reopened",
            units=[request.team] if request.team else [],
            users=[request.claimed_by] if request.claimed_by else [],
            context={"request": request, "reason": reason, "emergency_rule": EMERGENCY_RULE},
            link=link(request),
            incident=request.incident,
        )
    return request


# --- personal data ---------------------------------------------------------------------------


def reveal_phone(request: HelpRequest, user: Any) -> str:
    """The callback number in clear, for the people who call back; audited."""
    if not can_reveal_phone(user, request):
        from tongxin.people.services import PermissionDenied

        raise PermissionDenied(_("您没有查看该号码的权限"))
    record_reveal(request, "phone")
    return request.phone


def reveal_text(request: HelpRequest, user: Any) -> str:
    """The resident's words as given (with the numbers they typed); audited."""
    if not can_reveal_phone(user, request):
        from tongxin.people.services import PermissionDenied

        raise PermissionDenied(_("您没有查看原文的权限"))
    record_reveal(request, "text_original")
    return request.text_original or request.text


def teams(user: Any = None) -> list[Unit]:
    """Units a request can be dispatched to: support groups first, then townships, then the
    rest (responsible units, medical teams …)."""
    order = {"support": 0, "township": 1, "medical": 2, "bureau": 3, "community": 4}
    units = list(Unit.objects.all())
    return sorted(units, key=lambda u: (order.get(u.kind, 9), u.name))


def suggested_teams(request: HelpRequest) -> list[Unit]:
    """The responsible units of the request's place, the obvious alternative to a support group."""
    from tongxin.helpdesk.services.registry import responsible_for

    return responsible_for(request.place).units
