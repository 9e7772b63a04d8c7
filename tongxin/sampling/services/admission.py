"""Admission of bulk uploads: shed load rather than fall over when every point opens at once.

Two bounds, both per process (a gunicorn worker), both settings:

- `TONGXIN_UPLOAD_CONCURRENCY` uploads run at once in a process; one more is answered 503
  with `Retry-After` at once, before it touches the database. A worker therefore never holds
  more than that many database connections for uploads, and the whole server at most
  workers × that (PostgreSQL's `max_connections` is sized from it, see docs/scaling.md).
- `TONGXIN_UPLOAD_BATCHES_PER_MINUTE` batches per device (its API token, or the signed-in
  user of a point page) with a burst of the same size; one more is answered 429 with
  `Retry-After` (the seconds until the device may send again). It is counted per process,
  so across N workers a device gets at most N times that: the bound is against a looping
  device, not an accounting rule.

`Retry-After` of a 503 is spread over a few seconds so that devices shed together do not
come back together. Nothing is lost by shedding: the device keeps its queue and sends it again.
"""

import hashlib
import math
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings


class Shed(Exception):
    """The upload was not admitted; answer `status` with `Retry-After: retry_after`."""

    def __init__(self, status: int, retry_after: int) -> None:
        super().__init__(status, retry_after)
        self.status = status
        self.retry_after = retry_after


_lock = threading.Lock()
_slots: dict[str, Any] = {"size": None, "semaphore": None}
_buckets: dict[Any, tuple[float, float]] = {}
MAX_TRACKED_DEVICES = 50_000


def _semaphore() -> threading.BoundedSemaphore:
    size = max(1, int(settings.TONGXIN_UPLOAD_CONCURRENCY))
    with _lock:
        if _slots["size"] != size:
            _slots["size"], _slots["semaphore"] = size, threading.BoundedSemaphore(size)
        semaphore: threading.BoundedSemaphore = _slots["semaphore"]
        return semaphore


def busy_retry_after() -> int:
    base = max(1, int(settings.TONGXIN_UPLOAD_RETRY_AFTER_SECONDS))
    return base + random.randint(0, base)  # noqa: S311 (spreading retries, not a secret)


def _take_token(device: Any, now: float) -> float:
    """Take one batch from the device's bucket; 0 when allowed, else seconds to wait."""
    rate = int(settings.TONGXIN_UPLOAD_BATCHES_PER_MINUTE)
    if rate <= 0:
        return 0.0
    per_second = rate / 60.0
    with _lock:
        tokens, then = _buckets.get(device, (float(rate), now))
        tokens = min(float(rate), tokens + (now - then) * per_second)
        if tokens >= 1.0:
            if len(_buckets) >= MAX_TRACKED_DEVICES and device not in _buckets:
                _buckets.clear()  # a bound on memory; the worst case is one fresh burst each
            _buckets[device] = (tokens - 1.0, now)
            return 0.0
        _buckets[device] = (tokens, now)
        return (1.0 - tokens) / per_second


def device_of(request: Any) -> Any:
    """Who is sending: the device's API token (a digest of it, never the token), or else the
    signed-in user of a point page."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return "t:" + hashlib.blake2b(token.strip().encode(), digest_size=12).hexdigest()
    return ("u", getattr(request.user, "pk", None))


@contextmanager
def admitted(device: Any) -> Iterator[None]:
    """Run the body as an admitted upload of `device`, or raise `Shed`."""
    wait = _take_token(device, time.monotonic())
    if wait > 0:
        raise Shed(429, max(1, math.ceil(wait)))
    semaphore = _semaphore()
    if not semaphore.acquire(blocking=False):
        raise Shed(503, busy_retry_after())
    try:
        yield
    finally:
        semaphore.release()


def reset() -> None:
    """Forget every device's bucket (tests)."""
    with _lock:
        _buckets.clear()
