"""GET /api/v1/workforce/volunteers: the open incident's volunteers the caller may see,
masked, filtered, paged and bounded."""

import pytest
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, assign, make_id_number
from tongxin.workforce.factories import MemberFactory
from tongxin.workforce.models import OrgKind, VolunteerOrg

pytestmark = pytest.mark.django_db
URL = "/api/v1/workforce/volunteers"


@pytest.fixture
def volunteers(incident, town, team):
    org = VolunteerOrg.objects.create(incident=incident, name="蓝天救援队", kind=OrgKind.RESCUE)
    inside = MemberFactory(
        incident=incident, is_volunteer=True, name="周志愿", area=town.sunny, organisation=org,
        phone="13700001234", document_number=make_id_number(), verification="pending",
    )  # fmt: skip
    outside = MemberFactory(
        incident=incident, is_volunteer=True, name="吴志愿", area=town.far, phone="13700005678",
        verification="verified",
    )  # fmt: skip
    MemberFactory(incident=incident, team=team, name="队员甲")  # staff, not a volunteer
    return inside, outside, org


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_command_post_lists_every_volunteer_masked(chief, volunteers) -> None:
    inside, _outside, org = volunteers
    response = _client(chief).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [v["name"] for v in body["items"]] == ["周志愿", "吴志愿"]
    first = body["items"][0]
    assert first["phone_masked"] == inside.phone_masked and first["organisation"] == "蓝天救援队"
    assert first["area"] == "阳光小区" and first["verification"] == "pending"
    text = response.content.decode()
    assert "13700001234" not in text and inside.document_number not in text
    assert "phone" not in first and "document_number" not in first

    pending = _client(chief).get(URL, {"status": "verified"}).json()
    assert [v["name"] for v in pending["items"]] == ["吴志愿"]
    by_org = _client(chief).get(URL, {"organisation": org.pk}).json()
    assert [v["name"] for v in by_org["items"]] == ["周志愿"]


def test_a_unit_sees_the_volunteers_of_its_area_only(town, volunteers) -> None:
    unit = UnitFactory(name="县水利局")
    assign(unit, town.sunny)
    leader = UserFactory(role=Role.UNIT_LEADER, unit=unit)
    body = _client(leader).get(URL).json()
    assert [v["name"] for v in body["items"]] == ["周志愿"]
    assert _client(leader).get(URL, {"area": town.far.pk}).status_code == 404
    member = UserFactory(role=Role.MEMBER)
    assert _client(member).get(URL).status_code == 404
    assert Client().get(URL).status_code in (401, 403)


def test_pages_are_bounded(chief, incident, town) -> None:
    for n in range(3):
        MemberFactory(incident=incident, is_volunteer=True, name=f"志愿者{n}", area=town.sunny)
    client = _client(chief)
    page = client.get(URL, {"page_size": 2, "page": 2}).json()
    assert page["count"] == 3 and [v["name"] for v in page["items"]] == ["志愿者2"]
    assert client.get(URL, {"page_size": 501}).status_code == 422
    assert client.get(URL, {"page": 10**9}).status_code == 422
    assert client.get(URL, {"status": "nonsense"}).status_code == 422
