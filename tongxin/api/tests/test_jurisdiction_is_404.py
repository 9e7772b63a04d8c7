"""A unit's staff reach, through the API, only what their unit is responsible for; everything
else answers exactly as if it did not exist."""

from typing import Any

from django.test import Client

from tongxin.accounts.models import Role
from tongxin.api.tests.conftest import OUTSIDE_ID, OUTSIDE_PHONE, County, token_client
from tongxin.factories import UnitFactory, UserFactory
from tongxin.imports.models import ImportJob
from tongxin.places.models import Place

MISSING = 999_999


def names(response: Any) -> list[str]:
    return [r["name"] for r in response.json()["items"]]


def test_an_outside_resident_is_404_like_a_missing_one(county: County, unit_api: Client) -> None:
    outside = unit_api.get(f"/api/v1/residents/{county.outside.pk}")
    missing = unit_api.get(f"/api/v1/residents/{MISSING}")

    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content
    assert "李四" not in outside.content.decode()


def test_an_outside_resident_cannot_be_revealed(county: County, unit_api: Client) -> None:
    for field in ("document_number", "phone"):
        response = unit_api.post(
            f"/api/v1/residents/{county.outside.pk}/reveal",
            {"field": field, "reason": "核实身份"},
            content_type="application/json",
        )
        assert response.status_code == 404
        assert OUTSIDE_ID not in response.content.decode()
        assert OUTSIDE_PHONE not in response.content.decode()


def test_an_outside_resident_is_absent_from_the_list(county: County, unit_api: Client) -> None:
    response = unit_api.get("/api/v1/residents/")

    assert names(response) == ["张三"]
    assert response.json()["count"] == 1


def test_an_outside_resident_is_absent_from_search(county: County, unit_api: Client) -> None:
    for query in ("李四", "lisi", "ls", OUTSIDE_ID[-4:], OUTSIDE_PHONE[-4:], OUTSIDE_ID,
                  OUTSIDE_PHONE, "幸福小区"):  # fmt: skip
        response = unit_api.get("/api/v1/residents/", {"q": query})
        assert response.status_code == 200
        assert names(response) == [], query


def test_the_command_post_finds_the_same_resident(county: County, command_api: Client) -> None:
    for query in ("李四", OUTSIDE_ID[-4:], OUTSIDE_ID, OUTSIDE_PHONE):
        response = command_api.get("/api/v1/residents/", {"q": query})
        assert names(response) == ["李四"], query


def test_an_outside_area_is_404_as_a_resident_filter(county: County, unit_api: Client) -> None:
    response = unit_api.get("/api/v1/residents/", {"area": county.outside_estate.pk})

    assert response.status_code == 404


def test_outside_places_are_absent_and_404(county: County, unit_api: Client) -> None:
    top = unit_api.get("/api/v1/places/")
    assert [p["name"] for p in top.json()] == ["阳光小区"]

    assert unit_api.get(f"/api/v1/places/{county.outside_estate.pk}").status_code == 404
    assert unit_api.get(f"/api/v1/places/{county.outside_home.pk}").status_code == 404
    children = unit_api.get("/api/v1/places/", {"parent": county.outside_estate.pk})
    assert children.status_code == 404
    # Nor can the unit list the county's children to discover other estates.
    county_root = Place.objects.get(depth=1)
    assert unit_api.get("/api/v1/places/", {"parent": county_root.pk}).status_code == 404


def test_another_units_import_job_is_404(county: County, unit_api: Client) -> None:
    other = UserFactory(role=Role.UNIT_LEADER, unit=UnitFactory(name="县卫健局"))
    job = ImportJob.objects.create(
        original_name="卫健局.xlsx", file="imports/x.xlsx", created_by=other,
        errors_file="imports/errors/x.xlsx",
    )  # fmt: skip

    assert unit_api.get(f"/api/v1/imports/{job.pk}").status_code == 404
    assert unit_api.get(f"/api/v1/imports/{job.pk}/errors").status_code == 404
    assert unit_api.post(f"/api/v1/imports/{job.pk}/confirm").status_code == 404


def test_a_role_that_may_not_see_residents_sees_none(county: County) -> None:
    lab = token_client(UserFactory(role=Role.LAB_LIAISON))

    assert lab.get("/api/v1/residents/").json()["count"] == 0
    assert lab.get(f"/api/v1/residents/{county.inside.pk}").status_code == 404
