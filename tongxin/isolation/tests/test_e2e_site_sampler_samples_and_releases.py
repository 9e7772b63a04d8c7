"""End to end in headless Chromium at 390×844: the site's lead (transfer staff, no sampling
role) opens the site's sampling page on a phone, scans a resident's ID card and a tube, ticks
a person from outside the registry and scans another tube; the lab's results come back
negative and show on the page; the resident's release is then allowed and done."""

import datetime as dt

import pytest
from django.utils import timezone

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.factories import household
from tongxin.isolation import factories as f
from tongxin.isolation.models import StayStatus
from tongxin.people.models import Person
from tongxin.sampling.models import SampleEvent
from tongxin.sampling.services.results import import_result_rows

pytestmark = e2e_marks

PASSWORD = "pass-word-123"


@pytest.mark.django_db(transaction=True)
def test_site_sampler_scans_tube_and_people_then_release(phone, live_server, inc, chief, escort,
                                                         site_staff, site):  # fmt: skip
    exposed = timezone.now() - dt.timedelta(days=15)  # the 8th's 14 days are over
    resident = f.resident(household("阳光小区", "2", "201"), name="周大姐")
    stay = f.admitted(
        f.listed(inc, resident, exposure=exposed), site, planner=chief, escort=escort,
        at=exposed + dt.timedelta(hours=6),
    )  # fmt: skip
    visitor = f.admitted(
        f.outside_listed(inc, name="外地司机", exposure=exposed), site, planner=chief,
        escort=escort, at=exposed + dt.timedelta(hours=6),
    )  # fmt: skip

    page = phone.new_page()
    sign_in(page, live_server.url, site_staff.username, PASSWORD)
    page.goto(f"{live_server.url}/isolation/sites/{site.pk}/")
    page.get_by_role("link", name="核酸采样").first.click()
    page.wait_for_load_state()
    assert page.viewport_size == {"width": 390, "height": 844}
    assert "核酸采样" in page.locator("h1").inner_text()

    # Scan 周大姐's ID card, then the tube.
    page.locator("#scan-document").fill(resident.document_number)
    page.locator("#scan-tube").fill("GLE2E0001")
    page.get_by_role("button", name="登记采样").click()
    page.wait_for_load_state()
    page.locator(".msg", has_text="已登记采样：周大姐").wait_for()

    # The driver from outside the county: tick his row and scan a tube.
    card = page.locator(".insite", has_text="外地司机")
    assert "外来人员" in card.inner_text()
    card.locator("input[name=tube]").fill("GLE2E0002")
    card.get_by_role("button", name="采样").click()
    page.wait_for_load_state()
    page.locator(".msg", has_text="已登记采样：外地司机").wait_for()
    assert SampleEvent.objects.filter(tube__barcode__in=["GLE2E0001", "GLE2E0002"]).count() == 2

    # The lab's results come back negative and show on the page.
    now = timezone.now()
    import_result_rows(
        [{"barcode": b, "result": "negative", "reported_at": now.isoformat(), "lab": "县疾控"}
         for b in ("GLE2E0001", "GLE2E0002")],
        name="lab.csv",
    )  # fmt: skip
    page.reload()
    for name in ("周大姐", "外地司机"):
        page.locator(".insite", has_text=name).locator(
            ".result-negative", has_text="阴性"
        ).wait_for()
    shot(page, "isolation-in-site-sampling")

    # The release-due list allows the release; the notice follows.
    page.goto(f"{live_server.url}/isolation/release-due/")
    row = page.locator(".card", has_text="周大姐")
    assert "阴性" in row.inner_text()
    row.get_by_role("button", name="解除隔离并打印告知书").click()
    page.wait_for_load_state()
    assert "解除集中隔离告知书" in page.content()
    stay.refresh_from_db()
    assert stay.status == StayStatus.RELEASED
    visitor.refresh_from_db()
    assert Person.objects.filter(pk=visitor.test_person_id, name="外地司机").exists()
