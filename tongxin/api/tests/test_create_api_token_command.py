"""`tongxin create_api_token USERNAME --name ...` prints a working token once and stores only
its hash."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tongxin.accounts.models import ApiToken
from tongxin.api.tests.conftest import County
from tongxin.audit.models import AuditAction, AuditEvent


def test_the_printed_token_authenticates_as_the_user(county: County) -> None:
    out, err = StringIO(), StringIO()

    call_command("create_api_token", "waterleader", "--name", "网格同步", stdout=out, stderr=err)

    key = out.getvalue().strip()
    assert key.startswith("tx_")
    token = ApiToken.objects.get(user=county.unit_user)
    assert token.name == "网格同步"
    assert key not in token.key_hash
    assert "只显示这一次" in err.getvalue()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/places/")
    assert [p["name"] for p in response.json()] == ["阳光小区"]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="accounts.apitoken")
    assert event.channel == "cli"
    assert key not in str(event.detail)


def test_an_unknown_user_gets_no_token(county: County) -> None:
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_api_token", "nobody", "--name", "x", stdout=StringIO())

    assert not ApiToken.objects.exists()


def test_a_deactivated_user_gets_no_token(county: County) -> None:
    county.unit_user.is_active = False
    county.unit_user.save()

    with pytest.raises(CommandError, match="已停用"):
        call_command("create_api_token", "waterleader", "--name", "x", stdout=StringIO())
