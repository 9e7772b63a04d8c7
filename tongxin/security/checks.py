from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_is_on(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """A production install asks the roles that reveal personal data for a TOTP code."""
    if getattr(settings, "TONGXIN_OTP_REQUIRED", False):
        return []
    return [
        Warning(
            "TONGXIN_OTP_REQUIRED is off: roles that may reveal or export personal data "
            "unmasked sign in with a password only.",
            hint="Set TONGXIN_OTP_REQUIRED=1 in production (docs/security.md).",
            id="tongxin.W003",
        )
    ]
