"""/api/v1/care/: profiles and runs for machines, scoped, masked and audited like the pages.

Needs the care router mounted at /api/v1/care/ (api.add_router("/care/", care_router))."""

import pytest
from django.test import Client

from tongxin.accounts.models import ApiToken, Role, User
from tongxin.audit.models import AuditEvent
from tongxin.care.models import GreenRun, Hospital, NeedKind
from tongxin.care.services import runs
from tongxin.factories import UserFactory

from .conftest import MONDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    _token, key = ApiToken.issue(user, "测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_care_profile_over_the_api(
    client: Client, county: County, hospital: Hospital, sunny_grid: User
) -> None:
    mine = resident(county.sunny_101, "王大爷")
    dialysis(mine, hospital, "135")
    theirs = resident(county.happy_101, "邻居")
    dialysis(theirs, hospital, "246")
    nobody = resident(county.sunny_201, "未登记")
    auth = bearer(sunny_grid)

    response = client.get(f"/api/v1/care/people/{mine.pk}", **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["tags"] == ["血透"] and body["summary"].startswith("血透：县人民医院，周一/三/五")
    assert body["needs"][0]["kind"] == NeedKind.DIALYSIS
    assert mine.document_number not in response.content.decode()
    assert AuditEvent.objects.filter(
        action="view", target_type="care.careneed", actor=sunny_grid, channel="api"
    ).exists()
    assert client.get(f"/api/v1/care/people/{theirs.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/care/people/{nobody.pk}", **auth).status_code == 404


def test_the_crew_reads_its_manifest_and_ticks_off(
    client: Client, county: County, hospital: Hospital, chief: User
) -> None:
    sealed = resident(county.sunny_101, "甲")
    dialysis(sealed, hospital, "1")
    dialysis(resident(county.river_101, "乙"), hospital, "1")
    planned = client.post(
        "/api/v1/care/runs/plan", {"date": MONDAY.isoformat()},
        content_type="application/json", **bearer(chief),
    )  # fmt: skip
    assert planned.status_code == 200 and planned.json()["added"] == 2
    run = GreenRun.objects.get(township=county.qinyang)
    driver = UserFactory(role=Role.SUPPORT_TEAM)
    run.driver = driver
    run.save()
    auth = bearer(driver)

    listed = client.get(f"/api/v1/care/runs/?date={MONDAY.isoformat()}", **auth).json()
    assert [r["id"] for r in listed] == [run.pk]
    detail = client.get(f"/api/v1/care/runs/{run.pk}", **auth).json()
    (p,) = detail["passengers"]
    assert (p["name"], p["at_door"], p["address"]) == ("甲", False, None)
    assert sealed.phone not in str(detail)

    url = f"/api/v1/care/passengers/{p['id']}/check"
    first = client.post(url, {"stage": "pickup"}, content_type="application/json", **auth).json()
    second = client.post(url, {"stage": "pickup"}, content_type="application/json", **auth).json()
    assert (first["changed"], second["changed"], second["status"]) == (True, False, "picked_up")
    other = GreenRun.objects.get(township=county.huabu)
    assert client.get(f"/api/v1/care/runs/{other.pk}", **auth).status_code == 404
    assert client.post("/api/v1/care/runs/plan", {"date": MONDAY.isoformat()},
                       content_type="application/json", **auth).status_code == 403  # fmt: skip
    assert runs.tomorrow()  # (the default day of the list)
