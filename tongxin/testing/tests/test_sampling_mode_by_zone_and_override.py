"""The mode of a household comes from the edition by its zone, unless a place overrides it."""

import pytest

from tongxin.incidents.services import switch_policy
from tongxin.places.models import Place
from tongxin.testing.models import SamplingMode
from tongxin.testing.services import sampling_mode_for, sampling_modes_for
from tongxin.testing.services.rounds import set_mode_override
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


def _zones(estates, incident, chief) -> None:
    designate_zone(
        estates.sunny, "controlled", incident, at=local(5, 21), reason="管控", decided_by=chief
    )
    designate_zone(estates.b1, "sealed", incident, at=local(5, 21), reason="阳性", decided_by=chief)


def test_mode_follows_the_zone_from_the_edition(round_, estates, incident, chief) -> None:
    _zones(estates, incident, chief)
    at = local(6, 8)
    assert sampling_mode_for(round_, estates.h101, at) == (SamplingMode.SINGLE, 1)
    assert sampling_mode_for(round_, estates.h201, at) == (SamplingMode.POOL_10, 10)


def test_no_zone_means_the_editions_other_size(round_, estates) -> None:
    assert sampling_mode_for(round_, estates.h301) == (SamplingMode.POOL_20, 20)


def test_prevention_zone_pools_twenty(round_, estates, incident, chief) -> None:
    designate_zone(estates.community, "prevention", incident, at=local(5, 21), reason="防范")
    assert sampling_mode_for(round_, estates.h301, local(6, 8)) == (SamplingMode.POOL_20, 20)


def test_ninth_edition_zone_names_map_by_rank(round_, estates, incident, np9, chief) -> None:
    switch_policy(incident, np9)
    designate_zone(estates.b2, "high", incident, at=local(5, 21), reason="高风险")
    designate_zone(estates.b3, "medium", incident, at=local(5, 21), reason="中风险")
    round_.refresh_from_db()
    at = local(6, 8)
    assert sampling_mode_for(round_, estates.h201, at) == (SamplingMode.SINGLE, 1)
    assert sampling_mode_for(round_, estates.h301, at) == (SamplingMode.POOL_10, 10)


def test_pool_sizes_are_data_not_constants(round_, estates, incident, chief) -> None:
    edition = incident.policy_edition
    edition.rules["pool_sizes"]["controlled"] = 5
    edition.rules["pool_sizes"]["other"] = 10
    edition.save()
    round_.refresh_from_db()
    _zones(estates, incident, chief)
    at = local(6, 8)
    assert sampling_mode_for(round_, estates.h201, at) == (SamplingMode.POOL, 5)
    assert sampling_mode_for(round_, estates.h_happy, at) == (SamplingMode.POOL_10, 10)


def test_household_mode_in_the_edition(round_, estates, incident, chief) -> None:
    edition = incident.policy_edition
    edition.rules["pool_sizes"]["sealed"] = "household"
    edition.save()
    round_.refresh_from_db()
    _zones(estates, incident, chief)
    assert sampling_mode_for(round_, estates.h101, local(6, 8)) == (SamplingMode.HOUSEHOLD, 0)


def test_override_on_a_place_wins_and_the_nearest_one_decides(
    round_, estates, incident, chief
) -> None:
    _zones(estates, incident, chief)
    set_mode_override(round_, estates.sunny, SamplingMode.POOL_20)
    set_mode_override(round_, estates.b1, SamplingMode.HOUSEHOLD)
    at = local(6, 8)
    assert sampling_mode_for(round_, estates.h101, at) == (SamplingMode.HOUSEHOLD, 0)
    assert sampling_mode_for(round_, estates.h201, at) == (SamplingMode.POOL_20, 20)
    # Clearing the building's override leaves the estate's.
    set_mode_override(round_, estates.b1, "")
    assert sampling_mode_for(round_, estates.h101, at) == (SamplingMode.POOL_20, 20)


def test_many_places_take_two_queries(
    round_, estates, incident, chief, django_assert_num_queries
) -> None:
    _zones(estates, incident, chief)
    set_mode_override(round_, estates.b3, SamplingMode.SINGLE)
    places = list(Place.objects.filter(kind="household"))
    round_ = type(round_).objects.select_related("incident__policy_edition").get(pk=round_.pk)
    with django_assert_num_queries(2):
        modes = sampling_modes_for(round_, places, local(6, 8))
    assert modes[estates.h101.pk] == (SamplingMode.SINGLE, 1)
    assert modes[estates.h201.pk] == (SamplingMode.POOL_10, 10)
    assert modes[estates.h301.pk] == (SamplingMode.SINGLE, 1)
