"""Removing an incident's tracing data when its retention has run out."""

from django.db import transaction

from tongxin.incidents.models import Incident
from tongxin.tracing.models import (
    AssistBatch,
    Case,
    CheckIn,
    ClassificationChange,
    Contact,
    ImportBatch,
    Management,
    OutsidePerson,
    Stay,
)

BATCH = 5000


def _delete_in_batches(qs, dry_run: bool) -> int:  # type: ignore[no-untyped-def]
    if dry_run:
        return int(qs.count())
    # Walks the primary key (`pk > last`): no index on the incident is needed (check-ins have
    # none), and the rows already deleted are never read again.
    total, last = 0, 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            qs.model.objects.filter(pk__in=ids).delete()
        total += len(ids)
        last = ids[-1]


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    """Delete every tracing record of the incident, children first, in bounded transactions.
    Venues stay: they are public places, not personal data. Safe to run again."""
    counts = {
        "check_ins": _delete_in_batches(CheckIn.objects.filter(incident=incident), dry_run),
        "stays": _delete_in_batches(Stay.objects.filter(incident=incident), dry_run),
        "contacts": _delete_in_batches(Contact.objects.filter(incident=incident), dry_run),
        "classification_changes": _delete_in_batches(
            ClassificationChange.objects.filter(case__incident=incident), dry_run
        ),
    }
    counts["managements"] = _delete_in_batches(
        Management.objects.filter(incident=incident), dry_run
    )
    counts["cases"] = _delete_in_batches(Case.objects.filter(incident=incident), dry_run)
    counts["outside_persons"] = _delete_in_batches(
        OutsidePerson.objects.filter(incident=incident), dry_run
    )
    counts["import_batches"] = _delete_in_batches(
        ImportBatch.objects.filter(incident=incident), dry_run
    )
    counts["assist_batches"] = _delete_in_batches(
        AssistBatch.objects.filter(incident=incident), dry_run
    )
    return counts
