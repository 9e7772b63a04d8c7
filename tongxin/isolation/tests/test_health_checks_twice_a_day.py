"""Twice-daily health checks per floor: one per half-day, idempotent by the client's id,
recorded only by the site's staff."""

import datetime as dt
import uuid

import pytest

from tongxin.factories import UserFactory, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import HealthCheck, Outcome, Stay
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.stays import floor_sheet, record_health_check

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2022, 3, 6, 0, 30, tzinfo=dt.UTC)  # 08:30 in the county
AFTERNOON = dt.datetime(2022, 3, 6, 7, 0, tzinfo=dt.UTC)  # 15:00


@pytest.fixture
def stay(inc, chief, escort, site_staff, site):
    entry = f.listed(inc, f.resident(household("阳光小区", "1", "1")))
    batch = b.create_batch(
        chief, inc, site, [entry], vehicle_plate="浙H5", seats=5, planned_at=f.START,
        escort=escort,
    )  # fmt: skip
    allocate_batch(chief, batch)
    member = batch.members.get()
    b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [member.pk], at=f.START)
    return Stay.objects.get(entry=entry)


def test_two_checks_a_day_on_the_floor_sheet(stay, site_staff):
    key = str(uuid.uuid4())
    record_health_check(site_staff, stay, temperature="36.6", at=MORNING, client_id=key)
    _again, created = record_health_check(
        site_staff, stay, temperature="36.6", at=MORNING, client_id=key
    )
    assert not created
    check, _c = record_health_check(
        site_staff, stay, temperature=37.8, symptoms=["咳嗽"], at=AFTERNOON
    )
    assert check.fever and check.slot == "pm"
    with pytest.raises(IsolationError, match="该时段已登记"):
        record_health_check(site_staff, stay, temperature=36.5, at=AFTERNOON)
    [row] = floor_sheet(stay.site, stay.room.floor, dt.date(2022, 3, 6))
    assert row["am"].temperature == row["am"].temperature and row["pm"].symptoms == ["咳嗽"]
    assert HealthCheck.objects.count() == 2


def test_only_the_sites_staff(stay):
    stranger = UserFactory(role="transfer")
    with pytest.raises(NotAllowed):
        record_health_check(stranger, stay, temperature=36.5, at=MORNING)


def test_an_impossible_temperature_is_refused(stay, site_staff):
    with pytest.raises(IsolationError, match=r"34\.0"):
        record_health_check(site_staff, stay, temperature=3.65, at=MORNING)
