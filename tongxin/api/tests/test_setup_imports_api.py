"""Places, units and staff files through the same import-job API (kind=…), permission by kind:
a unit leader may import residents but not staff; the command post imports staff."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongxin.accounts.models import User
from tongxin.api.tests.conftest import County

STAFF = "姓名,手机号,单位,角色\n孙八,13900000008,{unit},网格员\n"


def staff_csv(unit: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("人员.csv", STAFF.format(unit=unit).encode("utf-8"), "text/csv")


def test_staff_file_through_the_api(county: County, command_api: Client, unit_api: Client) -> None:
    unit = county.unit_user.unit.name
    refused = unit_api.post("/api/v1/imports/?kind=staff", {"file": staff_csv(unit)})
    assert refused.status_code == 403
    response = command_api.post("/api/v1/imports/?kind=staff", {"file": staff_csv(unit)})
    assert response.status_code == 201, response.content
    job: dict[str, Any] = response.json()
    assert job["kind"] == "staff" and job["status"] == "validated"
    assert job["preview"]["summary"]["created"] == 1
    assert "13900000008" not in response.content.decode()  # masked in the preview
    assert not User.objects.filter(full_name="孙八").exists()
    done = command_api.post(f"/api/v1/imports/{job['id']}/confirm")
    assert done.status_code == 200 and done.json()["summary"]["created"] == 1
    assert not User.objects.get(full_name="孙八").has_usable_password()
    # the unit leader does not see the command post's staff job either
    assert unit_api.get(f"/api/v1/imports/{job['id']}").status_code == 404
