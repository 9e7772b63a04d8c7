"""The command post and duty staff see every request; a support team the ones dispatched to it;
a responsible unit the ones from its places. Anything else is 404, on pages and the API."""

from typing import Any

import pytest
from django.urls import reverse

from tongxin.accounts.models import Role
from tongxin.factories import UserFactory
from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services import dispatch

from .conftest import T0, Team, Town, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests_(desk, supplies: Team, medical: Team, town: Town) -> dict[str, HelpRequest]:
    in_sunny = ask("家里没菜了", "13911110001", place=town.h102, at=T0)
    in_happy = ask("需要配药", "13911110002", place=town.other_household, at=T0)
    nowhere = ask("隔离政策咨询", "13911110003", address="外地", at=T0)
    dispatch(in_sunny, supplies.unit, desk, now=T0)
    dispatch(in_happy, medical.unit, desk, now=T0)
    return {"sunny": in_sunny, "happy": in_happy, "nowhere": nowhere}


def visible(user: Any) -> set[str]:
    return set(HelpRequest.objects.visible_to(user).values_list("number", flat=True))


def test_who_sees_what(requests_: dict[str, HelpRequest], desk, chief, supplies: Team,
                       medical: Team, town: Town) -> None:  # fmt: skip
    every = {r.number for r in requests_.values()}
    assert visible(desk) == visible(chief) == every
    assert visible(supplies.a) == {requests_["sunny"].number}
    assert visible(medical.lead) == {requests_["happy"].number}
    # The water bureau is responsible for 阳光小区; the education bureau for 幸福小区.
    assert visible(town.water_leader) == visible(town.cadre) == {requests_["sunny"].number}
    assert visible(town.education_leader) == {requests_["happy"].number}
    # Roles outside the hotline loop see nothing, county-wide or not.
    assert visible(UserFactory(role=Role.INVESTIGATOR)) == set()
    assert visible(UserFactory(role=Role.TEST_POINT, unit=town.water)) == set()


def test_outside_is_404_on_pages_and_api(client: Any, requests_: dict[str, HelpRequest],
                                         supplies: Team) -> None:  # fmt: skip
    client.force_login(supplies.a)
    other = requests_["happy"].number
    assert client.get(reverse("helpdesk:detail", args=[other])).status_code == 404
    assert client.post(reverse("helpdesk:claim", args=[other])).status_code == 404
    assert client.post(reverse("helpdesk:reveal", args=[other, "phone"])).status_code == 404
    assert client.get(f"/api/v1/helpdesk/requests/{other}").status_code == 404
    listed = client.get("/api/v1/helpdesk/requests/").json()
    assert [r["number"] for r in listed["items"]] == [requests_["sunny"].number]
    mine = client.get(reverse("helpdesk:detail", args=[requests_["sunny"].number]))
    assert mine.status_code == 200


def test_duty_pages_are_for_duty_staff(client: Any, supplies: Team, town: Town) -> None:
    for user in (supplies.lead, town.water_leader):
        client.force_login(user)
        for name in ("queue", "new", "county", "stats", "imports", "rules", "follow_ups"):
            assert client.get(reverse(f"helpdesk:{name}")).status_code == 403, name


def test_a_team_page_of_another_team_is_404(client: Any, supplies: Team, medical: Team) -> None:
    client.force_login(supplies.a)
    assert client.get(reverse("helpdesk:team_of", args=[medical.unit.pk])).status_code == 404
    assert client.get(reverse("helpdesk:team_of", args=[supplies.unit.pk])).status_code == 200


def test_stats_are_scoped_too(client: Any, requests_: dict[str, HelpRequest],
                              supplies: Team) -> None:  # fmt: skip
    client.force_login(supplies.a)
    data = client.get(
        "/api/v1/helpdesk/stats", {"start": "2022-03-06T00:00:00+08:00",
                                   "end": "2022-03-07T00:00:00+08:00"}
    ).json()  # fmt: skip
    assert data["total"]["received"] == 1
