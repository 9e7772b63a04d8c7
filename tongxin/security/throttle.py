"""Login throttling, per account and per client address, shared by every worker (database).

- an address with too many failures in the window is refused whatever the account;
- an account with too many failures in the window is refused, except from an address it has
  logged in from before: failing on purpose cannot lock a known user out;
- both locks lift by themselves when the failures age out of the window, and a refused
  attempt counts as a failure, so hammering keeps a lock on, waiting lifts it.
Passwords are not checked while locked.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from tongxin.core.crypto import blind_index
from tongxin.helpdesk.services.ratelimit import client_ip
from tongxin.security import conf
from tongxin.security.models import KnownAddress, LoginFailure


def _account_key(username: str) -> str:
    return blind_index("login-account", (username or "").strip().lower())


def _address_key(address: str) -> str:
    return blind_index("login-address", address or "")


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=int(conf.get("TONGXIN_LOGIN_WINDOW_MINUTES")))


@dataclass(frozen=True)
class Decision:
    locked: bool
    minutes: int = 0


def _failures(key: str, since: dt.datetime) -> list[dt.datetime]:
    return list(
        LoginFailure.objects.filter(key=key, at__gte=since)
        .order_by("at")
        .values_list("at", flat=True)
    )


def _minutes_left(failures: list[dt.datetime], limit: int, now: dt.datetime) -> int:
    # The lock lifts when enough failures have aged out for the count to drop under the limit.
    oldest_that_counts = failures[len(failures) - limit]
    left = oldest_that_counts + _window() - now
    return max(1, int(left.total_seconds() // 60) + 1)


def _lock(key: str, limit: int, now: dt.datetime) -> Decision:
    failures = _failures(key, now - _window())
    if len(failures) >= limit:
        return Decision(True, _minutes_left(failures, limit, now))
    return Decision(False)


def check(username: str, address: str, now: dt.datetime | None = None) -> Decision:
    now = now or timezone.now()
    per_address = int(conf.get("TONGXIN_LOGIN_MAX_FAILURES_PER_ADDRESS"))
    decision = _lock(_address_key(address), per_address, now)
    if decision.locked:
        return decision
    per_account = int(conf.get("TONGXIN_LOGIN_MAX_FAILURES_PER_ACCOUNT"))
    decision = _lock(_account_key(username), per_account, now)
    if decision.locked and not _known(username, address):
        return decision
    return Decision(False)


def _known(username: str, address: str) -> bool:
    return KnownAddress.objects.filter(
        user__username__iexact=(username or "").strip(), address_key=_address_key(address)
    ).exists()


def _record_failure(keys: tuple[str, ...], now: dt.datetime | None) -> None:
    at = now or timezone.now()
    LoginFailure.objects.bulk_create([LoginFailure(key=key, at=at) for key in keys])


def fail(username: str, address: str, now: dt.datetime | None = None) -> None:
    _record_failure((_account_key(username), _address_key(address)), now)


def succeed(user: Any, address: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    key = _address_key(address)
    if not KnownAddress.objects.filter(user=user, address_key=key).update(last_login_at=now):
        try:
            with transaction.atomic():
                KnownAddress.objects.create(user=user, address_key=key, last_login_at=now)
        except IntegrityError:
            pass
    LoginFailure.objects.filter(key=_account_key(user.get_username())).delete()


# Second-factor codes (tongxin.security.second_factor): the same table, window and lifting
# locks, with their own keys. Only someone who already has the password can fail a code, so
# the account lock holds from every address (a known one too).


def _otp_account_key(user: Any) -> str:
    return blind_index("otp-account", str(user.pk))


def _otp_address_key(address: str) -> str:
    return blind_index("otp-address", address or "")


def otp_check(user: Any, address: str, now: dt.datetime | None = None) -> Decision:
    now = now or timezone.now()
    per_address = int(conf.get("TONGXIN_LOGIN_MAX_FAILURES_PER_ADDRESS"))
    decision = _lock(_otp_address_key(address), per_address, now)
    if decision.locked:
        return decision
    return _lock(_otp_account_key(user), int(conf.get("TONGXIN_OTP_MAX_FAILURES")), now)


def otp_fail(user: Any, address: str, now: dt.datetime | None = None) -> None:
    _record_failure((_otp_account_key(user), _otp_address_key(address)), now)


def otp_clear(user: Any) -> None:
    LoginFailure.objects.filter(key=_otp_account_key(user)).delete()


def prune(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _ = LoginFailure.objects.filter(at__lt=now - _window()).delete()
    return deleted


LOCKED_ATTRIBUTE = "_tongxin_login_locked_minutes"


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind the throttle; every login form (the site's and the
    admin's) goes through it. Without a request (tests, the console) there is no throttle."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return super().authenticate(request, username, password, **kwargs)
        name = username or kwargs.get("username") or ""
        address = client_ip(request)
        decision = check(name, address)
        if decision.locked:
            fail(name, address)
            setattr(request, LOCKED_ATTRIBUTE, decision.minutes)
            # Django's authenticate() stops at PermissionDenied: no other backend is tried.
            raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            fail(name, address)
        else:
            succeed(user, address)
        return user
