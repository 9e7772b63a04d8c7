"""The sampler's and the lab liaison's jobs, end to end in a real headless Chromium at phone
size, from the login page (issue 8: items 2, 3, 4, 8 and the recall/coverage part of 11).

The sampler scans a tube, registered people, the same person again, a walk-in and a sealed
resident and sees the right flash each time; after a reload the walk-in is still there and
their name and address can be completed. The lab liaison imports the results and finds the
recall listing every person in the positive tube, the walk-in among them, on a phone screen
no wider than the phone.

Runs where Debian's chromium is installed and says plainly when it is not.
"""

import re

import pytest
from django.urls import reverse

from tongxin.core.testing.e2e import PHONE, e2e_marks, shot, sign_in
from tongxin.people.models import Person
from tongxin.sampling.models import SampleEvent, Tube, WalkIn
from tongxin.zones.services import designate_zone

from .conftest import PASSWORD, event, local

pytestmark = e2e_marks

WALK_IN = "330899199001011231"
RED = "rgb(198, 40, 40)"
AMBER = "rgb(239, 108, 0)"
GREEN = "rgb(46, 125, 50)"


def _scan(page, value):
    page.locator("#scan").fill(value)
    page.locator("#scan").press("Enter")


def _answered(page, n):
    """Wait until the server has answered for the n-th recent line."""
    # Locators, not wait_for_function: a polled string expression is eval'd, which the
    # page's Content-Security-Policy (no 'unsafe-eval') refuses while the answer is awaited.
    page.locator("#recent li:not(.queued)").nth(n - 1).wait_for(state="attached")
    page.locator("#point[data-pending='0']").wait_for(state="attached")


def _flash(page):
    box = page.locator("#flash")
    colour = box.evaluate("el => getComputedStyle(el).color")
    return box.get_attribute("data-level"), colour, box.inner_text()


def _fits_the_phone(page):
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"


@pytest.fixture
def sealed_building(world):
    building = world.homes["s2-201"].parent
    designate_zone(building, "sealed", world.incident, at=local(5, 21), reason="发现阳性",
                   decided_by=world.users["command"])  # fmt: skip
    return building


def test_the_sampler_sees_the_worst_outcome_of_every_scan(
    phone, live_server, world, upload, sealed_building
):
    zhang, li = world.people["s1-101"]
    wang = world.people["s1-102"][0]
    # 张三 was sampled this morning at another table: this page has never seen him.
    upload([event(zhang, "EARLIER", at=local(6, 7, 30))])

    page = phone.new_page()
    # Headless Chromium has no motor: count what the page asks of one.
    page.add_init_script(
        "window.__buzz = []; navigator.vibrate = (p) => { window.__buzz.push(p); return true; };"
    )
    sign_in(page, live_server.url, "sampler", PASSWORD)
    page.get_by_role("link", name="采样", exact=True).first.click()
    page.get_by_role("link", name=re.compile(world.round.name)).click()
    page.get_by_role("link", name=re.compile(world.point.name)).click()
    page.locator("#scan").wait_for()

    _scan(page, "TXE0001")
    assert _flash(page)[:2] == ("ok", GREEN)

    _scan(page, li.document_number)
    _answered(page, 1)
    level, colour, text = _flash(page)
    assert (level, colour) == ("ok", GREEN) and "已采样" in text
    assert page.evaluate("window.__buzz.length") == 0

    # A second sample in the round: amber, not the green of the sample just stored.
    _scan(page, zhang.document_number)
    _answered(page, 2)
    level, colour, text = _flash(page)
    assert (level, colour) == ("warn", AMBER)
    assert "此人本轮已于" in text and "请确认" in text

    # Somebody the registry does not know: kept, amber, a button to complete them.
    _scan(page, WALK_IN)
    _answered(page, 3)
    level, colour, text = _flash(page)
    assert (level, colour) == ("warn", AMBER)
    assert "名单中没有此人" in text and "330899********1231" in text
    assert (
        page.locator("#recent li", has_text="330899********1231")
        .get_by_role("button", name="补登")
        .is_visible()
    )

    # A resident of the sealed building: red, stop.
    zhao = world.people["s2-201"][0]
    _scan(page, zhao.document_number)
    _answered(page, 4)
    level, colour, text = _flash(page)
    assert (level, colour) == ("error", RED)
    assert "封控区" in text and "上门" in text
    # A long double buzz for the stop (a single short one was given for each warning).
    assert page.evaluate("window.__buzz.at(-1)") == [300, 120, 300]
    assert [200] in page.evaluate("window.__buzz")
    shot(page, "point-sealed")

    # Then an ordinary resident: green again.
    _scan(page, wang.document_number)
    _answered(page, 5)
    assert _flash(page)[:2] == ("ok", GREEN)

    tube = Tube.objects.get(barcode="TXE0001")
    assert tube.sample_count == 5
    walk_in = Person.objects.with_document("resident_id", WALK_IN).get()
    assert SampleEvent.objects.filter(tube=tube, person=walk_in).exists()

    # After a reload the walk-in is still there, and can be completed.
    page.reload()
    pending = page.locator("#walk-ins li", has_text="330899********1231")
    assert "待补登姓名和住址" in pending.inner_text()
    pending.get_by_role("button", name="补登").click()
    form = page.locator("#walk-in")
    form.get_by_label("姓名").fill("吴十")
    form.get_by_label("居住楼幢").select_option(label=world.homes["s1-101"].parent.address)
    form.get_by_label("房号").fill("302")
    form.get_by_role("button", name="保存").click()
    page.locator("#flash[data-level='ok']", has_text="已补登").wait_for()
    walk_in.refresh_from_db()
    assert walk_in.name == "吴十"
    assert walk_in.household.parent == world.homes["s1-101"].parent
    assert not WalkIn.objects.get(person=walk_in).needs_details
    _fits_the_phone(page)


def test_the_lab_finds_the_recall_with_every_person_in_the_tube(phone, live_server, world, upload):
    registered = world.people["s1-101"] + world.people["s1-102"]
    upload(
        [event(p, "TXE0001", at=local(6, 8, i)) for i, p in enumerate(registered)]
        + [event(None, "TXE0001", at=local(6, 8, 9), document_number=WALK_IN)]
    )
    page = phone.new_page()
    sign_in(page, live_server.url, "lab", PASSWORD)
    page.get_by_role("link", name="采样", exact=True).first.click()
    page.get_by_role("link", name="导入检测结果").click()
    page.locator("#accepted-words").wait_for()
    assert "阴性" in page.locator("#accepted-words").inner_text()
    csv = "试管条码,检测结果,检测机构,报告时间\nTXE0001,阳性,县疾控中心,2022-03-06 20:00\n"
    page.get_by_label("结果文件（.xlsx 或 .csv）").set_input_files(
        {"name": "results.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="导入").click()
    page.locator("#raised").wait_for()
    # Never boxed: accepted, but said.
    assert "TXE0001" in page.locator("#not-handed-over").inner_text()
    _fits_the_phone(page)

    page.locator("#raised a").first.click()
    page.wait_for_url(re.compile(r"/sampling/recalls/\d+/$"))
    members = page.locator("tr.member")
    assert members.count() == 5
    listed = page.locator("table").inner_text()
    for person in registered:
        assert person.name in listed and person.document_masked in listed
    assert "330899********1231" in listed and "现场登记" in listed
    shot(page, "recall-phone")
    _fits_the_phone(page)


def test_the_coverage_table_fits_a_phone(phone, live_server, world, upload):
    upload([event(p, "C1", at=local(6, 8, i)) for i, p in enumerate(world.people["s1-101"])])
    page = phone.new_page()
    sign_in(page, live_server.url, "command", PASSWORD)
    # Real estates have long names (the audit measured the table at 1,324 px).
    world.happy.name = "幸福小区二期南区安置房（原县水利局宿舍）"
    world.happy.save()
    url = live_server.url + reverse("sampling:coverage", args=[world.round.pk])
    # The county, then a community: its estates with their untested lists, the widest rows.
    for area in ("", f"?area={world.sunny.parent_id}"):
        page.goto(url + area)
        page.locator("table").wait_for()
        _fits_the_phone(page)
