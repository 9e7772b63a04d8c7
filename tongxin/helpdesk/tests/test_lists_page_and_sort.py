"""Every help-desk list pages and puts what the worker needs next on top: the follow-up list
counts all, pages, opens on the request just closed (or the backlog, or by urgency) and finds a
number; the queue and the area list page with the true total."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services import boards, claim, close, dispatch, log_contact

from .conftest import T0, Team, ask

pytestmark = pytest.mark.django_db


def _closed(n: int, desk: Any, team: Team) -> list[HelpRequest]:
    done = []
    for i in range(n):
        at = T0 + dt.timedelta(minutes=10 * i)
        request = ask("需要买菜" if i != 2 else "老人胸口疼", f"1391234{i:04d}", at=at)
        dispatch(request, team.unit, desk, now=at + dt.timedelta(minutes=1))
        claim(request, team.a, now=at + dt.timedelta(minutes=2))
        log_contact(request, team.a, "called", now=at + dt.timedelta(minutes=2))
        done.append(close(request, team.a, "已送达", now=at + dt.timedelta(minutes=3)))
    return done


def _numbers(html: str, rows: list[HelpRequest]) -> list[str]:
    found = [(html.index(r.number), r.number) for r in rows if r.number in html]
    return [number for _at, number in sorted(found)]


def test_the_just_closed_request_opens_the_follow_up_list(client, desk, supplies, monkeypatch):
    monkeypatch.setattr(boards, "PER_PAGE", 2)
    rows = _closed(5, desk, supplies)
    client.force_login(desk)
    url = reverse("helpdesk:follow_ups")
    html = client.get(url).content.decode()
    assert "5 件" in html  # the header counts all of them, not the page
    assert _numbers(html, rows) == [rows[4].number, rows[3].number]  # the latest closing first
    assert "第 1 / 3 页" in html
    assert _numbers(client.get(url, {"page": 3}).content.decode(), rows) == [rows[0].number]

    oldest = client.get(url, {"order": "oldest"}).content.decode()
    assert _numbers(oldest, rows) == [rows[0].number, rows[1].number]
    urgent = client.get(url, {"order": "urgent"}).content.decode()
    assert _numbers(urgent, rows)[0] == rows[2].number  # the emergency first
    found = client.get(url, {"number": rows[1].number}).content.decode()
    assert _numbers(found, rows) == [rows[1].number]


def test_the_queue_pages_with_its_true_total(client, desk, monkeypatch):
    monkeypatch.setattr(boards, "PER_PAGE", 2)
    asked = [ask("需要买菜", f"1391234{i:04d}", at=T0 + dt.timedelta(minutes=i)) for i in range(3)]
    urgent = ask("我爸突然晕倒了", "13912349999", at=T0 + dt.timedelta(minutes=9))
    client.force_login(desk)
    html = client.get(reverse("helpdesk:queue")).content.decode()
    assert "4 件未办结" in html and "第 1 / 2 页" in html
    assert _numbers(html, [*asked, urgent]) == [urgent.number, asked[0].number]
    second = client.get(reverse("helpdesk:queue"), {"page": 2}).content.decode()
    assert _numbers(second, [*asked, urgent]) == [asked[1].number, asked[2].number]
