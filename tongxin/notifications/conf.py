"""Settings this app reads, with the defaults used when the install does not set them.

TONGXIN_SMS_BACKEND                dotted path of the SMS provider class
TONGXIN_SMS_FILE                   where the file SMS backend appends
                                   (default <data dir>/sms-outbox.jsonl)
TONGXIN_NOTIFY_MAX_ATTEMPTS        attempts per delivery before it is reported as failed
TONGXIN_NOTIFY_RETRY_BASE_SECONDS  first retry delay; each later retry waits twice as long
TONGXIN_WEBHOOK_TIMEOUT_SECONDS    how long one webhook call may take
TONGXIN_SITE_URL                   e.g. https://tongxin.example.gov.cn: makes links in robot/SMS
                                   messages absolute (left out of them when unset)
"""

import datetime as dt
from pathlib import Path

from django.conf import settings

DEFAULT_SMS_BACKEND = "tongxin.notifications.sms.FileSmsBackend"


def sms_backend_path() -> str:
    return getattr(settings, "TONGXIN_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND


def sms_file() -> Path:
    configured = getattr(settings, "TONGXIN_SMS_FILE", "")
    if configured:
        return Path(configured)
    return Path(getattr(settings, "DATA_DIR", Path.cwd() / "var")) / "sms-outbox.jsonl"


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TONGXIN_NOTIFY_MAX_ATTEMPTS", 5)))


def retry_delay(attempts_made: int) -> dt.timedelta:
    """Exponential backoff: base, 2×base, 4×base … after the 1st, 2nd, 3rd failed attempt."""
    base = float(getattr(settings, "TONGXIN_NOTIFY_RETRY_BASE_SECONDS", 60))
    return dt.timedelta(seconds=base * (2 ** max(0, attempts_made - 1)))


def webhook_timeout() -> float:
    return float(getattr(settings, "TONGXIN_WEBHOOK_TIMEOUT_SECONDS", 10))


def site_url() -> str:
    return str(getattr(settings, "TONGXIN_SITE_URL", "") or "").rstrip("/")


# A delivery claimed by a worker that died mid-attempt becomes due again after this long.
STALE_CLAIM = dt.timedelta(minutes=10)
