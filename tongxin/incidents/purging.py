"""Building blocks for the apps' purge handlers (see registry): bounded, re-runnable steps.

Each step works on at most BATCH rows per transaction, so a purge of a large incident never
holds long locks, and a step that has already run finds nothing left to do. Deletions go
straight to the database (no per-row delete signals: an audit event per deleted row would copy
the very data being removed); what each step did is counted, and the purge run records the
counts in the audit trail.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from tongxin.audit.services import scrub_events, target_type_of

BATCH = 1000


def _ids(qs: models.QuerySet[Any]) -> list[Any]:
    return list(qs.order_by().values_list("pk", flat=True))


def _chunks(ids: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def delete(qs: models.QuerySet[Any], *, dry_run: bool, scrub_audit: bool = True) -> int:
    """Delete the rows (and scrub the audit events about them)."""
    ids = _ids(qs)
    if dry_run or not ids:
        return len(ids)
    model = qs.model
    for chunk in _chunks(ids):
        with transaction.atomic():
            doomed = model._base_manager.filter(pk__in=chunk)
            doomed._raw_delete(doomed.db)  # type: ignore[attr-defined]
            if scrub_audit:
                scrub_events(target_type_of(model), chunk)
    return len(ids)


def anonymise(
    qs: models.QuerySet[Any], values: dict[str, Any], *, dry_run: bool, scrub_audit: bool = True
) -> int:
    """Overwrite the personal fields of the rows that still hold any (the caller's queryset
    excludes those already done) and scrub the audit events about them."""
    ids = _ids(qs)
    if dry_run or not ids:
        return len(ids)
    model = qs.model
    for chunk in _chunks(ids):
        with transaction.atomic():
            model._base_manager.filter(pk__in=chunk).update(**values)
            if scrub_audit:
                scrub_events(target_type_of(model), chunk)
    return len(ids)


def delete_files(qs: models.QuerySet[Any], fields: list[str], *, dry_run: bool) -> int:
    """Remove the stored files of these rows and clear the fields. Counts files."""
    count = 0
    for obj in qs.order_by("pk").iterator(chunk_size=BATCH):
        changed = []
        for name in fields:
            stored = getattr(obj, name)
            if stored:
                count += 1
                if not dry_run:
                    stored.storage.delete(stored.name)
                    setattr(obj, name, "")
                    changed.append(name)
        if changed:
            type(obj)._base_manager.filter(pk=obj.pk).update(**dict.fromkeys(changed, ""))
    return count
