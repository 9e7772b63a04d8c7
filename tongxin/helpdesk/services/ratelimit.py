"""Rate limits for the public pages, shared by every web worker.

Django's default cache (LocMemCache) lives inside one process: behind gunicorn with four
workers a limit of 5 would really be 20. The counters live in the database instead (one row
per key and fixed window, incremented with a single UPDATE), which every worker shares and
which needs no cache server. Keys are keyed hashes of the IP address or phone number, so the
table never holds either.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from tongxin.core.crypto import blind_index
from tongxin.helpdesk import conf
from tongxin.helpdesk.models import RateCounter

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def client_ip(request: HttpRequest) -> str:
    header = conf.client_ip_header()
    value = str(request.META.get(header, "") or request.META.get("REMOTE_ADDR", "") or "")
    # X-Forwarded-For style lists: the first address is the client's.
    return value.split(",")[0].strip()


def _window_start(now: dt.datetime, seconds: int) -> dt.datetime:
    elapsed = int((now - _EPOCH).total_seconds())
    return _EPOCH + dt.timedelta(seconds=elapsed - elapsed % seconds)


def key_for(scope: str, value: str) -> str:
    return blind_index(f"ratelimit:{scope}", value)


def hit(scope: str, value: str, limit: int, seconds: int, now: dt.datetime | None = None) -> bool:
    """Count one hit; True while the window's count is within the limit."""
    now = now or timezone.now()
    key = key_for(scope, value)
    start = _window_start(now, seconds)
    with transaction.atomic():
        rows = RateCounter.objects.filter(key=key, window_start=start)
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:
                rows.update(count=F("count") + 1)
        count = rows.values_list("count", flat=True).first() or 0
    return count <= limit


def peek(scope: str, value: str, seconds: int, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    row = RateCounter.objects.filter(
        key=key_for(scope, value), window_start=_window_start(now, seconds)
    ).first()
    return row.count if row else 0


def allow(name: str, value: str, now: dt.datetime | None = None) -> bool:
    """One hit against a configured limit (conf.RATE_LIMITS)."""
    limit, seconds = conf.rate_limit(name)
    return hit(name, value, limit, seconds, now)


def prune(now: dt.datetime | None = None, keep: dt.timedelta = dt.timedelta(days=2)) -> int:
    now = now or timezone.now()
    deleted, _by_model = RateCounter.objects.filter(window_start__lt=now - keep).delete()
    return deleted
