import pytest
from django.test import Client

from tongxin.accounts.models import ApiToken, Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.supplies.factories import item
from tongxin.supplies.services.deliveries import generate_round
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user) -> Client:
    _token, key = ApiToken.issue(user, "phone")
    return Client(headers={"authorization": f"Bearer {key}"})


def test_marking_twice_is_once_and_outside_is_404(incident, chief) -> None:
    h = household("阳光小区", "1", "101")
    far = household("幸福小区", "1", "101", community="西门社区")
    for place in (h, far):
        PersonFactory(household=place)
        designate_zone(place.parent.parent, "sealed", incident, at=local(6), reason="阳性",
                       decided_by=chief)  # fmt: skip
    veg = item("蔬菜包")
    mine = generate_round(incident, h.parent.parent, veg, local(7).date(), at=local(7))
    theirs = generate_round(incident, far.parent.parent, veg, local(7).date(), at=local(7))
    unit = UnitFactory(name="县水利局")
    assign(unit, h.parent.parent)
    cadre = UserFactory(role=Role.GRID_STAFF, unit=unit)
    api = _client(cadre)
    body = {"client_id": "c-1", "delivery": mine.deliveries.get().pk}
    first = api.post("/api/v1/supplies/deliveries", body, content_type="application/json")
    again = api.post("/api/v1/supplies/deliveries", body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert (first.json()["repeated"], again.json()["repeated"]) == (False, True)
    assert first.json()["delivered_at"] == again.json()["delivered_at"]
    outside = api.post(
        "/api/v1/supplies/deliveries",
        {"client_id": "c-2", "delivery": theirs.deliveries.get().pk},
        content_type="application/json",
    )
    assert outside.status_code == 404
    assert api.get(f"/api/v1/supplies/rounds/{theirs.pk}").status_code == 404
    listed = api.get(f"/api/v1/supplies/rounds/{mine.pk}").json()
    assert listed["totals"]["households_delivered"] == 1
