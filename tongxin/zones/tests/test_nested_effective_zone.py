import pytest

from tongxin.places.models import Place
from tongxin.zones.services import designate_zone, effective_zone, effective_zones

from .conftest import local

pytestmark = pytest.mark.django_db


def test_a_sealed_building_inside_a_controlled_estate_is_sealed(town, incident, chief) -> None:
    designate_zone(
        town.sunny, "controlled", incident, at=local(6, 1), reason="密接居住", decided_by=chief
    )
    designate_zone(town.b1, "sealed", incident, at=local(6, 2), reason="阳性病例", decided_by=chief)

    in_sealed = effective_zone(town.h101)
    assert in_sealed is not None
    assert (in_sealed.code, in_sealed.name, in_sealed.inherited) == ("sealed", "封控区", True)
    assert in_sealed.place == town.b1

    in_controlled = effective_zone(town.h201)
    assert in_controlled is not None
    assert (in_controlled.code, in_controlled.name) == ("controlled", "管控区")
    assert in_controlled.place == town.sunny

    estate = effective_zone(town.sunny)
    assert estate is not None and estate.code == "controlled" and not estate.inherited
    assert effective_zone(town.h_happy) is None


def test_a_lower_zone_below_a_higher_one_does_not_lower_it(town, incident, chief) -> None:
    designate_zone(town.township, "controlled", incident, at=local(6), reason="全镇管控")
    designate_zone(town.b2, "prevention", incident, at=local(6), reason="误划", decided_by=chief)
    zone = effective_zone(town.h201)
    assert zone is not None and zone.code == "controlled" and zone.place == town.township


def test_many_places_at_once_take_one_query(
    town, incident, chief, django_assert_num_queries
) -> None:
    designate_zone(town.sunny, "controlled", incident, at=local(6, 1), reason="管控")
    designate_zone(town.b1, "sealed", incident, at=local(6, 2), reason="封控")
    designate_zone(town.happy, "prevention", incident, at=local(6, 2), reason="防范")
    places = list(Place.objects.all())
    with django_assert_num_queries(1):
        zones = effective_zones(places, local(7))
    codes = {place.pk: zones[place.pk].code for place in places if place.pk in zones}
    assert codes[town.h101.pk] == "sealed"
    assert codes[town.b2.pk] == "controlled"
    assert codes[town.h_happy.pk] == "prevention"
    assert town.township.pk not in codes and town.community.pk not in codes


def test_many_scattered_places_still_take_one_query(
    town, incident, django_assert_num_queries, monkeypatch
) -> None:
    from tongxin.zones import services

    monkeypatch.setattr(services, "_MAX_PATHS_IN_QUERY", 2)  # force the subtree form
    designate_zone(town.sunny, "controlled", incident, at=local(6, 1), reason="管控")
    designate_zone(town.b1, "sealed", incident, at=local(6, 2), reason="封控")
    with django_assert_num_queries(1):
        zones = effective_zones([town.h101, town.h201, town.h_happy], local(7))
    assert zones[town.h101.pk].code == "sealed"
    assert zones[town.h201.pk].code == "controlled"
    assert town.h_happy.pk not in zones
