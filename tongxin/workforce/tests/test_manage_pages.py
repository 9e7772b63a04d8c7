"""The command post's pages: teams and members (by hand and from a list), posts, shifts with
demand, assignment (suggested, searched, never double-booked), branches, member logins."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, make_id_number
from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import (
    Assignment,
    BranchActivity,
    Member,
    PartyBranch,
    PartyStatus,
    Post,
    Shift,
    Team,
)
from tongxin.workforce.services.teams import found_branch

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(chief) -> Client:
    c = Client()
    c.force_login(chief)
    return c


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_team_is_created_edited_and_takes_members_by_hand(client, incident) -> None:
    response = client.post(
        "/workforce/teams/new/",
        {"name": "市一院驰援队", "kind": "medical", "sending_org": "市第一人民医院",
         "arrived_on": "2022-03-06", "lodging": "开化宾馆", "closed_loop": "on",
         "test_every_days": "1"},
    )  # fmt: skip
    team = Team.objects.get()
    assert response["Location"] == f"/workforce/teams/{team.pk}/"
    assert (team.sending_org, team.lodging, team.closed_loop) == (
        "市第一人民医院",
        "开化宾馆",
        True,
    )

    added = client.post(
        f"/workforce/teams/{team.pk}/members/",
        {"name": "张采样", "phone": "13800001111", "document_number": make_id_number(),
         "qualifications": ["sampling", "registrar"], "party_status": "full"},
    )  # fmt: skip
    assert added.status_code == 302
    member = Member.objects.get()
    assert (member.team, member.qualifications, member.party_status) == (
        team, ["sampling", "registrar"], PartyStatus.FULL,
    )  # fmt: skip
    assert member.phone == "13800001111" and member.phone_masked != "13800001111"

    again = client.post(
        f"/workforce/teams/{team.pk}/members/", {"name": "李四", "phone": "138 0000 1111"}
    )
    assert again.status_code == 400 and "该手机号已登记" in again.content.decode()
    assert Member.objects.count() == 1

    page = client.get(f"/workforce/teams/{team.pk}/").content.decode()
    assert "张采样" in page and member.phone_masked in page and "13800001111" not in page

    edited = client.post(
        f"/workforce/teams/{team.pk}/",
        {"name": "市一院驰援队", "kind": "medical", "leader": member.pk, "lodging": "县委党校",
         "arrived_on": "2022-03-06", "departs_on": "2022-03-01"},
    )  # fmt: skip
    assert edited.status_code == 400 and "计划撤离日期早于抵达日期" in edited.content.decode()
    client.post(
        f"/workforce/teams/{team.pk}/",
        {"name": "市一院驰援队", "kind": "medical", "leader": member.pk, "lodging": "县委党校"},
    )
    team.refresh_from_db()
    assert (team.leader, team.lodging) == (member, "县委党校")


def test_the_sending_organisations_list_is_imported_on_the_page(client, team) -> None:
    sheet = (
        "姓名,手机号,资质,政治面貌\n王检测,13900000001,检测,中共党员\n"
        ",13900000002,采样,\n赵某,12345,采样,\n"
    )
    upload = SimpleUploadedFile("名单.csv", sheet.encode(), content_type="text/csv")
    response = client.post(f"/workforce/teams/{team.pk}/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "共 3 行：新增 1 人，更新 0 人，未导入 2 行。" in page
    assert "第 3 行：缺少姓名" in page and "第 4 行：手机号无效" in page
    assert list(team.members.values_list("name", "qualifications")) == [("王检测", ["testing"])]

    wrong = SimpleUploadedFile("名单.pdf", b"%PDF", content_type="application/pdf")
    refused = client.post(f"/workforce/teams/{team.pk}/import/", {"file": wrong})
    assert refused.status_code == 400 and "请上传 .xlsx 或 .csv 文件" in refused.content.decode()


def test_another_units_leader_gets_404_for_a_team_they_do_not_lead(incident, team) -> None:
    leader = UserFactory(role=Role.UNIT_LEADER, unit=UnitFactory())
    other = Client()
    other.force_login(leader)
    assert other.get(f"/workforce/teams/{team.pk}/").status_code == 404
    assert other.post(f"/workforce/teams/{team.pk}/members/", {"name": "x"}).status_code == 404
    branch = found_branch(incident, "驰援队临时党支部", scope="team", team=team,
                          founded_on=local(6).date())  # fmt: skip
    assert other.get(f"/workforce/branches/{branch.pk}/").status_code == 404
    assert "驰援队临时党支部" not in other.get("/workforce/branches/").content.decode()
    team.unit = leader.unit
    team.save()
    assert other.get(f"/workforce/branches/{branch.pk}/").status_code == 200


def test_a_post_gets_a_code_and_shifts_with_demand_by_qualification(client, incident, town):
    response = client.post(
        "/workforce/posts/new/",
        {"name": "阳光小区1号采样点", "kind": "test_point", "place": town.sunny.pk, "active": "on"},
    )
    post = Post.objects.get()
    assert response["Location"] == f"/workforce/posts/{post.pk}/"
    assert len(post.code) == 6 and post.place == town.sunny

    night = client.post(
        f"/workforce/posts/{post.pk}/shifts/",
        {"day": "2022-03-06", "starts": "22:00", "ends": "06:00", "need_sampling": "6",
         "need_registrar": "2"},
    )  # fmt: skip
    shift = Shift.objects.get()
    assert night["Location"] == f"/workforce/shifts/{shift.pk}/"
    assert (shift.starts_at, shift.ends_at) == (local(6, 22), local(7, 6))
    assert dict(shift.demands.values_list("qualification", "count")) == {
        "sampling": 6, "registrar": 2,
    }  # fmt: skip
    page = client.get(f"/workforce/shifts/{shift.pk}/").content.decode()
    assert "采样 0/6，缺 6" in page and "登记 0/2，缺 2" in page

    client.post(f"/workforce/shifts/{shift.pk}/demand/", {"need_sampling": "4"})
    assert dict(shift.demands.values_list("qualification", "count")) == {"sampling": 4}


def test_a_member_is_assigned_from_the_suggestion_and_never_double_booked(
    client, incident, team, town
) -> None:
    member = MemberFactory(incident=incident, team=team, name="张采样", area=town.sunny)
    first = make_shift(make_post(incident, "阳光点", place=town.sunny), local(6, 5), 5)
    second = make_shift(make_post(incident, "幸福点", place=town.happy), local(6, 7), 5)

    page = client.get(f"/workforce/shifts/{first.pk}/").content.decode()
    assert "安排 张采样" in page  # the suggestion offers the qualified, rested member
    response = client.post(
        f"/workforce/shifts/{first.pk}/assign/", {"member": member.pk, "qualification": "sampling"}
    )
    assert "已安排 张采样（采样）" in _messages(client.get(response["Location"]))
    assert Assignment.objects.filter(shift=first, member=member).exists()

    found = client.get(f"/workforce/shifts/{second.pk}/", {"q": "张"}).content.decode()
    assert "排入 张采样" in found
    clash = client.post(
        f"/workforce/shifts/{second.pk}/assign/",
        {"member": member.pk, "qualification": "sampling"},
        follow=True,
    )
    assert "班次时间重叠" in _messages(clash)
    assert not Assignment.objects.filter(shift=second).exists()

    lacking = client.post(
        f"/workforce/shifts/{second.pk}/assign/",
        {"member": member.pk, "qualification": "police"},
        follow=True,
    )
    assert "没有“公安”资质" in _messages(lacking)

    assignment = Assignment.objects.get()
    client.post(f"/workforce/assignments/{assignment.pk}/remove/")
    assert not Assignment.objects.exists()


def test_a_branch_is_founded_staffed_logged_and_dissolved(client, incident, team) -> None:
    secretary = MemberFactory(incident=incident, team=team, name="党员甲", party_status="full")
    applicant = MemberFactory(
        incident=incident, team=team, name="申请人乙", party_status="applicant"
    )
    client.post(
        "/workforce/branches/new/",
        {"name": "驰援医疗队临时党支部", "scope": "team", "team": team.pk,
         "founded_on": "2022-03-06"},
    )  # fmt: skip
    branch = PartyBranch.objects.get()
    url = f"/workforce/branches/{branch.pk}/"
    assert "编入 党员甲" in client.get(url, {"q": "党员"}).content.decode()
    assert "申请人乙" not in client.get(url, {"q": "申请人"}).content.decode()
    client.post(url + "members/", {"member": secretary.pk, "action": "add"})
    refused = client.post(url + "members/", {"member": applicant.pk}, follow=True)
    assert "不是党员" in _messages(refused)
    client.post(url + "members/", {"member": secretary.pk, "action": "secretary"})
    branch.refresh_from_db()
    assert branch.secretary == secretary and list(branch.members.all()) == [secretary]

    post = make_post(incident, "城南卡口")
    client.post(url + "posts/", {"posts": [post.pk]})
    assert list(branch.posts.all()) == [post]
    assert "城南卡口" in client.get(url).content.decode()
    client.post(
        url + "activities/",
        {"kind": "pioneer_post", "title": "卡口党员先锋岗", "at": "2022-03-07T06:00"},
    )
    assert BranchActivity.objects.get(branch=branch).title == "卡口党员先锋岗"
    client.post(url + "dissolve/", {"dissolved_on": "2022-03-20"})
    branch.refresh_from_db()
    assert branch.dissolved_on == dt.date(2022, 3, 20)
    late = client.post(url + "members/", {"member": secretary.pk, "action": "remove"}, follow=True)
    assert "支部已撤销" in _messages(late) and branch.members.count() == 1


def test_a_member_gets_a_login_with_an_activation_link_shown_once(client, incident, team):
    member = MemberFactory(incident=incident, team=team, name="张采样")
    response = client.post(f"/workforce/members/{member.pk}/account/")
    member.refresh_from_db()
    assert member.user is not None and member.user.role == Role.MEMBER
    assert not member.user.has_usable_password()
    assert "/activate/" in response.content.decode()
    again = client.post(f"/workforce/members/{member.pk}/account/", follow=True)
    assert "已有登录账号" in _messages(again)


def test_a_team_is_demobilised_with_the_editions_observation(client, team) -> None:
    team.arrived_on = dt.date(2022, 3, 6)
    team.save()
    early = client.post(
        f"/workforce/teams/{team.pk}/demobilise/", {"on": "2022-03-01"}, follow=True
    )
    assert "撤离日期早于抵达日期" in _messages(early)
    client.post(f"/workforce/teams/{team.pk}/demobilise/", {"on": "2022-03-20"})
    team.refresh_from_db()
    assert team.demobilised_on == dt.date(2022, 3, 20)
    days = team.incident.policy_edition.rule("workforce", "post_duty_observation_days", default=0)
    expected = dt.date(2022, 3, 20) + dt.timedelta(days=days) if days else None
    assert team.observation_until == expected
    assert "已撤离 03-20" in client.get(f"/workforce/teams/{team.pk}/").content.decode()


def test_an_organisation_registers_its_list_and_names_a_coordinator(client, incident) -> None:
    from tongxin.workforce.models import VolunteerOrg

    client.post("/workforce/organisations/", {"name": "蓝天救援队", "kind": "rescue"})
    org = VolunteerOrg.objects.get()
    sheet = "姓名,手机号,资质\n周志愿,13700000001,登记\n吴志愿,13700000002,火箭\n"
    upload = SimpleUploadedFile("名单.csv", sheet.encode(), content_type="text/csv")
    page = client.post(f"/workforce/organisations/{org.pk}/", {"file": upload}).content.decode()
    assert "共 2 行：新增 1 人，更新 0 人，未导入 1 行。" in page
    assert "第 3 行：资质无法识别：火箭" in page
    volunteer = Member.objects.get()
    assert volunteer.is_volunteer and volunteer.verification == "pending"
    client.post(
        f"/workforce/organisations/{org.pk}/", {"action": "coordinator", "member": volunteer.pk}
    )
    org.refresh_from_db()
    assert org.coordinator == volunteer

    unit = UnitFactory(name="县水利局")
    leader = Client()
    leader.force_login(UserFactory(role=Role.UNIT_LEADER, unit=unit))
    assert leader.get(f"/workforce/organisations/{org.pk}/").status_code == 404


def test_the_organisation_department_reads_its_figures_on_the_branches_page(
    client, incident, team
) -> None:
    MemberFactory(incident=incident, team=team, party_status="full")
    MemberFactory(incident=incident, team=team, party_status="probationary")
    MemberFactory(incident=incident, team=team)
    found_branch(incident, "临时党支部", scope="team", team=team, founded_on=local(6).date())
    page = client.get("/workforce/branches/").content.decode()
    assert "党员动员情况" in page
    assert '<span class="big">3</span> 动员人员' in page
    assert '<span class="big">1</span> 正式党员' in page
    assert '<span class="big">1/1</span> 支部（现有/累计成立）' in page
    leader = Client()
    leader.force_login(UserFactory(role=Role.UNIT_LEADER, unit=UnitFactory()))
    assert "党员动员情况" not in leader.get("/workforce/branches/").content.decode()
