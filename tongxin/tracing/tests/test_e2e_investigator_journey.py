"""In Chromium at phone size: an investigator opens a positive from a pool recall as 病例1,
derives its contacts, confirms the 密接, derives again and confirms the 次密接."""

import pytest

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.sampling.models import PositivePerson, Recall, SamplingMode, Tube
from tongxin.sampling.models import TestResult as Result
from tongxin.testing.models import TestRound
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Level, Management

from .conftest import PASSWORD, local

pytestmark = e2e_marks


@pytest.fixture
def recalled(world):
    """张三 (1801) was in a positive 10-in-1 tube; his single-tube resample is positive."""
    test_round = TestRound.objects.create(
        incident=world.incident, name="第一轮全员核酸", starts_at=local(8, 7), deadline=local(8, 19)
    )
    pool = Tube.objects.create(
        barcode="P0001", round=test_round, mode=SamplingMode.POOL_10, capacity=10,
        opened_at=local(8, 8), result=Result.POSITIVE, result_at=local(9, 2),
    )  # fmt: skip
    single = Tube.objects.create(
        barcode="S0001", round=test_round, mode=SamplingMode.SINGLE, capacity=1,
        opened_at=local(10, 20), result=Result.POSITIVE, result_at=local(11, 6),
    )  # fmt: skip
    recall = Recall.objects.create(round=test_round, tube=pool, raised_at=local(9, 2))
    zhang = world.one("1801")
    PositivePerson.objects.create(
        person=zhang, household=zhang.household, round=test_round, tube=single, recall=recall,
        found_at=local(11, 6),
    )  # fmt: skip
    supermarket, ktv = VenueFactory(name="同心超市"), VenueFactory(name="星光KTV")
    zheng = world.one("hb-301")
    checkin(world.incident, supermarket, zhang, local(9, 10), 60)
    checkin(world.incident, supermarket, zheng, local(9, 10, 20), 60)  # 40 minutes together
    checkin(world.incident, ktv, zheng, local(11, 19), 120)
    checkin(world.incident, ktv, world.one("b2-1801"), local(11, 19, 30), 90)
    return world


def test_investigator_from_positive_recall_to_confirmed_close_and_secondary(
    phone, live_server, recalled
):
    world = recalled
    page = phone.new_page()
    sign_in(page, live_server.url, "investigator", PASSWORD)
    page.get_by_role("link", name="流调", exact=True).click()
    page.wait_for_url(f"{live_server.url}/tracing/")
    assert "待立案的阳性人员" in page.content()
    row = page.locator("li.row", has_text=world.one("1801").document_masked)
    assert "混管复核检出" in row.inner_text()
    shot(page, "tracing-workbench")
    row.get_by_role("button", name="立案").click()
    page.wait_for_url(f"{live_server.url}/tracing/cases/*/")
    assert page.locator("h1").inner_text().startswith("病例1")

    page.get_by_role("button", name="推导候选接触者").click()
    page.wait_for_load_state()
    assert "请逐一或批量确认" in page.content()
    links = page.locator("form#links")
    assert links.locator("li.row", has_text="同一场所").count() == 1
    assert links.locator("li.row", has_text="共同居住").count() == 2
    shot(page, "tracing-candidates")
    links.get_by_role("button", name="确认所选").click()
    page.wait_for_load_state()
    assert "已确认" in page.locator(".messages").inner_text()

    page.get_by_role("button", name="推导候选接触者").click()
    page.wait_for_load_state()
    secondary = page.locator("form#secondary")
    assert secondary.locator("li.row", has_text=world.one("b2-1801").document_masked).count() == 1
    assert secondary.locator("li.row", has_text=world.one("hb-301", 1).document_masked).count() == 1
    secondary.get_by_role("button", name="确认所选").click()
    page.wait_for_load_state()
    shot(page, "tracing-secondary-confirmed")
    assert page.locator("form#secondary li.row", has_text="已确认").count() == 2

    zheng = Management.objects.get(person=world.one("hb-301"))
    assert zheng.level == Level.CLOSE
    for person in (world.one("b2-1801"), world.one("hb-301", 1)):
        assert Management.objects.get(person=person).level == Level.SECONDARY
