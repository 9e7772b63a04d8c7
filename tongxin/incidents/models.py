import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PolicyEdition(models.Model):
    """A national plan's rules as data (e.g. 第八版, 第九版), switchable without a release.

    `rules` holds isolation days, test schedules, pool sizes, zone kinds and lifting
    conditions, and how long personal data is kept after an incident closes.
    """

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    effective_from = models.DateField(_("施行日期"))
    rules = models.JSONField(_("规则"), default=dict)

    class Meta:
        verbose_name = _("防控方案版本")
        verbose_name_plural = _("防控方案版本")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return gettext(self.name)  # bundled editions' names are in the catalogue (names.py)

    def rule(self, *keys: str, default: Any = None) -> Any:
        node: Any = self.rules
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node


class IncidentQuerySet(models.QuerySet["Incident"]):
    def open(self) -> "IncidentQuerySet":
        return self.filter(ended_at__isnull=True)

    def visible_to(self, user: Any) -> "IncidentQuerySet":
        # Incidents are county-wide facts; any signed-in staff member may see them.
        return self if getattr(user, "is_authenticated", False) else self.none()


class Incident(models.Model):
    """A response event (响应事件), e.g. 2022-03 开化疫情. Operational data belongs to one."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    policy_edition = models.ForeignKey(
        PolicyEdition, verbose_name=_("执行方案"), on_delete=models.PROTECT
    )
    retention_days = models.PositiveIntegerField(_("个人信息保留天数"), null=True, blank=True)
    purge_due_on = models.DateField(_("个人信息应删除日期"), null=True, blank=True)
    purged_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("响应事件")
        verbose_name_plural = _("响应事件")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="incident_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def retention_deadline(self) -> dt.date | None:
        return self.purge_due_on
