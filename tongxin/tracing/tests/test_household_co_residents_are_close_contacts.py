from tongxin.tracing.models import ContactStatus, ExposureType, Level, ManagementStatus
from tongxin.tracing.services.derive import derive_for_case

from .conftest import make_case


def test_co_residents_of_a_case_are_close_contact_candidates(world):
    case = make_case(world, world.one("1801"))
    contacts = derive_for_case(case)
    household = [c for c in contacts if c.exposure_type == ExposureType.HOUSEHOLD]
    assert {c.management.person_id for c in household} == {p.pk for p in world.people["1801"][1:]}
    assert all(c.level == Level.CLOSE for c in household)
    # Candidates only: nothing is final until an investigator confirms it.
    assert all(c.status == ContactStatus.CANDIDATE for c in household)
    assert all(c.management.status == ManagementStatus.CANDIDATE for c in household)


def test_deriving_twice_stores_each_candidate_once(world):
    case = make_case(world, world.one("1801"))
    first = {c.pk for c in derive_for_case(case)}
    second = {c.pk for c in derive_for_case(case)}
    assert first == second


def test_the_household_level_is_edition_data(world):
    edition = world.incident.policy_edition
    edition.rules["tracing"]["building_rule"]["household_level"] = "secondary"
    edition.save()
    case = make_case(world, world.one("1801"))
    household = [c for c in derive_for_case(case) if c.exposure_type == ExposureType.HOUSEHOLD]
    assert household and all(c.level == Level.SECONDARY for c in household)
