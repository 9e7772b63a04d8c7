"""Purge a closed incident's supplies personal data: the receipt signatures on requests and
who marked each doorstep (households stay as places; help requests are the help platform's).
Safe to run again; bounded batches."""

from django.db import transaction

from tongxin.incidents.models import Incident
from tongxin.supplies.models import HouseholdDelivery, SupplyRequest

BATCH = 2000


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    receipts = SupplyRequest.objects.filter(incident=incident).exclude(receipt_name="")
    marked = HouseholdDelivery.objects.filter(round__incident=incident, delivered_by__isnull=False)
    if dry_run:
        return {"receipts": receipts.count(), "deliveries": marked.count()}
    counts = {"receipts": 0, "deliveries": 0}
    for key, qs, fields in (
        ("receipts", receipts, {"receipt_name": ""}),
        ("deliveries", marked, {"delivered_by": None}),
    ):
        while True:
            with transaction.atomic():
                ids = list(qs.values_list("pk", flat=True)[:BATCH])
                if not ids:
                    break
                counts[key] += qs.model.objects.filter(pk__in=ids).update(**fields)  # type: ignore[attr-defined]
    return counts
