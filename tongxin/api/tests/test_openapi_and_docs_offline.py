"""The OpenAPI schema and the docs page are served by the install itself: the page loads
Swagger UI from our own static files and names no other host."""

import re

from django.conf import settings
from django.test import Client


def test_the_openapi_schema_is_served(db: object) -> None:
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Tongxin API"
    assert {
        "/api/v1/places/", "/api/v1/places/{place_id}", "/api/v1/residents/",
        "/api/v1/residents/{person_id}", "/api/v1/residents/{person_id}/reveal",
        "/api/v1/imports/", "/api/v1/imports/{job_id}", "/api/v1/imports/{job_id}/confirm",
        "/api/v1/imports/{job_id}/errors", "/api/v1/exports/residents",
    } <= set(schema["paths"])  # fmt: skip
    assert {"TokenAuth", "BrowserSessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_references_no_external_host(db: object) -> None:
    client = Client()
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    assert '"validatorUrl": null' in html

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/" + settings.STATIC_URL.lstrip("/")), asset
        assert client.get(asset).status_code == 200, asset
