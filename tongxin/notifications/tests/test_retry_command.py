from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tongxin.accounts.models import User
from tongxin.notifications.models import Delivery, DeliveryStatus
from tongxin.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_the_retry_command_sends_what_is_due(sms_file: Path, leader: User, capsys: Any) -> None:
    # Without the commit hook firing (as when a worker never ran), the delivery waits.
    notify("directive_escalated", users=[leader], context={"units": ["甲"]})
    assert Delivery.objects.get().status == DeliveryStatus.PENDING

    call_command("notifications", "retry")
    assert "attempted 1: delivered 1" in capsys.readouterr().out
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert len(sms_file.read_text(encoding="utf-8").splitlines()) == 1

    call_command("notifications", "retry")
    assert "attempted 0" in capsys.readouterr().out
