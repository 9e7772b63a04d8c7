"""Finding 9: headers every response carries, and bad input that must be the caller's error."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.loaders.app_directories import get_app_template_dirs
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.security.tests.conftest import County, client_for

HUGE = "99999999999999999999"


def test_pages_and_api_carry_a_content_security_policy(county: County) -> None:
    client = client_for(county.users[Role.GRID_STAFF])
    for url in ("/", "/residents/", "/api/v1/places/", "/accounts/login/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
        assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_no_template_has_inline_script_or_event_handlers() -> None:
    import re

    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for folder in get_app_template_dirs("templates"):
        if "tongxin" not in str(folder):
            continue
        for path in Path(folder).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or handler.search(text) or "javascript:" in text:
                offenders.append(str(path))
    assert offenders == []


def test_api_responses_are_never_cached(county: County) -> None:
    client = client_for(county.users[Role.GRID_STAFF])
    response = client.post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone", "reason": "核实身份"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get("/api/v1/places/")["Cache-Control"]


def test_hsts_is_a_setting(client: Any, db: Any, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_non_numeric_id_under_the_api_is_a_json_404(county: County) -> None:
    client = client_for(county.users[Role.GRID_STAFF])
    # {int:...} paths do not match a non-number at all: Django's 404, turned into the API's.
    for url in ("/api/v1/care/runs/abc", "/api/v1/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json"), url
        assert response.json() == {"detail": "未找到"}
    # Typed {id} parameters answer with the API's validation error, JSON too.
    response = client.get("/api/v1/residents/abc")
    assert response.status_code == 422 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/residents/?area={HUGE}",
        f"/api/v1/residents/{HUGE}",
        f"/api/v1/places/?parent={HUGE}",
        f"/api/v1/places/{HUGE}",
    ],
)
def test_huge_integers_are_the_callers_error_not_a_crash(county: County, url: str) -> None:
    client = client_for(county.users[Role.GRID_STAFF])
    client.raise_request_exception = False
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "url", [f"/places/{HUGE}/", f"/residents/{HUGE}/", f"/residents/?area={HUGE}"]
)
def test_huge_integers_in_pages_are_4xx(county: County, url: str) -> None:
    client = client_for(county.users[Role.COMMAND_POST])
    client.raise_request_exception = False
    assert 400 <= client.get(url).status_code < 500


def test_the_admin_path_setting_is_used() -> None:
    assert settings.TONGXIN_ADMIN_PATH.endswith("/")


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/v1/sampling/events", {"events": [{"id": "x", "person": int(HUGE)}]}),
        ("/api/v1/sampling/events", {"round": int(HUGE), "events": [{"person": int(HUGE)}]}),
        (
            "/api/v1/sampling/results",
            {"rows": [{"barcode": "T1", "result": "阴性", "reported_at": "tomorrow-ish"}]},
        ),
        (
            "/api/v1/sampling/results",
            {"rows": [{"barcode": "T1", "result": "阴性", "reported_at": "2022-13-45T99:00"}]},
        ),
    ],
)
def test_huge_integers_and_broken_times_in_json_are_4xx(
    county: County, url: str, payload: dict[str, Any]
) -> None:
    client = client_for(county.users[Role.COMMAND_POST])
    client.raise_request_exception = False
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code < 500, response.content
    if "results" in url:
        assert response.status_code == 422, response.content


def test_huge_query_integers_on_the_help_desk_are_4xx(county: County) -> None:
    client = client_for(county.users[Role.HELPDESK])
    client.raise_request_exception = False
    response = client.get("/api/v1/helpdesk/requests/", {"team": HUGE})
    assert response.status_code < 500
    assert client.get("/helpdesk/", {"team": HUGE}).status_code < 500


def test_nul_characters_are_refused_not_a_crash(county: County) -> None:
    client = client_for(county.users[Role.GRID_STAFF])
    client.raise_request_exception = False
    reveal = client.post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone", "reason": "核实\x00"},
        content_type="application/json",
    )
    assert reveal.status_code == 422
    assert client.get("/api/v1/residents/", {"q": "a\x00b"}).status_code == 422
    stranger = Client(raise_request_exception=False)
    stranger.cookies["sessionid"] = "abc\x00def"
    assert stranger.get("/api/v1/places/").status_code == 401
