"""The isolation module registers its figures (no personal data) and its purge handler; the
purge removes what it kept about people and is safe to run again."""

import json

import pytest

from tongxin.factories import household
from tongxin.incidents.registry import figures_providers, purge_handlers
from tongxin.isolation import factories as f
from tongxin.isolation.models import Batch, Outcome, Stay, TransferEntry
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.allocation import allocate_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(inc, chief, escort, site_staff, site):
    people = [f.resident(household("阳光小区", "1", str(i)), name=f"隔离{i}") for i in (1, 2)]
    entries = [f.listed(inc, p, by=chief) for p in people]
    batch = b.create_batch(
        chief, inc, site, entries, vehicle_plate="浙H1", seats=5, planned_at=f.START,
        escort=escort, driver_phone="13800138000",
    )  # fmt: skip
    allocate_batch(chief, batch)
    m1, m2 = batch.members.order_by("pk")
    b.record_outcome(escort, m1, Outcome.BOARDED, at=f.START)
    b.log_contact(escort, m2, "call", "无人接", at=f.START)
    b.record_outcome(escort, m2, Outcome.UNREACHABLE, "无人接", at=f.START)
    b.receive(site_staff, batch, [m1.pk], at=f.START)
    return batch


def test_figures(inc, busy):
    figures = figures_providers()["isolation"](inc, at=f.START)
    assert figures["sites"] == 1 and figures["in_isolation"] == 1
    # The unreachable person's room stays held until the batch closes.
    assert figures["occupied"] == 2 and figures["unreachable_open"] == 1
    assert figures["transfers_today"] == 1 and figures["transferred_today"] == 1
    text = json.dumps(figures, ensure_ascii=False)
    assert "隔离1" not in text


def test_purge(inc, busy):
    purge = purge_handlers()["isolation"]
    dry = purge(inc, dry_run=True)
    # Two stays: the one admitted and the room held for the unreachable person.
    assert dry["stays"] == 2 and dry["transfer_entries"] == 2
    assert Stay.objects.count() == 2
    done = purge(inc, dry_run=False)
    assert done["stays"] == 2 and done["batch_members"] == 2 and done["contact_attempts"] == 1
    assert not TransferEntry.objects.exists() and not Stay.objects.exists()
    assert Batch.objects.get().driver_phone_masked == ""
    again = purge(inc, dry_run=False)
    assert sum(again.values()) == 0
