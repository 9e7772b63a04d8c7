"""Machines authenticate with a bearer token; a revoked or unknown token and anonymous callers
get 401, and a token's calls are made (and audited) as its user on the API channel."""

import pytest
from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import ApiToken
from tongxin.api.tests.conftest import County
from tongxin.audit.models import AuditAction, AuditEvent

ENDPOINTS = [
    ("get", "/api/v1/places/"),
    ("get", "/api/v1/places/1"),
    ("get", "/api/v1/residents/"),
    ("get", "/api/v1/residents/1"),
    ("post", "/api/v1/residents/1/reveal"),
    ("post", "/api/v1/imports/"),
    ("get", "/api/v1/imports/1"),
    ("post", "/api/v1/imports/1/confirm"),
    ("get", "/api/v1/imports/1/errors"),
    ("get", "/api/v1/exports/residents"),
]


def test_a_valid_token_reads_as_its_user(county: County) -> None:
    _, key = ApiToken.issue(county.unit_user, "grid sync")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = client.get("/api/v1/residents/")

    assert response.status_code == 200
    assert [r["name"] for r in response.json()["items"]] == ["张三"]
    assert ApiToken.objects.get(user=county.unit_user).last_used_at is not None


def test_a_tokens_calls_are_audited_as_its_user_on_the_api_channel(county: County) -> None:
    _, key = ApiToken.issue(county.unit_user, "grid sync")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert client.get(f"/api/v1/residents/{county.inside.pk}").status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.VIEW, target_id=str(county.inside.pk))
    assert event.actor == county.unit_user
    assert event.actor_label == "waterleader"
    assert event.channel == "api"


def test_a_revoked_token_is_refused(county: County) -> None:
    token, key = ApiToken.issue(county.unit_user, "old laptop")
    token.revoked_at = timezone.now()
    token.save()

    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/residents/")

    assert response.status_code == 401


def test_an_unknown_token_is_refused(county: County) -> None:
    response = Client(HTTP_AUTHORIZATION="Bearer tx_not-a-real-token").get("/api/v1/places/")

    assert response.status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(county: County) -> None:
    _, key = ApiToken.issue(county.unit_user, "grid sync")
    county.unit_user.is_active = False
    county.unit_user.save()

    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/places/")

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_get_401_everywhere(county: County, method: str, url: str) -> None:
    response = getattr(Client(), method)(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_other_authorization_schemes_are_refused(county: County) -> None:
    response = Client(HTTP_AUTHORIZATION="Basic d2F0ZXJsZWFkZXI6cGFzcy13b3JkLTEyMw==").get(
        "/api/v1/places/"
    )

    assert response.status_code == 401


def test_last_used_is_kept_to_the_minute_without_a_write_per_call(county: County) -> None:
    token, key = ApiToken.issue(county.unit_user, "sampling device")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    recent = timezone.now() - timezone.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    assert client.get("/api/v1/places/").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent  # not rewritten

    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - timezone.timedelta(minutes=2)
    )
    assert client.get("/api/v1/places/").status_code == 200
    assert timezone.now() - ApiToken.objects.get(pk=token.pk).last_used_at < timezone.timedelta(
        seconds=10
    )
