from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """One failed (or refused) login. `key` is a keyed hash of the account name or the client
    address, so the table holds neither."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [models.Index(fields=["key", "at"], name="security_failure_key_at")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.at:%Y-%m-%d %H:%M}"


class KnownAddress(models.Model):
    """An address a user has logged in from: a lock on the account does not hold there, so
    nobody can lock a known user out by failing on purpose from elsewhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_addresses"
    )
    address_key = models.CharField(max_length=64)
    last_login_at = models.DateTimeField()

    class Meta:
        verbose_name = _("常用登录地址")
        verbose_name_plural = _("常用登录地址")
        constraints = [
            models.UniqueConstraint(fields=["user", "address_key"], name="security_known_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.address_key[:8]}…"
