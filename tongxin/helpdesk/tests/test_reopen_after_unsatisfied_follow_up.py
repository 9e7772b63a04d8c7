"""A follow-up call (回访) records satisfaction; an unsatisfied or wrongly closed request
reopens for the same team with fresh time limits."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import EventKind, HelpRequest, Satisfaction, Status
from tongxin.helpdesk.services import (
    HelpdeskError,
    claim,
    close,
    dispatch,
    follow_up,
    log_contact,
)
from tongxin.notifications.models import Message

from .conftest import T0, Team, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(desk, supplies: Team) -> HelpRequest:
    request = ask("两个孩子，家里没菜了", at=T0)
    dispatch(request, supplies.unit, desk, now=T0 + dt.timedelta(minutes=5))
    claim(request, supplies.a, now=T0 + dt.timedelta(minutes=6))
    log_contact(request, supplies.a, "called", now=T0 + dt.timedelta(minutes=20))
    return close(request, supplies.a, "已送蔬菜一箱", now=T0 + dt.timedelta(hours=2))


def test_unsatisfied_reopens_for_the_same_team_and_claimant(
    closed: HelpRequest, desk, supplies: Team
) -> None:
    at = T0 + dt.timedelta(hours=5)
    request = follow_up(closed, desk, satisfied=False, note="只送了菜，没有奶粉", now=at)

    assert request.status == Status.CLAIMED
    assert (request.team, request.claimed_by) == (supplies.unit, supplies.a)
    assert request.satisfaction == Satisfaction.UNSATISFIED
    assert request.reopened_count == 1
    assert request.closed_at is None and request.cycle_contact_at is None
    # Fresh limits from the reopening (normal: 2 hours to reach the resident again).
    assert request.contact_due_at == at + dt.timedelta(hours=2)
    # The first contact stays in the figures: the resident was answered then.
    assert request.first_contact_at == T0 + dt.timedelta(minutes=20)
    kinds = list(request.events.exclude(kind="sms").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.FOLLOWED_UP, EventKind.REOPENED]
    reopened = request.events.get(kind=EventKind.REOPENED)
    assert "不满意" in reopened.note and "奶粉" in reopened.note
    told = Message.objects.filter(notification__kind="request_reopened", user=supplies.a)
    assert told.count() == 1

    # It goes round again: reach the resident, close, and this time they are satisfied.
    log_contact(request, supplies.a, "delivered", now=at + dt.timedelta(minutes=40))
    close(request, supplies.a, "已补送奶粉", now=at + dt.timedelta(hours=1))
    request = follow_up(request, desk, satisfied=True, now=at + dt.timedelta(hours=3))
    assert (request.status, request.satisfaction) == (Status.CLOSED, Satisfaction.SATISFIED)


def test_satisfied_but_not_actually_solved_reopens_too(closed: HelpRequest, desk) -> None:
    request = follow_up(
        closed, desk, satisfied=True, wrongly_closed=True, note="居民说菜还没送到",
        now=T0 + dt.timedelta(hours=3),
    )  # fmt: skip
    assert request.status == Status.CLAIMED
    assert "未解决" in request.events.get(kind=EventKind.REOPENED).note


def test_satisfied_stays_closed(closed: HelpRequest, desk) -> None:
    request = follow_up(closed, desk, satisfied=True, now=T0 + dt.timedelta(hours=3))
    assert (request.status, request.reopened_count) == (Status.CLOSED, 0)


def test_only_duty_staff_follow_up_and_only_closed_requests(
    closed: HelpRequest, desk, supplies: Team
) -> None:
    with pytest.raises(HelpdeskError):
        follow_up(closed, supplies.lead, satisfied=False)
    open_one = ask(phone="13512340000", at=T0)
    with pytest.raises(HelpdeskError):
        follow_up(open_one, desk, satisfied=True)


def test_closing_needs_a_resolution_and_a_resident_reached(desk, supplies: Team) -> None:
    request = ask(at=T0)
    dispatch(request, supplies.unit, desk, now=T0)
    with pytest.raises(HelpdeskError, match="尚未联系上"):
        close(request, supplies.a, "已处理")
    log_contact(request, supplies.a, "no_answer", now=T0 + dt.timedelta(minutes=5))
    request.refresh_from_db()
    assert request.first_contact_at is None  # not answered: nobody picked up
    assert request.claimed_by == supplies.a  # logging on it took it on
    with pytest.raises(HelpdeskError, match="尚未联系上"):
        close(request, supplies.a, "已处理")
    log_contact(request, supplies.a, "visited", now=T0 + dt.timedelta(minutes=30))
    with pytest.raises(HelpdeskError, match="办理结果"):
        close(request, supplies.a, "  ")
    done = close(request, supplies.a, "已上门送菜", now=T0 + dt.timedelta(hours=1))
    assert done.status == Status.CLOSED and done.resolution == "已上门送菜"
    outcomes = list(done.events.filter(kind="contact").values_list("outcome", flat=True))
    assert outcomes == ["no_answer", "visited"]


def test_the_follow_up_form_reopens(client: Any, closed: HelpRequest, desk) -> None:
    client.force_login(desk)
    response = client.post(
        reverse("helpdesk:follow_up", args=[closed.number]), {"satisfied": "0", "note": "没送到"}
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == Status.CLAIMED and closed.reopened_count == 1
