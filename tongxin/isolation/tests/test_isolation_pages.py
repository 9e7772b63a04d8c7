"""The pages: scoped (an escort sees only their batch, a site its own, a grid its households;
404 elsewhere), the handover form as .xlsx and printable HTML, the release notice."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import Outcome, Stay
from tongxin.isolation.services import batches as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(inc, chief, escort, site):
    entries = [
        f.listed(inc, f.resident(household("阳光小区", "1", str(i)), name=f"住户{i}"), by=chief)
        for i in (1, 2)
    ]
    return b.create_batch(
        chief, inc, site, entries, vehicle_plate="浙H8", seats=5, planned_at=f.START,
        escort=escort, driver_name="王师傅", driver_phone="13800138000",
    )  # fmt: skip


def test_pages_for_the_command_post(client: Client, chief, batch, site):
    client.force_login(chief)
    for url in (
        "/isolation/", f"/isolation/sites/{site.pk}/", "/isolation/transfer-list/",
        f"/isolation/batches/{batch.pk}/", "/isolation/release-due/?date=2022-03-19",
    ):  # fmt: skip
        assert client.get(url).status_code == 200, url
    page = client.get(f"/isolation/batches/{batch.pk}/").content.decode()
    assert "住户1" in page and "13800138000" not in page


def test_an_escort_sees_only_their_batch(client: Client, batch, escort, inc, chief, site):
    other_escort = UserFactory(role="transfer")
    other = b.create_batch(
        chief, inc, site, [f.listed(inc, f.resident(), by=chief)], vehicle_plate="浙H9",
        seats=5, planned_at=f.START, escort=other_escort,
    )  # fmt: skip
    client.force_login(escort)
    assert client.get(f"/isolation/batches/{batch.pk}/pickup/").status_code == 200
    assert client.get(f"/isolation/batches/{other.pk}/").status_code == 404
    assert client.get(f"/isolation/batches/{other.pk}/pickup/").status_code == 404
    assert client.get(f"/isolation/sites/{site.pk}/").status_code == 404
    assert client.get("/isolation/transfer-list/").status_code == 403
    # The escort cannot sign for the site.
    assert client.get(f"/isolation/batches/{batch.pk}/receive/").status_code == 403


def test_handover_form_as_xlsx_and_html(client: Client, batch, escort, site_staff):
    m1, m2 = batch.members.order_by("stop", "pk")
    b.record_outcome(escort, m1, Outcome.BOARDED)
    b.record_outcome(escort, m2, Outcome.DEFERRED, "住院中")
    client.force_login(site_staff)
    response = client.get(f"/isolation/batches/{batch.pk}/handover.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    flat = " ".join(str(c) for row in cells for c in row if c is not None)
    assert "住户1" in flat and "住院中" in flat and "已上车" in flat
    assert "13800138000" not in flat and "138****8000" in flat
    html = client.get(f"/isolation/batches/{batch.pk}/handover/").content.decode()
    assert "转运交接表" in html and "住院中" in html


def test_receipt_page_and_release_notice(client: Client, batch, escort, site_staff, chief):
    m1, m2 = batch.members.order_by("stop", "pk")
    b.record_outcome(escort, m1, Outcome.BOARDED)
    b.log_contact(escort, m2, "knock", "无人")
    b.record_outcome(escort, m2, Outcome.UNREACHABLE, "无人应门")
    client.force_login(site_staff)
    response = client.post(
        f"/isolation/batches/{batch.pk}/receive/", {"members": [m1.pk], "allocate": "1"}
    )
    assert response.status_code == 302
    stay = Stay.objects.get(member=m1)
    assert stay.room is not None

    stay.status = "released"
    stay.released_at = f.START + dt.timedelta(days=14)
    stay.save()
    notice = client.get(f"/isolation/stays/{stay.pk}/notice/").content.decode()
    assert "解除集中隔离告知书" in notice and m1.entry.name in notice


def test_grid_sees_home_watches_of_its_households(client: Client, inc9):
    from tongxin.isolation.services.home import start_home_isolation

    mine = household("阳光小区", "1", "101")
    far = household("江滨小区", "1", "101", township="华埠镇", community="江滨社区")
    unit = UnitFactory(name="县水利局")
    assign(unit, mine.parent.parent)
    grid = UserFactory(role="grid_staff", unit=unit)
    near_person = f.resident(mine, name="本户")
    far_person = f.resident(far, name="远户")
    for person in (near_person, far_person):
        start_home_isolation(inc9, person, level="secondary", start=f.START)
    client.force_login(grid)
    page = client.get("/isolation/home/?date=2022-03-07").content.decode()
    assert "本户" in page and "远户" not in page
