"""The driver's list lets the crew call a passenger: one tap reveals the number (audited) as a
tel: link, for the run's driver or escort around the run's date and for planners — nobody else,
and not for last month's runs."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.accounts.models import Role, User
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.care.models import Hospital, RunPassenger
from tongxin.care.services import runs
from tongxin.factories import UserFactory

from .conftest import MONDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_today(county: County, hospital: Hospital, chief: User, monkeypatch: Any) -> Any:
    monkeypatch.setattr(runs.timezone, "localdate", lambda: MONDAY)
    person = resident(county.sunny_101, "王大爷")
    person.phone = "13812345678"
    person.save()
    dialysis(person, hospital, "1")
    (run,) = runs.plan_runs(MONDAY).runs
    driver = UserFactory(role=Role.SUPPORT_TEAM, full_name="司机老张")
    runs.arrange(chief, run, vehicle="浙H·1", driver=driver, departs_at=dt.time(6, 30))
    return run, driver, RunPassenger.objects.get(run=run)


def test_the_driver_sees_a_call_button_and_gets_a_tel_link(client: Any, run_today: Any) -> None:
    run, driver, passenger = run_today
    client.force_login(driver)
    manifest = client.get(reverse("care:manifest", args=[run.pk])).content.decode()
    assert "拨打 138****5678" in manifest and "13812345678" not in manifest
    response = client.post(reverse("care:call", args=[passenger.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'href="tel:13812345678"' in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.actor, event.target_id, event.detail) == (
        driver, str(passenger.person_id), {"field": "phone", "reason": "专车接送：联系乘客"},
    )  # fmt: skip


def test_not_for_others_or_old_runs(client: Any, run_today: Any, monkeypatch: Any) -> None:
    _run, driver, passenger = run_today
    stranger = UserFactory(role=Role.SUPPORT_TEAM)
    client.force_login(stranger)
    assert client.post(reverse("care:call", args=[passenger.pk])).status_code == 404
    monkeypatch.setattr(runs.timezone, "localdate", lambda: MONDAY + dt.timedelta(days=30))
    client.force_login(driver)
    assert client.post(reverse("care:call", args=[passenger.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
