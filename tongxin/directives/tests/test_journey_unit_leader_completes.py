"""The unit leader on a phone completes (办结) the directive their grid staff reported on."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.directives import services
from tongxin.directives.models import DirectiveStatus, TargetStatus
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


def test_unit_leader_completes_the_directive(
    phone: Any, live_server: Any, chief: Any, water: Team, incident: Any
) -> None:
    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="今晚完成独居老人排查",
        text="逐户核实独居老人的用药和生活物资。", units=[water.unit],
        deadline=timezone.now() + dt.timedelta(hours=6),
    )  # fmt: skip
    target = directive.targets.get()
    services.add_feedback(target, water.staff, "1幢、2幢已排查完毕")

    page = phone.new_page()
    sign_in(page, live_server.url, water.leader.username, PASSWORD)
    page.get_by_role("link", name="今晚完成独居老人排查").click()
    card = page.locator(f"#target-{target.pk}")
    assert "1幢、2幢已排查完毕" in card.inner_text()  # the staff's report is there

    card.locator("summary", has_text="办结").last.click()
    card.get_by_label("办结报告").fill("全部48户独居老人已核实，缺药3户已送药。")
    card.get_by_role("button", name="确认办结").click()
    card.locator(".msg.success", has_text="已办结").wait_for()
    shot(page, "unit-leader-completed")
    assert "已办结" in card.inner_text()
    target.refresh_from_db()
    directive.refresh_from_db()
    assert (target.status, target.completed_by) == (TargetStatus.COMPLETED, water.leader)
    assert directive.status == DirectiveStatus.CLOSED
