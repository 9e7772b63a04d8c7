import pytest
from django.test import Client

from tongxin.accounts.models import ApiToken, Role
from tongxin.factories import UserFactory
from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Attendance
from tongxin.workforce.services.shifts import assign

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user) -> Client:
    _token, key = ApiToken.issue(user, "phone")
    return Client(headers={"authorization": f"Bearer {key}"})


def test_a_member_checks_in_once_however_often_the_phone_sends_it(incident, team, town) -> None:
    user = UserFactory(role=Role.MEMBER)
    member = MemberFactory(incident=incident, team=team, user=user)
    post = make_post(incident, place=town.sunny)
    assign(make_shift(post, local(6, 5), 5), member, "sampling")
    api = _client(user)
    body = {"client_id": "uuid-1", "code": post.code, "at": local(6, 5).isoformat()}
    first = api.post("/api/v1/workforce/checkins", body, content_type="application/json")
    again = api.post("/api/v1/workforce/checkins", body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["repeated"]) == ("checked_in", False)
    assert again.json()["repeated"] and again.json()["id"] == first.json()["id"]
    out = api.post(
        "/api/v1/workforce/checkins",
        {"client_id": "uuid-2", "action": "out", "at": local(6, 10).isoformat()},
        content_type="application/json",
    )
    assert out.json()["status"] == "checked_out" and out.json()["hours"] == 5
    assert Attendance.objects.count() == 1
    wrong = api.post(
        "/api/v1/workforce/checkins", {"client_id": "uuid-3", "code": "NOPE"},
        content_type="application/json",
    )  # fmt: skip
    assert wrong.status_code == 400 and "岗位码" in wrong.json()["detail"]
    shifts = api.get("/api/v1/workforce/me/shifts").json()
    assert [s["code"] for s in shifts] == [post.code]


def test_a_user_without_a_member_record_is_404(incident) -> None:
    api = _client(UserFactory(role=Role.MEMBER))
    response = api.post(
        "/api/v1/workforce/checkins", {"client_id": "x", "code": "P1"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 404


def test_coverage_is_scoped_to_the_posts_the_caller_sees(incident, town, chief) -> None:
    from tongxin.factories import UnitFactory
    from tongxin.factories import assign as give

    make_shift(make_post(incident, "阳光点", place=town.sunny), local(6, 5))
    make_shift(make_post(incident, "南山点", place=town.far), local(6, 5))
    unit = UnitFactory(name="县水利局")
    give(unit, town.sunny)
    leader = UserFactory(role=Role.UNIT_LEADER, unit=unit)
    names = [
        s["post"]["name"]
        for s in _client(leader).get("/api/v1/workforce/coverage?date=2022-03-06").json()["shifts"]
    ]
    assert names == ["阳光点"]
    everything = _client(chief).get("/api/v1/workforce/coverage?date=2022-03-06").json()
    assert everything["totals"]["shifts"] == 2
    assert (
        _client(UserFactory(role=Role.MEMBER))
        .get("/api/v1/workforce/coverage?date=2022-03-06")
        .status_code
        == 404
    )
