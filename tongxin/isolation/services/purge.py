"""Removing the personal data this app kept for a closed incident (retention run out).

Stays, transfer entries and batch members are deleted (with contact logs, check-ins, health
checks, end-date histories); batches keep only what no person can be traced from (the vehicle,
the counts) with the driver's phone removed; home watches and their check-ins are deleted.
Safe to run again; each kind in its own bounded transaction.
"""

from django.db import transaction

from tongxin.incidents.models import Incident
from tongxin.isolation.models import (
    Batch,
    BatchMember,
    CheckIn,
    ContactAttempt,
    EndDateChange,
    FloorFlag,
    HealthCheck,
    HomeCheckIn,
    HomeWatch,
    Stay,
    TransferEntry,
)

CHUNK = 2000


def _delete(qs, dry_run: bool) -> int:  # type: ignore[no-untyped-def]
    if dry_run:
        return int(qs.count())
    total = 0
    model = qs.model
    while True:
        ids = list(qs.values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return total
        with transaction.atomic():
            model.objects.filter(pk__in=ids).delete()
        total += len(ids)


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    counts["health_checks"] = _delete(HealthCheck.objects.filter(stay__incident=incident), dry_run)
    counts["end_date_changes"] = _delete(
        EndDateChange.objects.filter(stay__incident=incident), dry_run
    )
    FloorFlag.objects.filter(incident=incident).update(stay=None) if not dry_run else None
    counts["home_checkins"] = _delete(HomeCheckIn.objects.filter(watch__incident=incident), dry_run)
    counts["home_watches"] = _delete(HomeWatch.objects.filter(incident=incident), dry_run)
    if not dry_run:
        Stay.objects.filter(incident=incident, companion_of__isnull=False).update(companion_of=None)
    counts["stays"] = _delete(Stay.objects.filter(incident=incident), dry_run)
    counts["contact_attempts"] = _delete(
        ContactAttempt.objects.filter(member__batch__incident=incident), dry_run
    )
    counts["checkins"] = _delete(CheckIn.objects.filter(member__batch__incident=incident), dry_run)
    counts["batch_members"] = _delete(BatchMember.objects.filter(batch__incident=incident), dry_run)
    if not dry_run:
        TransferEntry.objects.filter(incident=incident, companion_of__isnull=False).update(
            companion_of=None
        )
    counts["transfer_entries"] = _delete(TransferEntry.objects.filter(incident=incident), dry_run)
    drivers = Batch.objects.filter(incident=incident).exclude(driver_phone="")
    counts["batch_driver_phones"] = drivers.count()
    if not dry_run:
        for batch in drivers:
            batch.driver_phone = ""
            batch.driver_name = ""
            batch.save(update_fields=["driver_phone", "driver_phone_masked", "driver_name"])
    return counts
