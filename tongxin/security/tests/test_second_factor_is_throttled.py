"""Issue 9, finding 6: wrong second-factor codes lock the account for a while (the login
throttle's table and window): past the limit even the right code is refused until it lifts."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts.models import Role
from tongxin.security.models import LoginFailure
from tongxin.security.tests.conftest import County, client_for
from tongxin.security.tests.otp import code_for_key, wrong_code


@pytest.fixture(autouse=True)
def _otp_on(settings: Any) -> None:
    settings.TONGXIN_OTP_REQUIRED = True
    settings.TONGXIN_OTP_MAX_FAILURES = 3


def test_wrong_codes_lock_then_the_lock_lifts(county: County) -> None:
    grid = county.users[Role.GRID_STAFF]
    device = TOTPDevice.objects.create(user=grid, name="同心", confirmed=True)
    client = client_for(grid)
    bad = wrong_code(code_for_key(device.bin_key))
    for _ in range(3):
        assert (
            "验证码不正确" in client.post("/accounts/otp/verify/", {"code": bad}).content.decode()
        )
    locked = client.post("/accounts/otp/verify/", {"code": code_for_key(device.bin_key)})
    assert locked.status_code == 400
    assert "已暂时锁定" in locked.content.decode()
    assert client.get("/residents/").status_code == 302  # still not verified
    # Another session of the same account is locked too (the lock is the account's).
    other = client_for(grid)
    assert (
        "已暂时锁定"
        in other.post(
            "/accounts/otp/verify/", {"code": code_for_key(device.bin_key)}
        ).content.decode()
    )
    # The failures age out of the window and the right code passes again.
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(hours=1))
    ok = client.post("/accounts/otp/verify/", {"code": code_for_key(device.bin_key)})
    assert ok.status_code == 302
    assert client.get("/residents/").status_code == 200


def test_wrong_enrolment_codes_count_too(county: County) -> None:
    grid = county.users[Role.GRID_STAFF]
    client = client_for(grid)
    client.get("/accounts/otp/enrol/")
    device = TOTPDevice.objects.get(user=grid)
    for _ in range(3):
        client.post("/accounts/otp/enrol/", {"code": wrong_code(code_for_key(device.bin_key))})
    locked = client.post("/accounts/otp/enrol/", {"code": code_for_key(device.bin_key)})
    assert "已暂时锁定" in locked.content.decode()
    assert not TOTPDevice.objects.filter(user=grid, confirmed=True).exists()


def test_one_account_failing_does_not_lock_another(county: County) -> None:
    grid = county.users[Role.GRID_STAFF]
    leader = county.users[Role.UNIT_LEADER]
    grid_device = TOTPDevice.objects.create(user=grid, name="同心", confirmed=True)
    leader_device = TOTPDevice.objects.create(user=leader, name="同心", confirmed=True)
    grid_client = client_for(grid)
    for _ in range(4):
        grid_client.post(
            "/accounts/otp/verify/", {"code": wrong_code(code_for_key(grid_device.bin_key))}
        )
    ok = client_for(leader).post(
        "/accounts/otp/verify/", {"code": code_for_key(leader_device.bin_key)}
    )
    assert ok.status_code == 302
