"""The hotline loop in a real browser: the duty officer finds the urgent request at the top of
the queue, confirms it and dispatches it; the support team member, on a phone, finds it on their
home page, claims it, calls and closes it; the duty officer finds the just-closed request at the
top of the follow-up list and records the call back."""

import datetime as dt
import importlib
import re
from typing import Any

from django.utils import timezone

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.helpdesk.models import HelpRequest, KeywordRule, Status
from tongxin.helpdesk.services.intake import Intake, receive

from .conftest import Team

pytestmark = e2e_marks
PASSWORD = "pass-word-123"  # tongxin.factories.UserFactory's


def _seed_rules() -> None:
    # The live server's tests flush the database between tests: the seeded rules come back.
    seeded = importlib.import_module(
        "tongxin.helpdesk.migrations.0003_keyword_synonyms_and_richer_seed"
    )
    for keyword, priority, category, emergency, synonyms in seeded.RULES:
        KeywordRule.objects.get_or_create(
            keyword=keyword,
            defaults={"priority": priority, "category": category,
                      "marks_emergency": emergency, "synonyms": synonyms},
        )  # fmt: skip


def test_help_desk_triages_dispatches_closes_and_follows_up(
    desktop: Any, phone: Any, live_server: Any, desk: Any, medical: Team
) -> None:
    _seed_rules()
    now = timezone.now()
    for i, text in enumerate(["想问一下什么时候解封", "快递能不能送进小区"]):
        receive(Intake(text=text, phone=f"1391234000{i}"), now=now - dt.timedelta(minutes=30 - i))
    urgent = receive(
        Intake(text="老人胸口疼，喘不上气，需要马上去医院", phone="13912345678"), now=now
    ).request
    number = urgent.number

    # The duty officer: the emergency is the first row of the queue, though it came in last.
    officer = desktop.new_page()
    sign_in(officer, live_server.url, desk.username, PASSWORD)
    officer.get_by_role("link", name="打开值守队列").click()
    first = officer.locator("table.reqs tbody tr").first
    assert number in first.inner_text() and "急危重症/临产" in first.inner_text()
    first.get_by_role("link", name=number).click()
    officer.wait_for_url(re.compile(rf"/helpdesk/r/{number}/$"))

    # The suggestion (urgent, emergency) is open for confirmation.
    assert officer.get_by_label("紧急程度").input_value() == "urgent"
    officer.get_by_role("button", name="确认", exact=True).click()
    officer.wait_for_load_state()
    officer.get_by_label("转办至").select_option(value=str(medical.unit.pk))
    officer.get_by_role("button", name="转办").click()
    officer.wait_for_load_state()
    assert HelpRequest.objects.get(number=number).status == Status.DISPATCHED
    shot(officer, "help-desk-dispatched")

    # The support team member, on a phone: the request is on the home page.
    member = phone.new_page()
    sign_in(member, live_server.url, medical.a.username, PASSWORD)
    assert "转办给本组的求助" in member.locator("main").inner_text()
    member.get_by_role("link", name=re.compile(number)).click()
    member.get_by_role("button", name="认领").click()
    member.wait_for_load_state()
    member.get_by_label("已电话联系").check()
    member.get_by_role("button", name="登记").click()
    member.wait_for_load_state()
    member.locator("summary", has_text="办结").first.click()
    member.get_by_label("办理结果").fill("已联系120，老人已送县人民医院急诊。")
    member.get_by_role("button", name="办结").last.click()
    member.wait_for_load_state()
    assert HelpRequest.objects.get(number=number).status == Status.CLOSED
    shot(member, "support-team-closed")

    # Back at the desk: the request just closed is the first row of the follow-up list.
    officer.goto(live_server.url + "/helpdesk/queue/")
    officer.get_by_role("link", name="待回访 1 件").click()
    first = officer.locator("table.reqs tbody tr").first
    assert number in first.inner_text()
    first.get_by_role("link", name=number).click()
    officer.get_by_label("满意", exact=True).check()
    officer.get_by_label("回访情况").fill("家属表示满意")
    officer.get_by_role("button", name="记录回访").click()
    officer.wait_for_load_state()
    assert HelpRequest.objects.get(number=number).followed_up_at is not None
    officer.goto(live_server.url + "/helpdesk/follow-ups/")
    assert number not in officer.locator("main").inner_text()
