from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.fields import EncryptedTextField
from tongxin.core.masking import mask_phone
from tongxin.notifications import kinds
from tongxin.notifications.kinds import Channel


def _sees_all_deliveries(user: Any) -> bool:
    from tongxin.accounts.permissions import Perm, has_perm

    return has_perm(user, Perm.VIEW_DELIVERIES)


class Notification(models.Model):
    """One event told to people: rendered once, then put in inboxes and sent out on channels."""

    kind = models.CharField(_("类型"), max_length=40, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> Any:
        return kinds.label_of(self.kind)


class MessageQuerySet(models.QuerySet["Message"]):
    def visible_to(self, user: Any) -> "MessageQuerySet":
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "MessageQuerySet":
        return self.filter(read_at__isnull=True)


class Message(models.Model):
    """A notification in one user's in-app inbox."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="messages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notification_messages",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_msg_user_read")]
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="notif_msg_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.notification}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Platform(models.TextChoices):
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")


class MessageFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    TEXT = "text", _("纯文本")


def validate_webhook_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationError(_("请输入以 http:// 或 https:// 开头的完整地址"))


class GroupRobot(models.Model):
    """A unit's work-group robot (企业微信/钉钉 群机器人), reached through its webhook address.

    The address carries the robot's key and the signing secret is a credential: both are stored
    encrypted and never shown in lists.
    """

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="group_robots"
    )
    name = models.CharField(_("名称"), max_length=100)
    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    webhook_url = EncryptedTextField(_("Webhook 地址"), validators=[validate_webhook_url])
    secret = EncryptedTextField(
        _("加签密钥"), blank=True, help_text=_("钉钉机器人开启“加签”时填写（SEC 开头）")
    )
    message_format = models.CharField(
        _("消息格式"), max_length=16, choices=MessageFormat.choices, default=MessageFormat.MARKDOWN
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工作群机器人")
        verbose_name_plural = _("工作群机器人")
        ordering = ["unit__name", "name"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.name}"

    @property
    def webhook_display(self) -> str:
        """The address without its query string, which holds the key or access token."""
        parts = urlsplit(self.webhook_url or "")
        return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else ""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")
    CANCELLED = "cancelled", _("已取消")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def visible_to(self, user: Any) -> "DeliveryQuerySet":
        return self if _sees_all_deliveries(user) else self.none()


class Delivery(models.Model):
    """A notification on its way out on one channel: an SMS to a user or to a phone number
    (a household that has no account), or a post to a robot."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.CHOICES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
    )
    # Only for recipients without an account; a user's delivery dials the user's own number.
    # Not editable, so no admin form or ModelForm can ever show it in clear.
    phone = EncryptedTextField(_("手机号"), blank=True, default="", editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    robot = models.ForeignKey(
        GroupRobot,
        verbose_name=_("机器人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("已上报"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel=Channel.SMS) & Q(user__isnull=False) & Q(phone=""))
                | (Q(channel=Channel.SMS) & Q(user__isnull=True) & ~Q(phone=""))
                | (Q(channel=Channel.ROBOT) & Q(robot__isnull=False)),
                name="notif_delivery_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_masked = mask_phone(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    @property
    def sms_number(self) -> str:
        """The number to dial (clear): the user's own, or the one this delivery was made for."""
        if self.user_id:
            return self.user.phone if self.user else ""
        return self.phone or ""

    @property
    def recipient_label(self) -> str:
        # Never the phone number: the user's name (and masked number) is enough to act on.
        if self.robot_id:
            return str(self.robot)
        user = self.user
        if user:
            return f"{user} {user.phone_masked}".strip()
        return self.phone_masked


class DeliveryAttempt(models.Model):
    """One try at a delivery: what the other side answered, or why it could not be reached."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("第几次"))
    attempted_at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("成功"))
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {'ok' if self.ok else self.error}"


class Preference(models.Model):
    """Whether a channel is used for a kind of event, for one user or for a unit.

    A unit's rows set its robots and the default for its staff; a user's own rows win over the
    unit's. An empty kind applies to every kind without a row of its own.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("类型"), max_length=40, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.CHOICES)
    enabled = models.BooleanField(_("启用"))

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, unit__isnull=True)
                | Q(user__isnull=True, unit__isnull=False),
                name="notif_pref_one_owner",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "channel"],
                condition=Q(user__isnull=False),
                name="notif_pref_user_unique",
            ),
            models.UniqueConstraint(
                fields=["unit", "kind", "channel"],
                condition=Q(unit__isnull=False),
                name="notif_pref_unit_unique",
            ),
        ]

    def __str__(self) -> str:
        owner = self.user or self.unit
        return f"{owner} {self.kind or '*'} {self.channel}={'on' if self.enabled else 'off'}"
