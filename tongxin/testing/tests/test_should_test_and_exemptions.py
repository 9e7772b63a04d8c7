"""Who a round expects: residents living under its scope; exemptions are listed beside them."""

import pytest

from tongxin.people.models import ResidenceStatus
from tongxin.testing.models import ExemptionReason
from tongxin.testing.services import exempted, should_test
from tongxin.testing.services.rounds import RoundError, add_area, exempt

from .conftest import residents

pytestmark = pytest.mark.django_db


def test_living_residents_under_the_scope_are_expected(round_, estates) -> None:
    living = residents(estates.h101, 2) + residents(
        estates.h201, 1, residence_status=ResidenceStatus.TEMPORARY
    )
    residents(estates.h301, 1, residence_status=ResidenceStatus.AWAY)
    residents(estates.h102, 1, residence_status=ResidenceStatus.REGISTERED_ABSENT)
    residents(estates.h_happy, 3)  # another estate, not in the scope
    assert set(should_test(round_)) == set(living)


def test_adding_an_estate_widens_the_scope_and_nested_areas_count_once(round_, estates) -> None:
    residents(estates.h101, 1)
    other = residents(estates.h_happy, 2)
    add_area(round_, estates.b1, "single")  # inside the scope already
    assert should_test(round_).count() == 1
    add_area(round_, estates.happy)
    assert should_test(round_).count() == 3
    assert set(other) <= set(should_test(round_))


def test_exempted_people_stay_expected_and_are_listed(round_, estates, chief) -> None:
    bedridden, infant, _well = residents(estates.h101, 3)
    exempt(round_, bedridden, ExemptionReason.BEDRIDDEN, "卧床", by=chief)
    exempt(round_, infant, ExemptionReason.INFANT, by=chief)
    assert should_test(round_).count() == 3
    rows = {e.person: e for e in exempted(round_)}
    assert set(rows) == {bedridden, infant}
    assert rows[bedridden].door_to_door and not rows[infant].door_to_door
    # Changing the reason keeps one row.
    exempt(round_, infant, ExemptionReason.AWAY, by=chief)
    assert exempted(round_).count() == 2


def test_someone_outside_the_scope_cannot_be_exempted(round_, estates, chief) -> None:
    (outsider,) = residents(estates.h_happy, 1)
    with pytest.raises(RoundError):
        exempt(round_, outsider, ExemptionReason.AWAY, by=chief)
