"""Samples, results, a recall and door-to-door work for the demo county's round in progress.

Builds on the round `testing.demo` makes (found by its name in the incident): the buildings
whose slot has ended are sampled (all but a few of their residents), those in their slot now
are partly sampled (so some points are busy this hour), later ones not yet. Tubes from slots
that ended more than an hour ago have results, all negative but one 10-in-1 pool, which is
recalled (two of its members already resampled negative). Sealed households get door-to-door
tasks, a team works some of them; one box went to the lab; one walk-in was registered.

Everything goes through the same services as real work (record_batch, import_result_rows,
handover), a thousand events a call. Idempotent: a round that already has tubes is left as
it is.
"""

import datetime as dt
import random
import uuid
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.sampling.models import (
    DoorReason,
    DoorStatus,
    DoorTask,
    Recall,
    SampleEvent,
    SamplingTeam,
    Tube,
    TubeStatus,
)
from tongxin.sampling.services import coverage, door, handover
from tongxin.sampling.services.recording import record_batch
from tongxin.sampling.services.results import import_result_rows
from tongxin.testing.models import PlanSlot, SamplingMode, TestRound
from tongxin.units.models import Unit

LAB = "县疾控中心检测实验室"
TEAM = "城东嘉苑上门采样一组"
SEED = 20220306
# Share of a finished building's residents who were not sampled (应检未检 for the demo).
MISSED = 0.04
# Position in the finished tubes of the pool that comes back positive.
POSITIVE_AT = 0.3


def _round(incident: Incident) -> TestRound | None:
    from tongxin.testing.demo import ROUND_NAME

    return (
        TestRound.objects.filter(incident=incident, name=ROUND_NAME)
        .select_related("incident__policy_edition")
        .first()
    )


def _sampler(test_round: TestRound) -> User | None:
    """The demo's test-point login, else the command post (who may record anywhere)."""
    for username in (str(Role.TEST_POINT), str(Role.COMMAND_POST)):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is not None:
            return user
    return User.objects.filter(role=Role.COMMAND_POST, is_active=True).first()


def _summary(test_round: TestRound | None, created: bool) -> dict[str, Any]:
    if test_round is None:
        return {"created": False, "round": None}
    return {
        "created": created,
        "round": test_round,
        "samples": SampleEvent.objects.filter(round=test_round).count(),
        "tubes": Tube.objects.filter(round=test_round).count(),
        "recalls": Recall.objects.filter(round=test_round).count(),
        "door_tasks": DoorTask.objects.filter(round=test_round).count(),
    }


def load_demo_sampling(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    """Fill the demo round as of `now` (aware). Returns counts of what exists."""
    test_round = _round(incident)
    if test_round is None or Tube.objects.filter(round=test_round).exists():
        return _summary(test_round, created=False)
    user = _sampler(test_round)
    if user is None:
        return _summary(test_round, created=False)
    rng = random.Random(SEED)  # noqa: S311  (the same demo every time, not a secret)
    tubes_done = _point_samples(test_round, user, now, rng)
    _results(test_round, tubes_done, now)
    _door_to_door(test_round, user, now)
    _handover(test_round, user, tubes_done, now)
    _walk_in(test_round, user, now)
    coverage.recount(test_round, now=now)
    return _summary(test_round, created=True)


def _point_samples(
    test_round: TestRound, user: User, now: dt.datetime, rng: random.Random
) -> list[str]:
    """Sample the buildings whose slot has begun; returns the barcodes of tubes whose slot
    ended more than an hour ago (their results are back)."""
    from tongxin.testing.services import should_test

    slots = list(
        PlanSlot.objects.filter(round=test_round, starts_at__lte=now, round_point__isnull=False)
        .select_related("place", "round_point__point")
        .order_by("starts_at", "place__path")
    )
    from tongxin.sampling.services.door import door_to_door_places

    exempt = set(test_round.exemptions.values_list("person_id", flat=True))
    # People who may not leave home are sampled at their door, not at a point.
    stay_home = tuple(p.path for p in door_to_door_places(test_round, now))
    done: list[str] = []
    serial = 0
    for slot in slots:
        starts_at = slot.starts_at
        if starts_at is None or slot.round_point is None:
            continue
        people = [
            p
            for p in should_test(test_round)
            .under(slot.place)
            .order_by("household__path", "pk")
            .values_list("pk", "household__path", named=True)
            if p.pk not in exempt and not p.household__path.startswith(stay_home)
        ]
        end = min(slot.ends_at or now, now)
        span = max((end - starts_at).total_seconds(), 60)
        share = (
            1.0
            if (slot.ends_at and slot.ends_at <= now)
            else span / max(((slot.ends_at or now) - starts_at).total_seconds(), 60)
        )
        taken = [p for p in people if rng.random() > MISSED][: int(len(people) * share)]
        if not taken:
            continue
        step = span / max(len(taken), 1)
        events = []
        for index, person in enumerate(taken):
            if index % 10 == 0:
                serial += 1
            events.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "tube": f"KH{timezone.localtime(starts_at):%m%d}{serial:05d}",
                    "person": person.pk,
                    "sampled_at": (starts_at + dt.timedelta(seconds=index * step)).isoformat(),
                }
            )
        point = slot.round_point.point
        for start in range(0, len(events), 1000):
            record_batch(
                events[start : start + 1000],
                user=user,
                defaults={"round": test_round.pk, "point": point.pk, "tube_mode": "pool_10"},
                source="point",
                now=now,
            )
        last_tube = events[-1]["tube"]
        if slot.ends_at and slot.ends_at <= now:
            # The slot is over: its last, partly filled tube was closed.
            record_batch(
                [
                    {
                        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "kind": "close",
                        "tube": last_tube,
                        "at": slot.ends_at.isoformat(),
                    }
                ],
                user=user,
                defaults={"round": test_round.pk, "point": point.pk},
                now=now,
            )
            if slot.ends_at <= now - dt.timedelta(hours=1):
                done += sorted({str(e["tube"]) for e in events})
    return done


def _results(test_round: TestRound, barcodes: list[str], now: dt.datetime) -> None:
    if not barcodes:
        return
    positive = barcodes[int(len(barcodes) * POSITIVE_AT)]
    reported = now - dt.timedelta(minutes=40)
    rows = [
        {
            "barcode": barcode,
            "result": "阳性" if barcode == positive else "阴性",
            "ct_orf1ab": 31.6 if barcode == positive else None,
            "ct_n": 33.2 if barcode == positive else None,
            "lab": LAB,
            "reported_at": reported.isoformat(),
        }
        for barcode in barcodes
    ]
    import_result_rows(rows, name=_("演示检测结果"), now=reported)
    recall = Recall.objects.filter(round=test_round).first()
    if recall is None:
        return
    # Two members already resampled at their door, both negative.
    user = _sampler(test_round)
    resampled = []
    for index, member in enumerate(recall.members.select_related("task")[:2]):
        barcode = f"KHD{recall.pk:03d}{index:02d}"
        record_batch(
            [
                {
                    "id": str(uuid.uuid4()),
                    "tube": barcode,
                    "person": member.person_id,
                    "door_task": member.task_id,
                    "sampled_at": (reported + dt.timedelta(minutes=10)).isoformat(),
                }
            ],
            user=user,
            defaults={"round": test_round.pk, "tube_mode": SamplingMode.SINGLE},
            source="door",
            now=now,
        )
        resampled.append(barcode)
    import_result_rows(
        [
            {
                "barcode": b,
                "result": "阴性",
                "lab": LAB,
                "reported_at": (reported + dt.timedelta(minutes=35)).isoformat(),
            }
            for b in resampled
        ],
        name=_("演示检测结果（复核）"),
        now=now,
    )


def _door_to_door(test_round: TestRound, user: User, now: dt.datetime) -> None:
    door.plan_door_tasks(test_round, now=now)
    unit = Unit.objects.filter(name="县人民医院采样队").first()
    team, _created = SamplingTeam.objects.get_or_create(name=TEAM, defaults={"unit": unit})
    team.members.add(user)
    tasks = list(
        DoorTask.objects.filter(round=test_round, status=DoorStatus.PENDING)
        .exclude(reason=DoorReason.RECALL)
        .order_by("household__path")
    )
    for task in tasks:
        task.team = team
    DoorTask.objects.bulk_update(tasks, ["team"])
    # The team has done the first third of its households, one tube per household.
    for index, task in enumerate(tasks[: len(tasks) // 3]):
        people = list(
            Person.objects.filter(household_id=task.household_id).values_list("pk", flat=True)
        )
        if task.person_id is not None:
            people = [task.person_id]
        if not people:
            continue
        when = now - dt.timedelta(minutes=90 - index % 80)
        record_batch(
            [
                {
                    "id": str(uuid.uuid4()),
                    "tube": f"KHH{task.pk:05d}",
                    "person": pk,
                    "door_task": task.pk,
                    "sampled_at": when.isoformat(),
                }
                for pk in people
            ],
            user=user,
            defaults={"round": test_round.pk, "tube_mode": task.mode},
            source="door",
            now=now,
        )


def _handover(test_round: TestRound, user: User, barcodes: list[str], now: dt.datetime) -> None:
    first = Tube.objects.filter(round=test_round, barcode__in=barcodes[:1]).first()
    if first is None:
        return
    closed = list(
        Tube.objects.filter(round=test_round, barcode__in=barcodes[:40], point=first.point)
        .exclude(status=TubeStatus.OPEN)
        .values_list("barcode", flat=True)
    )
    lab_user = User.objects.filter(username=str(Role.LAB_LIAISON), is_active=True).first() or user
    box = handover.create_box(user, test_round, first.point, f"KHBOX{test_round.pk:03d}01")
    handover.pack(user, box.pk, closed)
    handover.seal_box(user, box.pk, len(closed), now=now - dt.timedelta(hours=2))
    handover.hand_to_transport(
        user, box.pk, _("浙H·D2022 转运专车"), len(closed), now=now - dt.timedelta(hours=2)
    )
    handover.receive_at_lab(
        lab_user, box.pk, LAB, counted=len(closed), now=now - dt.timedelta(minutes=100)
    )


def _walk_in(test_round: TestRound, user: User, now: dt.datetime) -> None:
    from tongxin.core.idnumbers import check_char
    from tongxin.sampling.services.walkins import buildings_for_walk_ins

    slot = (
        PlanSlot.objects.filter(round=test_round, starts_at__lte=now, round_point__isnull=False)
        .select_related("round_point__point")
        .order_by("-starts_at")
        .first()
    )
    building = buildings_for_walk_ins(test_round.pk).order_by("path").first()
    if slot is None or slot.round_point is None or building is None:
        return

    first17 = "33082419880512031"
    number = first17 + check_char(first17)
    if Person.objects.with_document("resident_id", number).exists():
        return
    record_batch(
        [
            {
                "id": str(uuid.uuid4()),
                "tube": "KHWALKIN01",
                "document_number": number,
                "sampled_at": (now - dt.timedelta(minutes=5)).isoformat(),
                "walk_in": {"name": "范晓峰", "building": building.pk, "room": "1803"},
            }
        ],
        user=user,
        defaults={
            "round": test_round.pk,
            "point": slot.round_point.point.pk,
            "tube_mode": "pool_10",
        },
        source="point",
        now=now,
    )
