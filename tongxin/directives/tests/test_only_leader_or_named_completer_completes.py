"""办结 is the unit leader's (or the one person the leader names for the directive): grid staff
sign, report back and do their tasks, but cannot complete the unit's directive."""

import datetime as dt

import pytest
from django.urls import reverse

from tongxin.accounts.models import Role, User
from tongxin.directives import services
from tongxin.directives.models import DirectiveTarget, TargetStatus
from tongxin.factories import UserFactory
from tongxin.incidents.models import Incident

from .conftest import T0, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(incident: Incident, chief: User, water: Team) -> DirectiveTarget:
    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="核查", text="核查独居老人",
        units=[water.unit], deadline=T0 + dt.timedelta(hours=5), now=T0,
    )  # fmt: skip
    return directive.targets.get()


def test_grid_staff_report_back_but_cannot_complete(target: DirectiveTarget, water: Team) -> None:
    services.add_feedback(target, water.staff, "已核查3幢", now=T0 + dt.timedelta(minutes=5))
    with pytest.raises(services.DirectiveError) as refused:
        services.complete(target, water.staff, text="全部核查完", now=T0 + dt.timedelta(hours=1))
    assert str(refused.value) == "只有本单位负责人或指定的办结人可以办结"
    target.refresh_from_db()
    assert target.status == TargetStatus.IN_PROGRESS
    assert not services.can_complete(water.staff, target)


def test_the_leader_completes(target: DirectiveTarget, water: Team) -> None:
    assert services.can_complete(water.leader, target)
    services.complete(target, water.leader, text="全部核查完", now=T0 + dt.timedelta(hours=1))
    target.refresh_from_db()
    assert (target.status, target.completed_by) == (TargetStatus.COMPLETED, water.leader)


def test_the_leader_names_who_may_complete(target: DirectiveTarget, water: Team) -> None:
    other = UserFactory(role=Role.GRID_STAFF, unit=water.unit)
    with pytest.raises(services.DirectiveError):
        services.name_completer(target, water.staff, water.staff)  # staff cannot name themselves
    services.name_completer(target, water.leader, water.staff)
    assert services.can_complete(water.staff, target)
    assert not services.can_complete(other, target)
    services.complete(target, water.staff, text="全部核查完", now=T0 + dt.timedelta(hours=1))
    target.refresh_from_db()
    assert target.completed_by == water.staff


def test_the_page_offers_completion_only_to_who_may(client, target: DirectiveTarget, water: Team):
    url = reverse("directives:detail", args=[target.directive_id])
    client.force_login(water.staff)
    html = client.get(url).content.decode()
    assert "确认办结" not in html
    assert "办结由本单位负责人" in html
    response = client.post(reverse("directives:complete", args=[target.pk]), {"text": "完成"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status != TargetStatus.COMPLETED

    client.force_login(water.leader)
    html = client.get(url).content.decode()
    assert "确认办结" in html and "指定办结人" in html
