"""Purge steps work BATCH rows at a time (one short transaction each), are counted the same
in a dry run, scrub the audit events of what they remove, and find nothing on a second run."""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.audit.models import AuditEvent
from tongxin.audit.services import PURGED_LABEL
from tongxin.incidents import purging
from tongxin.units.models import Unit


def test_delete_and_anonymise_in_batches(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(purging, "BATCH", 2)
    for i in range(5):
        Unit.objects.create(name=f"单位{i}", kind="bureau", contact_name=f"联系人{i}")
    assert AuditEvent.objects.filter(target_type="units.unit").count() == 5

    named = Unit.objects.exclude(contact_name="")
    assert purging.anonymise(named, {"contact_name": ""}, dry_run=True) == 5
    with CaptureQueriesContext(connection) as queries:
        assert purging.anonymise(named, {"contact_name": ""}, dry_run=False) == 5
    updates = [q for q in queries if q["sql"].startswith('UPDATE "units_unit"')]
    assert len(updates) == 3  # 2 + 2 + 1
    assert purging.anonymise(named, {"contact_name": ""}, dry_run=False) == 0
    assert set(AuditEvent.objects.values_list("target_label", flat=True)) == {PURGED_LABEL}

    assert purging.delete(Unit.objects.all(), dry_run=True) == 5
    with CaptureQueriesContext(connection) as queries:
        assert purging.delete(Unit.objects.all(), dry_run=False) == 5
    deletes = [q for q in queries if q["sql"].startswith('DELETE FROM "units_unit"')]
    assert len(deletes) == 3
    assert not Unit.objects.exists()
    assert purging.delete(Unit.objects.all(), dry_run=False) == 0
    # no per-row delete events copying what was removed
    assert not AuditEvent.objects.filter(action="delete").exists()
