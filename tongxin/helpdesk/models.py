import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.core.fields import EncryptedTextField


class Category(models.TextChoices):
    FOOD = "food", _("生活物资")
    MEDICINE = "medicine", _("就医购药")
    DIALYSIS = "dialysis", _("血透")
    MATERNITY = "maternity", _("孕产")
    EMERGENCY = "emergency", _("急危重症")
    MENTAL = "mental", _("心理")
    ISOLATION = "isolation", _("隔离转运")
    POLICY = "policy", _("政策咨询")
    OTHER = "other", _("其他")


class Priority(models.TextChoices):
    URGENT = "urgent", _("紧急")
    HIGH = "high", _("较急")
    NORMAL = "normal", _("一般")


PRIORITY_RANK: dict[str, int] = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


def higher(a: str, b: str) -> str:
    """The more urgent of two priorities."""
    return a if PRIORITY_RANK.get(a, 9) <= PRIORITY_RANK.get(b, 9) else b


class Channel(models.TextChoices):
    WEB = "web", _("网上求助")
    HOTLINE = "hotline", _("求助热线")
    HOTLINE_12345 = "12345", _("12345转办")
    UNIT = "unit", _("单位报送")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    RECEIVED = "received", _("待分派")
    DISPATCHED = "dispatched", _("待认领")
    CLAIMED = "claimed", _("已认领")
    IN_PROGRESS = "in_progress", _("处理中")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.RECEIVED, Status.DISPATCHED, Status.CLAIMED, Status.IN_PROGRESS)


class Escalation(models.IntegerChoices):
    NONE = 0, _("未上报")
    TEAM_LEAD = 1, _("已提醒组长")
    COMMAND_POST = 2, _("已上报指挥部")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Outcome(models.TextChoices):
    """A contact attempt's result; all but "no answer" count as reaching the resident."""

    CALLED = "called", _("已电话联系")
    NO_ANSWER = "no_answer", _("未接通")
    VISITED = "visited", _("已上门")
    DELIVERED = "delivered", _("已送达")


REACHED = (Outcome.CALLED, Outcome.VISITED, Outcome.DELIVERED)


class DayCounter(models.Model):
    """The last request number handed out on a day (numbers restart at 0001 each day)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单号计数")
        verbose_name_plural = _("工单号计数")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


def sees_all_requests(user: Any) -> bool:
    """The command post and the hotline's duty staff work on the whole county's requests."""
    from tongxin.accounts.permissions import Perm, has_perm

    return has_perm(user, Perm.TAKE_HELP_REQUESTS)


class HelpRequestQuerySet(models.QuerySet["HelpRequest"]):
    def visible_to(self, user: Any) -> "HelpRequestQuerySet":
        """All for the command post and duty staff; for anyone else, the requests dispatched to
        their unit, and — for a responsible unit's leaders and grid staff — those linked to a
        place the unit is responsible for."""
        from tongxin.accounts.jurisdiction import jurisdiction_of
        from tongxin.accounts.models import Role

        if sees_all_requests(user):
            return self
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        unit_id = getattr(user, "unit_id", None)
        if not unit_id:
            return self.none()
        condition = Q(team_id=unit_id)
        if user.role in {Role.UNIT_LEADER, Role.GRID_STAFF}:
            jurisdiction = jurisdiction_of(user)
            if not jurisdiction.everywhere and jurisdiction.paths:
                condition |= jurisdiction.q("place__path")
        return self.filter(condition)

    def open(self) -> "HelpRequestQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: dt.datetime) -> "HelpRequestQuerySet":
        return self.open().filter(overdue_q(now))

    def in_queue_order(self) -> "HelpRequestQuerySet":
        """Most urgent first, then the longest waiting."""
        rank = models.Case(
            *(models.When(priority=p, then=models.Value(r)) for p, r in PRIORITY_RANK.items()),
            default=models.Value(9),
        )
        return self.annotate(priority_rank=rank).order_by(
            "-is_emergency", "priority_rank", "received_at", "pk"
        )


def overdue_q(now: dt.datetime) -> Q:
    """Not reached in time since it was received (or reopened), or not closed in time."""
    return Q(cycle_contact_at__isnull=True, contact_due_at__lt=now) | Q(close_due_at__lt=now)


class HelpRequest(AuditedModel):
    """A request for help (求助工单): from the public page, the hotline or an imported sheet."""

    number = models.CharField(_("工单号"), max_length=24, unique=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_requests",
    )
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    external_ref = models.CharField(_("来源编号"), max_length=60, blank=True)
    source_label = models.CharField(_("来源单位/文件"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    caller_name = models.CharField(_("求助人"), max_length=50, blank=True)
    phone = EncryptedTextField(_("联系电话"))
    phone_bidx = models.CharField(max_length=40, db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, editable=False)
    phone_last4 = models.CharField(max_length=4, editable=False)
    phone_is_mobile = models.BooleanField(default=True, editable=False)
    address = models.CharField(_("地址"), max_length=400, blank=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_requests",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("居民"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="help_requests",
    )
    # What the resident needs, with any phone or ID number in it masked; the words as given
    # are kept encrypted in `text_original` (only when masking changed them).
    text = models.TextField(_("求助内容"))
    text_original = EncryptedTextField(blank=True, editable=False)
    care_tags = models.JSONField(_("特殊人群"), default=list, blank=True)

    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    stated_priority = models.CharField(
        _("求助人所述紧急程度"), max_length=16, choices=Priority.choices, blank=True
    )
    priority_suggested = models.CharField(
        _("建议紧急程度"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    matched_keywords = models.JSONField(_("命中关键词"), default=list, blank=True)
    priority = models.CharField(
        _("紧急程度"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    priority_confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    priority_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_emergency = models.BooleanField(_("急危重症/临产"), default=False)

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    team = models.ForeignKey(
        "units.Unit",
        verbose_name=_("承办组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_requests",
    )
    dispatched_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_requests_claimed",
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)

    contact_due_at = models.DateTimeField(_("联系时限"))
    close_due_at = models.DateTimeField(_("办结时限"))
    first_contact_at = models.DateTimeField(_("首次联系"), null=True, blank=True)
    # When the resident was reached since the request was received or last reopened.
    cycle_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.TextField(_("办理结果"), blank=True)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    satisfaction = models.CharField(
        _("回访结果"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    reopened_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    was_overdue = models.BooleanField(_("曾超时"), default=False)
    escalation_level = models.PositiveSmallIntegerField(
        _("超时上报"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    suspected_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suspected_duplicates",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_requests",
    )
    merged_at = models.DateTimeField(_("合并时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    AUDIT_EXCLUDE = (
        "phone_bidx", "phone_last4", "phone_is_mobile", "text_original", "updated_at",
        "cycle_contact_at",
    )  # fmt: skip
    AUDIT_SECRET = {"phone": "phone_masked"}

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("求助工单")
        verbose_name_plural = _("求助工单")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~Q(external_ref=""),
                name="help_request_external_ref_unique",
            )
        ]
        indexes = [
            models.Index(fields=["status", "priority"], name="help_request_status_priority"),
            models.Index(fields=["team", "status"], name="help_request_team_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if not self.is_open:
            return False
        return bool(
            (self.cycle_contact_at is None and self.contact_due_at < now) or self.close_due_at < now
        )

    def next_due(self) -> dt.datetime:
        return self.contact_due_at if self.cycle_contact_at is None else self.close_due_at


class EventKind(models.TextChoices):
    RECEIVED = "received", _("受理")
    TRIAGED = "triaged", _("确认分类")
    DISPATCHED = "dispatched", _("转办")
    RETURNED = "returned", _("退回平台")
    CLAIMED = "claimed", _("认领")
    CONTACT = "contact", _("联系")
    NOTE = "note", _("备注")
    CLOSED = "closed", _("办结")
    FOLLOWED_UP = "followed_up", _("回访")
    REOPENED = "reopened", _("重新办理")
    ESCALATED = "escalated", _("超时上报")
    MERGED = "merged", _("合并")
    SMS = "sms", _("短信")


class RequestEvent(models.Model):
    """One step in a request's history: the contact log, dispatches, closing, follow-up."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    outcome = models.CharField(_("联系结果"), max_length=16, choices=Outcome.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"], name="help_event_request_at")]

    def __str__(self) -> str:
        return f"{self.request} {self.get_kind_display()}"


class KeywordRule(AuditedModel):
    """An editable triage rule: text containing the keyword suggests this priority (and
    category, and whether the request is an emergency)."""

    keyword = models.CharField(_("关键词"), max_length=30, unique=True)
    synonyms = models.TextField(
        _("同义说法"),
        blank=True,
        default="",
        help_text=_(
            "其他说法，每行一个（也可用顿号、逗号分隔）。“*”代表中间最多8个字，"
            "如“胸口*疼”可匹配“胸口有点疼”。关键词本身也可以这样写。"
        ),
    )
    priority = models.CharField(
        _("建议紧急程度"), max_length=16, choices=Priority.choices, default=Priority.URGENT
    )
    category = models.CharField(_("建议类别"), max_length=16, choices=Category.choices, blank=True)
    marks_emergency = models.BooleanField(_("标记为急危重症/临产"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    AUDIT_EXCLUDE = ("updated_at",)

    class Meta:
        verbose_name = _("紧急程度关键词")
        verbose_name_plural = _("紧急程度关键词")
        ordering = ["keyword"]

    def __str__(self) -> str:
        return self.keyword

    def terms(self) -> list[str]:
        """The keyword and every synonym, each a plain phrase or a simple "*" pattern."""
        extra = [t.strip() for t in re.split(r"[\n,，、;；]+", self.synonyms or "")]
        return [t for t in [self.keyword.strip(), *extra] if t]


class RateCounter(models.Model):
    """Hits per key and fixed time window, shared by every web worker (the database is the one
    thing they all see). Keys are keyed hashes, never an address or a phone number."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("访问频率计数")
        verbose_name_plural = _("访问频率计数")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%m-%d %H:%M} {self.count}"


class RequestImport(models.Model):
    """One spreadsheet of requests taken in (a 12345 export, a unit's sheet), and what became
    of every row: created, already there, or rejected with the reason."""

    created_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField(_("文件名"), max_length=255)
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    source_label = models.CharField(_("来源单位"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新建"), default=0)
    skipped = models.PositiveIntegerField(_("已导入过"), default=0)
    rejected = models.PositiveIntegerField(_("未导入"), default=0)
    # [{"row": 5, "message": "…", "cells": {...masked...}}]
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("工单导入")
        verbose_name_plural = _("工单导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename
