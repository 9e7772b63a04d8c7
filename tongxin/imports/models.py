from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("待确认")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


def job_kind_perms() -> dict[str, Any]:
    """Which permission each kind of import needs."""
    from tongxin.accounts.permissions import Perm

    return {
        "residents": Perm.IMPORT_RESIDENTS,
        "places": Perm.MANAGE_PLACES,
        "units": Perm.MANAGE_STAFF,
        "staff": Perm.MANAGE_STAFF,
    }


def import_kinds_for(user: Any) -> list[str]:
    from tongxin.accounts.permissions import has_perm

    return [kind for kind, perm in job_kind_perms().items() if has_perm(user, perm)]


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: Any) -> "ImportJobQuerySet":
        """The command post sees every job; others see the jobs of their own unit; each only
        of the kinds they may import."""
        from tongxin.accounts.jurisdiction import jurisdiction_of

        kinds = import_kinds_for(user)
        if not kinds:
            return self.none()
        qs = self.filter(kind__in=kinds)
        if jurisdiction_of(user).everywhere:
            return qs
        if user.unit_id:
            return qs.filter(created_by__unit_id=user.unit_id)
        return qs.filter(created_by=user)


class ImportJob(models.Model):
    """An uploaded residents file on its way in: validated (a dry run), confirmed, imported."""

    kind = models.CharField(max_length=20, default="residents")
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    file = models.FileField(upload_to="imports/%Y%m%d/")
    original_name = models.CharField(_("文件名"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # The dry run's findings (preview rows and every problem), then the real run's counts.
    preview = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    errors_file = models.FileField(upload_to="imports/errors/%Y%m%d/", blank=True)
    failure = models.TextField(blank=True)
    # Where the upload came from, so the background run is audited as the uploader's act.
    channel = models.CharField(_("渠道"), max_length=16, default="web")
    client_ip = models.CharField(_("来源地址"), max_length=64, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        labels = {"residents": _("居民"), "places": _("地点"), "units": _("包干表"),
                  "staff": _("工作人员")}  # fmt: skip
        return str(labels.get(self.kind, self.kind))

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
