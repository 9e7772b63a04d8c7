"""A help request for living supplies is linked to the household's delivery from the round
page by the support group it was dispatched to; the doorstep delivery then closes it."""

import pytest
from django.test import Client, TestCase

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory
from tongxin.helpdesk.models import Status
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.deliveries import link_help_request

from .test_delivery_closes_help_request import _setup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_in_tmp(settings, tmp_path):
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms.jsonl")


def test_the_support_group_links_the_request_and_the_doorstep_closes_it(incident, chief):
    round_, h101, _other, request, courier = _setup(incident, chief)
    client = Client()
    client.force_login(courier)
    page = client.get(f"/supplies/rounds/{round_.pk}/").content.decode()
    assert f"关联求助 {request.number}" in page
    delivery = round_.deliveries.get(household=h101)
    linked = client.post(
        "/supplies/deliveries/link/", {"delivery": delivery.pk, "request": request.number},
        follow=True,
    )  # fmt: skip
    assert f"已关联求助工单 {request.number}，送达即办结" in linked.content.decode()
    delivery.refresh_from_db()
    assert delivery.help_request == request
    assert f"关联求助 {request.number}" not in linked.content.decode()

    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(
            "/supplies/deliveries/delivered/", {"delivery": delivery.pk, "client_id": "c-9"},
            follow=True,
        )  # fmt: skip
    assert "已送达，求助工单已办结" in done.content.decode()
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.closed_by == courier


def test_who_does_not_work_on_the_request_cannot_link_it(incident, chief) -> None:
    round_, h101, _other, request, _courier = _setup(incident, chief)
    delivery = round_.deliveries.get(household=h101)
    cadre = UserFactory(role=Role.GRID_STAFF, unit=UnitFactory(name="县水利局"))
    with pytest.raises(SuppliesError, match="承办组"):
        link_help_request(delivery, request, cadre)
    client = Client()
    client.force_login(cadre)
    response = client.post(
        "/supplies/deliveries/link/", {"delivery": delivery.pk, "request": request.number}
    )
    assert response.status_code == 404  # neither the delivery nor the request is theirs
    delivery.refresh_from_db()
    assert delivery.help_request is None


def test_only_living_supplies_requests_of_a_waiting_door_are_linked(incident, chief) -> None:
    round_, h101, _other, request, courier = _setup(incident, chief)
    delivery = round_.deliveries.get(household=h101)
    request.category = "medicine"
    request.save()
    with pytest.raises(SuppliesError, match="生活物资"):
        link_help_request(delivery, request, courier)
    request.category = "food"
    request.save()
    delivery.delivered_at = request.received_at
    delivery.save()
    with pytest.raises(SuppliesError, match="已送达"):
        link_help_request(delivery, request, courier)
