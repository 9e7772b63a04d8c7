"""End to end in headless Chromium at phone size (390×844): a volunteer registers on the
public page, and a member signs in and checks in (and out) at a post by its code."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tongxin.accounts.models import Role
from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.factories import UserFactory, make_id_number
from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Attendance, Member, Verification
from tongxin.workforce.services.shifts import assign

pytestmark = e2e_marks


@pytest.fixture(autouse=True)
def _fill_fast(settings):
    settings.TONGXIN_HELPDESK_MIN_FILL_SECONDS = 0


def test_a_volunteer_registers_on_the_public_page(phone, live_server, incident, town) -> None:
    page = phone.new_page()
    page.goto(live_server.url + "/volunteer/")
    assert page.get_by_role("heading", name="志愿者报名").is_visible()
    page.get_by_label("姓名").fill("周志愿")
    page.get_by_label("身份证号").fill(make_id_number())
    page.get_by_label("手机号").fill("13700001234")
    page.get_by_label("登记").check()
    page.get_by_label("居住的小区/村").select_option(value=str(town.sunny.pk))
    question = page.locator("label", has_text="验证题").inner_text()
    a, b = map(int, re.search(r"(\d+) 加 (\d+)", question).groups())
    page.get_by_label(re.compile("验证题")).fill(str(a + b))
    shot(page, "volunteer-form")
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_url(re.compile(r"/volunteer/thanks/$"))
    assert "报名已收到" in page.content()
    shot(page, "volunteer-thanks")
    member = Member.objects.get()
    assert (member.name, member.verification) == ("周志愿", Verification.PENDING)


def test_a_member_checks_in_at_a_post_on_a_phone(phone, live_server, incident, team, town) -> None:
    user = UserFactory(username="caiyang", role=Role.MEMBER, full_name="张采样")
    member = MemberFactory(incident=incident, team=team, user=user, name="张采样")
    post = make_post(incident, "阳光小区1号采样点", place=town.sunny)
    assign(make_shift(post, timezone.now() - dt.timedelta(minutes=30), 5), member, "sampling")

    page = phone.new_page()
    sign_in(page, live_server.url, "caiyang", "pass-word-123")
    page.get_by_role("link", name="我的班次").click()
    page.wait_for_url(re.compile(r"/workforce/me/$"))
    assert "阳光小区1号采样点" in page.content()
    page.get_by_label("岗位码").fill(post.code.lower())
    page.get_by_role("button", name="签到").click()
    page.get_by_text("已在 阳光小区1号采样点 签到").wait_for()
    shot(page, "member-checked-in")
    assert page.get_by_role("button", name="签退").is_visible()
    page.get_by_role("button", name="签退").click()
    page.get_by_text(re.compile("已在 阳光小区1号采样点 签退")).wait_for()
    attendance = Attendance.objects.get(member=member)
    assert attendance.checked_out_at is not None
