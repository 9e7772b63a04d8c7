"""Callback numbers and numbers typed into a request never reach the database, a page, the API
or a log in clear; the people who must call back reveal the number, and that is audited."""

import datetime as dt
import logging
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services import dispatch

from .conftest import T0, Team, Town, ask

pytestmark = pytest.mark.django_db

CALLBACK = "13987654321"
TYPED = "15812345678"
ID_NUMBER = "11010519491231002X"


def _database_text() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


@pytest.fixture
def request_(desk, supplies: Team, town: Town) -> HelpRequest:
    req = ask(f"我女儿电话 {TYPED[:3]} {TYPED[3:7]} {TYPED[7:]}，身份证{ID_NUMBER}，家里没菜",
              CALLBACK, place=town.h102, at=T0)  # fmt: skip
    return dispatch(req, supplies.unit, desk, now=T0 + dt.timedelta(minutes=2))


def test_nothing_in_clear(client: Any, request_: HelpRequest, desk, chief, supplies: Team,
                          town: Town, caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    assert "158****5678" in request_.text and TYPED not in request_.text
    texts = [_database_text()]
    for user, url in [
        (desk, reverse("helpdesk:queue")),
        (desk, reverse("helpdesk:detail", args=[request_.number])),
        (chief, reverse("helpdesk:county")),
        (supplies.a, reverse("helpdesk:team")),
        (town.water_leader, reverse("helpdesk:area")),
        (desk, "/api/v1/helpdesk/requests/"),
        (desk, f"/api/v1/helpdesk/requests/{request_.number}"),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    texts.append(caplog.text)
    everything = "\n".join(texts)
    assert request_.number in texts[2]
    for secret in (CALLBACK, TYPED, ID_NUMBER):
        assert secret not in everything


def test_the_team_reveals_the_callback_number_and_it_is_audited(
    client: Any, request_: HelpRequest, supplies: Team
) -> None:
    client.force_login(supplies.a)
    response = client.post(reverse("helpdesk:reveal", args=[request_.number, "phone"]))
    assert CALLBACK in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.actor, event.detail) == (supplies.a, {"field": "phone", "reason": ""})
    original = client.post(reverse("helpdesk:reveal", args=[request_.number, "text"]))
    assert TYPED[:3] in original.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL).count() == 2


def test_a_unit_that_only_watches_cannot_reveal(
    client: Any, request_: HelpRequest, town: Town
) -> None:
    client.force_login(town.water_leader)  # sees the request (its estate) but does not call
    assert client.get(reverse("helpdesk:detail", args=[request_.number])).status_code == 200
    response = client.post(reverse("helpdesk:reveal", args=[request_.number, "phone"]))
    assert response.status_code == 403
    assert CALLBACK not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
