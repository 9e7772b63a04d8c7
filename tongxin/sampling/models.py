"""Sampling (采样), tubes, door-to-door tasks, handover, lab results and recalls (复核).

Tubes and sample events are written in bulk (thousands a second from the points' devices), so
they are plain models whose writers record one audit event per batch; everything written one
at a time by a person (tasks, boxes, recalls, controls, positives) is audited per change.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.testing.models import SamplingMode


def _jurisdiction(user: Any) -> Any:
    from tongxin.accounts.jurisdiction import jurisdiction_of

    return jurisdiction_of(user)


# --- tubes and samples ------------------------------------------------------------------------


class TubeStatus(models.TextChoices):
    OPEN = "open", _("采样中")
    FULL = "full", _("已满")
    CLOSED = "closed", _("已封管")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")
    INVALID = "invalid", _("无效")


class TubeQuerySet(models.QuerySet["Tube"]):
    def visible_to(self, user: Any) -> "TubeQuerySet":
        """County-wide roles (labs among them) see every tube; others the tubes of points, or
        holding samples of residents, in their jurisdiction."""
        j = _jurisdiction(user)
        if j.everywhere:
            return self
        if not j.paths:
            return self.none()
        members = SampleEvent.objects.filter(j.q("household__path")).values("tube_id")
        return self.filter(j.q("point__place__path") | Q(pk__in=members))


class Tube(models.Model):
    """A sample tube (采样管): one person (单管), one household (一户一管) or a pool of N (混采)."""

    # Unique by a constraint rather than `unique=True`, which on PostgreSQL adds a second,
    # `varchar_pattern_ops` index for LIKE queries that nothing asks (two indexes written per
    # new tube for one question). Equality, `= ANY` and ON CONFLICT (barcode) use the unique one.
    barcode = models.CharField(_("试管条码"), max_length=64)
    # No index of its own: the (round, status) and (round, result_at) indexes start with it.
    round = models.ForeignKey(
        "testing.TestRound",
        verbose_name=_("轮次"),
        on_delete=models.PROTECT,
        related_name="tubes",
        db_index=False,
    )
    point = models.ForeignKey(
        "testing.TestPoint",
        verbose_name=_("采样点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tubes",
    )
    mode = models.CharField(_("采样方式"), max_length=16, choices=SamplingMode.choices)
    capacity = models.PositiveSmallIntegerField(_("容量（人）"))
    status = models.CharField(
        _("状态"), max_length=8, choices=TubeStatus.choices, default=TubeStatus.OPEN
    )
    sample_count = models.PositiveSmallIntegerField(_("已采人数"), default=0)
    opened_at = models.DateTimeField(_("开管时间"))
    closed_at = models.DateTimeField(_("封管时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    box = models.ForeignKey(
        "Box",
        verbose_name=_("转运箱"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tubes",
    )
    # The result in force (the first valid one; a later different one is a conflict to resolve).
    result = models.CharField(_("检测结果"), max_length=8, choices=TestResult.choices, blank=True)
    result_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    result_lab = models.CharField(_("检测机构"), max_length=100, blank=True)
    result_conflict = models.BooleanField(_("结果冲突"), default=False)

    objects = TubeQuerySet.as_manager()

    class Meta:
        verbose_name = _("采样管")
        verbose_name_plural = _("采样管")
        indexes = [
            models.Index(fields=["round", "status"], name="tube_round_status"),
            # The round's latest result (sampling.figures: is a finished round quiet since a
            # report's cut-off?) without reading its tubes.
            models.Index(fields=["round", "result_at"], name="tube_round_result_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["barcode"], name="tube_barcode_unique"),
            models.CheckConstraint(
                condition=Q(sample_count__lte=models.F("capacity")), name="tube_not_overfilled"
            ),
        ]

    def __str__(self) -> str:
        return self.barcode

    @property
    def pooled(self) -> bool:
        """More than one person's swab: a positive recalls every member."""
        return self.mode != SamplingMode.SINGLE

    @property
    def accepts_samples(self) -> bool:
        return self.status == TubeStatus.OPEN and self.sample_count < self.capacity


class SampleSource(models.TextChoices):
    POINT = "point", _("采样点页面")
    DEVICE = "device", _("采样终端")
    DOOR = "door", _("上门采样")


class SampleEventQuerySet(models.QuerySet["SampleEvent"]):
    def visible_to(self, user: Any) -> "SampleEventQuerySet":
        j = _jurisdiction(user)
        if j.everywhere:
            return self
        if not j.paths:
            return self.none()
        return self.filter(j.q("household__path") | j.q("point__place__path"))


class SampleEvent(models.Model):
    """One person swabbed into one tube. `client_event_id` is generated where the swab was
    taken, so an upload repeated after a lost answer stores the sample once."""

    client_event_id = models.UUIDField(_("客户端编号"), unique=True)
    # No database constraint on the references to rounds, people, places, points and users
    # (here, in SampledPerson and in RoundHousehold): the upload resolves every one of them in
    # the batch's own transaction, Django still applies on_delete, and a deferred constraint
    # check per reference was 44% of PostgreSQL's time per uploaded event (docs/performance.md).
    # The same references cross districts in the Citus plan (docs/scaling.md, section 4).
    round = models.ForeignKey(
        "testing.TestRound",
        on_delete=models.PROTECT,
        related_name="samples",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="samples",
        db_index=False,
        db_constraint=False,
    )
    # The person's household when sampled: coverage counts by place without joining residents.
    household = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # No database constraint either: the upload writes only tubes it has just inserted or
    # locked FOR UPDATE in the same transaction, so the reference cannot dangle, while the
    # deferred check (a `SELECT … FOR KEY SHARE` per event at COMMIT) cost 5-10 µs of
    # PostgreSQL's time per event (docs/performance.md). Deleting a tube still goes through
    # Django's on_delete (PROTECT).
    tube = models.ForeignKey(
        Tube, on_delete=models.PROTECT, related_name="samples", db_constraint=False
    )
    point = models.ForeignKey(
        "testing.TestPoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="samples",
        db_index=False,
        db_constraint=False,
    )
    door_task = models.ForeignKey(
        "DoorTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="samples",
        db_index=False,
    )
    sampled_at = models.DateTimeField(_("采样时间"))
    received_at = models.DateTimeField(_("接收时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source = models.CharField(_("来源"), max_length=8, choices=SampleSource.choices)
    repeat = models.BooleanField(_("本轮重复采样"), default=False)

    objects = SampleEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("采样记录")
        verbose_name_plural = _("采样记录")
        # Few indexes: every one is paid for by each of thousands of inserts a second. "Was
        # this person sampled in this round" is SampledPerson's question.
        indexes = [
            models.Index(fields=["round", "point", "sampled_at"], name="sample_round_point_time"),
            # A person's samples over a few days: the missed test days of contacts under
            # management (tracing.services.followup), and a person's own history.
            models.Index(fields=["person", "sampled_at"], name="sample_person_time"),
        ]

    def __str__(self) -> str:
        return f"{self.tube_id} · {self.person_id}"


# --- coverage tallies -------------------------------------------------------------------------


class SampledPersonQuerySet(models.QuerySet["SampledPerson"]):
    def visible_to(self, user: Any) -> "SampledPersonQuerySet":
        return self.filter(_jurisdiction(user).q("path"))


class SampledPerson(models.Model):
    """A person sampled at least once in a round: written once, by the upload that stored their
    first sample (a unique pair, so two devices at once still count them once)."""

    round = models.ForeignKey(
        "testing.TestRound",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        "places.Place",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    path = models.CharField(max_length=255)  # the household's, when sampled
    # Whether the round expected them (lived in its scope, 常住/暂住) when they were sampled.
    expected = models.BooleanField(default=True)
    first_sampled_at = models.DateTimeField()
    result = models.CharField(max_length=8, choices=TestResult.choices, blank=True)

    objects = SampledPersonQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="sampled_person_unique")
        ]
        indexes = [
            # The round's latest sample (whether a finished round's tallies answer for a past
            # moment, sampling.figures) without reading every sampled person.
            models.Index(fields=["round", "first_sampled_at"], name="sampled_person_round_at"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} · {self.person_id}"


class RoundHouseholdQuerySet(models.QuerySet["RoundHousehold"]):
    def visible_to(self, user: Any) -> "RoundHouseholdQuerySet":
        return self.filter(_jurisdiction(user).q("path"))


class RoundHousehold(models.Model):
    """Live coverage of one household in one round, so a county's figures are a sum over a
    narrow table instead of a join of every resident with every sample.

    `expected` is recounted from the registry (coverage.refresh); `sampled`, `sampled_other`
    and `result_known` are kept up to date by each upload and each results import."""

    round = models.ForeignKey(
        "testing.TestRound",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        "places.Place",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    path = models.CharField(max_length=255)
    expected = models.PositiveIntegerField(default=0)
    sampled = models.PositiveIntegerField(default=0)  # expected people sampled
    sampled_other = models.PositiveIntegerField(default=0)  # sampled, not expected here
    result_known = models.PositiveIntegerField(default=0)  # expected people with a result

    objects = RoundHouseholdQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="round_household_unique")
        ]
        indexes = [
            models.Index(
                fields=["round", "path"],
                name="round_household_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id} · {self.path}"


class PointHour(models.Model):
    """Samples taken at a point in one clock hour of a round, as added by one upload (rows
    are summed when read: busy points' uploads never wait on each other's counter row)."""

    round = models.ForeignKey(
        "testing.TestRound", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    point = models.ForeignKey("testing.TestPoint", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    samples = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["round", "point", "hour"], name="point_hour_round")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.hour:%H}"


class CoverageState(models.Model):
    """When a round's expected counts were last recounted from the registry. Uploads hold its
    row FOR SHARE while they add to the tallies; a recount holds it FOR UPDATE."""

    round = models.OneToOneField(
        "testing.TestRound", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    counted_at = models.DateTimeField(null=True, blank=True)
    refresh_requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.round_id)


class WalkInQuerySet(models.QuerySet["WalkIn"]):
    def visible_to(self, user: Any) -> "WalkInQuerySet":
        from tongxin.people.models import Person

        return self.filter(person__in=Person.objects.visible_to(user))


class WalkIn(AuditedModel):
    """A person not in the registry, registered at a point while being sampled, until the
    grid has checked them (and corrected where they live, if needed)."""

    person = models.OneToOneField(
        "people.Person", verbose_name=_("居民"), on_delete=models.CASCADE, related_name="walk_in"
    )
    round = models.ForeignKey(
        "testing.TestRound", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    point = models.ForeignKey(
        "testing.TestPoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    check_note = models.CharField(_("核实说明"), max_length=255, blank=True)
    # Sampled with only what the card says: name and address still to be completed (they
    # are placed, meanwhile, in the point's "现场登记（待核实）" household).
    needs_details = models.BooleanField(_("待补登信息"), default=False)

    objects = WalkInQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场登记")
        verbose_name_plural = _("现场登记")

    def __str__(self) -> str:
        return str(self.person)


# --- door to door -----------------------------------------------------------------------------


class SamplingTeamQuerySet(models.QuerySet["SamplingTeam"]):
    def visible_to(self, user: Any) -> "SamplingTeamQuerySet":
        if _jurisdiction(user).everywhere:
            return self
        unit_id = getattr(user, "unit_id", None)
        return self.filter(Q(members=user) | Q(unit_id=unit_id) if unit_id else Q(members=user))


class SamplingTeam(AuditedModel):
    """A door-to-door sampling team (上门采样小组)."""

    name = models.CharField(_("小组名称"), max_length=100, unique=True)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    active = models.BooleanField(_("在岗"), default=True)

    objects = SamplingTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("上门采样小组")
        verbose_name_plural = _("上门采样小组")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DoorReason(models.TextChoices):
    SEALED = "sealed", _("封控区足不出户")
    BEDRIDDEN = "bedridden", _("卧床/行动不便")
    RECALL = "recall", _("混管阳性复核单采")


class DoorStatus(models.TextChoices):
    PENDING = "pending", _("待上门")
    DONE = "done", _("已采样")
    UNREACHABLE = "unreachable", _("未能采样")


def sees_door_tasks(user: Any) -> bool:
    """The door-to-door list names people and why they are sampled at home (卧床/行动不便): for
    those who sample, plan sampling or see residents anyway; not for a lab."""
    from tongxin.accounts.permissions import Perm, has_perm

    return any(
        has_perm(user, p) for p in (Perm.RECORD_SAMPLES, Perm.MANAGE_SAMPLING, Perm.VIEW_RESIDENTS)
    )


class DoorTaskQuerySet(models.QuerySet["DoorTask"]):
    def visible_to(self, user: Any) -> "DoorTaskQuerySet":
        """Tasks in the jurisdiction, and the tasks of the teams the user works in."""
        if not sees_door_tasks(user):
            return self.none()
        j = _jurisdiction(user)
        if j.everywhere:
            return self
        mine = Q(team__members=user) if getattr(user, "is_authenticated", False) else Q()
        where = j.q("household__path") if j.paths else Q(pk__in=[])
        return self.filter(where | mine).distinct() if mine else self.filter(where)


class DoorTask(AuditedModel):
    """Sample a household (or one person in it) at the door."""

    round = models.ForeignKey(
        "testing.TestRound", on_delete=models.CASCADE, related_name="door_tasks"
    )
    household = models.ForeignKey(
        "places.Place", verbose_name=_("住户"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("居民"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示全户"),
    )
    reason = models.CharField(_("原因"), max_length=16, choices=DoorReason.choices)
    mode = models.CharField(_("采样方式"), max_length=16, choices=SamplingMode.choices)
    team = models.ForeignKey(
        SamplingTeam,
        verbose_name=_("采样小组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=DoorStatus.choices, default=DoorStatus.PENDING
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = DoorTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("上门采样任务")
        verbose_name_plural = _("上门采样任务")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "household", "reason"],
                condition=Q(person__isnull=True),
                name="door_task_household_unique",
            ),
            models.UniqueConstraint(
                fields=["round", "person", "reason"],
                condition=Q(person__isnull=False),
                name="door_task_person_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_reason_display()}"


# --- handover ---------------------------------------------------------------------------------


class BoxStatus(models.TextChoices):
    PACKING = "packing", _("装箱中")
    SEALED = "sealed", _("已封箱")
    IN_TRANSIT = "in_transit", _("转运中")
    RECEIVED = "received", _("实验室已接收")


class BoxQuerySet(models.QuerySet["Box"]):
    def visible_to(self, user: Any) -> "BoxQuerySet":
        j = _jurisdiction(user)
        if j.everywhere:
            return self
        return self.filter(j.q("point__place__path")) if j.paths else self.none()


class Box(AuditedModel):
    """A transport box of tubes: packed at a point, handed to a transport, received by a lab,
    with the tubes counted at each step."""

    code = models.CharField(_("箱号"), max_length=64, unique=True)
    round = models.ForeignKey("testing.TestRound", on_delete=models.PROTECT, related_name="boxes")
    point = models.ForeignKey(
        "testing.TestPoint", null=True, blank=True, on_delete=models.PROTECT, related_name="boxes"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BoxStatus.choices, default=BoxStatus.PACKING
    )
    sealed_count = models.PositiveIntegerField(_("封箱管数"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("封箱时间"), null=True, blank=True)
    transport = models.CharField(_("转运人员/车辆"), max_length=100, blank=True)
    lab = models.CharField(_("检测机构"), max_length=100, blank=True)
    mismatch = models.BooleanField(_("数量不符"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = BoxQuerySet.as_manager()

    class Meta:
        verbose_name = _("转运箱")
        verbose_name_plural = _("转运箱")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class HandoverStage(models.TextChoices):
    SEAL = "seal", _("采样点封箱")
    TRANSPORT = "transport", _("转运交接")
    LAB = "lab", _("实验室接收")


class HandoverStep(AuditedModel):
    """One count of a box's tubes by the party taking it over; a difference is flagged."""

    box = models.ForeignKey(Box, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("环节"), max_length=16, choices=HandoverStage.choices)
    expected = models.PositiveIntegerField(_("应有管数"))
    counted = models.PositiveIntegerField(_("清点管数"))
    party = models.CharField(_("交接方"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("交接记录")
        verbose_name_plural = _("交接记录")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["box", "stage"], name="handover_one_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.box} · {self.get_stage_display()}"

    @property
    def ok(self) -> bool:
        return self.expected == self.counted


# --- results ----------------------------------------------------------------------------------


class ResultImport(models.Model):
    """One file (or API batch) of lab results, with what happened to its rows."""

    name = models.CharField(_("文件"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    lab = models.CharField(_("检测机构"), max_length=100, blank=True)
    imported_at = models.DateTimeField(_("导入时间"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(_("结果"), default=dict)

    class Meta:
        verbose_name = _("结果导入")
        verbose_name_plural = _("结果导入")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.name


class LabResultStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已采用")
    CONFLICT = "conflict", _("与已有结果冲突")
    UNKNOWN = "unknown", _("条码未登记")
    REPEAT = "repeat", _("重复报告（一致）")


class LabResultQuerySet(models.QuerySet["LabResult"]):
    def visible_to(self, user: Any) -> "LabResultQuerySet":
        if _jurisdiction(user).everywhere:
            return self
        return self.filter(tube__in=Tube.objects.visible_to(user))


class LabResult(models.Model):
    """A lab's report on one tube barcode, kept as reported (unknown barcodes and conflicts too:
    nothing a lab sends is dropped)."""

    row_key = models.CharField(max_length=64, unique=True)
    barcode = models.CharField(_("试管条码"), max_length=64, db_index=True)
    tube = models.ForeignKey(
        Tube, null=True, blank=True, on_delete=models.PROTECT, related_name="lab_results"
    )
    result = models.CharField(_("检测结果"), max_length=8, choices=TestResult.choices)
    ct_values = models.JSONField(_("Ct值"), default=dict, blank=True)
    lab = models.CharField(_("检测机构"), max_length=100)
    reported_at = models.DateTimeField(_("报告时间"))
    status = models.CharField(_("处理"), max_length=8, choices=LabResultStatus.choices)
    # Reported for a tube not yet handed over to transport (accepted, with a warning).
    not_handed_over = models.BooleanField(_("试管未交接"), default=False)
    source = models.ForeignKey(
        ResultImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="rows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LabResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("检测结果")
        verbose_name_plural = _("检测结果")
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.barcode} {self.get_result_display()}"


# --- recalls and positives --------------------------------------------------------------------


class RecallStatus(models.TextChoices):
    OPEN = "open", _("复核中")
    CLOSED = "closed", _("已完成")


class RecallQuerySet(models.QuerySet["Recall"]):
    def visible_to(self, user: Any) -> "RecallQuerySet":
        """County-wide roles see every recall; a unit the recalls with a member in its area."""
        j = _jurisdiction(user)
        if j.everywhere:
            return self
        if not j.paths:
            return self.none()
        return self.filter(
            pk__in=RecallMember.objects.filter(j.q("household__path")).values("recall_id")
        )


class Recall(AuditedModel):
    """复核: a positive pooled tube; every member is controlled and resampled singly."""

    round = models.ForeignKey("testing.TestRound", on_delete=models.PROTECT, related_name="recalls")
    tube = models.OneToOneField(Tube, on_delete=models.PROTECT, related_name="recall")
    lab_result = models.ForeignKey(
        LabResult, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(_("发起时间"))
    status = models.CharField(
        _("状态"), max_length=8, choices=RecallStatus.choices, default=RecallStatus.OPEN
    )
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = RecallQuerySet.as_manager()

    class Meta:
        verbose_name = _("混管复核")
        verbose_name_plural = _("混管复核")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.tube} · {self.get_status_display()}"


class RecallMemberQuerySet(models.QuerySet["RecallMember"]):
    def visible_to(self, user: Any) -> "RecallMemberQuerySet":
        j = _jurisdiction(user)
        if j.everywhere:
            return self
        return self.filter(j.q("household__path")) if j.paths else self.none()


class RecallMember(models.Model):
    """One member of a recalled tube, with where they live and who answers for them as at the
    moment of the recall, and their single-tube resample's result."""

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    zone_code = models.CharField(_("区域类型"), max_length=40, blank=True)
    zone_name = models.CharField(_("所在区域"), max_length=40, blank=True)
    units = models.JSONField(_("包干单位"), default=list)
    cadres = models.JSONField(_("包楼干部"), default=list)
    control = models.ForeignKey(
        "TemporaryControl", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(DoorTask, null=True, on_delete=models.SET_NULL, related_name="+")
    result = models.CharField(_("单采结果"), max_length=8, choices=TestResult.choices, blank=True)
    result_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    result_tube = models.ForeignKey(
        Tube, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RecallMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("复核对象")
        verbose_name_plural = _("复核对象")
        constraints = [
            models.UniqueConstraint(fields=["recall", "person"], name="recall_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.recall} · {self.person_id}"

    @property
    def has_result(self) -> bool:
        return self.result in (TestResult.NEGATIVE, TestResult.POSITIVE)


class TemporaryControlQuerySet(models.QuerySet["TemporaryControl"]):
    def visible_to(self, user: Any) -> "TemporaryControlQuerySet":
        from tongxin.people.models import Person

        return self.filter(person__in=Person.objects.visible_to(user))

    def active(self) -> "TemporaryControlQuerySet":
        return self.filter(ended_at__isnull=True)


class TemporaryControl(AuditedModel):
    """临时管控: the person stays where they are until their single-tube result is known."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("居民"), on_delete=models.CASCADE, related_name="+"
    )
    recall = models.ForeignKey(
        Recall, null=True, blank=True, on_delete=models.SET_NULL, related_name="controls"
    )
    reason = models.CharField(_("原因"), max_length=255)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    end_reason = models.CharField(_("解除原因"), max_length=255, blank=True)

    objects = TemporaryControlQuerySet.as_manager()

    class Meta:
        verbose_name = _("临时管控")
        verbose_name_plural = _("临时管控")

    def __str__(self) -> str:
        return f"{self.person} · {self.reason}"


class PositivePersonQuerySet(models.QuerySet["PositivePerson"]):
    def visible_to(self, user: Any) -> "PositivePersonQuerySet":
        j = _jurisdiction(user)
        if j.everywhere:
            return self
        return self.filter(j.q("household__path")) if j.paths else self.none()


class PositivePerson(AuditedModel):
    """A person whose single tube came back positive: the investigators' starting point."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("居民"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(
        "testing.TestRound", on_delete=models.PROTECT, related_name="positives"
    )
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="positives")
    lab_result = models.ForeignKey(
        LabResult, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recall = models.ForeignKey(
        Recall, null=True, blank=True, on_delete=models.SET_NULL, related_name="positives"
    )
    found_at = models.DateTimeField(_("报告时间"))
    ct_values = models.JSONField(_("Ct值"), default=dict, blank=True)

    objects = PositivePersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("阳性人员")
        verbose_name_plural = _("阳性人员")
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="positive_person_unique")
        ]

    def __str__(self) -> str:
        return str(self.person)


class UploadRulesStamp(models.Model):
    """Changed (on PostgreSQL, by a statement trigger) whenever a table the bulk upload's rules
    come from is written: rounds, their areas and points, test points, zones, incidents and
    their editions, isolation sites and their staff, unit assignments, and place paths. Each
    gunicorn worker keeps what those tables answered per batch (upload_rules) and asks only
    for these stamps before each batch, so a closed round, a revoked assignment or a new zone
    takes effect on the next batch. One row per table: writers of one table never wait on
    another's."""

    source = models.CharField(max_length=64, primary_key=True)
    stamp = models.CharField(max_length=36)

    def __str__(self) -> str:
        return f"{self.source} {self.stamp}"
