"""End to end in headless Chromium: the command post (desktop) signs in at the login page,
registers a team with a member by hand and the sending organisation's list, opens the
member's login, sets up a post and a shift with demand, puts the member on it from the
suggestion, is refused a double booking; the member (phone) activates the login, signs in and
checks in at the post by its code."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.workforce.factories import make_post, make_shift
from tongxin.workforce.models import Assignment, Attendance, Member, Post, Team

pytestmark = e2e_marks

PASSWORD = "Kaihua-2022-shift"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_command_post_staffs_a_post_and_the_member_checks_in(
    desktop, phone, live_server, incident, town, chief
) -> None:
    start = timezone.localtime() - dt.timedelta(minutes=30)
    # Another post's shift at the same hours, for the double booking.
    make_shift(make_post(incident, "幸福小区采样点", place=town.happy), start, 4, {"sampling": 1})

    office = desktop.new_page()
    sign_in(office, live_server.url, chief.username, "pass-word-123")
    office.get_by_role("link", name="人员排班").click()
    office.get_by_role("link", name="驰援队伍").click()
    office.get_by_role("link", name="新建队伍").click()
    office.get_by_label("队伍名称").fill("市一院驰援队")
    office.get_by_label("类别").select_option(label="医疗")
    office.get_by_label("派出单位").fill("市第一人民医院")
    office.get_by_label("住宿地点").fill("开化宾馆")
    office.get_by_label("闭环管理（集中住宿）").check()
    office.get_by_role("button", name="保存队伍").click()
    office.get_by_role("heading", name=re.compile("市一院驰援队")).wait_for()
    assert "尚无队员" in office.content()

    # A member by hand.
    office.get_by_label("姓名").fill("张采样")
    office.get_by_label("手机号").fill("13800001111")
    office.get_by_label("采样", exact=True).check()
    office.get_by_label("政治面貌").select_option(label="正式党员")
    office.get_by_role("button", name="登记队员").click()
    office.get_by_text("已登记队员 张采样").wait_for()
    assert office.get_by_role("cell", name="138****1111").is_visible()

    # The sending organisation's list, one bad row named.
    sheet = "姓名,手机号,资质\n王检测,13900000001,检测\n赵某,12345,采样\n"
    office.get_by_label("队员名单（.xlsx 或 .csv）").set_input_files(
        {"name": "名单.csv", "mimeType": "text/csv", "buffer": sheet.encode()}
    )
    office.get_by_role("button", name="导入名单").click()
    office.get_by_text("共 2 行：新增 1 人，更新 0 人，未导入 1 行。").wait_for()
    assert office.get_by_text("第 3 行：手机号无效").is_visible()
    assert office.get_by_role("cell", name="王检测").is_visible()
    shot(office, "team-with-members")

    # The member's login: the activation link is shown once.
    office.get_by_role("row", name=re.compile("张采样")).get_by_role("link", name="编辑").click()
    office.get_by_role("button", name="开通登录账号").click()
    link = office.locator("[data-activation-link]").inner_text().strip()
    assert "/activate/" in link

    # A post and a shift needing one sampler, from the half hour just gone.
    office.get_by_role("link", name="岗位与班次").click()
    office.get_by_role("link", name="新建岗位").click()
    office.get_by_label("岗位名称").fill("阳光小区1号采样点")
    office.get_by_label("类别").select_option(label="采样点")
    office.get_by_label("地点").select_option(value=str(town.sunny.pk))
    office.get_by_role("button", name="保存岗位").click()
    office.get_by_text(re.compile("已新建岗位 阳光小区1号采样点，岗位码")).wait_for()
    code = office.locator("#post-code").inner_text().strip()
    assert code == Post.objects.get(name="阳光小区1号采样点").code
    office.get_by_label("日期").fill(start.date().isoformat())
    office.get_by_label("开始时间").fill(start.strftime("%H:%M"))
    office.get_by_label("结束时间").fill((start + dt.timedelta(hours=4)).strftime("%H:%M"))
    office.get_by_label("需要采样人数").fill("1")
    office.get_by_role("button", name="保存班次").click()
    office.get_by_text("采样 0/1，缺 1").wait_for()

    # The suggestion offers the member; one click assigns.
    office.get_by_role("button", name="安排 张采样").click()
    office.get_by_text("已安排 张采样（采样）").wait_for()
    assert office.get_by_text("采样 1/1，缺 0").is_visible()
    shot(office, "shift-assigned")

    # The same member on the other post at the same hours is refused.
    office.get_by_role("link", name="岗位与班次").click()
    office.get_by_role("link", name="幸福小区采样点").click()
    office.get_by_role("link", name=re.compile(start.strftime("%m-%d %H:%M"))).click()
    office.get_by_placeholder("姓名或手机号").fill("张采样")
    office.get_by_role("button", name="查找").click()
    office.get_by_role("button", name="排入 张采样").click()
    office.get_by_text(re.compile("张采样 已排在 阳光小区1号采样点.*班次时间重叠")).wait_for()
    member = Member.objects.get(name="张采样")
    assert Assignment.objects.filter(member=member).count() == 1
    assert Team.objects.get().members.count() == 2

    # The member, on a phone: activate, sign in, check in by the post code.
    page = phone.new_page()
    page.goto(link)
    page.get_by_label("新密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    page.locator("[data-activated]").wait_for()
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="我的班次").click()
    page.wait_for_url(re.compile(r"/workforce/me/$"))
    assert page.get_by_text("阳光小区1号采样点").first.is_visible()
    page.get_by_label("岗位码").fill(code.lower())
    page.get_by_role("button", name="签到").click()
    page.get_by_text("已在 阳光小区1号采样点 签到").wait_for()
    shot(page, "member-checked-in-at-new-post")
    assert Attendance.objects.get(member=member).post.code == code
