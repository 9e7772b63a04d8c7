"""The point page keeps taking samples offline and uploads them once when the network returns,
even when an upload reached the server but its answer was lost (real headless Chromium).

Runs where Debian's chromium is installed and says plainly when it is not.
"""

import re

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


def _pending(page, n):
    # A locator, not wait_for_function: the page's CSP refuses eval'd string expressions.
    page.locator(f"#point[data-pending='{n}']").wait_for(state="attached")


def test_samples_taken_offline_arrive_once(browser, live_server, world):
    context, page = browser
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill("sampler")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
    page.goto(live_server.url + reverse("sampling:point", args=[world.round.pk, world.point.pk]))
    page.locator("#scan").wait_for()

    people = world.people["s1-101"] + world.people["s1-102"]
    context.set_offline(True)
    _scan(page, "OFF-0001")
    assert "OFF-0001" in page.locator("#tube-code").inner_text()
    for person in people[:3]:
        _scan(page, person.document_number)
    _pending(page, 3)
    assert page.locator("#net").get_attribute("data-online") == "0"
    assert page.locator("#tube-count").inner_text().startswith("3 / 20")
    assert SampleEvent.objects.count() == 0
    # The masked number is what the operator sees, never the whole one.
    recent = page.locator("#recent").inner_text()
    assert people[0].document_masked in recent
    assert people[0].document_number not in recent

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _pending(page, 0)
    assert sorted(SampleEvent.objects.values_list("person_id", flat=True)) == sorted(
        p.pk for p in people[:3]
    )
    assert Tube.objects.get(barcode="OFF-0001").sample_count == 3
    page.locator("#recent .stored").first.wait_for()

    # An upload the server stores but whose answer never comes back: the page keeps the
    # sample queued, sends it again, and the server recognises it.
    lost = []

    def answer_lost(route):
        route.fetch()  # the server gets it and stores it …
        lost.append(route.request.url)
        route.abort()  # … but the page never hears back

    page.route("**/api/v1/sampling/events", answer_lost)
    _scan(page, people[3].document_number)
    for _ in range(100):
        if lost:
            break
        page.wait_for_timeout(100)
    assert lost
    _pending(page, 1)
    page.unroute_all(behavior="wait")
    assert SampleEvent.objects.filter(person=people[3]).count() == 1
    _pending(page, 0)
    assert SampleEvent.objects.filter(person=people[3]).count() == 1
    assert SampleEvent.objects.count() == 4
    assert Tube.objects.get(barcode="OFF-0001").sample_count == 4
    assert "重复提交已忽略" in page.locator("#recent").inner_text()
