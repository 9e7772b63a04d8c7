"""Every role lands on its work: the sampler its point and round, the lab the boxes on their way,
the help desk its queue, a support team what was dispatched to it, grid staff their unit's
directives, investigators the recalls, transfer staff the green-channel runs."""

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.home import panels_for
from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory
from tongxin.incidents.models import PolicyEdition
from tongxin.incidents.services import open_incident
from tongxin.units.models import UnitKind

FALLBACK = "开通后会出现在这里"


@pytest.fixture
def incident(world):
    return open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), timezone.now())


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_sampler_sees_their_point_and_round(client, world, incident):
    from tongxin.sampling.models import Box
    from tongxin.testing.models import RoundStatus
    from tongxin.testing.services.rounds import attach_point, create_point, create_round, set_status

    now = timezone.now()
    test_round = create_round(incident, "第一轮全员核酸", now, now + dt.timedelta(hours=12),
                              [world.sunshine], by=world.users["command"])  # fmt: skip
    set_status(test_round, RoundStatus.ACTIVE)
    point = create_point("阳光小区东门采样点", world.sunshine, dt.time(6), dt.time(20), 4)
    attach_point(test_round, point)
    sampler = UserFactory(role=Role.TEST_POINT, unit=world.users["leader"].unit)
    html = _home(client, sampler)
    assert "我的采样点" in html and "第一轮全员核酸" in html and "阳光小区东门采样点" in html
    assert reverse("sampling:point", args=[test_round.pk, point.pk]) in html
    assert FALLBACK not in html

    Box.objects.create(code="BOX-0001", round=test_round, point=point, status="in_transit",
                       sealed_count=30, sealed_at=now)  # fmt: skip
    lab = UserFactory(role=Role.LAB_LIAISON)
    html = _home(client, lab)
    assert "待接收 1 箱" in html and "BOX-0001" in html
    assert reverse("sampling:results") in html
    assert FALLBACK not in html


def test_the_help_desk_and_the_support_team_see_their_requests(client, world):
    from tongxin.helpdesk.services import dispatch
    from tongxin.helpdesk.services.intake import Intake, receive

    desk = UserFactory(role=Role.HELPDESK, unit=UnitFactory(name="求助平台", kind=UnitKind.OTHER))
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = receive(Intake(text="老人胸口疼，喘不上气", phone="13912345678")).request
    html = _home(client, desk)
    assert "值守队列" in html and request.number in html and "急危重症/临产" in html
    assert reverse("helpdesk:new") in html and reverse("helpdesk:follow_ups") in html
    assert FALLBACK not in html

    team = UnitFactory(name="县医疗保障组", kind=UnitKind.SUPPORT)
    member = UserFactory(role=Role.SUPPORT_TEAM, unit=team)
    assert request.number not in _home(client, member)
    dispatch(request, team, desk)
    html = _home(client, member)
    assert "转办给本组的求助" in html and request.number in html
    assert FALLBACK not in html


def test_grid_staff_see_their_units_directives(client, world, incident):
    from tongxin.directives import services

    services.issue_directive(
        incident=incident, issued_by=world.users["command"], title="入户排查独居老人",
        text="今晚完成", units=[world.users["grid"].unit],
        deadline=timezone.now() + dt.timedelta(hours=6),
    )  # fmt: skip
    html = _home(client, world.users["grid"])
    assert "待办指令 1 条" in html and "入户排查独居老人" in html


def test_investigators_and_transfer_staff_are_pointed_at_what_exists(client, world):
    from tongxin.care.models import GreenRun, Hospital

    html = _home(client, world.users["investigator"])
    assert "阳性管复核" in html and reverse("sampling:positives") in html
    assert FALLBACK not in html

    transfer = UserFactory(role=Role.TRANSFER)
    run = GreenRun.objects.create(
        township=world.sunshine.parent.parent, hospital=Hospital.objects.create(name="县人民医院"),
        date=timezone.localdate(), departs_at=dt.time(11, 30),
    )  # fmt: skip
    html = _home(client, transfer)
    assert "绿色通道专车" in html and "县人民医院" in html
    assert reverse("care:run", args=[run.pk]) in html
    assert FALLBACK not in html


def test_a_failing_panel_never_breaks_the_home_page(world, monkeypatch):
    from tongxin.accounts import home

    def broken(user):
        raise RuntimeError("module down")

    monkeypatch.setitem(
        home._panels, "broken",
        home.HomePanel("broken", frozenset({Role.INVESTIGATOR}), "x.html", broken, 0),
    )  # fmt: skip
    keys = [p.key for p in panels_for(world.users["investigator"])]
    assert "broken" not in keys and "sampling_recalls" in keys
