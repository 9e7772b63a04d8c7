"""notify(..., phones=[...]): SMS to households that have no account, delivered, retried and
reported like users' SMS, without the numbers in clear anywhere but the provider call."""

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from tongxin.accounts.models import Role, User
from tongxin.core.crypto import blind_index
from tongxin.factories import UserFactory
from tongxin.notifications.kinds import Channel
from tongxin.notifications.models import Delivery, DeliveryStatus, Message, Notification
from tongxin.notifications.services import notify, retry_due
from tongxin.notifications.sms import SmsBackend, SmsError

pytestmark = pytest.mark.django_db

HOUSEHOLD_A = "13912345678"
HOUSEHOLD_B = "15057001234"
ZONE = {"place": "阳光小区", "zone": "管控区", "reason": "阳性"}


class RefusingSms(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise SmsError(f"gateway refused {phone}")


class CrashingSms(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise RuntimeError(f"unexpected crash for {phone}")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _raw_rows() -> str:
    """Every stored column of this app's tables, as the database holds them."""
    dumped = []
    with connection.cursor() as cursor:
        for table in (
            "notifications_delivery",
            "notifications_deliveryattempt",
            "notifications_notification",
            "notifications_message",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dumped.append(repr(cursor.fetchall()))
    return "\n".join(dumped)


def test_each_valid_number_gets_the_kinds_text_once_masked_in_the_outbox(
    sms_file: Path, leader: User, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    phones = [
        HOUSEHOLD_A,
        "+86 139-1234-5678",  # the same number written differently
        HOUSEHOLD_B,
        "12345",  # not a mobile number
        "0571-8888888x",  # not a number at all
        "",
        "138-0013-8000",  # the leader's own, texted as a user already: one message per number
    ]
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify("zone_designated", users=[leader], context=ZONE, phones=phones)

    assert [m.user for m in messages] == [leader]  # phones have no inbox
    lines = _lines(sms_file)
    assert sorted(line["to"] for line in lines) == ["138****8000", "139****5678", "150****1234"]
    assert {line["to_bidx"] for line in lines} == {
        blind_index("phone", n) for n in (leader.phone, HOUSEHOLD_A, HOUSEHOLD_B)
    }
    # A household reads what a user reads: the kind's rendered message.
    assert len({line["text"] for line in lines}) == 1
    assert lines[0]["text"].startswith("阳光小区 划为管控区\n") and "理由：阳性" in lines[0]["text"]

    phone_deliveries = Delivery.objects.filter(channel=Channel.SMS, user__isnull=True)
    assert sorted(d.phone for d in phone_deliveries) == [HOUSEHOLD_A, HOUSEHOLD_B]
    assert {d.status for d in phone_deliveries} == {DeliveryStatus.DELIVERED}
    assert {d.recipient_label for d in phone_deliveries} == {"139****5678", "150****1234"}
    assert all(d.attempt_log.get().ok for d in phone_deliveries)

    # Invalid entries are counted, never echoed.
    assert "skipped 2 invalid phone number(s)" in caplog.text
    for secret in (HOUSEHOLD_A, HOUSEHOLD_B, "12345", "8888888", leader.phone):
        assert secret not in caplog.text
        assert secret not in sms_file.read_text(encoding="utf-8")
    # In the database the number is ciphertext plus the masked form.
    raw = _raw_rows()
    assert HOUSEHOLD_A not in raw and HOUSEHOLD_B not in raw and "139****5678" in raw


def test_phones_alone_are_texted_and_a_lone_string_is_one_number(
    sms_file: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert notify("zone_designated", context=ZONE, phones=HOUSEHOLD_A) == []
    assert [line["to"] for line in _lines(sms_file)] == ["139****5678"]
    assert Notification.objects.get().deliveries.get().phone == HOUSEHOLD_A


def test_internal_kinds_text_no_phone(sms_file: Path, sysadmin: User) -> None:
    notify("delivery_failed", users=[sysadmin], context={}, phones=[HOUSEHOLD_A])
    assert not Delivery.objects.exists()
    assert not sms_file.exists()


def test_a_refusing_gateway_is_retried_then_reported_masked(
    settings: Any, sysadmin: User, chief: User, client: Any, caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    settings.TONGXIN_SMS_BACKEND = f"{__name__}.RefusingSms"
    settings.TONGXIN_NOTIFY_MAX_ATTEMPTS = 3
    settings.TONGXIN_NOTIFY_RETRY_BASE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_designated", context=ZONE, phones=[HOUSEHOLD_A])

    delivery = Delivery.objects.get()
    first_try = delivery.attempt_log.get().attempted_at
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == first_try + dt.timedelta(seconds=60)

    assert retry_due(now=first_try + dt.timedelta(seconds=61)).pending == 1
    assert retry_due(now=first_try + dt.timedelta(seconds=61 + 121)).failed == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.reported_at is not None
    assert list(delivery.attempt_log.values_list("number", "ok", "error")) == [
        (n, False, "gateway refused 139****5678") for n in (1, 2, 3)
    ]

    report = Message.objects.get(user=sysadmin).notification
    assert report.kind == "delivery_failed"
    assert "短信发送失败" in report.title and "139****5678" in report.title
    assert "已尝试 3 次" in report.body

    client.force_login(chief)
    page = client.get(reverse("notifications:deliveries")).content.decode()
    assert "139****5678" in page and HOUSEHOLD_A not in page

    assert HOUSEHOLD_A not in _raw_rows()
    assert HOUSEHOLD_A not in caplog.text


def test_an_unexpected_crash_is_logged_and_stored_masked(
    settings: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    settings.TONGXIN_SMS_BACKEND = f"{__name__}.CrashingSms"
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_designated", context=ZONE, phones=[HOUSEHOLD_A])
    delivery = Delivery.objects.get()
    assert delivery.last_error == "RuntimeError: unexpected crash for 139****5678"
    assert "unexpected crash for 139****5678" in caplog.text  # the traceback is still logged
    assert HOUSEHOLD_A not in caplog.text
    assert HOUSEHOLD_A not in _raw_rows()


def test_the_admin_shows_the_masked_number_only(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_designated", context=ZONE, phones=[HOUSEHOLD_A])
    delivery = Delivery.objects.get()
    client.force_login(UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True))
    for url in (
        reverse("admin:notifications_delivery_changelist"),
        reverse("admin:notifications_delivery_change", args=[delivery.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "139****5678" in page.content.decode()
        assert HOUSEHOLD_A not in page.content.decode()


def test_an_sms_delivery_has_exactly_one_of_user_or_phone(leader: User) -> None:
    notification = Notification.objects.create(kind="zone_designated", title="t")
    for fields in ({}, {"user": leader, "phone": HOUSEHOLD_A}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.create(notification=notification, channel=Channel.SMS, **fields)
    Delivery.objects.create(notification=notification, channel=Channel.SMS, phone=HOUSEHOLD_A)
    assert Delivery.objects.get().phone_masked == "139****5678"
