"""Dispatch (转办) to a team with the time limit of the request's priority, told through the
notification service; re-dispatching releases the claim; a team can hand a request back."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import EventKind, Status
from tongxin.helpdesk.services import HelpdeskError, claim, dispatch, return_to_desk
from tongxin.notifications.models import Delivery, GroupRobot, Message

from .conftest import T0, Team, Town, ask

pytestmark = pytest.mark.django_db


def test_the_team_is_told_in_its_inbox_by_sms_and_on_its_group_robot(desk, supplies: Team) -> None:
    robot = GroupRobot.objects.create(
        unit=supplies.unit, name="物资组群", platform="wecom",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
    )  # fmt: skip
    request = ask("两个孩子，家里没菜了", at=T0)
    dispatch(request, supplies.unit, desk, note="请今晚送到", now=T0 + dt.timedelta(minutes=3))

    members = {m.user for m in Message.objects.filter(notification__kind="request_dispatched")}
    assert members == {supplies.lead, supplies.a, supplies.b}
    message = Message.objects.filter(notification__kind="request_dispatched").first()
    assert message is not None
    assert request.number in message.notification.title
    assert "请今晚送到" in message.notification.body
    assert "22:00" in message.notification.body  # contact due: 20:00 + 2 hours, county time
    deliveries = Delivery.objects.filter(notification=message.notification)
    assert deliveries.filter(channel="robot", robot=robot).exists()
    assert deliveries.filter(channel="sms", user=supplies.lead).exists()  # the one with a phone


def test_the_time_limit_follows_the_priority(settings: Any) -> None:
    settings.TONGXIN_HELPDESK_LIMITS = {"urgent": {"contact": 15}}
    assert ask("透析", at=T0).contact_due_at == T0 + dt.timedelta(minutes=15)
    normal = ask("买菜", "13512345678", at=T0)
    assert normal.contact_due_at == T0 + dt.timedelta(hours=2)
    assert normal.close_due_at == T0 + dt.timedelta(hours=24)


def test_dispatching_elsewhere_releases_the_claim(desk, supplies: Team, medical: Team) -> None:
    request = ask("需要配药", at=T0)
    dispatch(request, supplies.unit, desk, now=T0)
    claim(request, supplies.a, now=T0 + dt.timedelta(minutes=1))
    request = dispatch(request, medical.unit, desk, now=T0 + dt.timedelta(minutes=5))
    assert (request.team, request.claimed_by, request.status) == (
        medical.unit, None, Status.DISPATCHED,
    )  # fmt: skip
    with pytest.raises(HelpdeskError):
        claim(request, supplies.a)
    assert claim(request, medical.a).claimed_by == medical.a


def test_a_team_hands_back_what_is_not_theirs_with_a_reason(desk, supplies: Team) -> None:
    request = ask("隔离政策咨询", at=T0)
    dispatch(request, supplies.unit, desk, now=T0)
    with pytest.raises(HelpdeskError, match="原因"):
        return_to_desk(request, supplies.a, " ")
    request = return_to_desk(request, supplies.a, "属政策咨询，请平台解答")
    assert (request.status, request.team) == (Status.RECEIVED, None)
    assert request.events.filter(kind=EventKind.RETURNED).get().note == "属政策咨询，请平台解答"


def test_the_detail_page_dispatches_and_suggests_the_responsible_unit(
    client: Any, desk, supplies: Team, town: Town
) -> None:
    request = ask("家里没菜了", at=T0, place=town.h102)
    client.force_login(desk)
    page = client.get(reverse("helpdesk:detail", args=[request.number])).content.decode()
    assert "包干单位：县水利局" in page
    response = client.post(
        reverse("helpdesk:dispatch", args=[request.number]), {"team": town.water.pk}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.team == town.water and request.priority_confirmed_by == desk
    client.force_login(town.water_grid)
    page = client.get(reverse("helpdesk:team")).content.decode()
    assert request.number in page and "待认领" in page
