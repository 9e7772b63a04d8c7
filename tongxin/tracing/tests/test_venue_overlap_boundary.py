from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import ExposureType, Level
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def _venue_contacts(case):
    return {
        c.management.person_id: c
        for c in derive_for_case(case)
        if c.exposure_type == ExposureType.VENUE
    }


def test_overlap_of_min_minutes_is_a_close_contact_and_one_minute_less_is_not(world):
    assert world.incident.policy_edition.rule("tracing", "venue_min_minutes") == 15
    venue = VenueFactory()
    patient = world.one("1801")
    checkin(world.incident, venue, patient, local(9, 10, 0), 60)  # 10:00–11:00
    just_enough, one_short = world.one("hb-301"), world.one("hb-301", 1)
    checkin(world.incident, venue, just_enough, local(9, 10, 45), 30)  # overlaps 15 min
    checkin(world.incident, venue, one_short, local(9, 10, 46), 30)  # overlaps 14 min
    found = _venue_contacts(make_case(world, patient))
    assert just_enough.pk in found and one_short.pk not in found
    c = found[just_enough.pk]
    assert c.level == Level.CLOSE
    assert (c.first_exposure, c.last_exposure) == (local(9, 10, 45), local(9, 11, 0))


def test_minimum_minutes_are_edition_data(world):
    edition = world.incident.policy_edition
    edition.rules["tracing"]["venue_min_minutes"] = 10
    edition.save()
    venue = VenueFactory()
    patient, other = world.one("1801"), world.one("hb-301", 1)
    checkin(world.incident, venue, patient, local(9, 10, 0), 60)
    checkin(world.incident, venue, other, local(9, 10, 46), 30)  # 14 minutes
    assert other.pk in _venue_contacts(make_case(world, patient))


def test_stays_outside_the_exposure_window_do_not_count(world):
    venue = VenueFactory()
    patient, other = world.one("1801"), world.one("hb-301")
    # Onset 10 March, window from 4 days before: 6 March 00:00.
    checkin(world.incident, venue, patient, local(5, 10), 60)
    checkin(world.incident, venue, other, local(5, 10), 60)
    case = make_case(world, patient)
    assert other.pk not in _venue_contacts(case)
    checkin(world.incident, venue, patient, local(6, 10), 60)
    checkin(world.incident, venue, other, local(6, 10), 60)
    assert other.pk in _venue_contacts(case)


def test_the_window_starts_before_the_first_positive_sample_without_onset(world):
    venue = VenueFactory()
    patient, other = world.one("1801"), world.one("hb-301")
    checkin(world.incident, venue, patient, local(4, 10), 60)
    checkin(world.incident, venue, other, local(4, 10), 60)
    case = make_case(world, patient, onset_date=None, first_positive_at=local(8, 7))
    assert other.pk in _venue_contacts(case)  # 4 March is within 4 days before 8 March


def test_a_timeline_stay_without_a_check_in_counts_too(world):
    from tongxin.tracing.models import Stay

    venue = VenueFactory()
    patient, other = world.one("1801"), world.one("hb-301")
    case = make_case(world, patient)
    Stay.objects.create(
        incident=world.incident,
        case=case,
        venue=venue,
        started_at=local(8, 18),
        ended_at=local(8, 20),
    )
    checkin(world.incident, venue, other, local(8, 19), 90)
    assert _venue_contacts(case)[other.pk].last_exposure == local(8, 20)
