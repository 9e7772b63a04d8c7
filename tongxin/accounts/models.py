import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.core.fields import EncryptedTextField
from tongxin.core.masking import mask_phone


class Role(models.TextChoices):
    """What a user may do. Where they may do it comes from their unit (see jurisdiction)."""

    COMMAND_POST = "command_post", _("指挥部")
    UNIT_LEADER = "unit_leader", _("包干单位负责人")
    GRID_STAFF = "grid_staff", _("网格员")
    TEST_POINT = "test_point", _("采样点工作人员")
    LAB_LIAISON = "lab_liaison", _("检测机构联络员")
    INVESTIGATOR = "investigator", _("流调人员")
    TRANSFER = "transfer", _("转运/隔离点工作人员")
    HELPDESK = "helpdesk", _("平台值守人员")
    SUPPORT_TEAM = "support_team", _("保障组成员")
    SYSADMIN = "sysadmin", _("系统管理员")
    MEMBER = "member", _("驰援/工作人员")


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> "UserQuerySet":
        from tongxin.accounts.jurisdiction import jurisdiction_of

        if jurisdiction_of(user).everywhere:
            return self
        unit_id = getattr(user, "unit_id", None)
        return self.filter(unit_id=unit_id) if unit_id else self.filter(pk=user.pk)


class TongxinUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AuditedModel, AbstractUser):
    """A staff member: a login plus the person details the command post needs."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    position = models.CharField(_("职务"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)

    AUDIT_EXCLUDE = ("password", "last_login", "date_joined")
    AUDIT_SECRET = {"phone": "phone_masked"}

    objects = TongxinUserManager()  # type: ignore[misc]  # AbstractUser declares it a ClassVar

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_masked = mask_phone(self.phone) if self.phone else ""
        super().save(*args, **kwargs)


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: Any) -> "ApiTokenQuerySet":
        if getattr(user, "role", "") == Role.SYSADMIN or getattr(user, "is_superuser", False):
            return self
        return self.filter(user=user)


LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiToken(models.Model):
    """A machine's bearer token for /api/v1/. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        key = "tx_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=key[3:11], key_hash=_hash_token(key)
        )
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        # "Last used" to the minute: a device uploading every second would otherwise write the
        # token's row (a transaction and a WAL flush of its own) on every call.
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class AccountActivationQuerySet(models.QuerySet["AccountActivation"]):
    def usable(self) -> "AccountActivationQuerySet":
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class AccountActivation(models.Model):
    """A one-time link that lets a staff member created without a password set their own.

    Only the key's hash is stored; issuing a new link makes the earlier ones unusable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activations")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    delivered_by = models.CharField(_("送达方式"), max_length=16, blank=True)

    objects = AccountActivationQuerySet.as_manager()

    class Meta:
        verbose_name = _("账号激活链接")
        verbose_name_plural = _("账号激活链接")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
