"""Issue 9, finding 6, in a real browser: a grid worker (a role that may reveal) logs in, is sent
to enrol an authenticator, types the code computed from the secret the page shows, and reveals
a resident's ID number; on a phone and on a desktop."""

from typing import Any

import pytest

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.security.tests.conftest import County
from tongxin.security.tests.otp import code_for_secret

pytestmark = e2e_marks


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_log_in_enrol_and_reveal_an_id_number(
    screen: str, request: Any, live_server: Any, county: County, settings: Any
) -> None:
    settings.TONGXIN_OTP_REQUIRED = True
    context = request.getfixturevalue(screen)
    page = context.new_page()
    grid = county.users[Role.GRID_STAFF]
    person = county.inside

    sign_in(page, live_server.url, grid.username, "pass-word-123")

    # Straight to enrolment: the QR code and the key as text, no page of the platform yet.
    page.wait_for_url("**/accounts/otp/enrol/**")
    page.get_by_role("heading", name="绑定验证器").wait_for()
    assert page.locator("figure.qr svg").is_visible()
    secret = page.locator("[data-otp-secret]").inner_text()
    assert person.name not in page.content()
    shot(page, f"otp-enrol-{screen}")

    page.get_by_label("6 位验证码").fill(code_for_secret(secret))
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_url(f"{live_server.url}/")

    # The resident's page, masked, then one reveal.
    page.goto(f"{live_server.url}/residents/{person.pk}/")
    assert person.document_masked in page.content()
    assert person.document_number not in page.content()
    box = page.locator("#reveal-document_number")
    box.get_by_placeholder("查看事由").fill("核对采样登记")
    box.get_by_role("button", name="显示").click()
    page.locator("#reveal-document_number.revealed").wait_for()
    assert person.document_number in page.locator("#reveal-document_number").inner_text()
    shot(page, f"otp-revealed-{screen}")

    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.actor == grid
    assert event.detail == {"field": "document_number", "reason": "核对采样登记"}
