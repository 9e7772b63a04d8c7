"""Issue 9, finding 6: `tongxin security reset-otp USERNAME` removes a user's authenticator
(lost phone), audited; the user enrols again at the next login."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.security.tests.conftest import County, client_for


def test_reset_removes_the_device_and_is_audited(county: County, settings: Any) -> None:
    settings.TONGXIN_OTP_REQUIRED = True
    grid = county.users[Role.GRID_STAFF]
    TOTPDevice.objects.create(user=grid, name="同心", confirmed=True)
    other = TOTPDevice.objects.create(user=county.users[Role.UNIT_LEADER], confirmed=True)
    out = StringIO()
    call_command("security", "reset-otp", grid.username, stdout=out)
    assert grid.username in out.getvalue()
    assert not TOTPDevice.objects.filter(user=grid).exists()
    assert TOTPDevice.objects.filter(pk=other.pk).exists()
    event = AuditEvent.objects.get(detail__second_factor="reset")
    assert event.action == AuditAction.UPDATE
    assert event.target_id == str(grid.pk)
    assert event.channel == "cli"
    landing = client_for(grid).get("/residents/", follow=True)
    assert landing.redirect_chain[-1][0].startswith("/accounts/otp/enrol/")


def test_an_unknown_user_is_a_clear_error(county: County) -> None:
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("security", "reset-otp", "nobody")
