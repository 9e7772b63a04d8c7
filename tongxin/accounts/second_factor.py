"""Who must prove a second factor (a TOTP code, django-otp) before seeing personal data in clear.

With `TONGXIN_OTP_REQUIRED` on, a user whose role may reveal personal data or export it
unmasked must have verified a TOTP code in this session before any value is shown in clear.
A session verifies through the enrolment and verify pages (tongxin.security.second_factor);
an API token carries no verification, so a token cannot reveal or unmask for such a role."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.permissions import Perm, has_perm

# The permissions that put a value in clear before someone's eyes.
CLEAR_PERMS = (Perm.REVEAL_PERSONAL, Perm.EXPORT_UNMASKED)


class SecondFactorRequired(PermissionDenied):
    """A value in clear asked for without a verified second factor in this session."""


def enabled() -> bool:
    return bool(getattr(settings, "TONGXIN_OTP_REQUIRED", False))


def required_for(user: Any) -> bool:
    """Whether this user must verify a TOTP code (the setting is on and the role reveals)."""
    return enabled() and any(has_perm(user, perm) for perm in CLEAR_PERMS)


def is_verified(user: Any) -> bool:
    """Whether this session verified a code (django-otp's middleware sets `is_verified`; a
    token's user, loaded without a session, never has it)."""
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def may_see_clear(user: Any) -> bool:
    """The command line (user None) and roles outside the rule always; others once verified."""
    return user is None or not required_for(user) or is_verified(user)


def require(user: Any) -> None:
    if not may_see_clear(user):
        raise SecondFactorRequired(_("查看或导出明文前，请先完成动态验证码验证（双因素认证）。"))
