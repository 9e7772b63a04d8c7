import pytest
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.supplies.factories import item, warehouse
from tongxin.supplies.services.deliveries import generate_round
from tongxin.supplies.services.stock import receive
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_stock_page_and_marking_a_doorstep(incident, chief) -> None:
    h = household("阳光小区", "1", "101", stairwell="1")
    PersonFactory(household=h, name="张三")
    estate = h.parent.parent.parent
    designate_zone(estate, "sealed", incident, at=local(6), reason="阳性", decided_by=chief)
    round_ = generate_round(incident, estate, item("蔬菜包"), local(7).date(), at=local(7))
    receive(warehouse(), item("N95口罩", low_stock_at=500), 100)
    unit = UnitFactory(name="县水利局")
    assign(unit, estate)
    cadre = UserFactory(role=Role.GRID_STAFF, unit=unit)
    client = Client()
    client.force_login(chief)
    assert "库存不足" in client.get("/supplies/").content.decode()
    client.force_login(cadre)
    page = client.get(f"/supplies/rounds/{round_.pk}/").content.decode()
    assert "1单元 101室" in page and "张三" not in page
    delivery = round_.deliveries.get()
    response = client.post(
        "/supplies/deliveries/delivered/",
        {"client_id": "p-1", "delivery": delivery.pk},
        follow=True,
    )
    assert "101室 已送达" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.delivered_by == cadre
    stranger = UserFactory(role=Role.GRID_STAFF, unit=UnitFactory(name="县教育局"))
    client.force_login(stranger)
    assert client.get(f"/supplies/rounds/{round_.pk}/").status_code == 404


def test_the_support_team_issues_a_post_request_and_records_the_receipt(incident) -> None:
    from tongxin.supplies.models import RequestStatus, SupplyRequest

    keeper = UserFactory(role=Role.SUPPORT_TEAM, unit=UnitFactory(name="县物资保障组"))
    wh, tubes = warehouse(), item("采样管", category="sampling")
    receive(wh, tubes, 400)
    short = SupplyRequest.objects.create(
        incident=incident, warehouse=wh, item=tubes, quantity=500, for_post="一号采样点"
    )
    client = Client()
    client.force_login(keeper)
    page = client.post(f"/supplies/requests/{short.pk}/issue/", follow=True).content.decode()
    assert "库存不足" in page
    short.refresh_from_db()
    assert short.status == RequestStatus.OPEN
    short.quantity = 300
    short.save()
    client.post(f"/supplies/requests/{short.pk}/issue/")
    client.post(f"/supplies/requests/{short.pk}/receipt/", {"receiver": "点长"})
    short.refresh_from_db()
    assert (short.status, short.receipt_name) == (RequestStatus.DELIVERED, "点长")
