"""In-site sampling by the site's own people, through the sampling module: the site's lead and
staff, or a sampler stationed there, sample everyone staying (registry residents and people
from outside the registry) as single tubes at the site's test point; nobody else does, and the
site's point gives its staff no other point."""

import datetime as dt
import uuid

import pytest

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, assign, household, make_id_number
from tongxin.isolation import factories as f
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services.insite import (
    sample_in_site,
    sampling_sheet,
    site_round,
    stay_by_document,
)
from tongxin.people.models import Person
from tongxin.sampling.models import SampleEvent, Tube, WalkIn
from tongxin.sampling.services.recording import record_batch
from tongxin.testing.models import RoundArea, RoundPoint, TestPoint

pytestmark = pytest.mark.django_db

AT = f.START + dt.timedelta(days=1)


@pytest.fixture
def resident_stay(inc, chief, escort, site):
    entry = f.listed(inc, f.resident(household("阳光小区", "1", "1"), name="王桂英"))
    return f.admitted(entry, site, planner=chief, escort=escort)


@pytest.fixture
def outside_stay(inc, chief, escort, site):
    entry = f.outside_listed(inc, name="李外地")
    return f.admitted(entry, site, planner=chief, escort=escort)


def test_the_site_lead_samples_a_resident_as_a_single_tube_at_the_site(
    resident_stay, site_staff, site
):
    # The lead is transfer staff: no sampling role, no unit; the site makes them its sampler.
    assert site_staff.role == Role.TRANSFER and site.lead == site_staff
    answer = sample_in_site(site_staff, resident_stay, "GLLEAD001", at=AT)
    assert answer["status"] == "stored"
    tube = Tube.objects.get(barcode="GLLEAD001")
    site.refresh_from_db()
    assert (tube.mode, tube.capacity, tube.point_id) == ("single", 1, site.test_point_id)
    sample = SampleEvent.objects.get(tube=tube)
    assert sample.person_id == resident_stay.entry.person_id
    assert sample.recorded_by_id == site_staff.pk


def test_a_staff_member_and_a_stationed_unit_sample_too(resident_stay, site):
    nurse = UserFactory(role=Role.MEMBER, full_name="护士")
    site.staff.add(nurse)
    sample_in_site(nurse, resident_stay, "GLSTAFF01", at=AT)
    team = UnitFactory(name="县医院采样队")
    site.units.add(team)
    stationed = UserFactory(role=Role.TEST_POINT, unit=team)
    sample_in_site(stationed, resident_stay, "GLSTAT001", at=AT + dt.timedelta(hours=1))
    assert Tube.objects.filter(barcode__in=["GLSTAFF01", "GLSTAT001"]).count() == 2


def test_others_may_not_sample_in_the_site(resident_stay, escort):
    elsewhere = UnitFactory(name="别处采样队")
    assign(elsewhere, household("别的小区", "1", "1").parent)
    stranger_sampler = UserFactory(role=Role.TEST_POINT, unit=elsewhere)
    for user in (escort, stranger_sampler):
        with pytest.raises(NotAllowed):
            sample_in_site(user, resident_stay, f"GLNO{user.pk:05d}", at=AT)
    assert not Tube.objects.exists()


def test_the_sites_point_opens_no_other_point(resident_stay, site_staff, inc):
    """Staff record at their site's point only: another point of the same round is refused."""
    test_round, _point = site_round(inc, resident_stay.site)
    other = TestPoint.objects.create(
        name="别处", place=household("别的小区", "1", "1").parent,
        opens_at=dt.time(0), closes_at=dt.time(23, 59),
    )  # fmt: skip
    RoundPoint.objects.create(round=test_round, point=other)
    number = Person.objects.get(pk=resident_stay.entry.person_id).document_number
    result = record_batch(
        [{"id": str(uuid.uuid4()), "tube": "GLOTHER1", "document_number": number,
          "sampled_at": AT.isoformat(), "round": test_round.pk, "point": other.pk,
          "tube_mode": "single"}],
        user=resident_stay.site.lead,
    )  # fmt: skip
    assert result.results[0]["reason"] == "no_point"
    assert not Tube.objects.filter(barcode="GLOTHER1").exists()


def test_an_outside_person_is_sampled_and_registered_by_sampling(outside_stay, site_staff):
    assert outside_stay.entry.person_id is None and outside_stay.test_person_id is None
    sample_in_site(site_staff, outside_stay, "GLOUT0001", at=AT)
    outside_stay.refresh_from_db()
    sample = SampleEvent.objects.get(tube__barcode="GLOUT0001")
    # Filed under the record sampling registered on the spot, waiting for the grid's check.
    assert outside_stay.test_person_id == sample.person_id
    person = Person.objects.get(pk=sample.person_id)
    assert person.name == "李外地"
    assert WalkIn.objects.filter(person=person).exists()
    # A second test finds the same record (no second registration).
    sample_in_site(site_staff, outside_stay, "GLOUT0002", at=AT + dt.timedelta(days=1))
    assert SampleEvent.objects.filter(person=person).count() == 2
    assert Person.objects.filter(name="李外地").count() == 1


def test_an_outside_person_without_a_document_is_refused_clearly(inc, chief, escort, site):
    entry = f.outside_listed(inc, name="无证件", document_number="")
    stay = f.admitted(entry, site, planner=chief, escort=escort)
    with pytest.raises(IsolationError, match="无证件 没有登记证件号码"):
        sample_in_site(site.lead, stay, "GLNODOC01", at=AT)


def test_a_resend_of_the_same_form_stores_one_sample(resident_stay, site_staff):
    client_id = str(uuid.uuid4())
    first = sample_in_site(site_staff, resident_stay, "GLTWICE01", at=AT, client_id=client_id)
    again = sample_in_site(site_staff, resident_stay, "GLTWICE01", at=AT, client_id=client_id)
    assert (first["status"], again["status"]) == ("stored", "duplicate")
    assert SampleEvent.objects.filter(tube__barcode="GLTWICE01").count() == 1


def test_the_card_finds_the_person_staying(resident_stay, outside_stay, site):
    from tongxin.tracing.models import OutsidePerson

    resident = Person.objects.get(pk=resident_stay.entry.person_id)
    assert stay_by_document(site, "resident_id", resident.document_number) == resident_stay
    outside = OutsidePerson.objects.get(pk=outside_stay.entry.outside_person_id)
    assert stay_by_document(site, "resident_id", outside.document_number) == outside_stay
    with pytest.raises(IsolationError, match="没有持此证件的在住人员"):
        stay_by_document(site, "resident_id", make_id_number())


def test_the_isolation_round_expects_nobody_by_address(resident_stay, site_staff, inc):
    sample_in_site(site_staff, resident_stay, "GLAREA001", at=AT)
    test_round, _point = site_round(inc, resident_stay.site)
    assert not RoundArea.objects.filter(round=test_round).exists()


def test_the_sheet_shows_todays_test_and_the_last_result(resident_stay, outside_stay, site_staff):
    from tongxin.sampling.services.results import import_result_rows

    sample_in_site(site_staff, outside_stay, "GLSHEET01", at=AT)
    import_result_rows(
        [{"barcode": "GLSHEET01", "result": "negative", "reported_at": AT.isoformat(),
          "lab": "县疾控"}],
        name="r.csv",
    )  # fmt: skip
    day1 = (f.START + dt.timedelta(days=1)).date()
    rows = {r["stay"].pk: r for r in sampling_sheet(resident_stay.site, day1)}
    assert rows[outside_stay.pk]["last"]["result"] == "negative"
    assert rows[outside_stay.pk]["outside"] is True
    assert rows[resident_stay.pk]["last"] is None
    assert rows[resident_stay.pk]["test_due"] is True  # the 8th's day 1
