"""The browser uses its login session; changing calls need Django's CSRF token, read-only
calls do not, and a bearer token never needs one."""

from typing import Any

from django.test import Client

from tongxin.api.tests.conftest import INSIDE_PHONE, County, token_client

CSRF = "a" * 32  # a well-formed CSRF secret; the cookie and the header must agree


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_logged_in_browser_reads_the_api(county: County) -> None:
    response = browser(county.unit_user).get("/api/v1/residents/")

    assert response.status_code == 200
    assert [r["name"] for r in response.json()["items"]] == ["张三"]


def test_a_session_post_without_the_csrf_token_is_refused(county: County) -> None:
    response = browser(county.unit_user).post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone", "reason": "核实身份"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert INSIDE_PHONE not in response.content.decode()


def test_a_session_post_with_the_csrf_token_goes_through(county: County) -> None:
    client = browser(county.unit_user)
    client.cookies["csrftoken"] = CSRF

    response = client.post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone", "reason": "核实身份"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF,
    )

    assert response.status_code == 200
    assert response.json()["value"] == INSIDE_PHONE


def test_a_bearer_token_needs_no_csrf_token(county: County) -> None:
    client = token_client(county.unit_user)
    client.handler.enforce_csrf_checks = True

    response = client.post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone", "reason": "核实身份"},
        content_type="application/json",
    )

    assert response.status_code == 200
