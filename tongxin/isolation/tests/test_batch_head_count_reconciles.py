"""planned = boarded + unreachable + refused + deferred + not found, and received = boarded;
a batch that does not reconcile cannot be closed and both sides are told."""

import pytest

from tongxin.factories import household
from tongxin.isolation import factories as f
from tongxin.isolation.models import BatchStatus, EntryStatus, Outcome, StayStatus
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services import batches as b
from tongxin.notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(inc, chief, escort, site):
    people = [f.resident(household("阳光小区", "1", str(100 + i))) for i in range(5)]
    entries = [f.listed(inc, p, by=chief) for p in people]
    return b.create_batch(
        chief, inc, site, entries, vehicle_plate="浙H12345", seats=20, planned_at=f.START,
        escort=escort,
    )  # fmt: skip


def _members(batch):
    return list(batch.members.order_by("stop"))


def test_every_outcome_is_counted_and_received_equals_boarded(batch, escort, site_staff):
    m = _members(batch)
    b.record_outcome(escort, m[0], Outcome.BOARDED)
    b.record_outcome(escort, m[1], Outcome.BOARDED)
    b.log_contact(escort, m[2], "knock", "无人应答")
    b.record_outcome(escort, m[2], Outcome.UNREACHABLE, "敲门无人应答")
    b.record_outcome(escort, m[3], Outcome.REFUSED, "拒绝上车，已报告公安")
    b.record_outcome(escort, m[4], Outcome.DEFERRED, "住院中")
    b.receive(site_staff, batch, [m[0].pk, m[1].pk])

    result = b.reconcile(batch).as_dict()
    assert result["planned"] == 5
    assert (
        result["boarded"] + result["unreachable"] + result["refused"] + result["deferred"]
        + result["not_found"]
    ) == 5  # fmt: skip
    assert result["received"] == result["boarded"] == 2
    assert result["reconciles"]

    b.close_batch(site_staff, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    # Whoever did not board is back on the list; the two who came are isolated.
    statuses = {mm.entry_id: mm.entry.status for mm in batch.members.select_related("entry")}
    assert sorted(statuses.values()).count(EntryStatus.WAITING) == 3
    assert sorted(statuses.values()).count(EntryStatus.ISOLATED) == 2


def test_someone_not_boarded_cannot_be_signed_for(batch, escort, site_staff):
    m = _members(batch)
    b.record_outcome(escort, m[0], Outcome.REFUSED, "拒绝")
    with pytest.raises(IsolationError, match="没有上车记录"):
        b.receive(site_staff, batch, [m[0].pk])


def test_a_mismatch_blocks_closing_and_tells_both_sides(batch, escort, site_staff):
    m = _members(batch)
    for member in m:
        b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [x.pk for x in m[:4]])  # one boarded person not signed for

    with pytest.raises(b.MismatchError) as caught:
        b.close_batch(site_staff, batch)
    assert caught.value.result.as_dict()["received"] == 4
    batch.refresh_from_db()
    assert batch.mismatch and batch.status != BatchStatus.CLOSED
    told = set(
        Message.objects.filter(notification__kind="transfer_mismatch").values_list(
            "user_id", flat=True
        )
    )
    assert {escort.pk, site_staff.pk} <= told

    b.receive(site_staff, batch, [m[4].pk])
    assert b.close_batch(site_staff, batch).reconciles


def test_a_pending_person_blocks_closing(batch, escort, site_staff):
    m = _members(batch)
    for member in m[:4]:
        b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [x.pk for x in m[:4]])
    with pytest.raises(b.MismatchError, match="没有登记结果"):
        b.close_batch(site_staff, batch)


def test_received_people_start_their_stay(batch, escort, site_staff):
    m = _members(batch)
    b.record_outcome(escort, m[0], Outcome.BOARDED)
    b.receive(site_staff, batch, [m[0].pk])
    stay = m[0].stays.get()
    assert stay.status == StayStatus.IN_SITE
    assert stay.edition_code == "np-8"
