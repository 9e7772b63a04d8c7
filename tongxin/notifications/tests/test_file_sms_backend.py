import json
from pathlib import Path
from typing import Any

import pytest

from tongxin.accounts.models import Role, User
from tongxin.core.crypto import blind_index
from tongxin.factories import UserFactory
from tongxin.notifications.kinds import Channel
from tongxin.notifications.models import Delivery, DeliveryStatus
from tongxin.notifications.services import notify, set_preference
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_file_backend_receives_the_sms_without_the_number_in_clear(
    sms_file: Path, unit: Unit, leader: User, django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_designated", units=[unit],
               context={"place": "阳光小区", "zone": "管控区", "reason": "阳性"})  # fmt: skip

    lines = _lines(sms_file)
    assert len(lines) == 1
    assert lines[0]["to"] == "138****8000"
    assert lines[0]["to_bidx"] == blind_index("phone", "13800138000")
    assert lines[0]["text"].startswith("阳光小区 划为管控区\n")
    assert "理由：阳性" in lines[0]["text"]
    assert "13800138000" not in sms_file.read_text(encoding="utf-8")
    assert "13800138000" not in caplog.text

    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.user == leader
    assert delivery.status == DeliveryStatus.DELIVERED
    assert "13800138000" not in str(delivery) and "138****8000" in str(delivery)


def test_no_sms_without_a_phone_or_when_the_user_turned_it_off(
    sms_file: Path, unit: Unit, leader: User, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(role=Role.GRID_STAFF, unit=unit, phone="")
    set_preference(user=leader, kind="zone_designated", channel=Channel.SMS, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify("zone_designated", units=[unit], context={"place": "甲", "zone": "乙"})
    assert len(messages) == 2  # both still get the inbox message
    assert not Delivery.objects.exists()
    assert not sms_file.exists()
