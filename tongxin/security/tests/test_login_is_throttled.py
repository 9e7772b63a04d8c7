"""Finding 6: no guessing passwords; a lock lifts by itself, never shuts a known user out."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.accounts.models import Role
from tongxin.factories import UserFactory
from tongxin.security import throttle

PASSWORD = "pass-word-123"


def attempt(client: Client, username: str, password: str, url: str = "/accounts/login/") -> Any:
    return client.post(url, {"username": username, "password": password})


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.fixture
def grid(db: Any) -> Any:
    return UserFactory(username="wangwu", role=Role.GRID_STAFF)


def test_thirty_wrong_passwords_then_the_right_one_is_refused(grid: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(30):
        assert not logged_in(attempt(client, "wangwu", "guess-1234"))
    response = attempt(client, "wangwu", PASSWORD)
    assert not logged_in(response)
    assert "登录失败次数过多" in response.content.decode()


def test_the_admin_login_is_throttled_too(db: Any) -> None:
    UserFactory(username="root", role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(10):
        attempt(client, "root", "guess-1234", "/admin/login/")
    response = attempt(client, "root", PASSWORD, "/admin/login/")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_one_address_cannot_try_many_accounts(db: Any, settings: Any) -> None:
    settings.TONGXIN_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    UserFactory(username="victim", role=Role.GRID_STAFF)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(4):
        attempt(client, f"someone{n}", "guess-1234")
    assert not logged_in(attempt(client, "victim", PASSWORD))
    # Another address is not affected.
    assert logged_in(attempt(Client(REMOTE_ADDR="198.51.100.1"), "victim", PASSWORD))


def test_failing_on_purpose_cannot_lock_a_known_user_out(grid: Any) -> None:
    office = Client(REMOTE_ADDR="10.0.0.5")
    assert logged_in(attempt(office, "wangwu", PASSWORD))
    attacker = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(30):
        attempt(attacker, "wangwu", "guess-1234")
    assert not logged_in(attempt(attacker, "wangwu", PASSWORD))
    # From the address the user always works at, the account lock does not hold.
    assert logged_in(attempt(Client(REMOTE_ADDR="10.0.0.5"), "wangwu", PASSWORD))


def test_the_lock_lifts_when_the_failures_age_out(grid: Any) -> None:
    now = dt.datetime(2022, 3, 6, 4, 0, tzinfo=dt.UTC)
    for _ in range(5):
        throttle.fail("wangwu", "203.0.113.11", now)
    assert throttle.check("wangwu", "203.0.113.11", now).locked
    later = now + dt.timedelta(minutes=16)
    assert not throttle.check("wangwu", "203.0.113.11", later).locked


def test_staff_passwords_must_be_long_and_mixed(grid: Any) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678", "kaihua2022", "abcdefghijkl"):
        with pytest.raises(ValidationError):
            validate_password(weak, grid)
    validate_password("Kaihua-grid-2022!", grid)


def test_the_admin_path_is_a_setting(db: Any) -> None:
    from django.conf import settings

    assert reverse("admin:index") == "/" + settings.TONGXIN_ADMIN_PATH
