import pytest
from django.urls import reverse

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign
from tongxin.zones.models import AreaTestRound, PositiveFinding, ZoneDesignation
from tongxin.zones.services import designate_zone, record_area_round, record_positive

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def zones(town, incident):
    return {
        "township": designate_zone(
            town.township, "prevention", incident, at=local(6), reason="全镇"
        ),
        "sunny": designate_zone(town.sunny, "controlled", incident, at=local(6), reason="管控"),
        "b1": designate_zone(town.b1, "sealed", incident, at=local(6), reason="封控"),
        "happy": designate_zone(town.happy, "controlled", incident, at=local(6), reason="管控"),
    }


@pytest.fixture
def sunny_staff(town):
    unit = UnitFactory(name="县水利局")
    assign(unit, town.sunny)
    return UserFactory(role=Role.GRID_STAFF, unit=unit)


def test_a_unit_sees_zones_on_above_and_below_its_estate_not_a_neighbours(
    zones, sunny_staff
) -> None:
    visible = set(ZoneDesignation.objects.visible_to(sunny_staff))
    assert visible == {zones["township"], zones["sunny"], zones["b1"]}


def test_the_command_post_sees_every_zone(zones, chief) -> None:
    assert ZoneDesignation.objects.visible_to(chief).count() == 4


def test_without_a_unit_nothing_is_visible(zones) -> None:
    loose = UserFactory(role=Role.GRID_STAFF, unit=None)
    assert not ZoneDesignation.objects.visible_to(loose).exists()


def test_a_neighbours_zone_is_404_and_own_is_200(client, zones, sunny_staff) -> None:
    client.force_login(sunny_staff)
    assert client.get(reverse("zones:detail", args=[zones["happy"].pk])).status_code == 404
    assert client.get(reverse("zones:detail", args=[zones["sunny"].pk])).status_code == 200
    assert client.get(reverse("zones:detail", args=[zones["township"].pk])).status_code == 200


def test_the_list_shows_only_visible_zones_and_counts_only_visible_residents(
    client, town, zones, sunny_staff
) -> None:
    PersonFactory(household=town.h101)
    PersonFactory(household=town.h_happy)
    client.force_login(sunny_staff)
    response = client.get(reverse("zones:list"))
    assert response.status_code == 200
    rows = {row["designation"]: row for row in response.context["rows"]}
    assert set(rows) == {zones["township"], zones["sunny"], zones["b1"]}
    # The township zone covers both estates; this unit counts only its own resident.
    assert rows[zones["township"]]["residents"] == 1
    assert "幸福小区" not in response.content.decode()


def test_only_the_command_post_may_decide(client, town, zones, sunny_staff, chief) -> None:
    client.force_login(sunny_staff)
    assert client.get(reverse("zones:designate")).status_code == 403
    assert client.get(reverse("zones:lift", args=[zones["sunny"].pk])).status_code == 403
    response = client.post(
        reverse("zones:lift", args=[zones["sunny"].pk]),
        {"at": "2022-03-08T09:00", "reason": "越权"},
    )
    assert response.status_code == 403
    assert ZoneDesignation.objects.get(pk=zones["sunny"].pk).effective_until is None


def test_positives_are_shown_only_inside_the_jurisdiction(town, incident, sunny_staff) -> None:
    inside = record_positive(incident, town.h101, local(7))
    record_positive(incident, town.h_happy, local(7))
    record_area_round(incident, town.township, local(8), all_negative=True)
    record_area_round(incident, town.happy, local(8), all_negative=True)
    assert list(PositiveFinding.objects.visible_to(sunny_staff)) == [inside]
    assert [r.place for r in AreaTestRound.objects.visible_to(sunny_staff)] == [town.township]
