"""While the database restarts, an API call gets 503 with Retry-After wherever the failure shows,
the token check before any endpoint included — never a 500 (a device would count that as a
crash, not a wait). Found by bench/faults.py: eight 500s when PostgreSQL restarted as a batch
was being authenticated."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from tongxin.accounts.models import ApiToken
from tongxin.api.tests.conftest import County


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_failure_while_checking_the_token_is_a_503_with_retry_after(
    county: County, error: type[Exception]
) -> None:
    _, key = ApiToken.issue(county.unit_user, "point device")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)

    with mock.patch.object(
        ApiToken, "authenticate", side_effect=error("the database system is shutting down")
    ):
        response = client.post(
            "/api/v1/sampling/events", data={"events": []}, content_type="application/json"
        )

    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert response.json()["detail"] == "服务器暂时无法访问数据库，请稍后重试"
    assert "shutting down" not in response.content.decode()


def test_a_database_failure_inside_a_read_endpoint_is_a_503(county: County) -> None:
    _, key = ApiToken.issue(county.unit_user, "grid sync")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)

    with mock.patch(
        "tongxin.people.models.PersonQuerySet.visible_to",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/api/v1/residents/")

    assert response.status_code == 503
    assert "Retry-After" in response
