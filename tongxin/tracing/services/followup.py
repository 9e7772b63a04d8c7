"""The expected tests of each person under management, against the samples actually taken:
a test day that has passed without a sample is flagged as missed."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident
from tongxin.places.models import Place
from tongxin.sampling.models import SampleEvent
from tongxin.tracing.models import Level, Management, ManagementStatus

# Managements no longer expected to test: released, or now a case (the case has its own care).
_DONE = (ManagementStatus.RELEASED, ManagementStatus.BECAME_CASE)
EXPECTED_LIMIT = 5000


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


def missed_counts(
    managements: Iterable[Management], today: dt.date | None = None
) -> dict[str, int]:
    """How many test days passed without a sample, and how many people missed at least one."""
    days = test_days(managements, today)
    missed = [sum(1 for d in ds if d.missed) for ds in days.values()]
    people = sum(1 for n in missed if n)
    return {"missed_test_days": sum(missed), "people_with_missed_tests": people}


def expected_tests(
    incident: Incident, *, area: Place, on: dt.date, user: object = None
) -> list[dict[str, object]]:
    """The registry residents under `area` whose management has a test day on `on` (for the
    coverage pages, through incidents.registry): level and day, never the case."""
    qs = (
        Management.objects.filter(incident=incident, person__isnull=False)
        .confirmed()
        .exclude(status__in=_DONE)
        .filter(path__startswith=area.path)
        .select_related("person", "household")
        .order_by("path", "pk")
    )
    if user is not None:
        qs = qs.visible_to(user)
    wanted = on.isoformat()
    ms = [m for m in qs[:EXPECTED_LIMIT] if wanted in m.test_dates]
    days = test_days(ms, on)
    rows = []
    for m in ms:
        person = m.person
        assert person is not None
        that_day = next(d for d in days[m.pk] if d.date == on)
        number = sorted(m.test_dates).index(wanted) + 1
        rows.append(
            {
                "person_id": person.pk,
                "name": person.name,
                "document_masked": person.document_masked,
                "household_id": m.household_id,
                "household": m.household.address if m.household else "",
                "reason": _("%(level)s 第%(n)s次检测")
                % {"level": Level(m.level).label, "n": number},
                "done": that_day.done,
                "missed": sum(1 for d in days[m.pk] if d.missed),
            }
        )
    return rows
