from typing import Any

import pytest

from tongxin.accounts.models import User
from tongxin.notifications import tasks
from tongxin.notifications.models import Delivery, DeliveryStatus, GroupRobot, Platform
from tongxin.notifications.services import notify, retry_due
from tongxin.notifications.sms import SmsBackend, SmsError
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db


class BrokenSms(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise SmsError(f"gateway refused {phone}")


class CrashingSms(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise RuntimeError(f"unexpected crash for {phone}")


def _closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k"


def test_channels_down_do_not_fail_notify(
    settings: Any, unit: Unit, leader: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TONGXIN_SMS_BACKEND = f"{__name__}.BrokenSms"
    GroupRobot.objects.create(unit=unit, name="群", platform=Platform.WECOM,
                              webhook_url=_closed_port_url())  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        messages = notify("zone_designated", units=[unit], context={"place": "甲", "zone": "乙"})

    assert [m.user for m in messages] == [leader]
    sms = Delivery.objects.get(channel="sms")
    robot = Delivery.objects.get(channel="robot")
    assert sms.status == robot.status == DeliveryStatus.PENDING
    # What was stored about the failure never holds the number.
    assert sms.last_error == "gateway refused 138****8000"
    assert robot.last_error.startswith("无法连接")
    assert "key=k" not in robot.last_error


def test_an_unexpected_backend_crash_is_caught_and_scrubbed(
    settings: Any, unit: Unit, leader: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TONGXIN_SMS_BACKEND = f"{__name__}.CrashingSms"
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_designated", users=[leader], context={"place": "甲", "zone": "乙"})
    sms = Delivery.objects.get()
    assert sms.status == DeliveryStatus.PENDING
    assert sms.last_error == "RuntimeError: unexpected crash for 138****8000"


def test_a_task_queue_that_is_down_leaves_the_delivery_for_the_sweep(
    monkeypatch: pytest.MonkeyPatch, sms_file: Any, unit: Unit, leader: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(type(tasks.deliver), "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify("zone_designated", users=[leader], context={"place": "甲", "zone": "乙"})
    assert len(messages) == 1
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert not sms_file.exists()

    assert retry_due().delivered == 1
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert sms_file.exists()
