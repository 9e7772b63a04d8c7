"""Real headless Chromium for the end-to-end journeys (Playwright driving Debian's chromium).

Every journey uses these fixtures, so a new one is a few lines:

    pytestmark = e2e_marks

    def test_resident_asks_for_help(phone, live_server):
        page = phone.new_page()
        page.goto(live_server.url + "/help/")

`phone` is a browser context at 390×844 (where the person works on a phone), `desktop` one at
1280×900. Where /usr/bin/chromium is absent the journeys skip with a plain message; `.ci/run`
installs it. Set TONGXIN_E2E_SCREENSHOTS=/some/dir to keep full-page screenshots (`shot`).
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000

e2e_marks = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Chromium not installed (/usr/bin/chromium): end-to-end browser test skipped",
    ),
]


@pytest.fixture
def chromium(live_server: Any, settings: Any, monkeypatch: Any) -> Iterator[Any]:
    """A launched headless Chromium talking to the live server (plain http)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # (fixtures, assertions) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _context(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, device_scale_factor=2, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """A browser context at phone size (390×844), Chinese locale."""
    context = _context(chromium, PHONE)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def desktop(chromium: Any) -> Iterator[Any]:
    """A browser context at desktop size (1280×900), Chinese locale."""
    context = _context(chromium, DESKTOP)
    try:
        yield context
    finally:
        context.close()


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Sign in through the login page as a person would, and wait to land."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("TONGXIN_E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
