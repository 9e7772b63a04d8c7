"""Door-to-door sampling (上门采样): households in zones whose residents may not leave home,
bedridden exempted people, and the single-tube resamples of a recall.

A team works through its tasks household by household (in address order); samples taken at
the door go through `record_batch` with the task's id, which marks the task done once the
person (or everyone in the household) has been sampled in the round.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.sampling.models import (
    DoorReason,
    DoorStatus,
    DoorTask,
    SampledPerson,
    SamplingTeam,
)
from tongxin.sampling.services.access import can
from tongxin.testing.models import ExemptionReason, SamplingMode, TestRound


class DoorError(ValueError):
    pass


def door_to_door_places(test_round: TestRound, at: dt.datetime) -> list[Place]:
    """Places designated, in the round's incident, a zone kind whose residents stay home."""
    from tongxin.zones.models import ZoneDesignation
    from tongxin.zones.services import kind_of

    designations = (
        ZoneDesignation.objects.in_force(at)
        .filter(incident=test_round.incident)
        .select_related("place", "incident__policy_edition")
    )
    return [d.place for d in designations if kind_of(d).door_to_door]


def plan_door_tasks(test_round: TestRound, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Create the round's door-to-door tasks (once each; a re-run adds only what is new):
    every household in scope inside a door-to-door zone, and every bedridden exempted person."""
    from tongxin.testing.services import exempted, sampling_modes_for, should_test

    now = now or timezone.now()
    created = {"sealed": 0, "bedridden": 0}
    expected = should_test(test_round)
    zone_places = door_to_door_places(test_round, now)
    with transaction.atomic():
        if zone_places:
            under = Q(pk__in=[])
            for place in zone_places:
                under |= Q(path__startswith=place.path)
            households = list(
                Place.objects.filter(under, kind=PlaceKind.HOUSEHOLD)
                .filter(pk__in=expected.values("household_id"))
                .only("pk", "path")
            )
            modes = sampling_modes_for(test_round, households, now)
            have = set(
                DoorTask.objects.filter(
                    round=test_round, reason=DoorReason.SEALED, person__isnull=True
                ).values_list("household_id", flat=True)
            )
            new = [
                DoorTask(
                    round=test_round,
                    household=h,
                    reason=DoorReason.SEALED,
                    mode=modes[h.pk][0],
                )
                for h in households
                if h.pk not in have
            ]
            DoorTask.objects.bulk_create(new)
            created["sealed"] = len(new)
        bedridden = exempted(test_round).filter(reason=ExemptionReason.BEDRIDDEN)
        have_people = set(
            DoorTask.objects.filter(round=test_round, reason=DoorReason.BEDRIDDEN).values_list(
                "person_id", flat=True
            )
        )
        new = [
            DoorTask(
                round=test_round,
                household_id=e.person.household_id,
                person=e.person,
                reason=DoorReason.BEDRIDDEN,
                mode=SamplingMode.SINGLE,
            )
            for e in bedridden
            if e.person_id not in have_people
        ]
        DoorTask.objects.bulk_create(new)
        created["bedridden"] = len(new)
    return created


def assign_tasks(user: Any, task_ids: Iterable[int], team: SamplingTeam) -> int:
    if not can(user, "manage_sampling"):
        raise DoorError(_("您没有分派上门采样任务的权限"))
    tasks = DoorTask.objects.visible_to(user).filter(pk__in=list(task_ids))
    count = 0
    for task in tasks.filter(status=DoorStatus.PENDING):
        task.team = team
        task.save()
        count += 1
    return count


def worklist(user: Any, team: SamplingTeam, test_round: TestRound) -> QuerySet[DoorTask]:
    """The team's tasks in the order a team walks them: estate, building, floor, door."""
    return (
        DoorTask.objects.visible_to(user)
        .filter(team=team, round=test_round)
        .select_related("household", "person")
        .order_by("status", "household__path", "pk")
    )


def mark_unreachable(user: Any, task_id: int, note: str, now: Any = None) -> DoorTask:
    task = DoorTask.objects.visible_to(user).filter(pk=task_id).first()
    if task is None:
        raise Http404
    note = note.strip()
    if not note:
        raise DoorError(_("请说明未能采样的原因"))
    task.status = DoorStatus.UNREACHABLE
    task.note = note[:255]
    task.done_at = now or timezone.now()
    task.save()
    return task


def complete_sampled_tasks(task_ids: Iterable[int], now: dt.datetime) -> int:
    """Mark done the tasks whose person (or whose whole household) has been sampled in the
    round. Called after door-to-door samples are stored."""
    tasks = list(DoorTask.objects.filter(pk__in=list(task_ids)).exclude(status=DoorStatus.DONE))
    done = 0
    for task in tasks:
        sampled = SampledPerson.objects.filter(round_id=task.round_id)
        if task.person_id is not None:
            complete = sampled.filter(person_id=task.person_id).exists()
        else:
            from tongxin.testing.services import EXPECTED_STATUSES

            residents = Person.objects.filter(
                household_id=task.household_id, residence_status__in=EXPECTED_STATUSES
            )
            missing = residents.exclude(Exists(sampled.filter(person_id=OuterRef("pk")))).exists()
            complete = not missing
        if complete:
            task.status = DoorStatus.DONE
            task.done_at = now
            task.save()
            done += 1
    return done


def task_counts(test_round: TestRound, user: Any) -> dict[str, int]:
    rows = (
        DoorTask.objects.visible_to(user)
        .filter(round=test_round)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["status"]: r["n"] for r in rows}
