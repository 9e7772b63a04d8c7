"""Grid staff on a phone: the unit's directive is on their home page; they sign for it and report
back, and are not offered 办结 (completion is the unit leader's)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.directives import services
from tongxin.directives.models import TargetStatus
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident

from .conftest import T0, Team

pytestmark = e2e_marks
PASSWORD = "pass-word-123"  # tongxin.factories.UserFactory's


@pytest.fixture
def incident() -> Incident:
    # The live server's tests flush the database between tests: load the editions again.
    load_policy_editions()
    return open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), T0)


def test_grid_staff_report_back_and_cannot_complete(
    phone: Any, live_server: Any, chief: Any, water: Team, incident: Any
) -> None:
    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="今晚完成独居老人排查",
        text="逐户核实独居老人的用药和生活物资。", units=[water.unit],
        deadline=timezone.now() + dt.timedelta(hours=6),
    )  # fmt: skip
    target = directive.targets.get()
    page = phone.new_page()
    sign_in(page, live_server.url, water.staff.username, PASSWORD)

    # The home page says what is waiting.
    assert "待办指令 1 条" in page.locator("main").inner_text()
    page.get_by_role("link", name="今晚完成独居老人排查").click()
    card = page.locator(f"#target-{target.pk}")
    card.get_by_role("button", name="签收").click()
    card.locator(".msg.success", has_text="已签收").wait_for()

    card.locator("summary", has_text="反馈进展").click()
    card.get_by_label("进展情况").fill("1幢、2幢已排查完毕，3幢明早继续。")
    card.get_by_role("button", name="提交反馈").click()
    card.locator(".msg.success", has_text="进展已反馈").wait_for()
    assert "1幢、2幢已排查完毕" in card.inner_text()
    shot(page, "grid-staff-reported-back")

    # No completion for grid staff: no button, and a plain word on who completes.
    assert card.get_by_role("button", name="确认办结").count() == 0
    assert card.locator("summary", has_text="办结").count() == 0
    assert "办结由本单位负责人" in card.inner_text()
    target.refresh_from_db()
    assert target.status == TargetStatus.IN_PROGRESS
