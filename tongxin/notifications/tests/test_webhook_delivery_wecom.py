from typing import Any

import pytest

from tongxin.accounts.models import User
from tongxin.notifications.models import Delivery, DeliveryStatus, GroupRobot, Platform
from tongxin.notifications.services import notify
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db


def test_a_unit_robot_receives_the_wecom_markdown_message(
    robot_server: Any, unit: Unit, leader: User, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.TONGXIN_SITE_URL = "https://tongxin.example.gov.cn"
    robot = GroupRobot.objects.create(
        unit=unit, name="水利局防疫群", platform=Platform.WECOM,
        webhook_url=robot_server.url("/cgi-bin/webhook/send?key=test-key-1"),
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            "zone_designated",
            units=[unit],
            context={"place": "阳光小区", "zone": "管控区", "reason": "发现阳性病例"},
            link="/zones/1/",
        )

    assert len(robot_server.received) == 1
    got = robot_server.received[0]
    assert got.path == "/cgi-bin/webhook/send"
    assert got.query == {"key": ["test-key-1"]}
    assert got.headers["content-type"].startswith("application/json")
    assert got.body["msgtype"] == "markdown"
    content = got.body["markdown"]["content"]
    assert content.startswith("**【同心】阳光小区 划为管控区**")
    assert "理由：发现阳性病例" in content
    assert "[查看详情](https://tongxin.example.gov.cn/zones/1/)" in content

    delivery = Delivery.objects.get(robot=robot)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    attempt = delivery.attempt_log.get()
    assert attempt.ok and attempt.status_code == 200 and attempt.error == ""


def test_a_text_format_robot_gets_a_text_message_without_links_when_no_site_url(
    robot_server: Any, unit: Unit, django_capture_on_commit_callbacks: Any
) -> None:
    GroupRobot.objects.create(
        unit=unit, name="群", platform=Platform.WECOM, message_format="text",
        webhook_url=robot_server.url("/cgi-bin/webhook/send?key=k"),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_lifted", units=[unit], context={"place": "阳光小区", "zone": "管控区"},
               link="/zones/1/")  # fmt: skip
    body = robot_server.received[0].body
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith("【同心】阳光小区 解除管控区")
    assert "/zones/1/" not in body["text"]["content"]
