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


def _batches(qs: models.QuerySet[Any]) -> Iterable[list[Any]]:
    """The rows' keys, BATCH at a time in key order, read afresh for each batch (never the
    whole set in memory: an incident can have millions of sample events)."""
    last = None
    while True:
        page = qs.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        chunk = list(page.values_list("pk", flat=True)[:BATCH])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def delete(qs: models.QuerySet[Any], *, dry_run: bool, scrub_audit: bool = True) -> int:
    """Delete the rows (and scrub the audit events about them)."""
    if dry_run:
        return qs.count()
    model = qs.model
    total = 0
    for chunk in _batches(qs):
        with transaction.atomic():
            doomed = model._base_manager.filter(pk__in=chunk)
            doomed._raw_delete(doomed.db)  # type: ignore[attr-defined]
            if scrub_audit:
                scrub_events(target_type_of(model), chunk)
        total += len(chunk)
    return total


def anonymise(
    qs: models.QuerySet[Any], values: dict[str, Any], *, dry_run: bool, scrub_audit: bool = True
) -> int:
    """Overwrite the personal fields of the rows that still hold any (the caller's queryset
    excludes those already done, so a second run finds none) and scrub the audit events
    about them."""
    if dry_run:
        return qs.count()
    model = qs.model
    total = 0
    for chunk in _batches(qs):
        with transaction.atomic():
            model._base_manager.filter(pk__in=chunk).update(**values)
            if scrub_audit:
                scrub_events(target_type_of(model), chunk)
        total += len(chunk)
    return total


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
