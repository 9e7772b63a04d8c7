"""The command post's own records: daily reports (日报) with their frozen snapshots, the
incident's timeline (大事记), public notices (通告) and what each person last saw on the
dashboard. None of them holds personal data: figures are counts, places are estates and
above, and a case is 病例N."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel


class ReportSettings(AuditedModel):
    """Per incident: the daily cut-off (0:00 = 24时 of the report's day; another time is that
    time of the report's day)."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="report_settings"
    )
    cutoff_hour = models.PositiveSmallIntegerField(
        _("日报截止时点"),
        default=0,
        validators=[MaxValueValidator(23)],
        help_text=_("0 表示当日24时；其他值表示当日该时点"),
    )
    cutoff_minute = models.PositiveSmallIntegerField(
        _("日报截止分钟"), default=0, validators=[MaxValueValidator(59)]
    )
    title = models.CharField(_("日报标题"), max_length=100, default="疫情防控工作日报")
    issuer = models.CharField(_("编发单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("日报设置")
        verbose_name_plural = _("日报设置")

    def __str__(self) -> str:
        return f"{self.incident} {self.cutoff_hour}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    EDITED = "edited", _("已编辑")
    REVIEWED = "reviewed", _("已审核")
    ISSUED = "issued", _("已签发")


class DailyReportQuerySet(models.QuerySet["DailyReport"]):
    def visible_to(self, user: Any) -> "DailyReportQuerySet":
        from tongxin.accounts.permissions import Perm, has_perm

        return self if has_perm(user, Perm.VIEW_REPORTS) else self.none()


class DailyReport(AuditedModel):
    """第N期: figures frozen at the cut-off into `snapshot`, text sections by the command post."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="daily_reports"
    )
    number = models.PositiveIntegerField(_("期数"))
    report_date = models.DateField(_("日期"))
    cutoff_at = models.DateTimeField(_("截止时间"))
    period_start = models.DateTimeField(_("统计起点"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    snapshot = models.JSONField(_("数据快照"), default=dict)
    frozen_at = models.DateTimeField(_("生成时间"))
    reconciliation = models.JSONField(_("核对"), default=list)
    texts = models.JSONField(_("文字部分"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(_("编辑时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)

    AUDIT_EXCLUDE = ("snapshot", "reconciliation")

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作日报")
        verbose_name_plural = _("工作日报")
        ordering = ["-report_date"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="report_number_unique"),
            models.UniqueConstraint(fields=["incident", "report_date"], name="report_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.incident} 第{self.number}期"

    @property
    def is_issued(self) -> bool:
        return self.status == ReportStatus.ISSUED


class EntryKind(models.TextChoices):
    ZONE_DESIGNATED = "zone_designated", _("划定区域")
    ZONE_CHANGED = "zone_changed", _("调整区域")
    ZONE_LIFTED = "zone_lifted", _("解除区域")
    ROUND_STARTED = "round_started", _("核酸轮次开始")
    ROUND_FINISHED = "round_finished", _("核酸轮次结束")
    POSITIVE = "positive", _("发现阳性")
    DIRECTIVE = "directive", _("签发指令")
    NOTICE = "notice", _("发布通告")
    MANUAL = "manual", _("指挥部记录")


class TimelineEntryQuerySet(models.QuerySet["TimelineEntry"]):
    def visible_to(self, user: Any) -> "TimelineEntryQuerySet":
        from tongxin.accounts.permissions import Perm, has_perm

        return self if has_perm(user, Perm.VIEW_REPORTS) else self.none()


class TimelineEntry(AuditedModel):
    """One line of the incident's 大事记: recorded from the modules' events, or written by hand.

    `source` identifies the event an automatic entry came from, so it is recorded once."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="timeline_entries"
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=EntryKind.choices)
    text = models.CharField(_("内容"), max_length=500)
    source = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("大事记")
        verbose_name_plural = _("大事记")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "source"],
                condition=~models.Q(source=""),
                name="timeline_source_once",
            )
        ]

    def __str__(self) -> str:
        return self.text


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Notice(AuditedModel):
    """A public notice (通告 第N号): drafted by the command post, then published as a page."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="notices"
    )
    number = models.PositiveIntegerField(_("编号"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    issuer = models.CharField(_("发布单位"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    class Meta:
        verbose_name = _("通告")
        verbose_name_plural = _("通告")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "number"],
                condition=models.Q(number__isnull=False),
                name="notice_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"第{self.number}号 {self.title}" if self.number else self.title


class DashboardView(models.Model):
    """What a person saw last on the dashboard for an area, to highlight what changed since."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    area_key = models.CharField(max_length=200)
    seen_at = models.DateTimeField()
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "incident", "area_key"], name="dashboard_view_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.area_key}"
