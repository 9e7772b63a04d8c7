"""The pages work on a phone: planning tomorrow's run, the crew's check-off buttons (htmx),
the slot board; and every page carries the emergency rule."""

import datetime as dt

import pytest
from django.test import Client

from tongxin.accounts.models import Role, User
from tongxin.care.models import GreenRun, Hospital, HospitalSlot, PassengerStatus, RunPassenger
from tongxin.care.services import NO_TEST_REQUIRED_NOTICE, runs
from tongxin.factories import UserFactory

from .conftest import County, dialysis, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow_patients(county: County, hospital: Hospital) -> dt.date:
    day = runs.tomorrow()
    dialysis(resident(county.sunny_101, "甲"), hospital, str(day.isoweekday()))
    dialysis(resident(county.river_101, "乙"), hospital, str(day.isoweekday()))
    return day


def test_planning_tomorrow_from_the_page(
    client: Client, chief: User, hospital: Hospital, tomorrow_patients: dt.date
) -> None:
    client.force_login(chief)
    page = client.get("/care/runs/")
    assert page.status_code == 200
    assert tomorrow_patients.isoformat() in page.content.decode()

    client.post("/care/slots/", {"hospital": hospital.pk, "date": tomorrow_patients.isoformat(),
                                 "starts_at": "08:00", "ends_at": "12:00", "area": "血透A区",
                                 "capacity": "10"})  # fmt: skip
    assert HospitalSlot.objects.get().area == "血透A区"

    response = client.post("/care/runs/plan/", {"date": tomorrow_patients.isoformat()})
    assert response.status_code == 302
    assert GreenRun.objects.filter(date=tomorrow_patients).count() == 2
    client.post("/care/runs/plan/", {"date": tomorrow_patients.isoformat()})  # again: no change
    assert RunPassenger.objects.count() == 2

    run = GreenRun.objects.order_by("township__path").first()
    driver = UserFactory(role=Role.SUPPORT_TEAM, full_name="司机老陈")
    detail = client.get(f"/care/runs/{run.pk}/")
    assert detail.status_code == 200 and "血透A区" in detail.content.decode()
    client.post(f"/care/runs/{run.pk}/", {"vehicle": "浙H·12345", "driver": driver.pk,
                                          "departs_at": "06:30"})  # fmt: skip
    run.refresh_from_db()
    assert (run.vehicle, run.driver, run.departs_at) == ("浙H·12345", driver, dt.time(6, 30))
    stop = run.stops.get()
    client.post(f"/care/stops/{stop.pk}/", {f"s{stop.pk}-name": "东门社区文化礼堂",
                                            f"s{stop.pk}-pickup_time": "06:40"})  # fmt: skip
    stop.refresh_from_db()
    assert (stop.name, stop.pickup_time) == ("东门社区文化礼堂", dt.time(6, 40))

    board = client.get(f"/care/slots/?hospital={hospital.pk}&date={tomorrow_patients.isoformat()}")
    assert "2/10" in board.content.decode()


def test_the_driver_ticks_passengers_off_on_the_phone(
    client: Client, hospital: Hospital, tomorrow_patients: dt.date, county: County
) -> None:
    runs.plan_runs(tomorrow_patients)
    run = GreenRun.objects.get(township=county.qinyang)
    driver = UserFactory(role=Role.SUPPORT_TEAM)
    run.driver = driver
    run.save()
    client.force_login(driver)
    manifest = client.get(f"/care/runs/{run.pk}/manifest/")
    assert manifest.status_code == 200
    p = run.passengers.get()
    assert f"/care/passengers/{p.pk}/pickup/" in manifest.content.decode()
    # The planning page sends the crew to the manifest.
    assert client.get(f"/care/runs/{run.pk}/").status_code == 302

    fragment = client.post(
        f"/care/passengers/{p.pk}/pickup/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"pax-{p.pk}"
    )
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert body.startswith(f'<li id="pax-{p.pk}"')
    assert 'hx-swap-oob="true"' in body  # the counters update with it
    assert "<html" not in body
    client.post(f"/care/passengers/{p.pk}/pickup/", HTTP_HX_REQUEST="true")
    run.refresh_from_db()
    assert run.picked_up_count == 1
    assert RunPassenger.objects.get(pk=p.pk).status == PassengerStatus.PICKED_UP
    assert client.post(f"/care/passengers/{p.pk}/fly/").status_code == 404


def test_every_care_page_shows_the_emergency_rule(
    client: Client, chief: User, county: County, hospital: Hospital, tomorrow_patients: dt.date
) -> None:
    runs.plan_runs(tomorrow_patients)
    run = GreenRun.objects.first()
    person = run.passengers.first().person
    client.force_login(chief)
    notice = str(NO_TEST_REQUIRED_NOTICE)
    for url in (
        "/care/", f"/care/people/{person.pk}/", f"/care/people/{person.pk}/add/?kind=dialysis",
        "/care/runs/", f"/care/runs/{run.pk}/", f"/care/runs/{run.pk}/manifest/", "/care/slots/",
    ):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert notice in response.content.decode(), url
