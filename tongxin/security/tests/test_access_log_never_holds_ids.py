"""Finding 4: an ID number or phone in a URL never reaches the access log.

The server here is Django's own (what `tongxin serve` runs), logging through the configured
handlers; the test reads what they really wrote."""

import io
import logging
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from tongxin.accounts.models import ApiToken, Role
from tongxin.security.tests.conftest import INSIDE_ID, INSIDE_PHONE, County


class LoggingServerThread(LiveServerThread):
    """Django's live server, but with the request handler that writes the access log."""

    def _create_server(self, connections_override: Any = None) -> Any:
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture
def server(transactional_db: Any) -> Iterator[str]:
    override = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            conn.inc_thread_sharing()
            override[conn.alias] = conn
    thread = LoggingServerThread(
        "127.0.0.1", static_handler=_StaticFilesHandler, connections_override=override
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for conn in override.values():
        conn.dec_thread_sharing()


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the configured log handlers write, the access log's included."""
    out = io.StringIO()
    handlers = {h for name in ("", "django.server") for h in logging.getLogger(name).handlers}
    streams = [h for h in handlers if isinstance(h, logging.StreamHandler)]
    assert streams, "no configured stream handler"
    old = [h.setStream(out) for h in streams]
    yield out
    for handler, stream in zip(streams, old, strict=True):
        handler.setStream(stream)


def get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_searches_by_id_or_phone_in_a_query_string_are_masked_in_the_log(
    county: County, server: str, log_output: io.StringIO
) -> None:
    _, token = ApiToken.issue(county.users[Role.GRID_STAFF], "log test")
    assert get(f"{server}/api/v1/residents/?q={INSIDE_ID}", token) == 200
    assert get(f"{server}/api/v1/residents/?q={INSIDE_PHONE}", token) == 200
    assert get(f"{server}/api/v1/residents/?q=%2B86{INSIDE_PHONE}", token) == 200
    assert get(f"{server}/residents/?q={INSIDE_ID[:6]}%20{INSIDE_ID[6:]}", token) in (200, 302)
    # A path that 404s is logged twice (request logger and access log).
    assert get(f"{server}/api/v1/nothing/{INSIDE_ID}", token) == 404
    written = log_output.getvalue()
    assert "GET /api/v1/residents/?q=" in written  # the access log did write
    assert INSIDE_ID not in written and INSIDE_PHONE not in written
    assert INSIDE_ID[:6] + "********" + INSIDE_ID[-4:] in written
    assert INSIDE_ID[6:] not in written.replace(" ", "")


def test_the_api_offers_a_post_search(county: County, client: Any) -> None:
    client.force_login(county.users[Role.GRID_STAFF])
    response = client.post(
        "/api/v1/residents/search", {"q": INSIDE_ID}, content_type="application/json"
    )
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["items"]] == ["张三"]
