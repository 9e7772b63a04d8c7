"""A cadre pages through an estate's untested list on a phone, from the login page: the
list shows a page at a time (issue 15, reads during the surge) and every untested resident is
on one of the pages, once."""

import re

from django.urls import reverse

from tongxin.core.testing.e2e import PHONE, e2e_marks, sign_in
from tongxin.sampling.services import coverage

from .conftest import PASSWORD

pytestmark = e2e_marks


def test_a_cadre_pages_through_an_estate_s_untested_list(phone, live_server, world, monkeypatch):
    # 阳光小区 has five residents, none sampled yet: three pages of two.
    monkeypatch.setattr(coverage, "UNTESTED_PAGE_SIZE", 2)
    expected = {p.name for key in ("s1-101", "s1-102", "s2-201") for p in world.people[key]}
    page = phone.new_page()
    sign_in(page, live_server.url, "command", PASSWORD)
    page.goto(live_server.url + reverse("sampling:untested", args=[world.round.pk, world.sunny.pk]))
    pager = page.get_by_role("navigation", name="分页")
    pager.wait_for()
    assert "5 人应检未检" in page.locator("main").inner_text()

    seen: list[str] = []
    for number in (1, 2, 3):
        page.get_by_text(f"第 {number} / 3 页").wait_for()
        listed = page.locator("ul.cards").inner_text()
        seen += [name for name in expected if name in listed]
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"page {number} is {width}px wide"
        if number < 3:
            pager.get_by_role("link", name="下一页").click()
    assert pager.get_by_role("link", name="下一页").count() == 0
    assert sorted(seen) == sorted(expected)  # every one, once

    pager.get_by_role("link", name="上一页").click()
    page.get_by_text("第 2 / 3 页").wait_for()
    assert re.search(r"[?&]page=2\b", page.url)
