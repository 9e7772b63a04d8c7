"""The care registry outlives incidents; its own rule: an entry whose need ended is removed
once TONGXIN_CARE_RETENTION_DAYS have passed, an entry nobody reviewed for a year is counted
for review, and both show in the dry run."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.care.models import CareNeed, NeedKind
from tongxin.incidents.retention import purge

from .conftest import dialysis, resident

pytestmark = pytest.mark.django_db


def test_ended_needs_go_after_the_retention_days_and_stale_ones_are_due_for_review(
    county: Any, hospital: Any, settings: Any
) -> None:
    settings.TONGXIN_CARE_RETENTION_DAYS = 30
    today = timezone.localdate()
    ended_long_ago = dialysis(resident(county.sunny_101, "张三"), hospital)
    ended_long_ago.ended_on = today - dt.timedelta(days=31)
    ended_long_ago.save()
    ended_recently = dialysis(resident(county.sunny_201, "李梅"), hospital)
    ended_recently.ended_on = today - dt.timedelta(days=5)
    ended_recently.save()
    stale = CareNeed.objects.create(person=resident(county.happy_101, "王五"),
                                    kind=NeedKind.PREGNANCY, due_date=today)  # fmt: skip
    CareNeed.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=400))

    dry = purge(dry_run=True, today=today)
    assert dry.standing == {"care.needs_due_review": 1, "care.needs_ended_removed": 1}
    assert CareNeed.objects.count() == 3

    done = purge(today=today)
    assert done.standing["care.needs_ended_removed"] == 1
    assert set(CareNeed.objects.values_list("pk", flat=True)) == {ended_recently.pk, stale.pk}
    # The entry's own audit trail no longer names the person.
    events = AuditEvent.objects.filter(target_type="care.careneed",
                                       target_id=str(ended_long_ago.pk))  # fmt: skip
    assert events.exists() and all(e.changes == {} for e in events)
    assert AuditEvent.objects.filter(target_type="retention.standing").count() == 1
    assert purge(today=today).standing["care.needs_ended_removed"] == 0
