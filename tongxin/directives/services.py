"""Directives (指令): issue, sign for (签收), report progress (反馈), complete (办结), escalate.

Every state change is a conditional update on the unit's row, so two staff of the same unit
pressing "sign" or "complete" at the same moment record it once; the loser gets
`AlreadyDone` naming who did it first.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.directives.models import (
    Directive,
    DirectiveAttachment,
    DirectiveStatus,
    DirectiveTarget,
    DirectiveTargetQuerySet,
    Escalation,
    Feedback,
    Priority,
    TargetStatus,
    TaskStatus,
    UnitTask,
)
from tongxin.incidents.models import Incident
from tongxin.notifications.services import notify, safe_reverse
from tongxin.places.models import Place
from tongxin.units.models import Unit


class DirectiveError(ValueError):
    """A request the rules refuse; the message is shown to the user."""


class AlreadyDone(DirectiveError):
    """Someone (usually a colleague) got there first."""


# --- who may do what -------------------------------------------------------------------------


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_issue(user: Any) -> bool:
    from tongxin.accounts.permissions import Perm, has_perm

    return has_perm(user, Perm.ISSUE_DIRECTIVES)


def acts_for(user: Any, target: DirectiveTarget) -> bool:
    """Staff of the target unit sign, report and complete for it."""
    return _active(user) and user.unit_id is not None and user.unit_id == target.unit_id


def leads(user: Any, target: DirectiveTarget) -> bool:
    """The unit's leaders pass the directive on to their staff."""
    return acts_for(user, target) and user.role == Role.UNIT_LEADER


def can_complete(user: Any, target: DirectiveTarget) -> bool:
    """办结 is the unit's word that the job is done: its leader gives it, or the one person the
    leader named for this directive. Grid staff sign, report back and do their tasks."""
    if not acts_for(user, target):
        return False
    return user.role == Role.UNIT_LEADER or (
        target.completer_id is not None and target.completer_id == user.pk
    )


def _require_acts_for(user: Any, target: DirectiveTarget) -> None:
    if not acts_for(user, target):
        raise DirectiveError(_("只有接收单位的工作人员可以办理"))


# --- scoping ---------------------------------------------------------------------------------


def visible_directives(user: Any) -> models.QuerySet[Directive]:
    return Directive.objects.visible_to(user)


def get_directive(user: Any, pk: int) -> Directive:
    directive = (
        visible_directives(user).select_related("incident", "issued_by").filter(pk=pk).first()
    )
    if directive is None:
        raise Http404
    return directive


def visible_targets(user: Any) -> DirectiveTargetQuerySet:
    return DirectiveTarget.objects.visible_to(user)


def get_target(user: Any, pk: int) -> DirectiveTarget:
    target = (
        visible_targets(user)
        .select_related("directive__incident", "unit", "signed_by", "completed_by")
        .filter(pk=pk)
        .first()
    )
    if target is None:
        raise Http404
    return target


def visible_tasks(user: Any) -> models.QuerySet[UnitTask]:
    # A task is visible exactly where its unit's copy of the directive is.
    return UnitTask.objects.filter(target__in=visible_targets(user))


def get_task(user: Any, pk: int) -> UnitTask:
    task = (
        visible_tasks(user)
        .select_related("target__directive", "target__unit", "assignee", "place")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


# --- issuing ---------------------------------------------------------------------------------


def zone_designation(zone: Any) -> Any:
    """A zone designation from the zones app, given it or its id."""
    from tongxin.zones.models import ZoneDesignation

    if isinstance(zone, ZoneDesignation):
        return zone
    designation = ZoneDesignation.objects.select_related("place").filter(pk=zone).first()
    if designation is None:
        raise DirectiveError(_("找不到该风险区域"))
    return designation


def _units_in_zone(zone: Any) -> tuple[list[Unit], Any]:
    from tongxin.zones.services import units_in_zone

    designation = zone_designation(zone)
    return list(units_in_zone(designation)), designation


def _next_seq(incident: Incident) -> int:
    last = Directive.objects.filter(incident=incident).aggregate(m=Max("seq"))["m"]
    return (last or 0) + 1


@transaction.atomic
def issue_directive(
    *,
    incident: Incident,
    issued_by: User,
    title: str,
    text: str,
    deadline: dt.datetime,
    priority: str = Priority.NORMAL,
    units: Iterable[Unit] = (),
    zone: Any = None,
    requires_text: bool = True,
    number_label: str = "",
    requires_photo: bool = False,
    attachments: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Directive:
    """Issue a directive to explicit units and/or every unit with estates in a zone."""
    now = now or timezone.now()
    if not can_issue(issued_by):
        raise DirectiveError(_("只有指挥部可以下达指令"))
    if not incident.is_open:
        raise DirectiveError(_("响应事件已结束，不能下达指令"))
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise DirectiveError(_("请填写指令标题和内容"))
    if deadline <= now:
        raise DirectiveError(_("办结时限必须晚于当前时间"))
    targets: dict[int, Unit] = {u.pk: u for u in units}
    designation = None
    if zone:
        zone_units, designation = _units_in_zone(zone)
        if designation.incident_id != incident.pk:
            raise DirectiveError(_("所选风险区域不属于该响应事件"))
        for unit in zone_units:
            targets.setdefault(unit.pk, unit)
    if not targets:
        raise DirectiveError(_("请选择接收单位（或所选区域内没有包干单位）"))

    # Lock the incident row so two directives issued at once do not take the same number.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    directive = Directive.objects.create(
        incident=incident,
        seq=_next_seq(incident),
        title=title[:200],
        text=text,
        priority=priority,
        deadline=deadline,
        issued_by=issued_by,
        issued_at=now,
        zone_designation_id=designation.pk if designation is not None else None,
        zone_label=str(designation)[:200] if designation is not None else "",
        requires_text=requires_text,
        number_label=number_label.strip()[:60],
        requires_photo=requires_photo,
    )
    for upload in attachments:
        DirectiveAttachment.objects.create(
            directive=directive, file=upload, name=(upload.name or "file")[:200], uploaded_at=now
        )
    unit_list = sorted(targets.values(), key=lambda u: u.name)
    for unit in unit_list:
        DirectiveTarget.objects.create(directive=directive, unit=unit)
    notify(
        "directive_issued",
        units=unit_list,
        context={"directive": directive},
        link=safe_reverse("directives:detail", directive.pk),
        incident=incident,
    )
    return directive


@transaction.atomic
def cancel_directive(directive: Directive, by: User, reason: str = "") -> Directive:
    if not can_issue(by):
        raise DirectiveError(_("只有指挥部可以撤销指令"))
    if not Directive.objects.filter(pk=directive.pk, status=DirectiveStatus.OPEN).update(
        status=DirectiveStatus.CANCELLED, closed_at=timezone.now()
    ):
        raise AlreadyDone(_("指令已办结或已撤销"))
    record(
        AuditAction.UPDATE, directive,
        changes={"status": [DirectiveStatus.OPEN, DirectiveStatus.CANCELLED]},
        detail={"reason": reason},
    )  # fmt: skip
    directive.refresh_from_db()
    return directive


# --- a unit's work ---------------------------------------------------------------------------


def _record_status(target: DirectiveTarget, before: str, after: str, **detail: Any) -> None:
    record(AuditAction.UPDATE, target, changes={"status": [before, after]}, detail=detail)


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%m-%d %H:%M") if at else ""


def _already(target: DirectiveTarget, what: str) -> AlreadyDone:
    target.refresh_from_db()
    if what == "sign" and target.signed_by_id:
        who, at = target.signed_by, _when(target.signed_at)
        return AlreadyDone(_("%(who)s 已于 %(at)s 签收") % {"who": who, "at": at})
    if target.is_completed:
        who, at = target.completed_by, _when(target.completed_at)
        return AlreadyDone(_("%(who)s 已于 %(at)s 办结") % {"who": who, "at": at})
    return AlreadyDone(_("状态已变化，请刷新后再试"))


def _open_directive(target: DirectiveTarget) -> None:
    # Read the status afresh: the caller's copy may predate a cancellation or closing.
    status = Directive.objects.filter(pk=target.directive_id).values_list("status", flat=True)
    current = status.first()
    if current != DirectiveStatus.OPEN:
        label = DirectiveStatus(current).label if current else ""
        raise DirectiveError(_("指令%(status)s，不能再办理") % {"status": label})


def _guard(target: DirectiveTarget, what: str) -> str:
    """The unit's current status; AlreadyDone if a colleague already did `what`, or
    DirectiveError if the directive is no longer open."""
    current = DirectiveTarget.objects.filter(pk=target.pk).values_list("status", flat=True).first()
    if current == TargetStatus.COMPLETED or (what == "sign" and current != TargetStatus.ISSUED):
        raise _already(target, what)
    _open_directive(target)
    return str(current)


@transaction.atomic
def sign(target: DirectiveTarget, user: User, now: dt.datetime | None = None) -> DirectiveTarget:
    """签收: the unit acknowledges the directive. Once per unit, whoever is first."""
    _require_acts_for(user, target)
    _guard(target, "sign")
    now = now or timezone.now()
    updated = DirectiveTarget.objects.filter(pk=target.pk, status=TargetStatus.ISSUED).update(
        status=TargetStatus.SIGNED, signed_at=now, signed_by=user
    )
    if not updated:
        raise _already(target, "sign")
    _record_status(target, TargetStatus.ISSUED, TargetStatus.SIGNED)
    target.refresh_from_db()
    return target


def _implicit_sign(user: User, now: dt.datetime) -> dict[str, Any]:
    # Reporting or completing without having signed counts as signing at that moment.
    return {
        "signed_at": Coalesce(F("signed_at"), Value(now), output_field=models.DateTimeField()),
        "signed_by": Coalesce(
            F("signed_by"), Value(user.pk), output_field=models.BigIntegerField()
        ),
    }


@transaction.atomic
def add_feedback(
    target: DirectiveTarget,
    user: User,
    text: str,
    *,
    number: Decimal | None = None,
    photo: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> Feedback:
    """反馈: a progress report; moves the unit to "in progress"."""
    _require_acts_for(user, target)
    before = _guard(target, "feedback")
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise DirectiveError(_("请填写进展情况"))
    DirectiveTarget.objects.filter(
        pk=target.pk, status__in=[TargetStatus.ISSUED, TargetStatus.SIGNED]
    ).update(status=TargetStatus.IN_PROGRESS, **_implicit_sign(user, now))
    DirectiveTarget.objects.filter(pk=target.pk).update(last_feedback_at=now)
    feedback = Feedback.objects.create(
        target=target, author=user, created_at=now, text=text, number=number, photo=photo or ""
    )
    if before != TargetStatus.IN_PROGRESS:
        _record_status(target, before, TargetStatus.IN_PROGRESS)
    target.refresh_from_db()
    return feedback


@dataclass
class Rollup:
    """The staff reports of a unit's tasks, gathered for the unit's own report."""

    total: int = 0
    done: int = 0
    text: str = ""
    number: Decimal | None = None
    photos: list[Any] = field(default_factory=list)


def rollup(target: DirectiveTarget) -> Rollup:
    tasks = list(target.tasks.select_related("assignee", "place").order_by("place__path", "pk"))
    result = Rollup(total=len(tasks))
    lines: list[str] = []
    numbers: list[Decimal] = []
    for task in tasks:
        if task.status != TaskStatus.DONE:
            continue
        result.done += 1
        who = f"{task.place.name} {task.assignee}" if task.place else str(task.assignee)
        if task.report_text:
            lines.append(f"{who}：{task.report_text}")
        if task.report_number is not None:
            numbers.append(task.report_number)
        if task.report_photo:
            result.photos.append(task.report_photo)
    result.text = "\n".join(lines)
    result.number = sum(numbers, Decimal(0)) if numbers else None
    return result


def missing_for_completion(
    directive: Directive, text: str, number: Decimal | None, has_photo: bool
) -> list[str]:
    missing = []
    if directive.requires_text and not text.strip():
        missing.append(_("文字报告"))
    if directive.number_label and number is None:
        missing.append(directive.number_label)
    if directive.requires_photo and not has_photo:
        missing.append(_("照片"))
    return missing


def _close_if_all_done(directive: Directive, now: dt.datetime) -> bool:
    not_done = DirectiveTarget.objects.filter(directive=OuterRef("pk")).exclude(
        status=TargetStatus.COMPLETED
    )
    closed = (
        Directive.objects.filter(pk=directive.pk, status=DirectiveStatus.OPEN)
        .filter(~Exists(not_done))
        .update(status=DirectiveStatus.CLOSED, closed_at=now)
    )
    if closed:
        record(
            AuditAction.UPDATE, directive,
            changes={"status": [DirectiveStatus.OPEN, DirectiveStatus.CLOSED]},
        )  # fmt: skip
    return bool(closed)


@transaction.atomic
def complete(
    target: DirectiveTarget,
    user: User,
    *,
    text: str = "",
    number: Decimal | None = None,
    photo: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> DirectiveTarget:
    """办结: the unit's final report, which must contain what the directive asked for.

    A photo from a staff member's task report counts toward a required photo.
    """
    _require_acts_for(user, target)
    if not can_complete(user, target):
        raise DirectiveError(_("只有本单位负责人或指定的办结人可以办结"))
    before = _guard(target, "complete")
    now = now or timezone.now()
    has_photo = bool(photo) or bool(rollup(target).photos)
    missing = missing_for_completion(target.directive, text, number, has_photo)
    if missing:
        raise DirectiveError(_("办结报告还缺：%(items)s") % {"items": "、".join(map(str, missing))})
    updated = (
        DirectiveTarget.objects.filter(pk=target.pk)
        .exclude(status=TargetStatus.COMPLETED)
        .update(
            status=TargetStatus.COMPLETED, completed_at=now, completed_by=user,
            report_text=text.strip(), report_number=number, **_implicit_sign(user, now),
        )
    )  # fmt: skip
    if not updated:
        raise _already(target, "complete")
    target.refresh_from_db()
    if photo:
        target.report_photo = photo
        # The status was settled by the conditional update above; this only stores the file.
        DirectiveTarget.objects.filter(pk=target.pk).update(
            report_photo=target._meta.get_field("report_photo").pre_save(target, add=False)
        )
    _record_status(target, before, TargetStatus.COMPLETED)
    _close_if_all_done(target.directive, now)
    target.refresh_from_db()
    return target


@transaction.atomic
def name_completer(target: DirectiveTarget, by: User, completer: User | None) -> DirectiveTarget:
    """The unit's leader names who (besides the leaders) may complete this directive."""
    if not leads(by, target):
        raise DirectiveError(_("只有本单位负责人可以指定办结人"))
    if completer is not None and (completer.unit_id != target.unit_id or not completer.is_active):
        raise DirectiveError(_("办结人须是本单位在岗人员"))
    target.completer = completer
    target.save(update_fields=["completer"])
    return target


# --- passing it on to staff ------------------------------------------------------------------


@transaction.atomic
def assign_task(
    target: DirectiveTarget,
    by: User,
    assignee: User,
    *,
    place: Place | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> UnitTask:
    """A unit leader hands the directive (or its part for one building) to a staff member."""
    if not leads(by, target):
        raise DirectiveError(_("只有本单位负责人可以分派任务"))
    _open_directive(target)
    if assignee.unit_id != target.unit_id or not assignee.is_active:
        raise DirectiveError(_("只能分派给本单位的工作人员"))
    if place is not None:
        from tongxin.places.models import Place as PlaceModel

        if not PlaceModel.objects.visible_to(by).filter(pk=place.pk).exists():
            raise DirectiveError(_("只能分派本单位负责区域内的地点"))
    now = now or timezone.now()
    task, created = UnitTask.objects.get_or_create(
        target=target, assignee=assignee, place=place,
        defaults={"note": note.strip(), "created_by": by, "created_at": now},
    )  # fmt: skip
    if not created:
        raise AlreadyDone(_("已向该工作人员分派过此任务"))
    DirectiveTarget.objects.filter(
        pk=target.pk, status__in=[TargetStatus.ISSUED, TargetStatus.SIGNED]
    ).update(status=TargetStatus.IN_PROGRESS, **_implicit_sign(by, now))
    notify(
        "directive_task_assigned",
        users=[assignee],
        context={"task": task, "directive": target.directive},
        link=safe_reverse("directives:detail", target.directive_id),
        incident=target.directive.incident,
    )
    return task


@transaction.atomic
def report_task(
    task: UnitTask,
    user: User,
    *,
    text: str = "",
    number: Decimal | None = None,
    photo: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> UnitTask:
    """The staff member reports their part done; it rolls up into the unit's report."""
    if not _active(user) or user.pk != task.assignee_id:
        raise DirectiveError(_("只有承办人可以填报"))
    now = now or timezone.now()
    if not text.strip() and number is None and not photo:
        raise DirectiveError(_("请填写完成情况"))
    if not UnitTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, done_at=now, report_text=text.strip(), report_number=number
    ):
        raise AlreadyDone(_("该任务已填报"))
    task.refresh_from_db()
    if photo:
        task.report_photo = photo
        UnitTask.objects.filter(pk=task.pk).update(
            report_photo=task._meta.get_field("report_photo").pre_save(task, add=False)
        )
    record(AuditAction.UPDATE, task, changes={"status": [TaskStatus.OPEN, TaskStatus.DONE]})
    task.refresh_from_db()
    return task


# --- escalation ------------------------------------------------------------------------------


def escalation_grace() -> dt.timedelta:
    """How long unit leaders have after the overdue reminder before the command post hears."""
    return dt.timedelta(minutes=int(getattr(settings, "TONGXIN_DIRECTIVE_ESCALATION_MINUTES", 60)))


def unit_leaders(unit_id: int) -> list[User]:
    staff = User.objects.filter(unit_id=unit_id, is_active=True)
    leaders = list(staff.filter(role=Role.UNIT_LEADER))
    return leaders or list(staff)


def command_post_users(directive: Directive) -> list[User]:
    users = list(User.objects.filter(is_active=True, role=Role.COMMAND_POST))
    if directive.issued_by.is_active and all(u.pk != directive.issued_by_id for u in users):
        users.append(directive.issued_by)
    return users


@dataclass
class SweepResult:
    reminded: list[DirectiveTarget] = field(default_factory=list)  # unit leaders told
    escalated: list[DirectiveTarget] = field(default_factory=list)  # command post told


def sweep(now: dt.datetime | None = None, *, directive: Directive | None = None) -> SweepResult:
    """Escalate overdue directives: first the unit's leaders, then (after the grace period) the
    command post. The level is recorded with a conditional update, so running the sweep
    again, or twice at once, notifies nobody twice."""
    now = now or timezone.now()
    result = SweepResult()
    late = DirectiveTarget.objects.late(now).select_related("directive__incident", "unit")
    if directive is not None:
        late = late.filter(directive=directive)

    for target in late.filter(escalation_level=Escalation.NONE):
        if DirectiveTarget.objects.filter(pk=target.pk, escalation_level=Escalation.NONE).update(
            escalation_level=Escalation.UNIT_LEADER, escalated_at=now
        ):
            notify(
                "directive_overdue",
                users=unit_leaders(target.unit_id),
                context={"directive": target.directive, "target": target},
                link=safe_reverse("directives:detail", target.directive_id),
                incident=target.directive.incident,
            )
            result.reminded.append(target)

    by_directive: dict[int, list[DirectiveTarget]] = defaultdict(list)
    for target in late.filter(
        escalation_level=Escalation.UNIT_LEADER, escalated_at__lte=now - escalation_grace()
    ):
        if DirectiveTarget.objects.filter(
            pk=target.pk, escalation_level=Escalation.UNIT_LEADER
        ).update(escalation_level=Escalation.COMMAND_POST, escalated_at=now):
            by_directive[target.directive_id].append(target)
            result.escalated.append(target)
    for targets in by_directive.values():
        d = targets[0].directive
        notify(
            "directive_escalated",
            users=command_post_users(d),
            context={"directive": d, "units": [t.unit.name for t in targets]},
            link=safe_reverse("directives:detail", d.pk),
            incident=d.incident,
        )
    return result


# --- what the command post and units see -----------------------------------------------------


@dataclass
class TargetCounts:
    total: int = 0
    unsigned: int = 0
    signed: int = 0
    in_progress: int = 0
    completed: int = 0
    late: int = 0

    @property
    def percent_done(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def annotate_counts(qs: models.QuerySet[Directive], now: dt.datetime) -> models.QuerySet[Directive]:
    not_done = ~Q(targets__status=TargetStatus.COMPLETED)
    return qs.annotate(
        n_total=Count("targets"),
        n_unsigned=Count("targets", filter=Q(targets__status=TargetStatus.ISSUED)),
        n_signed=Count("targets", filter=Q(targets__status=TargetStatus.SIGNED)),
        n_in_progress=Count("targets", filter=Q(targets__status=TargetStatus.IN_PROGRESS)),
        n_completed=Count("targets", filter=Q(targets__status=TargetStatus.COMPLETED)),
        n_late=Count(
            "targets",
            filter=(not_done & Q(deadline__lt=now))
            | Q(targets__status=TargetStatus.COMPLETED, targets__completed_at__gt=F("deadline")),
        ),
    )


def counts_of(directive: Directive) -> TargetCounts:
    return TargetCounts(
        total=getattr(directive, "n_total", 0),
        unsigned=getattr(directive, "n_unsigned", 0),
        signed=getattr(directive, "n_signed", 0),
        in_progress=getattr(directive, "n_in_progress", 0),
        completed=getattr(directive, "n_completed", 0),
        late=getattr(directive, "n_late", 0),
    )


def board(
    user: Any,
    *,
    incident: Incident | None = None,
    status: str | None = DirectiveStatus.OPEN,
    only: Directive | None = None,
    now: dt.datetime | None = None,
) -> list[Directive]:
    """The command post's board: directives with per-state counts and their units' rows
    (`.counts`, `.unit_rows`). `only` narrows it to one directive (its detail page)."""
    now = now or timezone.now()
    qs = visible_directives(user).select_related("incident", "issued_by")
    if only is not None:
        qs = qs.filter(pk=only.pk)
    if incident is not None:
        qs = qs.filter(incident=incident)
    if status:
        qs = qs.filter(status=status)
    directives = list(annotate_counts(qs, now).order_by("deadline", "pk"))
    targets = (
        visible_targets(user)
        .filter(directive__in=directives)
        .select_related("unit")
        .order_by("unit__name")
    )
    by_directive: dict[int, list[DirectiveTarget]] = defaultdict(list)
    for target in targets:
        by_directive[target.directive_id].append(target)
    for directive in directives:
        directive.counts = counts_of(directive)  # type: ignore[attr-defined]
        directive.unit_rows = by_directive.get(directive.pk, [])  # type: ignore[attr-defined]
        for target in directive.unit_rows:  # type: ignore[attr-defined]
            target.directive = directive
    return directives


def open_targets_for_unit(unit: Unit | int) -> models.QuerySet[DirectiveTarget]:
    """A unit's open directives, most urgent first."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return (
        DirectiveTarget.objects.open()
        .filter(unit_id=unit_id)
        .select_related("directive__incident")
        .order_by("directive__deadline", "pk")
    )


def unit_targets(
    user: Any, unit_id: int, *, include_done: bool = False
) -> models.QuerySet[DirectiveTarget]:
    qs = visible_targets(user).filter(unit_id=unit_id).select_related("directive__incident", "unit")
    if not include_done:
        qs = qs.filter(directive__status=DirectiveStatus.OPEN).exclude(
            status=TargetStatus.COMPLETED
        )
    return qs.order_by("directive__deadline", "pk")


def units_with_open_directives(user: Any, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per unit: how many directives are open and how many of those are late."""
    now = now or timezone.now()
    rows = (
        visible_targets(user)
        .open()
        .values("unit_id", "unit__name")
        .annotate(
            open=Count("pk"),
            late=Count("pk", filter=Q(directive__deadline__lt=now)),
            unsigned=Count("pk", filter=Q(status=TargetStatus.ISSUED)),
        )
        .order_by("-late", "-open", "unit__name")
    )
    return list(rows)


def numbers_total(directive: Directive) -> Decimal | None:
    total = directive.targets.filter(status=TargetStatus.COMPLETED).aggregate(
        s=Sum("report_number")
    )
    return total["s"]


def zone_options(user: Any, incident: Incident | None = None) -> list[tuple[int, str]]:
    """Zones in force the issuer may target ("all units with estates in this zone")."""
    from django.apps import apps

    if not apps.is_installed("tongxin.zones"):
        return []
    from tongxin.zones.models import ZoneDesignation

    qs = ZoneDesignation.objects.visible_to(user).active().select_related("place", "incident")
    qs = qs.filter(incident__ended_at__isnull=True)
    if incident is not None:
        qs = qs.filter(incident=incident)
    return [(d.pk, f"{d.place} · {d.kind_name}") for d in qs.order_by("place__path")]
