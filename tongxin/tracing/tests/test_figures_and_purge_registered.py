import json

from tongxin.incidents.registry import figures_providers, purge_handlers
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Case, CheckIn, Contact, Management, OutsidePerson, Venue
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def _world_with_contacts(world):
    venue = VenueFactory()
    visitor = OutsidePerson.objects.create(
        incident=world.incident, name="访客", phone="13800001111"
    )
    checkin(world.incident, venue, world.one("1801"), local(9, 10), 60)
    checkin(world.incident, venue, visitor, local(9, 10), 60)
    case = make_case(world, world.one("1801"))
    contacts = derive_for_case(case)
    confirm_contacts(contacts[:-1], world.users["investigator"])
    return case


def test_figures_count_by_classification_channel_level_and_status(world):
    _world_with_contacts(world)
    figures = figures_providers()["tracing"](world.incident)
    assert figures["cases"] == 1
    assert figures["cases_by_classification"]["asymptomatic"] == 1
    assert figures["cases_by_channel"]["community"] == 1
    confirmed = Management.objects.confirmed().count()
    assert sum(figures["contacts_by_level"].values()) == confirmed
    assert figures["candidates_to_confirm"] == 1
    text = json.dumps(figures, ensure_ascii=False)
    assert world.one("1801").name not in text and "病例1" not in text
    # Limited to an area: 华埠小区 has none of these contacts.
    area = world.homes["hb-301"].parent.parent
    assert (
        sum(figures_providers()["tracing"](world.incident, area=area)["contacts_by_level"].values())
        == 0
    )


def test_purge_removes_the_incidents_tracing_data(world):
    _world_with_contacts(world)
    purge = purge_handlers()["tracing"]
    dry = purge(world.incident, dry_run=True)
    assert dry["cases"] == 1 and dry["check_ins"] == 2 and Case.objects.exists()
    done = purge(world.incident, dry_run=False)
    assert done == dry
    assert not Case.objects.exists() and not CheckIn.objects.exists()
    assert not Contact.objects.exists() and not OutsidePerson.objects.exists()
    assert Venue.objects.exists()  # public places are not personal data
    assert purge(world.incident, dry_run=False)["cases"] == 0
