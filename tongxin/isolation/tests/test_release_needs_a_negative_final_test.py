"""Release is allowed only when due and when the test taken on or after the final test day
is negative; the person then moves to home monitoring on the grid's list with the remaining
days and tests, and the room goes to cleaning."""

import datetime as dt
import uuid

import pytest

from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import HomeWatch, Outcome, RoomStatus, Stay, StayStatus
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.insite import sample_in_site
from tongxin.isolation.services.stays import release, release_due
from tongxin.sampling.models import Tube
from tongxin.sampling.services.results import import_result_rows

pytestmark = pytest.mark.django_db

EXPOSED = dt.datetime(2022, 3, 4, 2, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2022, 3, 18, 2, 0, tzinfo=dt.UTC)  # 2022-03-18 10:00: the 8th's day 14


@pytest.fixture
def sampler(site):
    """The site's sampler: a medical unit assigned to the site's place."""
    unit = UnitFactory(name="县人民医院采样队")
    assign(unit, site.place)
    user = UserFactory(role="test_point", full_name="隔离点采样员", unit=unit)
    site.staff.add(user)
    return user


@pytest.fixture
def stay(inc, chief, escort, site_staff, site):
    entry = f.listed(inc, f.resident(household("阳光小区", "1", "1")), exposure=EXPOSED)
    batch = b.create_batch(
        chief, inc, site, [entry], vehicle_plate="浙H3", seats=5, planned_at=f.START,
        escort=escort,
    )  # fmt: skip
    allocate_batch(chief, batch)
    member = batch.members.get()
    b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [member.pk], at=f.START)
    return Stay.objects.get(entry=entry)


def _test(sampler, stay, at, result=None):
    barcode = f"GL{uuid.uuid4().hex[:10]}"
    sample_in_site(sampler, stay, barcode, at=at)
    if result:
        row = {"barcode": barcode, "result": result, "reported_at": at.isoformat(), "lab": "县疾控"}
        import_result_rows([row], name="test.csv")
    return Tube.objects.get(barcode=barcode)


def test_not_before_it_is_due(stay, site_staff, sampler):
    _test(sampler, stay, DUE - dt.timedelta(hours=1), "negative")
    with pytest.raises(IsolationError, match="尚未到期"):
        release(site_staff, stay, at=DUE - dt.timedelta(days=1))


def test_blocked_without_a_test(stay, site_staff):
    with pytest.raises(IsolationError, match="没有隔离期间的核酸检测记录"):
        release(site_staff, stay, at=DUE)


def test_blocked_when_the_last_test_is_before_the_final_test_day(stay, site_staff, sampler):
    _test(sampler, stay, DUE - dt.timedelta(days=4), "negative")  # day 10
    with pytest.raises(IsolationError, match="早于末次检测日"):
        release(site_staff, stay, at=DUE)


def test_blocked_while_the_result_is_pending_or_positive(stay, site_staff, sampler):
    _test(sampler, stay, DUE - dt.timedelta(hours=2))
    with pytest.raises(IsolationError, match="结果未出"):
        release(site_staff, stay, at=DUE)
    assert release_due(dt.date(2022, 3, 18))[0]["may_release"] is False


def test_released_on_a_negative_final_test(stay, site_staff, sampler, settings):
    tube = _test(sampler, stay, DUE - dt.timedelta(hours=2), "negative")
    assert tube.mode == "single" and tube.point_id == stay.site.test_point_id
    [row] = release_due(dt.date(2022, 3, 18))
    assert row["may_release"] and row["last_test"]["result"] == "negative"

    release(site_staff, stay, at=DUE)
    stay.refresh_from_db()
    assert stay.status == StayStatus.RELEASED
    stay.room.refresh_from_db()
    assert stay.room.status == RoomStatus.CLEANING
    watch = HomeWatch.objects.get(stay=stay)
    assert watch.kind == "home_monitoring"
    assert (watch.starts_on, watch.ends_on) == (dt.date(2022, 3, 18), dt.date(2022, 3, 25))
    assert watch.test_dates == ["2022-03-20", "2022-03-25"]
    assert release_due(dt.date(2022, 3, 18)) == []
