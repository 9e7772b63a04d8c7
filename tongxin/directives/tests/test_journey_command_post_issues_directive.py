"""The command post, on a phone at 4 a.m.: signs in, finds its way with a navigation that takes
one row, can read the red header's "消息", and issues a directive to a unit."""

import re
from typing import Any

import pytest

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.directives.models import Directive
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident

from .conftest import T0, Team

pytestmark = e2e_marks
PASSWORD = "pass-word-123"  # tongxin.factories.UserFactory's


@pytest.fixture
def incident() -> Incident:
    # The live server's tests flush the database between tests: load the editions again.
    load_policy_editions()
    return open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), T0)


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def contrast(fg: str, bg: str) -> float:
    def luminance(rgb: tuple[float, ...]) -> float:
        def channel(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(_rgb(fg)), luminance(_rgb(bg))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_command_post_issues_a_directive_on_a_phone(
    phone: Any, live_server: Any, chief: Any, water: Team, incident: Any
) -> None:
    page = phone.new_page()
    sign_in(page, live_server.url, chief.username, PASSWORD)
    assert "全县概况" in page.content()

    # The navigation is one row at 390 px (it used to wrap to four), and the page itself
    # never scrolls sideways.
    nav = page.locator("nav.nav")
    links = nav.locator("a")
    assert links.count() >= 10
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) == 1, f"navigation wraps to {len(tops)} rows"
    assert nav.bounding_box()["height"] < 70
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # "消息" in the red header can be read (it was blue on red).
    inbox = page.locator(".top .inbox-link")
    colours = inbox.evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el.closest('.top')).backgroundColor]"
    )
    assert contrast(*colours) >= 4.5, colours
    shot(page, "command-post-home-phone")

    # To the directives, through the navigation (scrolled into reach), and issue one.
    nav.get_by_role("link", name="指令", exact=True).click()
    page.get_by_role("link", name="下达指令").click()
    page.get_by_label("标题").fill("今晚完成独居老人排查")
    page.get_by_label("指令内容").fill("逐户核实独居老人的用药和生活物资，22点前反馈。")
    page.get_by_label("办结时限").fill("2030-03-06T22:00")
    page.get_by_label(water.unit.name).check()
    page.get_by_role("button", name="下达").click()
    page.wait_for_load_state()
    shot(page, "command-post-directive-issued")

    directive = Directive.objects.get(title="今晚完成独居老人排查")
    assert list(directive.targets.values_list("unit__name", flat=True)) == [water.unit.name]
    assert "今晚完成独居老人排查" in page.locator("h1").inner_text()
    assert water.unit.name in page.locator("main").inner_text()
