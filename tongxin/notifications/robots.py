"""Posting to work-group robots: WeCom (企业微信) and DingTalk (钉钉) webhook formats.

WeCom: POST JSON to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…, body
{"msgtype": "markdown", "markdown": {"content": …}} (at most 4096 bytes) or
{"msgtype": "text", "text": {"content": …}} (at most 2048 bytes).
DingTalk: POST JSON to https://oapi.dingtalk.com/robot/send?access_token=…, body
{"msgtype": "markdown", "markdown": {"title": …, "text": …}} or
{"msgtype": "text", "text": {"content": …}}. A robot with signing ("加签") on also needs
&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(key=secret, "<timestamp>\\n<secret>")))>.
Both answer HTTP 200 with {"errcode": 0, "errmsg": "ok"} on success; any other errcode (rate
limit, bad key, keyword missing …) is a failure to retry.

HTTP goes through the standard library (urllib), which honours the usual proxy variables.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote_plus, urlsplit

from django.utils.translation import gettext as _

from tongxin.notifications.models import GroupRobot, MessageFormat, Platform

WECOM_MARKDOWN_MAX_BYTES = 4096
WECOM_TEXT_MAX_BYTES = 2048
DINGTALK_MAX_BYTES = 18000  # DingTalk rejects bodies of about 20 KB; stay well under.
_RESPONSE_LIMIT = 64 * 1024


class DeliveryError(Exception):
    """A channel did not take the message. The text is safe to store: no keys, no numbers."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def truncate_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    ellipsis = "…"
    cut = data[: limit - len(ellipsis.encode())].decode(errors="ignore")
    return cut + ellipsis


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature before URL-encoding: base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def _heading(title: str) -> str:
    # A brand word up front also satisfies a DingTalk robot's "custom keyword" security setting.
    return _("【同心】%(title)s") % {"title": title}


def wecom_payload(title: str, body: str, link: str, fmt: str) -> dict[str, Any]:
    if fmt == MessageFormat.TEXT:
        parts = [_heading(title), body, link]
        content = truncate_bytes("\n".join(p for p in parts if p), WECOM_TEXT_MAX_BYTES)
        return {"msgtype": "text", "text": {"content": content}}
    parts = [f"**{_heading(title)}**", body]
    if link:
        parts.append(f"[{_('查看详情')}]({link})")
    content = truncate_bytes("\n".join(p for p in parts if p), WECOM_MARKDOWN_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(title: str, body: str, link: str, fmt: str) -> dict[str, Any]:
    if fmt == MessageFormat.TEXT:
        parts = [_heading(title), body, link]
        content = truncate_bytes("\n".join(p for p in parts if p), DINGTALK_MAX_BYTES)
        return {"msgtype": "text", "text": {"content": content}}
    # DingTalk's markdown only breaks lines on blank lines.
    paragraphs = [f"#### {_heading(title)}", *[line for line in body.splitlines() if line.strip()]]
    if link:
        paragraphs.append(f"[{_('查看详情')}]({link})")
    text = truncate_bytes("\n\n".join(paragraphs), DINGTALK_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"title": _heading(title), "text": text}}


def post_json(url: str, payload: dict[str, Any], timeout: float) -> int:
    """POST the payload; the HTTP status on success, DeliveryError otherwise.

    Errors never quote the URL: its query string is the robot's credential.
    """
    if urlsplit(url).scheme not in {"http", "https"}:
        raise DeliveryError(_("Webhook 地址无效"))
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
            raw = response.read(_RESPONSE_LIMIT)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}", exc.code) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(_("无法连接：%(reason)s") % {"reason": reason}) from None
    try:
        answer = json.loads(raw.decode() or "null")
    except (UnicodeDecodeError, ValueError):
        raise DeliveryError(_("应答不是 JSON"), status) from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        errmsg = str(answer.get("errmsg", "")) if isinstance(answer, dict) else ""
        raise DeliveryError(f"errcode {code}: {errmsg}"[:300], status)
    return status


def send_to_robot(
    robot: GroupRobot,
    title: str,
    body: str,
    link: str,
    *,
    timeout: float,
    timestamp_ms: int | None = None,
) -> int:
    if robot.platform == Platform.DINGTALK:
        payload = dingtalk_payload(title, body, link, robot.message_format)
        url = robot.webhook_url
        if robot.secret:
            ts = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
            url = dingtalk_signed_url(url, robot.secret, ts)
    else:
        payload = wecom_payload(title, body, link, robot.message_format)
        url = robot.webhook_url
    return post_json(url, payload, timeout)
