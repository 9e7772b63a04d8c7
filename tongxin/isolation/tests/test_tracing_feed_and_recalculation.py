"""With tracing's real models: its confirmed contacts due for isolation go onto the transfer
list once; intake tells tracing they are isolated; a new source that moves the last exposure
recalculates the stay's end date (history kept); a positive in isolation becomes a case with
detection channel 隔离点筛查."""

import datetime as dt

import pytest
from django.core.management import call_command

from tongxin.isolation import factories as f
from tongxin.isolation.models import EntryStatus, Outcome, Source, Stay, TransferEntry
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.tracing_feed import feed_transfer_list_from_tracing
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Management, ManagementStatus
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.derive import derive_for_case
from tongxin.tracing.tests.conftest import local, make_case, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _confirmed(world):  # noqa: F811
    case = make_case(world, world.one("1801"))
    confirm_contacts(derive_for_case(case), world.users["investigator"])
    return case


def test_feed_lists_each_due_contact_once(world):  # noqa: F811
    _confirmed(world)
    first = feed_transfer_list_from_tracing(world.incident)
    assert first["added"] >= 2
    entries = TransferEntry.objects.filter(incident=world.incident, source=Source.TRACING)
    by_person = {e.person_id: e for e in entries}
    li = world.one("1801", 1)
    assert by_person[li.pk].level == "close"
    assert by_person[world.one("1802").pk].level == "secondary"
    assert "病例" not in by_person[li.pk].reason
    assert by_person[li.pk].household_id == world.homes["1801"].pk
    again = feed_transfer_list_from_tracing(world.incident)
    assert again["added"] == 0 and again["already"] == first["added"]
    assert entries.count() == first["added"]


def test_intake_marks_isolated_and_a_new_source_moves_the_end(world, site_staff):  # noqa: F811
    chief = world.users["command"]
    wang = world.one("1802")
    venue = VenueFactory()
    patient2 = world.one("hb-301")
    checkin(world.incident, venue, patient2, local(8, 10), 60)
    checkin(world.incident, venue, wang, local(8, 10), 60)
    case2 = make_case(world, patient2, reported=local(11, 9))
    confirm_contacts(
        [c for c in derive_for_case(case2) if c.management.person_id == wang.pk],
        world.users["investigator"],
    )
    call_command("isolation", "feed", "--incident", str(world.incident.pk))
    entry = TransferEntry.objects.get(person=wang, source=Source.TRACING)
    assert entry.last_exposure == local(8, 11)

    site = f.site_with_rooms(lead=site_staff)
    batch = b.create_batch(
        chief, world.incident, site, [entry], vehicle_plate="浙H1", seats=9,
        planned_at=local(12, 1), escort=site_staff,
    )  # fmt: skip
    allocate_batch(chief, batch)
    member = batch.members.get(entry=entry)
    b.record_outcome(site_staff, member, Outcome.BOARDED, at=local(12, 1))
    b.receive(site_staff, batch, [member.pk], at=local(12, 2))
    management = Management.objects.get(pk=int(entry.source_ref))
    assert management.status == ManagementStatus.ISOLATED
    assert management.isolated_at == local(12, 2)
    stay = Stay.objects.get(entry=entry)
    assert stay.ends_on == dt.date(2022, 3, 22)  # 密接, np-8: 14 days from 8 March

    # 病例1 is found later: 王五 was on the same floor until 20 March; tracing moves the last
    # exposure and the stay follows.
    case1 = make_case(
        world, world.one("1801"), reported=local(20, 9), onset_date=dt.date(2022, 3, 19)
    )
    confirm_contacts(
        [c for c in derive_for_case(case1) if c.management.person_id == wang.pk],
        world.users["investigator"],
    )
    stay.refresh_from_db()
    entry.refresh_from_db()
    assert entry.last_exposure == Management.objects.get(pk=management.pk).last_exposure
    assert stay.ends_on == dt.date(2022, 3, 22) + (stay.last_exposure.date() - dt.date(2022, 3, 8))
    assert stay.changes.count() == 2 and stay.changes.last().previous_ends_on == dt.date(
        2022, 3, 22
    )
    assert entry.status == EntryStatus.ISOLATED


def test_a_positive_in_isolation_becomes_a_case(
    world,  # noqa: F811
    site_staff,
    django_capture_on_commit_callbacks,
):
    from tongxin.factories import UnitFactory, UserFactory, assign
    from tongxin.isolation.services.insite import sample_in_site
    from tongxin.sampling.services.results import import_result_rows
    from tongxin.tracing.models import Case, Channel

    chief = world.users["command"]
    _confirmed(world)
    feed_transfer_list_from_tracing(world.incident)
    entry = TransferEntry.objects.get(person=world.one("1801", 1))
    site = f.site_with_rooms(lead=site_staff)
    batch = b.create_batch(
        chief, world.incident, site, [entry], vehicle_plate="浙H1", seats=9,
        planned_at=local(12, 1), escort=site_staff,
    )  # fmt: skip
    allocate_batch(chief, batch)
    for member in batch.members.all():
        b.record_outcome(site_staff, member, Outcome.BOARDED, at=local(12, 1))
    b.receive(site_staff, batch, [m.pk for m in batch.members.all()], at=local(12, 2))
    unit = UnitFactory(name="采样队")
    assign(unit, site.place)
    sampler = UserFactory(role="test_point", unit=unit)
    stay = Stay.objects.get(entry=entry)
    sample_in_site(sampler, stay, "GLCASE01", at=local(13, 8))
    with django_capture_on_commit_callbacks(execute=True):
        import_result_rows(
            [{"barcode": "GLCASE01", "result": "positive",
              "reported_at": local(13, 20).isoformat(), "lab": "县疾控"}],
            name="r.csv",
        )  # fmt: skip
    case = Case.objects.get(incident=world.incident, person=world.one("1801", 1))
    assert case.channel == Channel.ISOLATION_SITE
