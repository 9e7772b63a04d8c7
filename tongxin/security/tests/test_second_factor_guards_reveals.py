"""Issue 9, finding 6: with TONGXIN_OTP_REQUIRED on, no value reaches a revealing role in clear
(one-by-one reveals, unmasked exports, any module's reveal) without a TOTP code verified in the
same session; a wrong code verifies nothing; an API token never carries a verification."""

from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts import second_factor
from tongxin.accounts.models import ApiToken, Role, User
from tongxin.audit.context import acting_as, actor_for_user
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.audit.services import record_reveal
from tongxin.security.tests.conftest import County, client_for
from tongxin.security.tests.otp import code_for_key, wrong_code

REASON = {"reason": "电话通知复检"}


@pytest.fixture(autouse=True)
def _otp_on(settings: Any) -> None:
    settings.TONGXIN_OTP_REQUIRED = True


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="同心", confirmed=True)


def api_reveal(client: Client, pk: int) -> Any:
    return client.post(
        f"/api/v1/residents/{pk}/reveal",
        {"field": "document_number", **REASON},
        content_type="application/json",
    )


def test_a_reveal_is_refused_without_a_verified_code(county: County) -> None:
    grid = county.users[Role.GRID_STAFF]
    enrolled(grid)
    client = client_for(grid)
    web = client.post(f"/residents/{county.inside.pk}/reveal/document_number/", REASON)
    assert web.status_code == 302
    assert web["Location"].startswith("/accounts/otp/")
    api = api_reveal(client, county.inside.pk)
    assert api.status_code == 403
    assert "动态验证码" in api.json()["detail"]
    assert county.inside.document_number not in api.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_a_reveal_is_refused_after_a_wrong_code(county: County) -> None:
    grid = county.users[Role.GRID_STAFF]
    device = enrolled(grid)
    client = client_for(grid)
    wrong = client.post("/accounts/otp/verify/", {"code": wrong_code(code_for_key(device.bin_key))})
    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.content.decode()
    api = api_reveal(client, county.inside.pk)
    assert api.status_code == 403
    assert county.inside.document_number not in api.content.decode()


def test_a_verified_session_reveals_web_and_api(county: County) -> None:
    grid = county.users[Role.GRID_STAFF]
    device = enrolled(grid)
    client = client_for(grid)
    assert (
        client.post("/accounts/otp/verify/", {"code": code_for_key(device.bin_key)}).status_code
        == 302
    )
    web = client.post(f"/residents/{county.inside.pk}/reveal/document_number/", REASON)
    assert web.status_code == 200
    assert county.inside.document_number in web.content.decode()
    api = api_reveal(client, county.inside.pk)
    assert api.status_code == 200
    assert county.inside.document_number in api.content.decode()


def test_an_api_token_of_a_revealing_role_cannot_reveal_or_unmask(county: County) -> None:
    chief = county.users[Role.COMMAND_POST]
    enrolled(chief)
    _token, key = ApiToken.issue(chief, "机器")
    machine = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert machine.get("/api/v1/residents/").status_code == 200  # masked lists still work
    reveal = api_reveal(machine, county.inside.pk)
    assert reveal.status_code == 403
    export = machine.get("/api/v1/exports/residents?format=csv&unmask=true&reason=上报核对")
    assert export.status_code == 403
    assert county.inside.document_number not in export.content.decode()
    masked = machine.get("/api/v1/exports/residents?format=csv")
    assert masked.status_code == 200


def test_an_unmasked_export_is_refused_without_a_verified_code(county: County) -> None:
    chief = county.users[Role.COMMAND_POST]
    device = enrolled(chief)
    client = client_for(chief)
    url = "/api/v1/exports/residents?format=csv&unmask=true&reason=上报核对"
    refused = client.get(url)
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    client.post("/accounts/otp/verify/", {"code": code_for_key(device.bin_key)})
    allowed = client.get(url)
    assert allowed.status_code == 200
    assert county.inside.document_number in b"".join(allowed.streaming_content).decode()


def test_every_modules_reveal_is_held_by_the_rule(county: County) -> None:
    """The rule sits where every reveal is recorded, so a module that forgets to ask is held."""
    grid = county.users[Role.GRID_STAFF]
    with (
        acting_as(actor_for_user(grid, "web")),
        pytest.raises(second_factor.SecondFactorRequired),
    ):
        record_reveal(county.inside, "phone", reason="测试")
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
