from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from tongxin.factories import UserFactory
from tongxin.notifications.models import GroupRobot
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_admin_stores_the_webhook_encrypted_and_never_shows_it_back(
    client: Any, unit: Unit
) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:notifications_grouprobot_add"),
        {
            "unit": unit.pk, "name": "水利局防疫群", "platform": "dingtalk",
            "message_format": "markdown", "is_active": "on",
            "new_webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=tok-secret",
            "new_secret": "SECabc123",
        },
    )  # fmt: skip
    assert response.status_code == 302
    robot = GroupRobot.objects.get()
    assert robot.webhook_url.endswith("access_token=tok-secret")
    assert robot.secret == "SECabc123"
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url, secret FROM notifications_grouprobot")
        raw = cursor.fetchone()
    assert "tok-secret" not in raw[0] and "SECabc123" not in raw[1]  # encrypted at rest

    for url in (
        reverse("admin:notifications_grouprobot_change", args=[robot.pk]),
        reverse("admin:notifications_grouprobot_changelist"),
    ):
        page = client.get(url).content.decode()
        assert "tok-secret" not in page and "SECabc123" not in page
    assert "https://oapi.dingtalk.com/robot/send" in page

    # Saving without retyping keeps the credentials.
    client.post(
        reverse("admin:notifications_grouprobot_change", args=[robot.pk]),
        {"unit": unit.pk, "name": "改名", "platform": "dingtalk", "message_format": "text",
         "is_active": "on"},
    )  # fmt: skip
    robot.refresh_from_db()
    assert robot.name == "改名" and robot.secret == "SECabc123"
    assert robot.webhook_url.endswith("access_token=tok-secret")


def test_a_signed_out_badge_poll_swaps_nothing(client: Any) -> None:
    assert client.get(reverse("notifications:badge")).status_code == 204
