import json

import pytest

from tongxin.incidents.registry import figures_providers, purge_handlers
from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Attendance, PartyStatus
from tongxin.workforce.services.shifts import assign
from tongxin.workforce.services.teams import found_branch

from .conftest import local

pytestmark = pytest.mark.django_db


def test_figures_count_without_personal_data(incident, team, town) -> None:
    provider = figures_providers()["workforce"]
    party = MemberFactory(incident=incident, team=team, party_status=PartyStatus.FULL,
                          phone="13811112222", name="党员甲")  # fmt: skip
    MemberFactory(incident=incident, team=team)
    MemberFactory(incident=incident, is_volunteer=True, verification="pending")
    post = make_post(incident, place=town.sunny)
    assign(make_shift(post, local(6, 5), 5), party, "sampling")
    Attendance.objects.create(member=party, post=post, checked_in_at=local(6, 5), client_id_in="1")
    found_branch(incident, "驰援医疗队临时党支部", scope="team", founded_on=local(6).date(),
                 secretary=party, team=team)  # fmt: skip

    data = provider(incident, at=local(6, 9))
    text = json.dumps(data, ensure_ascii=False)
    assert "13811112222" not in text and "党员甲" not in text
    assert data["mobilised_by_kind"] == {"medical": 2}
    assert data["party_members_by_status"]["full"] == 1
    assert data["party_members_by_township"] == {"芹阳办事处": 1}
    assert data["party_members_on_duty"] == 1
    assert data["branches"] == {"founded": 1, "active": 1}
    assert data["volunteers"] == {"registered": 1, "verified": 0, "on_duty": 0}
    assert data["on_duty"] == 1 and data["hours"] == 4.0


def test_purge_anonymises_members_and_is_safe_twice(incident, team) -> None:
    member = MemberFactory(incident=incident, team=team, name="王采样", phone="13811112222")
    handler = purge_handlers()["workforce"]
    assert handler(incident, dry_run=True) == {"members": 1}
    assert handler(incident, dry_run=False) == {"members": 1}
    member.refresh_from_db()
    assert member.name == "（已删除）" and "13811112222" not in member.phone
    assert handler(incident, dry_run=False) == {"members": 0}
