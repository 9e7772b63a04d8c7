"""A positive single tube taken in the site flags the room's floor for the investigators, who
are told (detection channel 隔离点筛查)."""

import datetime as dt

import pytest

from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import FloorFlag, Outcome, Stay
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.insite import sample_in_site
from tongxin.isolation.services.sites import board
from tongxin.notifications.models import Message
from tongxin.sampling.services.results import import_result_rows

pytestmark = pytest.mark.django_db


def test_positive_flags_the_floor(
    inc, chief, escort, site_staff, site, django_capture_on_commit_callbacks
):
    investigator = UserFactory(role="investigator")
    unit = UnitFactory(name="采样队")
    assign(unit, site.place)
    sampler = UserFactory(role="test_point", unit=unit)
    entry = f.listed(inc, f.resident(household("阳光小区", "1", "1")))
    batch = b.create_batch(
        chief, inc, site, [entry], vehicle_plate="浙H5", seats=5, planned_at=f.START,
        escort=escort,
    )  # fmt: skip
    allocate_batch(chief, batch)
    member = batch.members.get()
    b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [member.pk], at=f.START)
    stay = Stay.objects.get(entry=entry)

    at = f.START + dt.timedelta(days=1)
    sample_in_site(sampler, stay, "GLPOS0001", at=at)
    with django_capture_on_commit_callbacks(execute=True):
        import_result_rows(
            [{"barcode": "GLPOS0001", "result": "positive", "reported_at": at.isoformat(),
              "lab": "县疾控"}],
            name="r.csv",
        )  # fmt: skip
    flag = FloorFlag.objects.get()
    assert (flag.site, flag.floor, flag.stay) == (site, stay.room.floor, stay)
    assert "隔离点筛查" in flag.reason
    assert board().sites[0].flagged_floors == [stay.room.floor]
    assert Message.objects.filter(
        notification__kind="isolation_positive", user=investigator
    ).exists()


def test_a_negative_flags_nothing(inc, chief, escort, site_staff, site):
    unit = UnitFactory(name="采样队")
    assign(unit, site.place)
    sampler = UserFactory(role="test_point", unit=unit)
    entry = f.listed(inc, f.resident(household("阳光小区", "1", "1")))
    batch = b.create_batch(
        chief, inc, site, [entry], vehicle_plate="浙H5", seats=5, planned_at=f.START,
        escort=escort,
    )  # fmt: skip
    allocate_batch(chief, batch)
    member = batch.members.get()
    b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [member.pk], at=f.START)
    stay = Stay.objects.get(entry=entry)
    sample_in_site(sampler, stay, "GLNEG0001", at=f.START + dt.timedelta(days=1))
    import_result_rows(
        [{"barcode": "GLNEG0001", "result": "negative",
          "reported_at": (f.START + dt.timedelta(days=1)).isoformat(), "lab": "县疾控"}],
        name="r.csv",
    )  # fmt: skip
    assert not FloorFlag.objects.exists()
