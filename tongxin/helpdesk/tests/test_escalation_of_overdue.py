"""Overdue requests escalate — to the team lead, then the command post — through a periodic
sweep that tells nobody twice, and show in red on every board."""

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongxin.helpdesk.models import Escalation, EventKind, HelpRequest
from tongxin.helpdesk.services import claim, dispatch, log_contact, sweep
from tongxin.notifications.models import Message

from .conftest import T0, Team, ask

pytestmark = pytest.mark.django_db


def _inbox(user: Any, kind: str) -> list[Message]:
    return list(Message.objects.filter(user=user, notification__kind=kind))


@pytest.fixture
def late(desk, supplies: Team) -> HelpRequest:
    """Urgent (透析): first contact due 30 minutes after it came in."""
    request = ask("透析病人明天怎么去医院", at=T0)
    dispatch(request, supplies.unit, desk, now=T0 + dt.timedelta(minutes=5))
    return claim(request, supplies.a, now=T0 + dt.timedelta(minutes=6))


def test_first_the_team_lead_then_the_command_post_each_once(
    late: HelpRequest, supplies: Team, chief, settings: Any
) -> None:
    settings.TONGXIN_HELPDESK_ESCALATION_MINUTES = 30
    assert late.contact_due_at == T0 + dt.timedelta(minutes=30)

    assert sweep(T0 + dt.timedelta(minutes=29)).reminded == []

    first = sweep(T0 + dt.timedelta(minutes=31))
    assert first.reminded == [late] and first.escalated == []
    late.refresh_from_db()
    assert (late.escalation_level, late.was_overdue) == (Escalation.TEAM_LEAD, True)
    assert len(_inbox(supplies.lead, "request_overdue")) == 1
    assert len(_inbox(supplies.a, "request_overdue")) == 1  # the one who claimed it
    assert _inbox(chief, "request_escalated") == []

    # Run again (cron every 5 minutes) inside the grace period: nobody hears twice.
    again = sweep(T0 + dt.timedelta(minutes=36))
    assert again.reminded == [] and again.escalated == []
    assert len(_inbox(supplies.lead, "request_overdue")) == 1

    after_grace = sweep(T0 + dt.timedelta(minutes=62))
    assert after_grace.escalated == [late]
    [message] = _inbox(chief, "request_escalated")
    assert late.number in message.notification.body
    sweep(T0 + dt.timedelta(minutes=90))
    assert len(_inbox(chief, "request_escalated")) == 1
    late.refresh_from_db()
    assert late.escalation_level == Escalation.COMMAND_POST
    levels = list(
        late.events.filter(kind=EventKind.ESCALATED).values_list("data__level", flat=True)
    )
    assert levels == [1, 2]


def test_a_request_nobody_dispatched_alerts_the_duty_staff(desk) -> None:
    request = ask("家里没菜了", at=T0)  # normal: two hours
    sweep(T0 + dt.timedelta(hours=2, minutes=1))
    request.refresh_from_db()
    assert request.escalation_level == Escalation.TEAM_LEAD
    assert len(_inbox(desk, "request_overdue")) == 1


def test_reaching_the_resident_in_time_stops_it(late: HelpRequest, supplies: Team) -> None:
    log_contact(late, supplies.a, "called", now=T0 + dt.timedelta(minutes=20))
    assert sweep(T0 + dt.timedelta(minutes=40)).reminded == []
    late.refresh_from_db()
    assert not late.was_overdue
    # …until the closing limit (4 hours for urgent) passes.
    assert sweep(T0 + dt.timedelta(hours=4, minutes=1)).reminded == [late]


def test_the_sweep_command(late: HelpRequest, supplies: Team, capsys: Any) -> None:
    HelpRequest.objects.filter(pk=late.pk).update(
        contact_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    call_command("helpdesk", "sweep")
    assert "reminded 1" in capsys.readouterr().out
    call_command("helpdesk", "sweep")
    assert "reminded 0" in capsys.readouterr().out


def test_overdue_shows_red_on_every_board(client: Any, desk, chief, supplies: Team) -> None:
    request = ask("胸痛", at=timezone.now() - dt.timedelta(hours=1))
    dispatch(request, supplies.unit, desk)
    pages = [
        (desk, reverse("helpdesk:queue")),
        (chief, reverse("helpdesk:county")),
        (supplies.a, reverse("helpdesk:team")),
        (supplies.a, reverse("helpdesk:detail", args=[request.number])),
    ]
    for user, url in pages:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert request.number in page, url
        assert 'class="tag overdue"' in page and "超时" in page, url
