"""The security limits, each a setting with a default (see docs/security.md)."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Login throttling: failures counted over a rolling window.
    "TONGXIN_LOGIN_WINDOW_MINUTES": 15,
    "TONGXIN_LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "TONGXIN_LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    # Wrong second-factor codes per account in the same window.
    "TONGXIN_OTP_MAX_FAILURES": 5,
    # Reveals of personal data per user per rolling hour; the command post hears from half-way.
    "TONGXIN_REVEALS_PER_HOUR": 30,
    "TONGXIN_REVEAL_ALERT_THRESHOLD": 15,
    "TONGXIN_REVEAL_REASON_MIN_LENGTH": 2,
    # Content-Security-Policy of every response.
    "TONGXIN_CSP": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    # Uploaded files left behind (a crashed job, an abandoned preview) are purged after this.
    "TONGXIN_UPLOAD_RETENTION_HOURS": 24,
    # Any request body (uploads included) larger than this is refused with 413.
    "TONGXIN_MAX_REQUEST_BYTES": 25 * 1024 * 1024,
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
