"""Care: green-channel passengers go with their incident; the registry has its own rule.

The care registry (CareNeed) is not tied to an incident: a dialysis patient's need outlives
any outbreak. Its rule: an entry whose need has ended (`ended_on`) is removed once
`TONGXIN_CARE_RETENTION_DAYS` (default 30) have passed, and an entry nobody has reviewed
(updated) for a year is counted as due for review, shown in the dry run and on each run."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef

from tongxin.care.models import CareNeed, GreenRun, RunPassenger
from tongxin.incidents.models import Incident
from tongxin.incidents.purging import delete

REVIEW_DAYS = 365


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    runs = GreenRun.objects.filter(incident=incident)
    return {
        "run_passengers": delete(RunPassenger.objects.filter(run__in=runs), dry_run=dry_run),
    }


def standing(*, dry_run: bool, today: dt.date) -> dict[str, int]:
    keep_days = int(getattr(settings, "TONGXIN_CARE_RETENTION_DAYS", 30))
    on_a_run = RunPassenger.objects.filter(need=OuterRef("pk"))
    ended = CareNeed.objects.filter(ended_on__lt=today - dt.timedelta(days=keep_days)).exclude(
        Exists(on_a_run)
    )
    review_before = today - dt.timedelta(days=REVIEW_DAYS)
    due_review = CareNeed.objects.filter(ended_on__isnull=True, updated_at__date__lt=review_before)
    return {
        "needs_ended_removed": delete(ended, dry_run=dry_run),
        "needs_due_review": due_review.count(),
    }
