"""The TOTP second factor (django-otp) for roles that reveal or unmask personal data.

Who needs it is `tongxin.accounts.second_factor`; here: enrolment (an unconfirmed device whose
secret is shown as a QR code drawn on the server and as text, confirmed by a first code),
verification of a code for this session, the throttle on wrong codes (the login throttle's
table and window), and the administrator's reset. Every step is audited."""

import base64
import re
from typing import Any

import segno
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts import second_factor as rule
from tongxin.audit.models import AuditAction
from tongxin.audit.services import clear_value_guards, record
from tongxin.security import throttle

DEVICE_NAME = "同心"


class CodeRefused(Exception):
    """A code that does not verify, or one tried while wrong codes have locked the account."""


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: Any) -> TOTPDevice:
    """The device being enrolled: made once, so a reload shows the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it by hand: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (drawn here: nothing leaves the server)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2))


def _attempt(user: Any, device: TOTPDevice, code: str, address: str) -> None:
    decision = throttle.otp_check(user, address)
    if decision.locked:
        throttle.otp_fail(user, address)
        raise CodeRefused(
            _("验证码错误次数过多，已暂时锁定，请 %(minutes)s 分钟后再试。")
            % {"minutes": decision.minutes}
        )
    digits = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6,8}", digits) or not device.verify_token(digits):
        throttle.otp_fail(user, address)
        raise CodeRefused(_("验证码不正确，请核对手机上的验证器后重新输入。"))
    throttle.otp_clear(user)


def enrol(user: Any, code: str, address: str) -> TOTPDevice:
    """Confirm the device being enrolled with its first code; the caller logs the session in."""
    if confirmed_device(user) is not None:
        # A second device only after an administrator's reset: a stolen password must not be
        # enough to replace the owner's authenticator.
        raise CodeRefused(_("您已绑定验证器；如需更换，请联系系统管理员重置。"))
    device = pending_device(user)
    _attempt(user, device, code, address)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    record(AuditAction.UPDATE, user, detail={"second_factor": "enrolled"})
    return device


def verify(user: Any, code: str, address: str) -> TOTPDevice:
    """Check a code against the user's device; the caller logs the session in."""
    device = confirmed_device(user)
    if device is None:
        raise CodeRefused(_("您还没有绑定验证器。"))
    _attempt(user, device, code, address)
    return device


def reset(user: Any) -> int:
    """An administrator's reset: every device of the user goes, and so do the wrong-code
    counts; the user enrols again at the next login. Audited. Returns the devices removed."""
    removed, _unused = TOTPDevice.objects.filter(user=user).delete()
    throttle.otp_clear(user)
    record(AuditAction.UPDATE, user, detail={"second_factor": "reset", "devices": removed})
    return removed


def connect() -> None:
    """Hold every value in clear (any module's reveal, list or export) to the rule."""
    if rule.require not in clear_value_guards:
        clear_value_guards.append(rule.require)
