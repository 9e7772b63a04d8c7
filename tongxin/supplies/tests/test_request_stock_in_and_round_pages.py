"""The supplies pages that write: a post's request, a warehouse's stock in, a delivery round
generated for a sealed estate — each through the services, each within the user's reach."""

import pytest
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, household
from tongxin.supplies.factories import item, warehouse
from tongxin.supplies.models import DeliveryRound, RequestStatus, SupplyRequest
from tongxin.supplies.services.stock import balance, receive
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_post_requests_and_the_warehouse_issues(incident, chief) -> None:
    store, tubes = warehouse(), item("采样管")
    receive(store, tubes, 1000)
    client = _client(chief)
    response = client.post(
        "/supplies/requests/new/",
        {"warehouse": store.pk, "item": tubes.pk, "quantity": "500",
         "for_post": "阳光小区1号采样点", "needed_by": "2022-03-07T05:00"},
    )  # fmt: skip
    assert response.status_code == 302
    found = SupplyRequest.objects.get()
    assert (found.quantity, found.for_post, found.status) == (500, "阳光小区1号采样点", "open")
    assert found.requested_by == chief
    client.post(f"/supplies/requests/{found.pk}/issue/")
    found.refresh_from_db()
    assert found.status == RequestStatus.ISSUED and balance(store, tubes) == 500

    refused = client.post(
        "/supplies/requests/new/",
        {"warehouse": store.pk, "item": tubes.pk, "quantity": "0", "for_post": "x"},
    )
    assert refused.status_code == 400 and SupplyRequest.objects.count() == 1


def test_stock_in_by_batch_is_for_who_manages_supplies(incident, chief) -> None:
    store, masks = warehouse(), item("N95口罩")
    response = _client(chief).post(
        "/supplies/stock/in/",
        {"warehouse": store.pk, "item": masks.pk, "quantity": "2000", "batch": "2022-03-A"},
        follow=True,
    )  # fmt: skip
    assert "已入库 N95口罩 2000，结存 2000" in response.content.decode()
    assert balance(store, masks) == 2000
    cadre = UserFactory(role=Role.GRID_STAFF, unit=UnitFactory(name="县水利局"))
    assert _client(cadre).get("/supplies/stock/in/").status_code == 403


def test_a_round_is_generated_for_a_sealed_estate_from_the_page(incident, chief) -> None:
    h = household("阳光小区", "1", "101")
    PersonFactory(household=h)
    estate = h.parent.parent
    open_estate = household("幸福小区", "1", "101").parent.parent
    designate_zone(estate, "sealed", incident, at=local(6), reason="阳性", decided_by=chief)
    vegetables = item("蔬菜包")
    client = _client(chief)
    response = client.post(
        "/supplies/rounds/new/", {"estate": estate.pk, "item": vegetables.pk, "day": "2022-03-07"}
    )
    round_ = DeliveryRound.objects.get()
    assert response["Location"] == f"/supplies/rounds/{round_.pk}/"
    assert round_.deliveries.get().household == h
    refused = client.post(
        "/supplies/rounds/new/",
        {"estate": open_estate.pk, "item": vegetables.pk, "day": "2022-03-07"},
    )
    assert refused.status_code == 400 and "没有封控或管控的住户" in refused.content.decode()
