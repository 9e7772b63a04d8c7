"""A busy server (429 with Retry-After) does not make the point page show an error: the
samples stay queued ("排队上传中"), the page waits at least as long as it was told, with a
growing wait, and the samples arrive once when the server accepts again (headless Chromium,
phone size)."""

import re
import time

import pytest
from django.urls import reverse

from tongxin.core.testing.e2e import e2e_marks
from tongxin.sampling.models import SampleEvent, Tube

from .conftest import PASSWORD

pytestmark = e2e_marks


@pytest.fixture
def browser(phone):
    return phone, phone.new_page()


def _scan(page, value):
    page.locator("#scan").fill(value)
    page.locator("#scan").press("Enter")


def test_a_busy_server_is_waited_for_not_shown_as_an_error(browser, live_server, world):
    _context, page = browser
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill("sampler")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
    page.goto(live_server.url + reverse("sampling:point", args=[world.round.pk, world.point.pk]))
    page.locator("#scan").wait_for()

    refused: list[float] = []

    def busy(route):
        if len(refused) < 2:
            refused.append(time.monotonic())
            route.fulfill(
                status=429,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body='{"detail": "busy"}',
            )
        else:
            route.continue_()

    page.route("**/api/v1/sampling/events", busy)
    people = world.people["s1-101"] + world.people["s1-102"]
    _scan(page, "BUSY-0001")
    for person in people[:2]:
        _scan(page, person.document_number)

    page.locator("#net[data-state='queued']").wait_for(state="attached")
    assert page.locator("#net").inner_text() == "排队上传中"
    # The sampler sees their scan taken, not a failure.
    assert page.locator("#flash").get_attribute("data-level") != "error"
    assert page.locator("#queue-count").inner_text() in {"1", "2"}

    page.locator("#point[data-pending='0']").wait_for(state="attached", timeout=15000)
    assert len(refused) == 2
    # It came back no sooner than the server asked (Retry-After: 1 s) ...
    assert refused[1] - refused[0] >= 1.0
    # ... and its own wait grew with the second refusal (2 s, plus up to half again).
    assert int(page.locator("#point").get_attribute("data-backoff")) >= 2000
    assert sorted(SampleEvent.objects.values_list("person_id", flat=True)) == sorted(
        p.pk for p in people[:2]
    )
    assert Tube.objects.get(barcode="BUSY-0001").sample_count == 2
    assert page.locator("#net").inner_text() == "在线"
    assert page.locator("#flash").get_attribute("data-level") != "error"
