from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Contact, ExposureType, Level
from tongxin.tracing.services import confirm_contacts, mark_isolated
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def _confirmed_close_contact(world, case, person):
    contacts = derive_for_case(case)
    target = [c for c in contacts if c.management.person_id == person.pk]
    confirm_contacts(target, world.users["investigator"])
    m = target[0].management
    m.refresh_from_db()
    return m


def test_people_exposed_to_a_close_contact_until_isolation_are_secondary(world):
    venue, later_venue = VenueFactory(), VenueFactory()
    patient, close = world.one("1801"), world.one("hb-301")
    # The case and the future 密接 at the same venue on 9 March (10:00–11:00).
    checkin(world.incident, venue, patient, local(9, 10), 60)
    checkin(world.incident, venue, close, local(9, 10), 60)
    case = make_case(world, patient)
    m = _confirmed_close_contact(world, case, close)
    assert m.level == Level.CLOSE and m.first_exposure == local(9, 10)
    mark_isolated(m.pk, local(12, 20))

    before, at_boundary, after = world.one("1701"), world.one("1901"), world.one("2001")
    # The 密接 at another venue on 12 March 19:00–21:00; isolated at 20:00.
    checkin(world.incident, later_venue, close, local(12, 19), 120)
    checkin(world.incident, later_venue, before, local(12, 19), 30)  # 19:00–19:30: exposed
    checkin(world.incident, later_venue, at_boundary, local(12, 19, 50), 70)  # 10 min before
    checkin(world.incident, later_venue, after, local(12, 20), 60)  # after isolation

    derive_for_case(case)
    secondary = {
        c.management.person_id: c
        for c in Contact.objects.filter(source_management=m, exposure_type=ExposureType.VENUE)
    }
    assert set(secondary) == {before.pk}
    assert secondary[before.pk].level == Level.SECONDARY
    # The co-resident of the 密接 is 次密接, exposed until the isolation time.
    household = Contact.objects.get(source_management=m, exposure_type=ExposureType.HOUSEHOLD)
    assert household.management.person_id == world.one("hb-301", 1).pk
    assert household.last_exposure == local(12, 20)


def test_without_isolation_the_window_runs_until_now(world):
    venue, later_venue = VenueFactory(), VenueFactory()
    patient, close, exposed = world.one("1801"), world.one("hb-301"), world.one("2001")
    checkin(world.incident, venue, patient, local(9, 10), 60)
    checkin(world.incident, venue, close, local(9, 10), 60)
    case = make_case(world, patient)
    m = _confirmed_close_contact(world, case, close)
    checkin(world.incident, later_venue, close, local(12, 20), 60)
    checkin(world.incident, later_venue, exposed, local(12, 20), 60)
    derive_for_case(case, now=local(13))
    assert Contact.objects.filter(source_management=m, management__person=exposed).exists()


def test_secondary_candidates_wait_for_a_confirmed_close_contact(world):
    venue = VenueFactory()
    patient, close = world.one("1801"), world.one("hb-301")
    checkin(world.incident, venue, patient, local(9, 10), 60)
    checkin(world.incident, venue, close, local(9, 10), 60)
    derive_for_case(make_case(world, patient))
    assert not Contact.objects.filter(
        level=Level.SECONDARY, source_management__isnull=False
    ).exists()
