import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.notifications.models import (
    Delivery,
    DeliveryStatus,
    GroupRobot,
    Message,
    Platform,
)
from tongxin.notifications.services import notify, resend, retry_due, unread_count
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(robot_server: Any, unit: Unit, settings: Any) -> GroupRobot:
    settings.TONGXIN_NOTIFY_MAX_ATTEMPTS = 3
    settings.TONGXIN_NOTIFY_RETRY_BASE_SECONDS = 60
    robot_server.status = 500
    robot_server.answer = {"error": "internal"}
    return GroupRobot.objects.create(
        unit=unit, name="水利局群", platform=Platform.WECOM,
        webhook_url=robot_server.url("/cgi-bin/webhook/send?key=k"),
    )  # fmt: skip


def test_a_failing_robot_is_retried_with_backoff_then_reported_once(
    failing: GroupRobot, robot_server: Any, sysadmin: User, chief: User, client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_lifted", units=[failing.unit], context={"place": "阳光小区", "zone": "管控区"})

    delivery = Delivery.objects.get(robot=failing)
    first_try = delivery.attempt_log.get().attempted_at
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at == first_try + dt.timedelta(seconds=60)

    # Not due yet: the sweep leaves it alone.
    assert retry_due(now=first_try + dt.timedelta(seconds=59)).attempted == 0

    second = retry_due(now=first_try + dt.timedelta(seconds=61))
    assert (second.attempted, second.pending) == (1, 1)
    delivery.refresh_from_db()
    # Backoff doubles: the third try waits 120 s after the second.
    assert delivery.next_attempt_at == first_try + dt.timedelta(seconds=61 + 120)
    assert unread_count(sysadmin) == 0

    third = retry_due(now=first_try + dt.timedelta(seconds=61 + 121))
    assert third.failed == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.reported_at is not None
    attempts = list(delivery.attempt_log.values_list("number", "ok", "status_code", "error"))
    assert attempts == [(n, False, 500, "HTTP 500") for n in (1, 2, 3)]
    assert len(robot_server.received) == 3

    # Reported: an in-app message to the system administrator ...
    report = Message.objects.get(user=sysadmin).notification
    assert report.kind == "delivery_failed"
    assert "工作群机器人发送失败" in report.title and "水利局群" in report.title
    assert "已尝试 3 次" in report.body
    # ... which goes nowhere but the inbox (no robot post about the failing robot).
    assert report.deliveries.count() == 0
    # ... and on the command post's page.
    client.force_login(chief)
    page = client.get(reverse("notifications:deliveries"))
    assert page.status_code == 200
    assert "发送失败" in page.content.decode() and "水利局群" in page.content.decode()

    # Later sweeps neither retry nor report it again.
    assert retry_due(now=first_try + dt.timedelta(days=1)).attempted == 0
    assert Message.objects.filter(user=sysadmin).count() == 1


def test_a_robot_answering_200_with_an_error_code_counts_as_failed(
    failing: GroupRobot, robot_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    robot_server.status = 200
    robot_server.answer = {"errcode": 45009, "errmsg": "api freq out of limit"}
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_lifted", units=[failing.unit], context={"place": "阳光小区", "zone": "管控区"})
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "errcode 45009: api freq out of limit"
    assert delivery.attempt_log.get().status_code == 200


def test_a_failed_delivery_can_be_resent_after_the_robot_is_fixed(
    failing: GroupRobot, robot_server: Any, sysadmin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_lifted", units=[failing.unit], context={"place": "阳光小区", "zone": "管控区"})
    later = timezone.now() + dt.timedelta(hours=1)
    retry_due(now=later)
    retry_due(now=later + dt.timedelta(hours=1))
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED

    robot_server.status = 200
    robot_server.answer = {"errcode": 0, "errmsg": "ok"}
    with django_capture_on_commit_callbacks(execute=True):
        resend(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert list(delivery.attempt_log.values_list("number", "ok")) == [
        (1, False), (2, False), (3, False), (4, True),
    ]  # fmt: skip
