"""End to end in headless Chromium at 390×844: an escort signs in, opens their batch's pick-up
page, boards one person by scanning her ID card and another by ticking his name, cannot reach
the third (a knock, a call to her son: the contact log), marks her unreachable with a reason,
and the site's doctor signs for the two who came; the head count reconciles."""

import pytest

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.factories import household
from tongxin.isolation import factories as f
from tongxin.isolation.models import ContactAttempt, Outcome, Stay
from tongxin.isolation.services import batches as b

pytestmark = e2e_marks

PASSWORD = "pass-word-123"


@pytest.fixture
def batch(inc, chief, escort, site):
    people = [
        f.resident(household("阳光小区", "1", "101"), name="李阿姨"),
        f.resident(household("阳光小区", "1", "102"), name="王师傅"),
        f.resident(household("阳光小区", "1", "103"), age=82, name="独居奶奶"),
    ]
    entries = [f.listed(inc, p, by=chief) for p in people]
    return b.create_batch(
        chief, inc, site, entries, vehicle_plate="浙H12345", seats=20, planned_at=f.START,
        escort=escort,
    )  # fmt: skip


def _card(page, name):
    return page.locator(".member", has_text=name)


@pytest.mark.django_db(transaction=True)
def test_escort_pickup_on_a_phone_and_site_receipt(phone, live_server, batch, escort, site_staff):
    page = phone.new_page()
    sign_in(page, live_server.url, escort.username, PASSWORD)
    page.goto(f"{live_server.url}/isolation/batches/{batch.pk}/pickup/")
    assert page.locator("h1").inner_text().startswith(batch.code)
    assert page.viewport_size == {"width": 390, "height": 844}

    # Scan 李阿姨's ID card: her row is ticked as boarded.
    li = batch.members.get(entry__name="李阿姨").entry.person
    page.locator("#scan").fill(li.document_number)
    page.locator("#scan").press("Enter")
    _card(page, "李阿姨").locator("[data-label]", has_text="已上车").wait_for()

    # Tick 王师傅 by name.
    _card(page, "王师傅").get_by_role("button", name="已上车").click()
    _card(page, "王师傅").locator("[data-label]", has_text="已上车").wait_for()

    # 独居奶奶 does not answer: two contact attempts, then unreachable with a reason.
    granny = _card(page, "独居奶奶")
    granny.locator("summary", has_text="联系记录").click()
    granny.locator("select[name=method]").select_option("knock")
    granny.locator("input[name=result]").fill("敲门无人应答")
    granny.get_by_role("button", name="记录联系").click()
    granny.locator("select[name=method]").select_option("relative")
    granny.locator("input[name=result]").fill("联系到在厦门的儿子，正在劝说")
    granny.get_by_role("button", name="记录联系").click()
    granny.locator("summary", has_text="未上车").click()
    granny.locator("input[name=reason]").fill("本人未应答，儿子劝说中")
    granny.get_by_role("button", name="联系不上").click()
    granny.locator("[data-label]", has_text="联系不上").wait_for()
    # A locator, not wait_for_function: a polled string expression is eval'd, which the
    # page's Content-Security-Policy (no 'unsafe-eval') refuses when the queue is not empty yet.
    page.locator("#pickup[data-pending='0']").wait_for(state="attached")
    page.locator('[data-count="pending"]', has_text="0").wait_for()
    assert page.locator('[data-count="boarded"]').inner_text() == "2"
    assert page.locator('[data-count="unreachable"]').inner_text() == "1"
    shot(page, "isolation-pickup")

    member = batch.members.get(entry__name="独居奶奶")
    assert member.outcome == Outcome.UNREACHABLE
    assert ContactAttempt.objects.filter(member=member).count() == 2

    # The site's doctor signs for the two who came (and rooms are allocated).
    page.context.clear_cookies()
    sign_in(page, live_server.url, site_staff.username, PASSWORD)
    page.goto(f"{live_server.url}/isolation/batches/{batch.pk}/receive/")
    checkboxes = page.locator("input[name=members]")
    assert checkboxes.count() == 2
    page.get_by_role("button", name="签收所选人员").click()
    page.wait_for_load_state()
    assert "已签收 2 人" in page.content()
    assert page.locator('[data-count="received"]').inner_text() == "2"
    assert "人数相符" in page.content()
    page.get_by_role("button", name="核对无误，结束批次").click()
    page.wait_for_load_state()
    assert "批次已结束，人数相符" in page.content()
    shot(page, "isolation-receipt")
    assert Stay.objects.filter(member__batch=batch, room__isnull=False).count() == 2
    member.entry.refresh_from_db()
    assert member.entry.status == "waiting"  # 独居奶奶 is back on the transfer list
