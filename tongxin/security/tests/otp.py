"""Helpers for the second-factor tests: the code an authenticator would show."""

import base64
import re

from django_otp.oath import TOTP


def code_for_secret(secret_text: str) -> str:
    """The current TOTP code for the secret as the enrolment page shows it (base32, grouped)."""
    raw = re.sub(r"\s", "", secret_text)
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{TOTP(key).token():06d}"


def code_for_key(bin_key: bytes) -> str:
    return f"{TOTP(bin_key).token():06d}"


def wrong_code(right: str) -> str:
    return f"{(int(right) + 500_000) % 1_000_000:06d}"


def secret_on(page_html: str) -> str:
    found = re.search(r"data-otp-secret>([A-Z2-7 ]+)<", page_html)
    assert found, "the enrolment page shows the secret as text"
    return found.group(1)
