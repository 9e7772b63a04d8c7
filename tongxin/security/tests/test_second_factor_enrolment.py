"""Issue 9, finding 6: with TONGXIN_OTP_REQUIRED on, a role that may reveal or unmask enrols an
authenticator (QR code drawn on the server, the secret as text) and verifies a code after every
login before any page; other roles are not asked."""

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.security.tests.conftest import County, client_for
from tongxin.security.tests.otp import code_for_key, code_for_secret, secret_on, wrong_code


@pytest.fixture(autouse=True)
def _otp_on(settings: Any) -> None:
    settings.TONGXIN_OTP_REQUIRED = True


@pytest.mark.parametrize(
    "role",
    [Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.INVESTIGATOR, Role.HELPDESK],
)
def test_a_revealing_role_is_sent_to_enrolment_before_any_page(county: County, role: str) -> None:
    client = client_for(county.users[role])
    response = client.get("/residents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/?next=")
    enrol = client.get(response["Location"], follow=True)
    assert enrol.redirect_chain[-1][0].startswith("/accounts/otp/enrol/")
    html = enrol.content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, drawn on the server
    assert len(secret_on(html).replace(" ", "")) >= 32


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.LAB_LIAISON, Role.SUPPORT_TEAM])
def test_roles_that_never_see_values_in_clear_are_not_asked(county: County, role: str) -> None:
    client = client_for(county.users[role])
    assert client.get("/").status_code == 200
    assert client.get("/accounts/otp/").status_code == 302
    assert not TOTPDevice.objects.exists()


def test_nobody_is_asked_when_the_setting_is_off(county: County, settings: Any) -> None:
    settings.TONGXIN_OTP_REQUIRED = False
    assert client_for(county.users[Role.GRID_STAFF]).get("/residents/").status_code == 200


def test_enrolment_with_the_code_from_the_shown_secret_verifies_the_session(
    county: County,
) -> None:
    grid = county.users[Role.GRID_STAFF]
    client = client_for(grid)
    page = client.get("/accounts/otp/enrol/?next=/residents/")
    # A reload shows the same secret: the device being enrolled is made once.
    assert secret_on(client.get("/accounts/otp/enrol/").content.decode()) == secret_on(
        page.content.decode()
    )
    code = code_for_secret(secret_on(page.content.decode()))
    done = client.post("/accounts/otp/enrol/", {"code": code, "next": "/residents/"})
    assert done.status_code == 302
    assert done["Location"] == "/residents/"
    assert client.get("/residents/").status_code == 200
    device = TOTPDevice.objects.get(user=grid)
    assert device.confirmed
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, detail__second_factor="enrolled")
    assert event.actor == grid
    assert event.target_id == str(grid.pk)


def test_a_wrong_code_does_not_enrol(county: County) -> None:
    grid = county.users[Role.GRID_STAFF]
    client = client_for(grid)
    page = client.get("/accounts/otp/enrol/")
    right = code_for_secret(secret_on(page.content.decode()))
    refused = client.post("/accounts/otp/enrol/", {"code": wrong_code(right)})
    assert refused.status_code == 400
    assert "验证码不正确" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=grid, confirmed=True).exists()
    assert client.get("/residents/").status_code == 302


def test_after_the_next_login_the_code_is_asked_again_and_enrolment_is_closed(
    county: County,
) -> None:
    grid = county.users[Role.GRID_STAFF]
    device = TOTPDevice.objects.create(user=grid, name="同心", confirmed=True)
    client = client_for(grid)
    landing = client.get("/residents/", follow=True)
    assert landing.redirect_chain[-1][0].startswith("/accounts/otp/verify/")
    assert "data-otp-secret" not in landing.content.decode()
    # With a device, the enrolment page neither shows a secret nor takes a new device: a
    # stolen password is not enough to replace the owner's authenticator.
    again = client.get("/accounts/otp/enrol/", follow=True)
    assert "data-otp-secret" not in again.content.decode()
    assert TOTPDevice.objects.filter(user=grid).count() == 1
    ok = client.post("/accounts/otp/verify/", {"code": code_for_key(device.bin_key), "next": "/"})
    assert ok.status_code == 302
    assert client.get("/residents/").status_code == 200


def test_the_admin_does_not_show_authenticator_secrets(county: County) -> None:
    from django.contrib import admin

    assert TOTPDevice not in admin.site._registry


def test_the_deploy_check_warns_when_the_second_factor_is_off(settings: Any) -> None:
    from tongxin.security.checks import second_factor_is_on

    assert second_factor_is_on(None) == []
    settings.TONGXIN_OTP_REQUIRED = False
    assert [w.id for w in second_factor_is_on(None)] == ["tongxin.W003"]
