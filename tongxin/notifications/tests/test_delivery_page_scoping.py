from typing import Any

import pytest
from django.urls import reverse

from tongxin.accounts.models import User
from tongxin.notifications.models import Delivery, DeliveryStatus, GroupRobot, Platform
from tongxin.notifications.services import notify
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db


def test_only_the_command_post_and_sysadmins_see_deliveries(
    client: Any, unit: Unit, leader: User, chief: User, sysadmin: User
) -> None:
    GroupRobot.objects.create(unit=unit, name="群", platform=Platform.WECOM,
                              webhook_url="https://example.invalid/hook?key=k")  # fmt: skip
    notify("zone_designated", units=[unit], context={"place": "甲", "zone": "乙"})
    delivery = Delivery.objects.filter(robot__isnull=False).get()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)

    client.force_login(leader)
    assert client.get(reverse("notifications:deliveries")).status_code == 403
    assert client.post(reverse("notifications:resend", args=[delivery.pk])).status_code == 403
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED
    assert list(Delivery.objects.visible_to(leader)) == []

    for watcher in (chief, sysadmin):
        client.force_login(watcher)
        page = client.get(reverse("notifications:deliveries"))
        assert page.status_code == 200 and "县水利局 · 群" in page.content.decode()
        # The SMS line names the person and a masked number, never the number itself.
        all_page = client.get(reverse("notifications:deliveries") + "?status=pending")
        assert "138****8000" in all_page.content.decode()
        assert "13800138000" not in all_page.content.decode()
