import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UserFactory, make_id_number
from tongxin.workforce.factories import MemberFactory
from tongxin.workforce.models import Member, PartyStatus, Verification, VolunteerOrg
from tongxin.workforce.services import WorkforceError
from tongxin.workforce.services.imports import import_members
from tongxin.workforce.services.teams import demobilise, dissolve, found_branch, log_activity

from .conftest import local

pytestmark = pytest.mark.django_db


def test_demobilisation_starts_the_editions_observation(incident, team) -> None:
    # 第八版 (np-8) in this incident: 14 days of post-duty observation.
    done = demobilise(team, local(20).date())
    assert done.observation_until == local(20).date().replace(day=20 + 14 - 31, month=4)
    with pytest.raises(WorkforceError, match="已撤离"):
        demobilise(team, local(21).date())


def test_a_branch_takes_party_members_only_and_logs_until_dissolved(incident, team) -> None:
    secretary = MemberFactory(incident=incident, team=team, party_status=PartyStatus.FULL)
    probationary = MemberFactory(incident=incident, party_status=PartyStatus.PROBATIONARY)
    applicant = MemberFactory(incident=incident, party_status=PartyStatus.APPLICANT, name="申请人")
    with pytest.raises(WorkforceError, match="申请人"):
        found_branch(incident, "临时党支部", scope="team", founded_on=local(6).date(),
                     secretary=secretary, members=[applicant])  # fmt: skip
    branch = found_branch(incident, "临时党支部", scope="team", founded_on=local(6).date(),
                          secretary=secretary, members=[probationary], team=team)  # fmt: skip
    assert set(branch.members.all()) == {secretary, probationary}
    log_activity(branch, "pioneer_post", "卡口党员先锋岗", local(7, 8))
    dissolve(branch, local(9).date())
    with pytest.raises(WorkforceError, match="已撤销"):
        log_activity(branch, "meeting", "总结会", local(10, 9))


def test_an_organisations_list_comes_in_as_volunteers_to_verify(tmp_path, incident, town) -> None:
    document = make_id_number()
    PersonFactory(document_number=document, household=town.h101)
    book = Workbook()
    book.active.append(["姓名", "手机号", "身份证号", "技能"])
    book.active.append(["蓝天队员", "13811110000", document, "司机"])
    path = tmp_path / "org.xlsx"
    book.save(path)
    result = import_members(path, incident, organisation="蓝天救援队")
    assert (result.created, result.rejected) == (1, 0)
    member = Member.objects.get()
    assert member.is_volunteer and member.verification == Verification.PENDING
    assert member.organisation == VolunteerOrg.objects.get(name="蓝天救援队")
    assert member.home == town.h101


def test_link_a_login_to_a_member(incident, team) -> None:
    member = MemberFactory(incident=incident, team=team, phone="13822223333")
    user = UserFactory(username="zhang", role=Role.MEMBER)
    out = io.StringIO()
    call_command("workforce", "link", "--phone", "13822223333", "--user", "zhang", stdout=out)
    member.refresh_from_db()
    assert member.user == user
