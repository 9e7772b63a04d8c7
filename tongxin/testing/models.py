"""Mass-testing rounds (轮次), their scope and test points (采样点).

Samples, tubes, results and recalls live in the `sampling` app; slots, reminders and
exemptions are added here by the round-planning work.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SamplingMode(models.TextChoices):
    SINGLE = "single", _("单采（一人一管）")
    HOUSEHOLD = "household", _("一户一管")
    POOL_10 = "pool_10", _("10合1混采")
    POOL_20 = "pool_20", _("20合1混采")
    # Any other pool size an edition may set (5合1 …): the size travels with the mode.
    POOL = "pool", _("混采")


POOL_SIZES = {
    SamplingMode.SINGLE: 1,
    SamplingMode.HOUSEHOLD: 0,  # as many as live in the household
    SamplingMode.POOL_10: 10,
    SamplingMode.POOL_20: 20,
}
# What a place in a round may be set to by hand: the modes with a size of their own.
OVERRIDE_CHOICES = [(m.value, m.label) for m in SamplingMode if m in POOL_SIZES]


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    ACTIVE = "active", _("采样中")
    CLOSED = "closed", _("已结束")


class TestRoundQuerySet(models.QuerySet["TestRound"]):
    def visible_to(self, user: Any) -> "TestRoundQuerySet":
        """County-wide roles see every round; a unit sees rounds whose scope touches its places."""
        from tongxin.accounts.jurisdiction import jurisdiction_of

        j = jurisdiction_of(user)
        if j.everywhere:
            return self
        if not j.paths:
            return self.none()
        from django.db.models import Q

        touches = Q()
        for path in j.paths:
            # The scope place is above, at or below one of the user's places.
            touches |= Q(areas__place__path__startswith=path)
            touches |= Q(areas__place__path__in=[path[:i] for i in range(4, len(path) + 1, 4)])
        return self.filter(touches).distinct()


class TestRound(models.Model):
    """A round of whole-population testing within an incident."""

    __test__ = False  # not a pytest test class, whatever its name

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="test_rounds"
    )
    name = models.CharField(_("轮次名称"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    people_per_sampler_hour = models.PositiveIntegerField(
        _("每名采样人员每小时采样人数"),
        null=True,
        blank=True,
        help_text=_("留空则用防控方案的数值（通常为 30）"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TestRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("核酸轮次")
        verbose_name_plural = _("核酸轮次")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("starts_at")),
                name="round_deadline_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoundArea(models.Model):
    """A place in the round's scope (everything under it is tested), with an optional sampling
    mode that overrides the one the policy edition gives for its zone."""

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="areas")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    mode_override = models.CharField(
        _("采样方式（覆盖）"), max_length=16, choices=OVERRIDE_CHOICES, blank=True
    )

    class Meta:
        verbose_name = _("轮次范围")
        verbose_name_plural = _("轮次范围")
        constraints = [models.UniqueConstraint(fields=["round", "place"], name="round_area_unique")]

    def __str__(self) -> str:
        return f"{self.round} · {self.place}"


class TestPointQuerySet(models.QuerySet["TestPoint"]):
    def visible_to(self, user: Any) -> "TestPointQuerySet":
        from tongxin.accounts.jurisdiction import jurisdiction_of

        return self.filter(jurisdiction_of(user).q("place__path"))


class TestPoint(models.Model):
    """A sampling point (采样点): where it is and how many samplers it has."""

    __test__ = False

    name = models.CharField(_("采样点名称"), max_length=100)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("所在地点"),
        on_delete=models.PROTECT,
        related_name="test_points",
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    opens_at = models.TimeField(_("开放时间"))
    closes_at = models.TimeField(_("关闭时间"))
    samplers = models.PositiveIntegerField(_("采样人员数"), default=2)
    active = models.BooleanField(_("启用"), default=True)

    objects = TestPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("采样点")
        verbose_name_plural = _("采样点")

    def __str__(self) -> str:
        return self.name


class RoundPoint(models.Model):
    """A point working in a round, and the places (buildings, estates) it serves there."""

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="round_points")
    point = models.ForeignKey(TestPoint, on_delete=models.PROTECT, related_name="round_points")
    samplers = models.PositiveIntegerField(
        _("本轮采样人员数"), null=True, blank=True, help_text=_("留空则用采样点的人数")
    )
    serves = models.ManyToManyField("places.Place", blank=True, related_name="+")

    class Meta:
        verbose_name = _("轮次采样点")
        verbose_name_plural = _("轮次采样点")
        constraints = [
            models.UniqueConstraint(fields=["round", "point"], name="round_point_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.point}"

    @property
    def sampler_count(self) -> int:
        return self.samplers if self.samplers is not None else self.point.samplers


class ExemptionReason(models.TextChoices):
    AWAY = "away", _("外出")
    BEDRIDDEN = "bedridden", _("卧床/行动不便（上门采样）")
    ISOLATED = "isolated", _("已隔离")
    INFANT = "infant", _("婴幼儿")
    REFUSED = "refused", _("拒检")
    OTHER = "other", _("其他")


class ExemptionQuerySet(models.QuerySet["Exemption"]):
    def visible_to(self, user: Any) -> "ExemptionQuerySet":
        from tongxin.people.models import Person

        return self.filter(person__in=Person.objects.visible_to(user))


class Exemption(models.Model):
    """Why a person is not expected at a point in this round, so "should be tested" is honest.

    A bedridden person is not excused from testing: they are sampled at the door instead."""

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="exemptions")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=16, choices=ExemptionReason.choices)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("免检/缓检")
        verbose_name_plural = _("免检/缓检")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="exemption_unique")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_reason_display()}"

    @property
    def door_to_door(self) -> bool:
        return self.reason == ExemptionReason.BEDRIDDEN


# --- staggered slots (分楼栋错峰) -------------------------------------------------------------


class RoundPlan(models.Model):
    """The round's schedule as last planned: the figures it was made with and its verdict.

    The slots themselves are `PlanSlot` rows; `summary` keeps the totals and, when the round
    cannot finish by its deadline, how many more samplers or hours each point needs."""

    round = models.OneToOneField(TestRound, on_delete=models.CASCADE, related_name="plan")
    people_per_sampler_hour = models.PositiveIntegerField(_("每名采样人员每小时采样人数"))
    feasible = models.BooleanField(_("能按时完成"), default=True)
    summary = models.JSONField(_("汇总"), default=dict)
    made_at = models.DateTimeField(_("编排时间"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    adjusted_at = models.DateTimeField(_("最近人工调整"), null=True, blank=True)

    class Meta:
        verbose_name = _("错峰采样计划")
        verbose_name_plural = _("错峰采样计划")

    def __str__(self) -> str:
        return f"{self.round} · {self.made_at:%Y-%m-%d %H:%M}"


class PlanSlotQuerySet(models.QuerySet["PlanSlot"]):
    def visible_to(self, user: Any) -> "PlanSlotQuerySet":
        """Slots of buildings in the user's jurisdiction (a unit sees its estates' slots)."""
        from tongxin.accounts.jurisdiction import jurisdiction_of

        return self.filter(jurisdiction_of(user).q("place__path"))


class PlanSlot(models.Model):
    """A building (or a stairwell of a large one) told to come to a point between two times.

    Unplaced when the round cannot fit it before the deadline (no point, no times)."""

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="slots")
    place = models.ForeignKey(
        "places.Place", verbose_name=_("楼幢/单元"), on_delete=models.CASCADE, related_name="+"
    )
    round_point = models.ForeignKey(
        RoundPoint,
        verbose_name=_("采样点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slots",
    )
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    people = models.PositiveIntegerField(_("应检人数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    by_hand = models.BooleanField(_("人工调整"), default=False)

    objects = PlanSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("错峰时段")
        verbose_name_plural = _("错峰时段")
        ordering = ["starts_at", "place__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "place"], name="plan_slot_unique_place")
        ]
        indexes = [
            models.Index(fields=["round", "round_point", "starts_at"], name="plan_slot_point_time")
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.starts_at:%H:%M}" if self.starts_at else str(self.place)

    @property
    def label(self) -> str:
        """ "3幢", or "3幢 2单元" for a stairwell of a large building."""
        place = self.place
        parent = place.parent if place.kind == "stairwell" and place.parent_id else None
        return f"{parent.name} {place.name}" if parent is not None else place.name

    @property
    def placed(self) -> bool:
        return self.starts_at is not None and self.round_point_id is not None


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("待提醒")
    REMINDED = "reminded", _("已提醒")
    NO_ANSWER = "no_answer", _("未接通")


class ReminderEntryQuerySet(models.QuerySet["ReminderEntry"]):
    def visible_to(self, user: Any) -> "ReminderEntryQuerySet":
        from tongxin.accounts.jurisdiction import jurisdiction_of

        return self.filter(jurisdiction_of(user).q("household__path"))


class ReminderEntry(models.Model):
    """Whether a household was reminded of its slot (a row exists once someone acts on it)."""

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="reminders")
    household = models.ForeignKey(
        "places.Place", verbose_name=_("住户"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("提醒状态"),
        max_length=16,
        choices=ReminderStatus.choices,
        default=ReminderStatus.PENDING,
    )
    note = models.CharField(_("备注"), max_length=255, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("标记时间"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    sms_count = models.PositiveSmallIntegerField(_("短信条数"), default=0)

    objects = ReminderEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("核酸提醒")
        verbose_name_plural = _("核酸提醒")
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="reminder_unique")
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_status_display()}"
