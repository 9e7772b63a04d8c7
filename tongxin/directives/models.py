import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel

PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "heif", "gif"]
ATTACHMENT_EXTENSIONS = [*PHOTO_EXTENSIONS, "pdf", "doc", "docx", "xls", "xlsx", "wps", "txt",
                         "zip", "ofd"]  # fmt: skip
photo_validator = FileExtensionValidator(PHOTO_EXTENSIONS)
attachment_validator = FileExtensionValidator(ATTACHMENT_EXTENSIONS)


def sees_all_directives(user: Any) -> bool:
    """The command post follows every directive; units see only what was sent to them."""
    from tongxin.accounts.permissions import Perm, has_perm

    # Those who issue directives are the ones who follow all of them.
    return has_perm(user, Perm.ISSUE_DIRECTIVES)


class Priority(models.TextChoices):
    URGENT = "urgent", _("特急")
    HIGH = "high", _("加急")
    NORMAL = "normal", _("一般")


PRIORITY_ORDER = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


class DirectiveStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


class DirectiveQuerySet(models.QuerySet["Directive"]):
    def visible_to(self, user: Any) -> "DirectiveQuerySet":
        if sees_all_directives(user):
            return self
        unit_id = getattr(user, "unit_id", None)
        if not unit_id or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(targets__unit_id=unit_id).distinct()

    def open(self) -> "DirectiveQuerySet":
        return self.filter(status=DirectiveStatus.OPEN)


class Directive(AuditedModel):
    """A directive (指令) from the command post to units, within an incident."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        on_delete=models.PROTECT,
        related_name="directives",
    )
    seq = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("指令内容"))
    priority = models.CharField(
        _("紧急程度"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    deadline = models.DateTimeField(_("办结时限"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="directives_issued",
    )
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    # The zone the targets were drawn from, if any (kept as an id and a label so this app does
    # not depend on the zones app's tables).
    zone_designation_id = models.PositiveBigIntegerField(_("风险区域"), null=True, blank=True)
    zone_label = models.CharField(_("风险区域"), max_length=200, blank=True)
    requires_text = models.BooleanField(_("需文字报告"), default=True)
    number_label = models.CharField(
        _("需填报的数字"),
        max_length=60,
        blank=True,
        help_text=_("如“已完成采样人数”；留空则不需要"),
    )
    requires_photo = models.BooleanField(_("需上传照片"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=DirectiveStatus.choices, default=DirectiveStatus.OPEN
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("指令")
        verbose_name_plural = _("指令")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="directive_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return _("第%(seq)d号") % {"seq": self.seq}

    @property
    def requires_number(self) -> bool:
        return bool(self.number_label)

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.status == DirectiveStatus.OPEN and (now or timezone.now()) > self.deadline


def attachment_path(instance: "DirectiveAttachment", filename: str) -> str:
    return f"directives/{instance.directive_id}/{filename}"


class DirectiveAttachment(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("附件"), upload_to=attachment_path, validators=[attachment_validator], max_length=300
    )
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("指令附件")
        verbose_name_plural = _("指令附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class TargetStatus(models.TextChoices):
    ISSUED = "issued", _("待签收")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETED = "completed", _("已办结")


class Escalation(models.IntegerChoices):
    NONE = 0, _("未上报")
    UNIT_LEADER = 1, _("已提醒单位负责人")
    COMMAND_POST = 2, _("已上报指挥部")


def report_photo_path(instance: Any, filename: str) -> str:
    return f"directives/reports/{timezone.now():%Y%m}/{filename}"


class DirectiveTargetQuerySet(models.QuerySet["DirectiveTarget"]):
    def visible_to(self, user: Any) -> "DirectiveTargetQuerySet":
        if sees_all_directives(user):
            return self
        unit_id = getattr(user, "unit_id", None)
        if not unit_id or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(unit_id=unit_id)

    def open(self) -> "DirectiveTargetQuerySet":
        return self.filter(directive__status=DirectiveStatus.OPEN).exclude(
            status=TargetStatus.COMPLETED
        )

    def late(self, now: dt.datetime) -> "DirectiveTargetQuerySet":
        return self.open().filter(directive__deadline__lt=now)


class DirectiveTarget(AuditedModel):
    """One unit's copy of a directive: signed for, reported on, completed."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="directive_targets",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TargetStatus.choices, default=TargetStatus.ISSUED
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定办结人"),
        help_text=_("除本单位负责人外，可以办结本指令的人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report_text = models.TextField(_("办结报告"), blank=True)
    report_number = models.DecimalField(
        _("填报数字"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    report_photo = models.FileField(
        _("照片"), upload_to=report_photo_path, validators=[photo_validator], blank=True,
        max_length=300,
    )  # fmt: skip
    last_feedback_at = models.DateTimeField(_("最近反馈"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("逾期上报"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    objects = DirectiveTargetQuerySet.as_manager()

    AUDIT_EXCLUDE = ("last_feedback_at",)

    class Meta:
        verbose_name = _("指令接收单位")
        verbose_name_plural = _("指令接收单位")
        ordering = ["directive_id", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], name="directive_target_unique")
        ]
        indexes = [models.Index(fields=["unit", "status"], name="directive_target_unit_status")]

    def __str__(self) -> str:
        return f"{self.directive} → {self.unit}"

    @property
    def is_completed(self) -> bool:
        return self.status == TargetStatus.COMPLETED

    def is_late(self, now: dt.datetime | None = None) -> bool:
        """Past the deadline and not done, or done after it."""
        deadline = self.directive.deadline
        if self.completed_at is not None:
            return self.completed_at > deadline
        return (now or timezone.now()) > deadline


class Feedback(models.Model):
    """A progress report (反馈) from a unit on its directive."""

    target = models.ForeignKey(DirectiveTarget, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("进展"))
    number = models.DecimalField(_("数字"), max_digits=14, decimal_places=2, null=True, blank=True)
    photo = models.FileField(
        _("照片"), upload_to=report_photo_path, validators=[photo_validator], blank=True,
        max_length=300,
    )  # fmt: skip

    class Meta:
        verbose_name = _("进展反馈")
        verbose_name_plural = _("进展反馈")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.target} {self.created_at:%m-%d %H:%M}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    DONE = "done", _("已完成")


class UnitTask(AuditedModel):
    """A unit passing its directive on to one of its staff (per building or per cadre)."""

    target = models.ForeignKey(DirectiveTarget, on_delete=models.CASCADE, related_name="tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        related_name="directive_tasks",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("负责楼幢/区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("要求"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分派人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("分派时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    report_text = models.TextField(_("完成情况"), blank=True)
    report_number = models.DecimalField(
        _("数字"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    report_photo = models.FileField(
        _("照片"), upload_to=report_photo_path, validators=[photo_validator], blank=True,
        max_length=300,
    )  # fmt: skip

    class Meta:
        verbose_name = _("单位内部任务")
        verbose_name_plural = _("单位内部任务")
        ordering = ["target_id", "place__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "assignee", "place"],
                condition=Q(place__isnull=False),
                name="directive_task_unique",
            )
        ]

    def __str__(self) -> str:
        where = f" {self.place.name}" if self.place_id and self.place else ""
        return f"{self.target} · {self.assignee}{where}"
