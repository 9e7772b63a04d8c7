import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import UnitFactory, UserFactory
from tongxin.units.models import Unit


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class RobotServer:
    """A stand-in for the WeCom / DingTalk webhook endpoint, on 127.0.0.1 in a thread."""

    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    received: list[Received] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server_state: RobotServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            server_state.received.append(
                Received(
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw.decode()),
                )
            )
            payload = json.dumps(server_state.answer).encode()
            self.send_response(server_state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(autouse=True)
def _sms_outbox_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Text messages sent by a test go to its temporary folder, never the data dir."""
    settings.TONGXIN_SMS_BACKEND = "tongxin.notifications.sms.FileSmsBackend"
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms-outbox.jsonl")


@pytest.fixture
def robot_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RobotServer]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    state = RobotServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sms_file(tmp_path: Path) -> Path:
    return tmp_path / "sms-outbox.jsonl"


@pytest.fixture
def unit() -> Unit:
    return UnitFactory(name="县水利局")


@pytest.fixture
def leader(unit: Unit) -> User:
    return UserFactory(role=Role.UNIT_LEADER, unit=unit, full_name="王局长", phone="13800138000")


@pytest.fixture
def sysadmin() -> User:
    return UserFactory(role=Role.SYSADMIN, full_name="系统管理员")


@pytest.fixture
def chief() -> User:
    return UserFactory(role=Role.COMMAND_POST, full_name="指挥长")
