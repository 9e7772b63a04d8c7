import re

import pytest
from django.core.cache import cache
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, assign, make_id_number
from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Attendance, Member, Verification
from tongxin.workforce.services.shifts import assign as put_on

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TONGXIN_HELPDESK_MIN_FILL_SECONDS = 0
    cache.clear()


def _fill(client: Client, **over):
    page = client.get("/volunteer/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    a, b = map(int, re.search(r"(\d+) 加 (\d+) 等于几", page).groups())
    data = {
        "name": "周志愿", "document_number": make_id_number(), "phone": "13700001234",
        "skills": ["registrar"], "area": over.pop("area"), "token": token, "answer": str(a + b),
    } | over  # fmt: skip
    return client.post("/volunteer/", data)


def test_a_volunteer_registers_without_login_and_waits_for_verification(incident, town) -> None:
    response = _fill(Client(), area=town.sunny.pk)
    assert response.status_code == 302 and response["Location"].endswith("/volunteer/thanks/")
    member = Member.objects.get()
    assert member.is_volunteer and member.verification == Verification.PENDING
    assert member.area == town.sunny and member.qualifications == ["registrar"]


def test_the_help_forms_anti_abuse_applies(incident, town, settings) -> None:
    client = Client()
    robot = _fill(client, area=town.sunny.pk, website="http://spam")
    assert robot.status_code == 400 and not Member.objects.exists()
    wrong = _fill(client, area=town.sunny.pk, answer="99", document_number="330824199001011234")
    assert wrong.status_code == 400
    assert "330824199001011234" not in wrong.content.decode()  # never echoed back
    settings.TONGXIN_HELPDESK_RATE_LIMITS = {"submit_ip": [1, 600]}
    cache.clear()
    _fill(client, area=town.sunny.pk, phone="13700005678")
    limited = _fill(client, area=town.sunny.pk, phone="13700009999")
    assert limited.status_code == 429


def test_coverage_page_lists_gaps_and_is_scoped(incident, town, chief) -> None:
    make_shift(make_post(incident, "阳光点", place=town.sunny), local(6, 5), 5, {"sampling": 3})
    make_shift(make_post(incident, "南山点", place=town.far), local(6, 5), 5, {"sampling": 2})
    unit = UnitFactory(name="县水利局")
    assign(unit, town.sunny)
    leader = UserFactory(role=Role.UNIT_LEADER, unit=unit)
    client = Client()
    client.force_login(leader)
    page = client.get("/workforce/?date=2022-03-06").content.decode()
    assert "阳光点" in page and "南山点" not in page
    client.force_login(chief)
    page = client.get("/workforce/?date=2022-03-06").content.decode()
    assert page.index("阳光点") < page.index("南山点")  # the bigger gap first
    member_user = UserFactory(role=Role.MEMBER)
    client.force_login(member_user)
    assert client.get("/workforce/").status_code == 403


def test_a_member_checks_in_on_their_page(incident, team, town) -> None:
    import datetime as dt

    from django.utils import timezone

    user = UserFactory(role=Role.MEMBER)
    member = MemberFactory(incident=incident, team=team, user=user, name="张采样")
    post = make_post(incident, place=town.sunny)
    start = timezone.now() - dt.timedelta(hours=1)
    put_on(make_shift(post, start, 5), member, "sampling")
    client = Client()
    client.force_login(user)
    assert post.code in client.get("/workforce/me/").content.decode()
    response = client.post(
        "/workforce/me/check/", {"action": "in", "code": post.code, "client_id": "u1"}, follow=True
    )
    assert "已在 阳光小区采样点 签到" in response.content.decode()
    assert "签退" in response.content.decode()
    assert Attendance.objects.filter(member=member).count() == 1


def test_staff_verify_and_print_a_certificate(incident, town, chief) -> None:
    volunteer = MemberFactory(incident=incident, is_volunteer=True, verification="pending",
                              name="周志愿", area=town.sunny)  # fmt: skip
    client = Client()
    client.force_login(chief)
    listed = client.get("/workforce/volunteers/").content.decode()
    assert "周志愿" in listed and volunteer.phone not in listed
    client.post(f"/workforce/volunteers/{volunteer.pk}/verify/", {"approve": "1"})
    volunteer.refresh_from_db()
    assert volunteer.verification == Verification.VERIFIED
    post = make_post(incident, place=town.sunny)
    Attendance.objects.create(member=volunteer, post=post, checked_in_at=local(6, 8),
                              checked_out_at=local(6, 11, 30), client_id_in="a")  # fmt: skip
    page = client.get(f"/workforce/members/{volunteer.pk}/certificate/").content.decode()
    assert "志愿服务时长证明" in page and "3.5" in page
    other = UserFactory(role=Role.UNIT_LEADER, unit=UnitFactory(name="县教育局"))
    client.force_login(other)
    assert client.get(f"/workforce/members/{volunteer.pk}/certificate/").status_code == 404


def test_the_coverage_page_warns_of_someone_twenty_hours_in(incident, team, town, chief) -> None:
    import datetime as dt

    from django.utils import timezone

    tired = MemberFactory(incident=incident, team=team, name="连轴转")
    post = make_post(incident, "县应急物资仓库", place=town.sunny)
    now = timezone.now()
    h = dt.timedelta(hours=1)
    Attendance.objects.create(member=tired, post=post, checked_in_at=now - 20 * h,
                              checked_out_at=now - 11 * h, client_id_in="a")  # fmt: skip
    Attendance.objects.create(member=tired, post=post, checked_in_at=now - 10 * h, client_id_in="b")
    fresh = MemberFactory(incident=incident, team=team, name="刚上岗")
    Attendance.objects.create(member=fresh, post=post, checked_in_at=now - 2 * h, client_id_in="c")
    client = Client()
    client.force_login(chief)
    page = client.get("/workforce/").content.decode()
    assert "疲劳预警" in page and "连轴转" in page and "已连续工作 19.0 小时" in page
    assert "刚上岗" not in page


def test_teams_page_counts_members_and_who_is_on_duty(incident, team, town, chief) -> None:
    on = MemberFactory(incident=incident, team=team)
    MemberFactory(incident=incident, team=team)
    post = make_post(incident, place=town.sunny)
    Attendance.objects.create(member=on, post=post, checked_in_at=local(6, 5), client_id_in="x")
    client = Client()
    client.force_login(chief)
    page = client.get("/workforce/teams/").content.decode()
    assert "市一院驰援队" in page and "2 人，在岗 1 人" in page
