"""Testing and sampling figures for the command picture and the daily report.

The current round (the latest one started by `at`): should test, sampled, results known,
untested; tubes waiting for a result, positive pooled tubes, open recalls, and positive people
(single tubes) since the start. Live (`at` None) the round's coverage comes from the narrow
per-household tallies; at a past moment (a report's cut-off) from who was sampled, and whose
tube had its result, by then. Under `area`: households under it, tubes of its points, recalls
with a member there. Counts only, no person.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from tongxin.incidents.registry import register_figures
from tongxin.sampling.models import (
    PositivePerson,
    Recall,
    RecallMember,
    RoundHousehold,
    SampledPerson,
    SampleEvent,
    TestResult,
    Tube,
)
from tongxin.testing.models import SamplingMode, TestRound

KNOWN = (TestResult.NEGATIVE, TestResult.POSITIVE)


def _quiet_since(test_round: TestRound, at: dt.datetime) -> bool:
    """Whether the round has had no sample and no result after `at` (a finished round, seen
    from a report's cut-off): then its live tallies are its figures as of `at`."""
    last_sample = SampledPerson.objects.filter(round=test_round).aggregate(
        m=Max("first_sampled_at")
    )["m"]
    last_result = Tube.objects.filter(round=test_round).aggregate(m=Max("result_at"))["m"]
    return all(moment is None or moment <= at for moment in (last_sample, last_result))


def _coverage(test_round: TestRound, area: Any, at: dt.datetime | None) -> dict[str, int]:
    tallies = RoundHousehold.objects.filter(round=test_round)
    if area is not None:
        tallies = tallies.filter(path__startswith=area.path)
    row = tallies.aggregate(
        expected=Sum("expected"), sampled=Sum("sampled"), known=Sum("result_known")
    )
    expected = int(row["expected"] or 0)
    if at is None or _quiet_since(test_round, at):
        # Live, or nothing sampled or resulted after `at`: the tallies are the answer.
        sampled, known = int(row["sampled"] or 0), int(row["known"] or 0)
    else:
        people = SampledPerson.objects.filter(
            round=test_round, expected=True, first_sampled_at__lte=at
        )
        if area is not None:
            people = people.filter(path__startswith=area.path)
        # A semi-join (IN), not a correlated EXISTS per person: one pass over the round's
        # samples whose tube had a result by then.
        with_result = SampleEvent.objects.filter(
            round=test_round, tube__result__in=KNOWN, tube__result_at__lte=at
        ).values("person_id")
        # Both counts in one pass over the round's sampled people.
        counted = people.aggregate(
            sampled=Count("id"), known=Count("id", filter=Q(person_id__in=with_result))
        )
        sampled, known = int(counted["sampled"] or 0), int(counted["known"] or 0)
    return {
        "should_test": expected,
        "sampled": sampled,
        "result_known": known,
        "untested": max(0, expected - sampled),
    }


def figures(incident: Any, *, area: Any = None, at: dt.datetime | None = None) -> dict[str, Any]:
    moment = at or timezone.now()
    rounds = TestRound.objects.filter(incident=incident, starts_at__lte=moment)
    current = rounds.order_by("-starts_at", "-pk").first()
    result: dict[str, Any] = {"rounds": rounds.count()}
    if current is not None:
        result["round"] = current.name
        result.update(_coverage(current, area, at))
    tubes = Tube.objects.filter(round__incident=incident)
    recalls = Recall.objects.filter(round__incident=incident, raised_at__lte=moment)
    positives = PositivePerson.objects.filter(round__incident=incident, found_at__lte=moment)
    if area is not None:
        tubes = tubes.filter(point__place__path__startswith=area.path)
        recalls = recalls.filter(
            pk__in=RecallMember.objects.filter(household__path__startswith=area.path).values(
                "recall_id"
            )
        )
        positives = positives.filter(household__path__startswith=area.path)
    no_result_yet = Q(result="") | Q(result_at__gt=moment)
    tube_row = tubes.aggregate(
        pending_results=Count("id", filter=Q(round=current, opened_at__lte=moment) & no_result_yet)
        if current is not None
        else Count("id", filter=Q(pk__in=[])),
        positive_pools=Count(
            "id",
            filter=Q(result=TestResult.POSITIVE, result_at__lte=moment)
            & ~Q(mode=SamplingMode.SINGLE),
        ),
    )
    result.update({key: int(value or 0) for key, value in tube_row.items()})
    result["open_recalls"] = recalls.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gt=moment)
    ).count()
    result["positives"] = positives.count()
    return result


register_figures("sampling", figures)
