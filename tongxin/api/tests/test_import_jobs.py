"""Import jobs through the API: upload (validated in the background), status with a masked
preview, confirm, and the problems file, whose download is audited."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from tongxin.accounts.models import Role
from tongxin.api.tests.conftest import County, token_client
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UserFactory, make_id_number, make_mobile
from tongxin.people.models import Person

NEW_ID, NEW_PHONE = make_id_number(birth="19750203"), make_mobile()
HEADER = "姓名,证件类型,证件号码,手机号,乡镇街道,社区,小区,楼幢,单元,房号,居住状态"


def residents_csv() -> SimpleUploadedFile:
    lines = [
        HEADER,
        f"王五,居民身份证,{NEW_ID},{NEW_PHONE},芹阳办事处,东门社区,阳光小区,3幢,,302,常住",
        "赵六,居民身份证,330824123,13800000000,芹阳办事处,东门社区,阳光小区,3幢,,303,常住",
    ]
    return SimpleUploadedFile("住户.csv", "\n".join(lines).encode("utf-8"), "text/csv")


def upload(client: Client) -> Any:
    return client.post("/api/v1/imports/", {"file": residents_csv()})


def test_upload_validates_and_previews_masked(county: County, unit_api: Client) -> None:
    response = upload(unit_api)

    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "validated"
    assert job["original_name"] == "住户.csv"
    assert job["created_by"] == "waterleader"
    body = response.content.decode()
    assert NEW_ID not in body and NEW_PHONE not in body
    assert job["preview"]["summary"]["rejected"] == 1
    assert not Person.objects.filter(name="王五").exists()  # a dry run so far

    again = unit_api.get(f"/api/v1/imports/{job['id']}")
    assert again.status_code == 200
    assert again.json()["status"] == "validated"


def test_confirm_imports_and_the_problems_file_is_an_audited_export(
    county: County, unit_api: Client
) -> None:
    job_id = upload(unit_api).json()["id"]

    confirmed = unit_api.post(f"/api/v1/imports/{job_id}/confirm")

    assert confirmed.status_code == 200, confirmed.content
    done = unit_api.get(f"/api/v1/imports/{job_id}").json()
    assert done["status"] == "done"
    assert done["percent"] == 100
    assert done["summary"]["created"] == 1
    assert done["has_errors_file"] is True
    assert Person.objects.filter(name="王五", household__name="302室").exists()

    errors = unit_api.get(f"/api/v1/imports/{job_id}/errors")
    assert errors.status_code == 200
    assert errors["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(errors.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [3]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, target_type="imports.importjob")
    assert event.actor == county.unit_user and event.channel == "api"
    assert event.detail["rows"] == 1 and event.detail["filters"]["job_id"] == job_id


def test_a_job_cannot_be_confirmed_twice(county: County, unit_api: Client) -> None:
    job_id = upload(unit_api).json()["id"]
    unit_api.post(f"/api/v1/imports/{job_id}/confirm")

    again = unit_api.post(f"/api/v1/imports/{job_id}/confirm")

    assert again.status_code == 409
    assert again.json()["detail"]


def test_a_job_without_problems_has_no_errors_file(county: County, unit_api: Client) -> None:
    clean = SimpleUploadedFile(
        "ok.csv",
        (HEADER + f"\n王五,居民身份证,{NEW_ID},,芹阳办事处,东门社区,阳光小区,3,,302,常住").encode(),
    )
    job_id = unit_api.post("/api/v1/imports/", {"file": clean}).json()["id"]

    assert unit_api.get(f"/api/v1/imports/{job_id}/errors").status_code == 404


def test_a_file_that_is_not_a_spreadsheet_is_refused(county: County, unit_api: Client) -> None:
    text = SimpleUploadedFile("名单.txt", "王五".encode(), "text/plain")

    response = unit_api.post("/api/v1/imports/", {"file": text})

    assert response.status_code == 400
    assert ".xlsx" in response.json()["detail"]


def test_a_role_that_may_not_import_is_refused(county: County) -> None:
    sampler = token_client(UserFactory(role=Role.TEST_POINT, unit=county.unit_user.unit))

    assert upload(sampler).status_code == 403


@pytest.fixture(autouse=True)
def _needs_import_services() -> None:
    from tongxin.imports import services

    if not hasattr(services, "start_import_job"):
        pytest.skip("waiting for tongxin.imports.services (the import engineer's part)")
