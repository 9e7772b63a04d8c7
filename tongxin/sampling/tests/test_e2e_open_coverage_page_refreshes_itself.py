"""A cadre keeps the coverage page open on a phone during the surge: the figures refresh
themselves (htmx, the figures alone) and the chart is drawn again, without reloading the page
(issue 15, section 4)."""

from django.urls import reverse

from tongxin.core.testing.e2e import e2e_marks, sign_in
from tongxin.sampling import views

from .conftest import PASSWORD, event, local

pytestmark = e2e_marks


def test_the_open_coverage_page_shows_new_samples_by_itself(
    phone, live_server, world, upload, settings, monkeypatch
):
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 0  # the figures as they are, every refresh
    monkeypatch.setattr(views, "REFRESH_SECONDS", 1)
    views._figures_html.clear()
    page = phone.new_page()
    sign_in(page, live_server.url, "command", PASSWORD)
    page.goto(live_server.url + reverse("sampling:coverage", args=[world.round.pk]))
    sampled = page.locator("#coverage-figures .figure").nth(1).locator("b")
    assert sampled.inner_text() == "0"
    page.locator("#chart-areas svg").wait_for()
    page.evaluate("window.tx_marker = 'still this page'")

    upload([event(world.people["s1-101"][0], "E1", at=local(6, 8))])
    page.wait_for_function(
        "() => document.querySelectorAll('#coverage-figures .figure b')[1].textContent === '1'",
        timeout=10_000,
    )
    assert page.evaluate("window.tx_marker") == "still this page"  # not reloaded
    page.locator("#chart-areas svg").wait_for()  # drawn again in the new figures
