import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote_plus

import pytest

from tongxin.notifications.models import Delivery, DeliveryStatus, GroupRobot, Platform
from tongxin.notifications.robots import dingtalk_sign, dingtalk_signed_url
from tongxin.notifications.services import notify
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db

SECRET = "SECdemo0123456789abcdef"


def test_a_signed_dingtalk_robot_gets_a_valid_signature_and_markdown(
    robot_server: Any, unit: Unit, django_capture_on_commit_callbacks: Any
) -> None:
    GroupRobot.objects.create(
        unit=unit, name="钉钉群", platform=Platform.DINGTALK, secret=SECRET,
        webhook_url=robot_server.url("/robot/send?access_token=tok-1"),
    )  # fmt: skip
    before = int(time.time() * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_designated", units=[unit],
               context={"place": "阳光小区2幢", "zone": "封控区", "reason": "密接"})  # fmt: skip
    after = int(time.time() * 1000)

    got = robot_server.received[0]
    assert got.path == "/robot/send"
    assert got.query["access_token"] == ["tok-1"]
    timestamp = got.query["timestamp"][0]
    assert before <= int(timestamp) <= after
    # DingTalk's documented check: base64(HMAC-SHA256(key=secret, msg="<timestamp>\n<secret>")).
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert got.query["sign"] == [expected]  # parse_qs has undone the URL-encoding
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"] == "【同心】阳光小区2幢 划为封控区"
    assert got.body["markdown"]["text"].startswith("#### 【同心】阳光小区2幢 划为封控区\n\n")
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_the_signature_is_url_encoded_in_the_query_string() -> None:
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", SECRET, 1)
    sign = dingtalk_sign(SECRET, 1)
    assert sign.endswith("=")  # base64 of a 32-byte digest always pads
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1&sign=" + quote_plus(sign)
    )
    assert url.endswith("%3D")


def test_an_unsigned_dingtalk_robot_sends_plain_text(
    robot_server: Any, unit: Unit, django_capture_on_commit_callbacks: Any
) -> None:
    GroupRobot.objects.create(
        unit=unit, name="钉钉群", platform=Platform.DINGTALK, message_format="text",
        webhook_url=robot_server.url("/robot/send?access_token=tok-2"),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        notify("zone_lifted", units=[unit], context={"place": "幸福小区", "zone": "防范区"})
    got = robot_server.received[0]
    assert "sign" not in got.query and "timestamp" not in got.query
    assert got.body == {"msgtype": "text", "text": {"content": "【同心】幸福小区 解除防范区"}}
