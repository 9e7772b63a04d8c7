"""Every request gets its number at once — sequential per day — and the resident gets it by SMS."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase

from tongxin.core.crypto import blind_index
from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services import numbers
from tongxin.notifications.models import Delivery, DeliveryStatus
from tongxin.notifications.services import retry_due
from tongxin.notifications.sms import SmsBackend, SmsError

from .conftest import T0, ask, sms_sent

pytestmark = pytest.mark.django_db


def test_numbers_run_on_per_day_and_restart_the_next_day() -> None:
    first = ask(at=T0)
    second = ask(phone="13912345679", at=T0 + dt.timedelta(minutes=1))
    # 2022-03-07 00:30 in the county.
    next_day = ask(phone="13912345670", at=dt.datetime(2022, 3, 6, 16, 30, tzinfo=dt.UTC))
    assert [first.number, second.number, next_day.number] == [
        "QZ20220306-0001",
        "QZ20220306-0002",
        "QZ20220307-0001",
    ]


def test_a_block_of_numbers_is_consecutive() -> None:
    ask(at=T0)
    assert numbers.reserve(dt.date(2022, 3, 6), 3) == [
        "QZ20220306-0002",
        "QZ20220306-0003",
        "QZ20220306-0004",
    ]


@pytest.mark.django_db(transaction=True)
def test_intakes_at_the_same_moment_get_different_numbers() -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "the shared in-memory SQLite test database fails a second writer at once instead "
            "of making it wait; PostgreSQL (or a file database) lets the row lock serialize them"
        )
    barrier = threading.Barrier(4)
    got: list[str] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            barrier.wait(timeout=5)
            got.append(numbers.next_number(T0))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert sorted(got) == [f"QZ20220306-000{i}" for i in range(1, 5)]


def test_the_resident_gets_the_number_by_sms(settings: Any) -> None:
    request = ask(phone="139 1234 5678")
    [message] = sms_sent(settings)
    assert request.number in message["text"]
    assert "https://tongxin.example.cn/help/status/" in message["text"]
    assert message["to"] == "139****5678"
    assert message["to_bidx"] == blind_index("phone", "13912345678")
    # Through the notification service: listed, retried and reported like every SMS.
    delivery = Delivery.objects.get(notification__kind="request_received")
    assert (delivery.status, delivery.phone_masked) == (DeliveryStatus.DELIVERED, "139****5678")
    assert request.events.filter(kind="sms").exists()


def test_a_landline_gets_no_sms_but_the_request_stands(settings: Any) -> None:
    request = ask(phone="0570-6012345")
    assert request.phone_masked.startswith("057") and not request.phone_is_mobile
    assert sms_sent(settings) == []
    assert not Delivery.objects.exists()
    assert HelpRequest.objects.filter(pk=request.pk).exists()


class _Down(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise SmsError("provider unavailable")


def test_an_sms_the_provider_refused_is_retried(settings: Any) -> None:
    settings.TONGXIN_SMS_BACKEND = f"{__name__}._Down"
    request = ask()
    queued = Delivery.objects.get(notification__kind="request_received")
    assert (queued.status, queued.attempts) == (DeliveryStatus.PENDING, 1)
    assert "provider unavailable" in queued.last_error

    settings.TONGXIN_SMS_BACKEND = "tongxin.notifications.sms.FileSmsBackend"
    retry_due(queued.next_attempt_at + dt.timedelta(seconds=1))  # `tongxin notifications retry`
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.DELIVERED
    assert request.number in sms_sent(settings)[0]["text"]


def test_closing_tells_the_resident(settings: Any, desk, supplies: Any) -> None:
    from tongxin.helpdesk.services import close, dispatch, log_contact

    request = ask(at=T0)
    dispatch(request, supplies.unit, desk, now=T0)
    log_contact(request, supplies.a, "called", now=T0 + dt.timedelta(minutes=5))
    with TestCase.captureOnCommitCallbacks(execute=True):
        close(request, supplies.a, "已送菜", now=T0 + dt.timedelta(hours=1))
    texts = [m["text"] for m in sms_sent(settings)]
    assert len(texts) == 2 and "已办结" in texts[1] and request.number in texts[1]
