"""Accounts created without a password: a one-time activation link sets the first one.

The link's key is shown once (sent by SMS or printed for the unit leader); only its hash is
kept. A key works once, until it expires, and issuing a new one for the same account (a reset)
voids the earlier ones. Until an account is activated it has no usable password and cannot
sign in at all, so the first sign-in is always the one where the person sets their password.
"""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import AccountActivation, User
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record


class ActivationError(ValueError):
    pass


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def activation_hours() -> int:
    return int(getattr(settings, "TONGXIN_ACTIVATION_HOURS", 72))


@transaction.atomic
def issue_activation(user: User, *, delivered_by: str = "") -> str:
    """A new one-time key for the account (earlier unused keys stop working). Returns the key."""
    now = timezone.now()
    AccountActivation.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    key = secrets.token_urlsafe(24)
    AccountActivation.objects.create(
        user=user,
        key_hash=_hash(key),
        expires_at=now + dt.timedelta(hours=activation_hours()),
        delivered_by=delivered_by,
    )
    return key


def activation_path(key: str) -> str:
    from django.urls import reverse

    return reverse("activate", args=[key])


def find_activation(key: str) -> AccountActivation:
    found = (
        AccountActivation.objects.usable()
        .select_related("user")
        .filter(key_hash=_hash(key), user__is_active=True)
        .first()
    )
    if found is None:
        raise ActivationError(_("激活链接无效、已使用或已过期，请联系单位负责人或指挥部重新发送"))
    return found


@transaction.atomic
def activate(key: str, password: str) -> User:
    """Set the account's first password through its link; the link is used up."""
    activation = find_activation(key)
    locked = AccountActivation.objects.select_for_update().get(pk=activation.pk)
    if locked.used_at is not None:
        raise ActivationError(_("激活链接无效、已使用或已过期，请联系单位负责人或指挥部重新发送"))
    user = activation.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    record(AuditAction.UPDATE, user, label=_("激活账号 %(user)s") % {"user": user.username},
           detail={"activation": True})  # fmt: skip
    return user


def is_pending(user: Any) -> bool:
    """Created without a password and not activated yet."""
    return not user.has_usable_password()
