import datetime as dt

from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Contact, Level, Management
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.derive import derive_for_case
from tongxin.tracing.signals import last_exposure_changed

from .conftest import local, make_case


def test_highest_level_and_latest_end_over_all_sources(world):
    """王五 (1802) is 次密接 of 病例1 (same floor) and 密接 of 病例2 (same venue, earlier): one
    management record, level 密接, ending at the later of the two ends."""
    wang = world.one("1802")
    case1 = make_case(
        world, world.one("1801"), reported=local(20, 9), onset_date=dt.date(2022, 3, 19)
    )
    venue = VenueFactory()
    patient2 = world.one("hb-301")
    checkin(world.incident, venue, patient2, local(8, 10), 60)
    checkin(world.incident, venue, wang, local(8, 10), 60)
    case2 = make_case(world, patient2, reported=local(11, 9), onset_date=dt.date(2022, 3, 10))

    building = [c for c in derive_for_case(case1) if c.management.person_id == wang.pk]
    venue_link = [c for c in derive_for_case(case2) if c.management.person_id == wang.pk]
    assert [c.level for c in building] == [Level.SECONDARY]
    assert [c.level for c in venue_link] == [Level.CLOSE]
    assert building[0].management_id == venue_link[0].management_id
    confirm_contacts(building + venue_link, world.users["investigator"])

    m = Management.objects.get(person=wang)
    assert Contact.objects.filter(management=m).count() == 2
    assert m.level == Level.CLOSE
    assert m.last_exposure == local(20, 9)  # the later exposure (building, until 病例1 reported)
    # np-8: 密接 14 + 7 days from 8 March 11:00 → 29 March; 次密接 7 days from 20 March → 27 March.
    assert m.ends_on == dt.date(2022, 3, 29)
    # The end is the latest over the sources, not the highest level's alone.
    edition = world.incident.policy_edition
    edition.rules["secondary_contact"]["centralized_days"] = 14
    edition.save()
    from tongxin.tracing.services import recompute

    assert recompute(m).ends_on == dt.date(2022, 4, 3)


def test_a_new_source_that_moves_the_last_exposure_is_signalled(world):
    wang = world.one("1802")
    heard = []

    def listener(sender, management_id, last_exposure, **kwargs):
        heard.append((management_id, last_exposure))

    last_exposure_changed.connect(listener)
    try:
        venue = VenueFactory()
        patient2 = world.one("hb-301")
        checkin(world.incident, venue, patient2, local(8, 10), 60)
        checkin(world.incident, venue, wang, local(8, 10), 60)
        case2 = make_case(world, patient2, reported=local(11, 9))
        confirm_contacts(
            [c for c in derive_for_case(case2) if c.management.person_id == wang.pk],
            world.users["investigator"],
        )
        assert heard == []  # the first source sets it, nothing changed
        case1 = make_case(
            world, world.one("1801"), reported=local(20, 9), onset_date=dt.date(2022, 3, 19)
        )
        confirm_contacts(
            [c for c in derive_for_case(case1) if c.management.person_id == wang.pk],
            world.users["investigator"],
        )
    finally:
        last_exposure_changed.disconnect(listener)
    m = Management.objects.get(person=wang)
    assert heard == [(m.pk, local(20, 9))]
