"""End to end in a real headless Chromium: sign in, walk the tree down to a household, search.

Runs where Debian's chromium is installed (`.ci/run` installs it) and says plainly when it is not.
Set TONGXIN_E2E_SCREENSHOTS=/some/dir to keep phone-width screenshots of the pages it visits.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tongxin.core.testing.e2e import e2e_marks, shot

from .conftest import PASSWORD

pytestmark = e2e_marks


@pytest.fixture
def browser_page(phone):
    return phone.new_page()


def _open_in_panel(page, name):
    """Tap a place's name: htmx swaps the panel and pushes the place's own address."""
    page.locator("#place-panel .node-name", has_text=name).first.click()
    page.locator("#place-panel h1", has_text=name).wait_for()


def test_login_walk_the_tree_to_a_household_and_search(browser_page, live_server, world):
    page = browser_page
    page.goto(live_server.url + reverse("home"))

    # Signing in, in Chinese.
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("command")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + reverse("home"))
    assert "全县概况" in page.content()

    # Down the tree, one htmx swap per level, each level's address pushed.
    page.get_by_role("link", name="地点", exact=True).click()
    page.wait_for_url(re.compile(r"/places/\d+/$"))
    assert page.locator("#place-panel h1").inner_text().startswith("开化县")
    for name in ("芹阳办事处", "东门社区", "阳光小区"):
        _open_in_panel(page, name)
    estate = world.sunshine
    assert page.url == live_server.url + reverse("place", args=[estate.pk])

    # Expanding 2幢 in place shows its stairwell without leaving the estate.
    row = page.locator("details", has=page.locator(".node-name", has_text="2幢")).first
    row.locator(".count").first.click()
    row.locator(".sub .node-name", has_text="1单元").wait_for()
    assert page.url == live_server.url + reverse("place", args=[estate.pk])
    shot(page, "tree-estate")

    _open_in_panel(page, "1幢")
    _open_in_panel(page, "101室")
    household = world.households["sun-1-101"]
    assert page.url == live_server.url + reverse("place", args=[household.pk])
    cards = page.locator("#place-panel .card.person")
    assert sorted(cards.locator(".name").all_inner_texts()) == sorted(["张三", "李梅"])
    shot(page, "tree-household")

    # The back button brings the previous level back.
    page.go_back()
    page.locator("#place-panel h1", has_text="1幢").wait_for()

    # A resident's page, masked, and one reveal.
    page.go_forward()
    page.locator(".card.person", has_text="张三").click()
    page.wait_for_url(re.compile(r"/residents/\d+/$"))
    zhang = world.people["zhang"]
    assert zhang.document_masked in page.content()
    assert zhang.document_number not in page.content()
    shot(page, "resident-detail")
    page.locator("#reveal-phone").get_by_placeholder("查看事由").fill("电话通知复检")
    page.locator("#reveal-phone").get_by_role("button", name="显示").click()
    page.locator("#reveal-phone.revealed").wait_for()
    assert zhang.phone in page.locator("#reveal-phone").inner_text()
    shot(page, "resident-revealed")

    # A search by pinyin initials, results swapped in as one types.
    page.get_by_role("link", name="居民", exact=True).click()
    page.wait_for_url(live_server.url + reverse("residents"))
    assert page.locator("#results .card.person").count() == 7  # the whole county, unfiltered
    page.locator("#q").fill("zs")
    expect(page.locator("#results .card.person")).to_have_count(1)
    results = page.locator("#results .card.person .name").all_inner_texts()
    assert results == ["张三"]
    shot(page, "search")
