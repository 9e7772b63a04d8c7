import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("县级部门")
    TOWNSHIP = "township", _("乡镇/街道")
    COMMUNITY = "community", _("社区/村")
    MEDICAL = "medical", _("医疗队")
    POLICE = "police", _("公安")
    SUPPORT = "support", _("保障组")
    OTHER = "other", _("其他")


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: Any) -> "UnitQuerySet":
        from tongxin.accounts.jurisdiction import jurisdiction_of

        j = jurisdiction_of(user)
        if j.everywhere:
            return self
        unit_id = getattr(user, "unit_id", None)
        return self.filter(pk=unit_id) if unit_id else self.none()


class Unit(AuditedModel):
    """A responsible unit (包干单位): a county bureau, a township, a hospital team …"""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("包干单位")
        verbose_name_plural = _("包干单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AssignmentQuerySet(models.QuerySet["UnitAssignment"]):
    def active(self, on: dt.date | None = None) -> "AssignmentQuerySet":
        on = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=on), Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class UnitAssignment(AuditedModel):
    """网格包干: a unit is responsible for a place (usually an estate) from a date."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="assignments")
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="unit_assignments"
    )
    starts_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("包干分配")
        verbose_name_plural = _("包干分配")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.place}"


class GridRoleKind(models.TextChoices):
    GRID_LEADER = "grid_leader", _("网格长")
    FULL_TIME = "full_time", _("专职网格员")
    PART_TIME = "part_time", _("兼职网格员")
    INSTRUCTOR = "instructor", _("网格指导员")


class GridRole(AuditedModel):
    """A staff member's grid role for a place (网格长 of an estate, …)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grid_roles"
    )
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="grid_roles")
    role = models.CharField(_("网格角色"), max_length=16, choices=GridRoleKind.choices)

    class Meta:
        verbose_name = _("网格角色")
        verbose_name_plural = _("网格角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "place", "role"], name="grid_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.get_role_display()} {self.user}"


class BuildingAssignment(AuditedModel):
    """分片包楼: a cadre is responsible for a building (or a stairwell)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="building_assignments"
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="building_assignments"
    )
    starts_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("包楼分配")
        verbose_name_plural = _("包楼分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "place"], name="building_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.place}"
