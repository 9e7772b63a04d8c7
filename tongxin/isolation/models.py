"""Centralized isolation and transfer (集中隔离与转运).

Sites (隔离点) and their rooms, the transfer list (待转运名单), transfer batches (转运批次) with
their head counts, the stays (one person's time at a site, with the edition snapshotted at
intake) and home isolation / home health monitoring on the grid's list.

Who sees what: the command post sees everything; a site's lead and staff see their site, its
rooms, stays and the batches bound for it; a batch's escort and driver see only their batch;
units see entries, stays and home watches of people living in their jurisdiction.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.core.fields import EncryptedTextField


def _jurisdiction(user: Any) -> Any:
    from tongxin.accounts.jurisdiction import jurisdiction_of

    return jurisdiction_of(user)


def _sees_all(user: Any) -> bool:
    from tongxin.accounts.permissions import Perm, has_perm

    return has_perm(user, Perm.PLAN_TRANSFERS)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


# --- sites and rooms --------------------------------------------------------------------------


class SiteKind(models.TextChoices):
    DEDICATED = "dedicated", _("专用隔离点")
    HOTEL = "hotel", _("征用酒店")
    CABIN = "cabin", _("方舱医院")


class SiteQuerySet(models.QuerySet["Site"]):
    def visible_to(self, user: Any) -> "SiteQuerySet":
        if not _signed_in(user):
            return self.none()
        if _sees_all(user):
            return self
        mine = Q(lead=user) | Q(staff=user)
        if getattr(user, "unit_id", None):
            mine |= Q(units=user.unit_id)  # a unit stationed at the site (派驻单位)
        j = _jurisdiction(user)
        if j.paths and not j.everywhere:
            mine |= j.q("place__path")
        return self.filter(pk__in=Site.objects.filter(mine).values("pk"))


class Site(AuditedModel):
    """An isolation site (隔离点)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("所在地点"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=SiteKind.choices)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), blank=True, related_name="+"
    )
    units = models.ManyToManyField(
        "units.Unit", verbose_name=_("派驻单位"), blank=True, related_name="+"
    )
    test_point = models.ForeignKey(
        "testing.TestPoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("隔离点")
        verbose_name_plural = _("隔离点")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ZoneKind(models.TextChoices):
    OBSERVATION = "observation", _("隔离观察区")
    WORK = "work", _("工作准备区")
    HYGIENE = "hygiene", _("卫生通过区")


class SiteZone(models.Model):
    """A zone inside a site (三区两通道)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="zones")
    kind = models.CharField(_("分区"), max_length=16, choices=ZoneKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    floors = models.CharField(_("楼层"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("隔离点分区")
        verbose_name_plural = _("隔离点分区")

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


class RoomType(models.TextChoices):
    SINGLE = "single", _("单人间")
    MULTI = "multi", _("多人间")
    ACCESSIBLE = "accessible", _("无障碍间")


class RoomStatus(models.TextChoices):
    FREE = "free", _("空闲")
    OCCUPIED = "occupied", _("已入住")
    CLEANING = "cleaning", _("待消杀")
    OUT_OF_SERVICE = "out_of_service", _("停用")


class RoomQuerySet(models.QuerySet["Room"]):
    def visible_to(self, user: Any) -> "RoomQuerySet":
        return self.filter(site__in=Site.objects.visible_to(user))


class Room(models.Model):
    """A room of a site. An accessible room takes one person (with a companion if a minor);
    a multi-bed room takes up to `beds` people of one household where the edition allows."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"))
    type = models.CharField(_("房型"), max_length=12, choices=RoomType.choices)
    beds = models.PositiveSmallIntegerField(_("床位"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=RoomStatus.choices, default=RoomStatus.FREE
    )
    status_since = models.DateTimeField(_("状态时间"), null=True, blank=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering = ["site", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="room_unique_number"),
            models.CheckConstraint(condition=Q(beds__gte=1), name="room_has_a_bed"),
        ]
        indexes = [models.Index(fields=["site", "status"], name="room_site_status")]

    def __str__(self) -> str:
        return f"{self.site} {self.number}"

    @property
    def one_person(self) -> bool:
        return self.type != RoomType.MULTI


class RoomStatusChange(models.Model):
    """The room's status history."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(_("状态"), max_length=16, choices=RoomStatus.choices)
    previous = models.CharField(max_length=16, choices=RoomStatus.choices, blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("房间状态记录")
        verbose_name_plural = _("房间状态记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.room} → {self.status}"


class FloorFlag(models.Model):
    """A floor flagged for the investigators (a positive found in isolation there)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="floor_flags")
    floor = models.SmallIntegerField(_("楼层"))
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    flagged_at = models.DateTimeField(_("标记时间"))
    stay = models.ForeignKey("Stay", null=True, on_delete=models.SET_NULL, related_name="+")
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("楼层标记")
        verbose_name_plural = _("楼层标记")
        ordering = ["-flagged_at"]

    def __str__(self) -> str:
        return f"{self.site} {self.floor}F"


# --- the transfer list ------------------------------------------------------------------------


class Level(models.TextChoices):
    CLOSE = "close", _("密接")
    SECONDARY = "secondary", _("次密接")
    ARRIVAL = "arrival", _("风险地区来（返）人员")
    COMPANION = "companion", _("陪护人员")


class Source(models.TextChoices):
    TRACING = "tracing", _("流调推送")
    ARRIVAL = "arrival", _("风险地区来（返）")
    MANUAL = "manual", _("手工添加")
    COMPANION = "companion", _("未成年人陪护")


class EntryStatus(models.TextChoices):
    WAITING = "waiting", _("待转运")
    IN_BATCH = "in_batch", _("已编入批次")
    ISOLATED = "isolated", _("已入住")
    CANCELLED = "cancelled", _("已撤销")


class TransferEntryQuerySet(models.QuerySet["TransferEntry"]):
    def visible_to(self, user: Any) -> "TransferEntryQuerySet":
        """Planners see the whole list; units the people living in their area; an escort or a
        site the people of their batches."""
        if not _signed_in(user):
            return self.none()
        if _sees_all(user):
            return self
        j = _jurisdiction(user)
        q = Q(
            pk__in=BatchMember.objects.filter(batch__in=Batch.objects.visible_to(user)).values(
                "entry_id"
            )
        )
        if j.paths and not j.everywhere:
            q |= j.q("household__path")
        return self.filter(q)


class TransferEntry(AuditedModel):
    """A person to be taken to centralized isolation, with why, at what level, from where, and
    the edition's rule that put them there."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="transfer_entries"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("居民"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A person tracing found outside the registry: their id there, name and masked document.
    outside_person_id = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    document_masked = models.CharField(_("证件号码"), max_length=40, blank=True)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True)
    age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    household = models.ForeignKey(
        "places.Place",
        verbose_name=_("住户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("接送地址"), max_length=255, blank=True)
    level = models.CharField(_("类别"), max_length=12, choices=Level.choices)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    source_ref = models.CharField(max_length=64, blank=True)  # tracing's management id
    reason = models.CharField(_("原因"), max_length=255)
    last_exposure = models.DateTimeField(_("末次暴露时间"), null=True, blank=True)
    edition_code = models.CharField(_("执行方案"), max_length=40)
    rule = models.JSONField(_("适用规则"), default=dict)
    status = models.CharField(
        _("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.WAITING
    )
    # Needs (what the pick-up and the site must know).
    companion_of = models.ForeignKey(
        "self",
        verbose_name=_("陪护对象"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="companions",
    )
    elderly_alone = models.BooleanField(_("独居老人"), default=False)
    wheelchair = models.BooleanField(_("残疾/轮椅"), default=False)
    chronic_medicine = models.CharField(_("慢病用药"), max_length=200, blank=True)
    dialysis = models.BooleanField(_("血透"), default=False)
    pregnancy = models.BooleanField(_("孕产妇"), default=False)
    pets = models.CharField(_("留家宠物及喂养人"), max_length=200, blank=True)
    medicine_to_bring = models.CharField(_("需携带药品"), max_length=200, blank=True)
    notes = models.CharField(_("备注"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at", "rule")

    objects = TransferEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("待转运人员")
        verbose_name_plural = _("待转运名单")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "source", "source_ref"],
                condition=~Q(source_ref=""),
                name="transfer_entry_unique_source",
            ),
            models.UniqueConstraint(
                fields=["incident", "person"],
                condition=Q(person__isnull=False, status__in=["waiting", "in_batch"]),
                name="transfer_entry_one_open_per_person",
            ),
        ]
        indexes = [models.Index(fields=["incident", "status"], name="entry_incident_status")]

    def __str__(self) -> str:
        return f"{self.name} {self.document_masked}"

    @property
    def household_key(self) -> str:
        """Who travels together: the household, or the person alone."""
        if self.companion_of_id:
            return self.companion_of.household_key if self.companion_of else f"e{self.pk}"
        return f"h{self.household_id}" if self.household_id else f"e{self.pk}"

    @property
    def minor_age(self) -> int:
        return int((self.rule or {}).get("minor_companion_age") or 0)

    @property
    def is_minor(self) -> bool:
        return self.age is not None and self.minor_age > 0 and self.age < self.minor_age

    @property
    def needs_accessible(self) -> bool:
        return self.wheelchair

    def need_labels(self) -> list[str]:
        labels = []
        if self.is_minor:
            labels.append(str(_("未成年人")))
        if self.companion_of_id:
            labels.append(str(_("陪护人员")))
        flags = (
            (self.elderly_alone, _("独居老人")),
            (self.wheelchair, _("残疾/轮椅")),
            (self.dialysis, _("血透")),
            (self.pregnancy, _("孕产妇")),
        )
        labels.extend(str(label) for flag, label in flags if flag)
        if self.chronic_medicine:
            labels.append(str(_("慢病用药")))
        if self.pets:
            labels.append(str(_("宠物")))
        return labels


# --- batches ----------------------------------------------------------------------------------


class BatchStatus(models.TextChoices):
    PLANNED = "planned", _("待出发")
    PICKING_UP = "picking_up", _("接人中")
    ARRIVED = "arrived", _("已到达")
    CLOSED = "closed", _("已结束")


class BatchQuerySet(models.QuerySet["Batch"]):
    def visible_to(self, user: Any) -> "BatchQuerySet":
        """Planners see every batch; escorts and drivers only their own; a site the batches
        bound for it."""
        if not _signed_in(user):
            return self.none()
        if _sees_all(user):
            return self
        crew = Q(escort=user) | Q(driver=user)
        site = Q(site__lead=user) | Q(site__staff=user)
        return self.filter(pk__in=Batch.objects.filter(crew | site).values("pk"))


class Batch(AuditedModel):
    """A transfer batch (转运批次): one vehicle's trip to one site."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="transfer_batches"
    )
    code = models.CharField(_("批次号"), max_length=40, unique=True)
    site = models.ForeignKey(
        Site, verbose_name=_("目的隔离点"), on_delete=models.PROTECT, related_name="batches"
    )
    vehicle_plate = models.CharField(_("车牌号"), max_length=20)
    seats = models.PositiveSmallIntegerField(_("座位数"))
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("驾驶员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    driver_name = models.CharField(_("驾驶员姓名"), max_length=50, blank=True)
    driver_phone = EncryptedTextField(_("驾驶员电话"), blank=True)
    driver_phone_masked = models.CharField(_("驾驶员电话"), max_length=20, blank=True)
    escort = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("随车转运人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    planned_at = models.DateTimeField(_("计划出发时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.PLANNED
    )
    mismatch = models.BooleanField(_("人数不符"), default=False)
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)
    AUDIT_SECRET = {"driver_phone": "driver_phone_masked"}

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("转运批次")
        verbose_name_plural = _("转运批次")
        ordering = ["-planned_at", "-pk"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        from tongxin.core.masking import mask_phone

        self.driver_phone_masked = mask_phone(self.driver_phone) if self.driver_phone else ""
        super().save(*args, **kwargs)


class Outcome(models.TextChoices):
    PENDING = "pending", _("待确认")
    BOARDED = "boarded", _("已上车")
    UNREACHABLE = "unreachable", _("联系不上")
    REFUSED = "refused", _("拒绝转运")
    DEFERRED = "deferred", _("暂缓转运")
    NOT_FOUND = "not_found", _("查无此人")


FINAL_OUTCOMES = (
    Outcome.BOARDED,
    Outcome.UNREACHABLE,
    Outcome.REFUSED,
    Outcome.DEFERRED,
    Outcome.NOT_FOUND,
)


class BatchMemberQuerySet(models.QuerySet["BatchMember"]):
    def visible_to(self, user: Any) -> "BatchMemberQuerySet":
        return self.filter(batch__in=Batch.objects.visible_to(user))


class BatchMember(AuditedModel):
    """One person planned in a batch, in pick-up order, and how their pick-up ended."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="members")
    entry = models.ForeignKey(TransferEntry, on_delete=models.PROTECT, related_name="batch_members")
    stop = models.PositiveSmallIntegerField(_("接送顺序"))
    outcome = models.CharField(
        _("结果"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_reason = models.CharField(_("原因"), max_length=255, blank=True)
    outcome_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    unreachable_since = models.DateTimeField(_("首次联系不上"), null=True, blank=True)

    objects = BatchMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("批次人员")
        verbose_name_plural = _("批次人员")
        ordering = ["stop", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "entry"], name="batch_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.entry}"


class CheckIn(models.Model):
    """An escort's check-in as sent from the phone (idempotent by the client's id)."""

    client_id = models.UUIDField(unique=True)
    member = models.ForeignKey(BatchMember, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(max_length=12)  # "outcome" or "contact"
    payload = models.JSONField(default=dict)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return str(self.client_id)


class ContactMethod(models.TextChoices):
    CALL = "call", _("电话")
    KNOCK = "knock", _("敲门")
    RELATIVE = "relative", _("联系亲属")
    NEIGHBOUR = "neighbour", _("询问邻居")
    POLICE = "police", _("请求公安协助")


class ContactAttempt(models.Model):
    """One attempt to reach a person at pick-up (the contact log)."""

    member = models.ForeignKey(BatchMember, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField(_("时间"))
    method = models.CharField(_("方式"), max_length=12, choices=ContactMethod.choices)
    outcome = models.CharField(_("结果"), max_length=255)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.member} {self.method}"


class Disinfection(models.Model):
    """A vehicle's disinfection after a trip."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="disinfections")
    at = models.DateTimeField(_("消杀时间"))
    agent = models.CharField(_("消毒剂/方式"), max_length=100)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("车辆消杀")
        verbose_name_plural = _("车辆消杀")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.batch} {self.at:%H:%M}"


# --- stays ------------------------------------------------------------------------------------


class StayStatus(models.TextChoices):
    ALLOCATED = "allocated", _("已分配房间")
    IN_SITE = "in_site", _("隔离中")
    RELEASED = "released", _("已解除")
    TRANSFERRED = "transferred", _("转出（送医等）")
    CANCELLED = "cancelled", _("已取消")


class StayQuerySet(models.QuerySet["Stay"]):
    def visible_to(self, user: Any) -> "StayQuerySet":
        if not _signed_in(user):
            return self.none()
        if _sees_all(user):
            return self
        q = Q(site__in=Site.objects.visible_to(user))
        j = _jurisdiction(user)
        if j.paths and not j.everywhere:
            q |= j.q("entry__household__path")
        return self.filter(q)

    def active(self) -> "StayQuerySet":
        return self.filter(status=StayStatus.IN_SITE)


class Stay(AuditedModel):
    """One person's stay at a site. The edition's rules are copied at intake; the end date is
    recomputed when the last exposure changes, with its history in `changes`."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(TransferEntry, on_delete=models.PROTECT, related_name="stays")
    member = models.ForeignKey(
        BatchMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="stays"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="stays")
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="stays"
    )
    # The registry record sampling knows the person by (their own; for a person from outside
    # the registry, the one sampling registered at their first in-site sample).
    test_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the room when placed, so the database can hold the one-person rule.
    room_type = models.CharField(max_length=12, choices=RoomType.choices, blank=True)
    bed = models.PositiveSmallIntegerField(default=1)
    in_room = models.BooleanField(default=False)
    companion_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="companions"
    )
    level = models.CharField(_("类别"), max_length=12, choices=Level.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=StayStatus.choices, default=StayStatus.ALLOCATED
    )
    edition_code = models.CharField(_("执行方案"), max_length=40, blank=True)
    rules = models.JSONField(_("入住时方案规则"), default=dict)
    last_exposure = models.DateTimeField(_("末次暴露时间"), null=True, blank=True)
    intake_at = models.DateTimeField(_("入住时间"), null=True, blank=True)
    ends_on = models.DateField(_("集中隔离解除日期"), null=True, blank=True)
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_reason = models.CharField(_("转出原因"), max_length=255, blank=True)

    AUDIT_EXCLUDE = ("rules", "room_type", "bed", "in_room")

    objects = StayQuerySet.as_manager()

    class Meta:
        verbose_name = _("隔离人员")
        verbose_name_plural = _("隔离人员")
        ordering = ["site", "room__floor", "room__number", "pk"]
        constraints = [
            # Never two people in a one-person room (a minor's companion aside), whoever writes.
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(in_room=True, companion_of__isnull=True) & ~Q(room_type="multi"),
                name="stay_one_person_room",
            ),
            models.UniqueConstraint(
                fields=["room", "bed"],
                condition=Q(in_room=True, companion_of__isnull=True),
                name="stay_one_per_bed",
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "status", "ends_on"], name="stay_due"),
            # The day's release-due list across incidents: only the people still in a site.
            models.Index(
                fields=["ends_on"], condition=Q(status="in_site"), name="stay_in_site_ends_on"
            ),
            models.Index(fields=["site", "status"], name="stay_site_status"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} @ {self.site}"

    @property
    def test_days(self) -> list[int]:
        return list((self.rules or {}).get("test_days") or [])


class EndDateChange(models.Model):
    """The history of a stay's end date."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("时间"))
    last_exposure = models.DateTimeField(_("末次暴露时间"), null=True, blank=True)
    ends_on = models.DateField(_("解除日期"), null=True, blank=True)
    previous_ends_on = models.DateField(_("原解除日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("解除日期变更")
        verbose_name_plural = _("解除日期变更")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.stay_id}: {self.previous_ends_on} → {self.ends_on}"


class CheckSlot(models.TextChoices):
    MORNING = "am", _("上午")
    AFTERNOON = "pm", _("下午")


class HealthCheck(models.Model):
    """A twice-daily health check (temperature, symptoms)."""

    client_id = models.UUIDField(unique=True)
    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="health_checks")
    date = models.DateField(_("日期"))
    slot = models.CharField(_("时段"), max_length=2, choices=CheckSlot.choices)
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("健康监测")
        verbose_name_plural = _("健康监测")
        ordering = ["date", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["stay", "date", "slot"], name="health_check_once")
        ]

    def __str__(self) -> str:
        return f"{self.stay_id} {self.date} {self.slot}"

    @property
    def fever(self) -> bool:
        return float(self.temperature) >= 37.3


# --- home isolation and home health monitoring ------------------------------------------------


class WatchKind(models.TextChoices):
    HOME_ISOLATION = "home_isolation", _("居家隔离")
    HOME_MONITORING = "home_monitoring", _("居家健康监测")


class HomeWatchQuerySet(models.QuerySet["HomeWatch"]):
    def visible_to(self, user: Any) -> "HomeWatchQuerySet":
        from tongxin.accounts.permissions import Perm, has_perm

        if not _signed_in(user) or not has_perm(user, Perm.VIEW_RESIDENTS):
            return self.none()
        return self.filter(_jurisdiction(user).q("household__path"))

    def current(self) -> "HomeWatchQuerySet":
        return self.filter(ended_at__isnull=True)


class HomeWatch(AuditedModel):
    """Home isolation or home health monitoring of one person, on their grid's list."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "places.Place", verbose_name=_("住户"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=WatchKind.choices)
    stay = models.ForeignKey(
        Stay, null=True, blank=True, on_delete=models.SET_NULL, related_name="home_watches"
    )
    level = models.CharField(_("类别"), max_length=12, choices=Level.choices, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    test_dates = models.JSONField(_("检测日期"), default=list)
    door_sealed = models.BooleanField(_("已贴封条"), default=False)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = HomeWatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("居家隔离/健康监测")
        verbose_name_plural = _("居家隔离/健康监测")
        ordering = ["household__path", "pk"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"


class HomeCheckIn(models.Model):
    """A day's check-in of a person at home."""

    watch = models.ForeignKey(HomeWatch, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField(_("日期"))
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1)
    well = models.BooleanField(_("无异常"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("居家打卡")
        verbose_name_plural = _("居家打卡")
        constraints = [models.UniqueConstraint(fields=["watch", "date"], name="home_checkin_daily")]

    def __str__(self) -> str:
        return f"{self.watch_id} {self.date}"
