"""End to end on a phone (390×844): the support group's courier signs in, links a household's
help request for living supplies to its doorstep delivery, marks the door delivered, and sees
the request closed."""

import pytest

from tongxin.core.testing.e2e import e2e_marks, shot, sign_in
from tongxin.helpdesk.models import Status

from .test_delivery_closes_help_request import _setup

pytestmark = e2e_marks


@pytest.fixture(autouse=True)
def _sms_in_tmp(settings, tmp_path):
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms.jsonl")


def test_the_courier_links_the_request_and_closes_it_at_the_door(
    phone, live_server, incident, chief
) -> None:
    round_, h101, _other, request, courier = _setup(incident, chief)
    page = phone.new_page()
    sign_in(page, live_server.url, courier.username, "pass-word-123")
    page.get_by_role("link", name="物资").first.click()
    page.get_by_role("link", name="阳光小区").first.click()
    door = page.locator("li.row").filter(has_text=h101.name)
    door.get_by_role("button", name=f"关联求助 {request.number}").click()
    page.get_by_text(f"已关联求助工单 {request.number}，送达即办结").wait_for()
    door = page.locator("li.row").filter(has_text=h101.name)
    assert door.get_by_text(request.number).is_visible()
    shot(page, "delivery-linked")
    door.get_by_role("button", name="已送达").click()
    page.get_by_text("已送达，求助工单已办结").wait_for()
    shot(page, "delivery-closed-request")
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert round_.deliveries.get(household=h101).delivered_at is not None
