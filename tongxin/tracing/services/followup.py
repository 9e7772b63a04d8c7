"""The expected tests of each person under management, against the samples actually taken:
a test day that has passed without a sample is flagged as missed."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from tongxin.sampling.models import SampleEvent
from tongxin.tracing.models import Management


@dataclass(frozen=True)
class TestDay:
    date: dt.date
    done: bool
    missed: bool


def test_days(
    managements: Iterable[Management], today: dt.date | None = None
) -> dict[int, list[TestDay]]:
    """Each management's test days (from the edition) with done/missed, in one query."""
    today = today or timezone.localdate()
    ms = list(managements)
    wanted = {m.pk: [dt.date.fromisoformat(d) for d in m.test_dates] for m in ms}
    dates = [d for ds in wanted.values() for d in ds]
    sampled: dict[int, set[dt.date]] = defaultdict(set)
    person_ids = {m.person_id for m in ms if m.person_id}
    if dates and person_ids:
        start = timezone.make_aware(dt.datetime.combine(min(dates), dt.time.min))
        end = timezone.make_aware(
            dt.datetime.combine(max(dates) + dt.timedelta(days=1), dt.time.min)
        )
        for pid, at in SampleEvent.objects.filter(
            person_id__in=person_ids, sampled_at__gte=start, sampled_at__lt=end
        ).values_list("person_id", "sampled_at"):
            sampled[pid].add(timezone.localtime(at).date())
    result = {}
    for m in ms:
        done = sampled.get(m.person_id or 0, set())
        result[m.pk] = [TestDay(d, d in done, d < today and d not in done) for d in wanted[m.pk]]
    return result
