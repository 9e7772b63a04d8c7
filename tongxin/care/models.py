"""The special-population registry (重点人群) and the green channels (绿色通道) for dialysis.

A care need is health data about a resident: it is scoped through the resident's household,
every change is in the audit trail (AuditedModel) and every view is recorded by the services.
A green-channel run is a township's dedicated transport to one hospital on one date; its
passenger manifest is built from the registry, never typed in by hand.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel

# ISO weekdays (Monday = 1) as the single digits a dialysis schedule is stored as ("135").
WEEKDAY_DIGITS = "1234567"


class NeedKind(models.TextChoices):
    DIALYSIS = "dialysis", _("血透")
    PREGNANCY = "pregnancy", _("孕产妇")
    CHRONIC = "chronic", _("慢病用药")
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    DISABILITY = "disability", _("残疾人")
    INFANT = "infant", _("婴幼儿")


class Hospital(AuditedModel):
    """A hospital that receives registry patients (dialysis, births) on separate slots."""

    name = models.CharField(_("医院名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("医院")
        verbose_name_plural = _("医院")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CareNeedQuerySet(models.QuerySet["CareNeed"]):
    def visible_to(self, user: Any) -> "CareNeedQuerySet":
        """Needs of residents the user may see, if the role may see care records at all."""
        from tongxin.accounts.jurisdiction import jurisdiction_of
        from tongxin.care.services.access import can_view_care

        if not can_view_care(user):
            return self.none()
        return self.filter(jurisdiction_of(user).q("person__household__path"))

    def current(self) -> "CareNeedQuerySet":
        return self.filter(ended_on__isnull=True)

    def under(self, place: Any) -> "CareNeedQuerySet":
        return self.filter(person__household__path__startswith=place.path)

    def on_weekday(self, day: dt.date) -> "CareNeedQuerySet":
        return self.filter(weekdays__contains=str(day.isoweekday()))


class CareNeed(AuditedModel):
    """One continuing-care need of one resident (a resident may have several)."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("居民"),
        on_delete=models.CASCADE,
        related_name="care_needs",
    )
    kind = models.CharField(_("类别"), max_length=20, choices=NeedKind.choices)
    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医院"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_needs",
    )
    weekdays = models.CharField(
        _("透析日"), max_length=7, blank=True, help_text=_("星期几，1=周一 … 7=周日，如 135")
    )
    session_time = models.TimeField(_("透析时间"), null=True, blank=True)
    due_date = models.DateField(_("预产期"), null=True, blank=True)
    medicine = models.CharField(_("药品"), max_length=200, blank=True)
    frequency = models.CharField(_("用药/取药频次"), max_length=100, blank=True)
    details = models.CharField(_("情况说明"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    AUDIT_EXCLUDE = ("created_at", "updated_at")

    objects = CareNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点人群登记")
        verbose_name_plural = _("重点人群登记")
        ordering = ["person_id", "kind", "id"]
        constraints = [
            # One current record per person and kind; an ended one may be followed by a new one.
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(ended_on__isnull=True),
                name="careneed_one_current_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["kind", "ended_on"], name="careneed_kind_current")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def schedule_label(self) -> str:
        """ "周一/三/五 07:30" for a dialysis record."""
        from tongxin.care.services.profile import weekdays_label

        label = weekdays_label(self.weekdays)
        if self.session_time:
            label = f"{label} {self.session_time:%H:%M}".strip()
        return label


class HospitalSlot(AuditedModel):
    """A hospital's separate green-channel time window and area on a date, with a capacity.

    `booked` is only ever changed by a conditional UPDATE (see services.slots), so two
    bookings at once cannot both take the last place.
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医院"), on_delete=models.CASCADE, related_name="slots"
    )
    date = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    area = models.CharField(_("区域"), max_length=100)
    capacity = models.PositiveIntegerField(_("容量"))
    booked = models.PositiveIntegerField(_("已预约"), default=0, editable=False)

    AUDIT_EXCLUDE = ("booked",)

    class Meta:
        verbose_name = _("绿色通道时段")
        verbose_name_plural = _("绿色通道时段")
        ordering = ["hospital__name", "date", "starts_at", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "date", "starts_at", "area"], name="slot_unique_window"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.hospital} {self.date} {self.starts_at:%H:%M}-{self.ends_at:%H:%M} {self.area}"
        )

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class GreenRunQuerySet(models.QuerySet["GreenRun"]):
    def visible_to(self, user: Any) -> "GreenRunQuerySet":
        """Runs of townships in the user's jurisdiction (for planners), and a crew's own runs."""
        from tongxin.accounts.jurisdiction import jurisdiction_of
        from tongxin.care.services.access import can_view_runs

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        crew = Q(driver=user) | Q(escort=user)
        if not can_view_runs(user):
            return self.filter(crew)
        jurisdiction = jurisdiction_of(user)
        if jurisdiction.everywhere:
            return self  # (an empty Q() ORed with the crew test would mean only the crew)
        return self.filter(jurisdiction.q("township__path") | crew)


class GreenRun(AuditedModel):
    """A township's green-channel run to one hospital on one date (idempotent by those three)."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="green_runs",
    )
    township = models.ForeignKey(
        "places.Place", verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医院"), on_delete=models.PROTECT, related_name="runs"
    )
    date = models.DateField(_("日期"))
    vehicle = models.CharField(_("车辆"), max_length=50, blank=True)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("驾驶员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escort = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("随车人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    departs_at = models.TimeField(_("出发时间"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    picked_up_count = models.PositiveIntegerField(_("已上车"), default=0, editable=False)
    arrived_count = models.PositiveIntegerField(_("已到院"), default=0, editable=False)
    planned_at = models.DateTimeField(_("名单生成时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("picked_up_count", "arrived_count", "planned_at", "created_at")

    objects = GreenRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("绿色通道专车")
        verbose_name_plural = _("绿色通道专车")
        ordering = ["date", "township__path", "hospital__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "hospital", "date"], name="greenrun_unique_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.township.name} → {self.hospital}"


class RunStop(AuditedModel):
    """A pick-up point of a run (one per community by default), with its time."""

    run = models.ForeignKey(GreenRun, on_delete=models.CASCADE, related_name="stops")
    community = models.ForeignKey(
        "places.Place",
        verbose_name=_("社区/村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("上车点"), max_length=100)
    pickup_time = models.TimeField(_("上车时间"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("上车点")
        verbose_name_plural = _("上车点")
        ordering = ["run_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "community"], name="runstop_unique_community")
        ]

    def __str__(self) -> str:
        return self.name


class PassengerStatus(models.TextChoices):
    PLANNED = "planned", _("待接")
    PICKED_UP = "picked_up", _("已上车")
    ARRIVED = "arrived", _("已到院")
    ABSENT = "absent", _("未乘车")


class RunPassenger(AuditedModel):
    """One patient on a run's manifest. Check-offs are conditional updates: never counted twice."""

    run = models.ForeignKey(GreenRun, on_delete=models.CASCADE, related_name="passengers")
    need = models.ForeignKey(
        CareNeed, verbose_name=_("登记"), on_delete=models.PROTECT, related_name="passages"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("居民"), on_delete=models.PROTECT, related_name="+"
    )
    stop = models.ForeignKey(
        RunStop,
        verbose_name=_("上车点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="passengers",
    )
    at_door = models.BooleanField(_("上门接送"), default=False)
    # Door pick-ups have their own time; the others board at their stop's time.
    pickup_time = models.TimeField(_("接人时间"), null=True, blank=True)
    zone_name = models.CharField(_("所在区域"), max_length=40, blank=True)
    slot = models.ForeignKey(
        HospitalSlot,
        verbose_name=_("就诊时段"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="passengers",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PassengerStatus.choices, default=PassengerStatus.PLANNED
    )
    picked_up_at = models.DateTimeField(_("上车时间"), null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    arrived_at = models.DateTimeField(_("到院时间"), null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("乘车名单")
        verbose_name_plural = _("乘车名单")
        ordering = ["run_id", "at_door", "stop__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="runpassenger_unique_person")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.person_id}"

    @property
    def boarding_time(self) -> dt.time | None:
        if self.at_door or self.stop is None or self.pickup_time is not None:
            return self.pickup_time  # a passenger on a later trip from the stop has their own
        return self.stop.pickup_time
