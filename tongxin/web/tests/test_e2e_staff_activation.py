"""End to end: the command post creates a grid cadre's account on a desktop; the cadre opens
the one-time link on a phone (390×844), sets a password and signs in with it; the link then
no longer works. Skips plainly where Chromium is not installed."""

from typing import Any

import pytest

from tongxin.accounts.models import Role, User
from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.factories import UnitFactory, UserFactory, assign, household

pytestmark = e2e_marks


@pytest.fixture
def county(transactional_db: Any) -> dict[str, Any]:
    estate = household("阳光小区", "1", "101").parent.parent
    water = UnitFactory(name="县水利局")
    assign(water, estate)
    UserFactory(username="command", role=Role.COMMAND_POST, full_name="指挥长")
    return {"water": water}


def test_a_new_cadre_activates_on_a_phone(
    desktop: Any, phone: Any, live_server: Any, county: dict[str, Any]
) -> None:
    office = desktop.new_page()
    sign_in(office, live_server.url, "command", "pass-word-123")
    office.get_by_role("link", name="人员与单位").click()
    office.get_by_text("新建账号", exact=True).first.click()
    office.get_by_label("姓名", exact=True).fill("李四")
    office.get_by_label("手机号").fill("13900000002")
    office.locator("#id_role").select_option(label="网格员")
    office.locator("#id_unit").select_option(label="县水利局")
    office.get_by_label("激活链接").select_option("print")
    office.get_by_role("button", name="新建账号").click()
    link = office.locator("[data-activation-link]").inner_text().strip()
    assert "/activate/" in link
    assert "139****0002" not in link
    cadre = User.objects.get(full_name="李四")
    assert not cadre.has_usable_password()

    page = phone.new_page()
    page.goto(link)
    assert "李四，请设置您的登录密码" in page.content()
    assert page.locator("[data-username]").inner_text() == cadre.username
    shot(page, "activate-account")
    page.get_by_label("新密码", exact=True).fill("Kaihua-2022-grid")
    page.get_by_label("再次输入新密码").fill("Kaihua-2022-grid")
    page.get_by_role("button", name="设置密码").click()
    page.locator("[data-activated]").wait_for()
    # The first sign-in goes through the login page, user name filled in.
    assert page.get_by_label("用户名").input_value() == cadre.username
    page.get_by_label("密码").fill("Kaihua-2022-grid")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    shot(page, "first-sign-in")

    again = phone.new_page()
    again.goto(link)
    assert "激活链接无效、已使用或已过期" in again.content()
    cadre.refresh_from_db()
    assert cadre.check_password("Kaihua-2022-grid")
