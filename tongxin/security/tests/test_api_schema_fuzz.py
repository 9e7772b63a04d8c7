"""schemathesis over /api/v1/openapi.json: every operation, a bounded number of generated
requests each, a fixed seed; no server error and every answer as the schema declares it.

Runs as part of `make test` (bounded: TONGXIN_FUZZ_EXAMPLES per operation, default 8) and
with more examples by `make fuzz` (called from .ci/run)."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tongxin.accounts.models import ApiToken, Role
from tongxin.security.tests.conftest import RAW_VALUES, County
from tongxin.wsgi import application

EXAMPLES = int(os.environ.get("TONGXIN_FUZZ_EXAMPLES", "8"))


@pytest.fixture
def openapi(db: Any) -> Any:
    raw = Client().get("/api/v1/openapi.json").json()
    # Ninja declares OpenAPI 3.1; its schemas are also valid 3.0 for what is generated here.
    return schemathesis.from_dict(raw, app=application, base_url="", force_schema_version="30")


schema = schemathesis.from_pytest_fixture("openapi")


@pytest.fixture
def token(county: County) -> Iterator[str]:
    # Called through WSGI, each request would close the database connection at its end, as
    # in production, and so end the test's transaction; Django's test client does the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield ApiToken.issue(county.users[Role.COMMAND_POST], "fuzz")[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_holds_under_generated_requests(case: Any, token: str) -> None:
    response = case.call_wsgi(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(
        response,
        checks=(
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ),
    )
    body = response.get_data()
    assert not any(v.encode() in body for v in RAW_VALUES[2:])
