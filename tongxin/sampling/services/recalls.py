"""Recalls (复核) of positive pooled tubes, and positive people from single tubes.

A positive pooled (or household) tube raises a recall at once: every member, where they live,
their zone and who answers for them (the unit with the estate, the cadre with the building) is
written down as it is at that moment; each member is put under temporary control and gets a
single-tube resample task at the door. The recall closes when every member has a result.

A positive single tube raises a `PositivePerson` for the investigators and is recorded against
the household's place (`zones.services.record_positive`), which restarts the lifting clock of
every zone above it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.places.models import Place
from tongxin.sampling.models import (
    DoorReason,
    DoorStatus,
    DoorTask,
    LabResult,
    PositivePerson,
    Recall,
    RecallMember,
    RecallStatus,
    SampleEvent,
    TemporaryControl,
    TestResult,
    Tube,
)
from tongxin.testing.models import SamplingMode, TestRound
from tongxin.units.models import BuildingAssignment, Unit, UnitAssignment


def _ancestor_paths(path: str) -> list[str]:
    step = Place.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def responsible(households: Iterable[Place], on: dt.date) -> dict[int, tuple[list, list]]:
    """{household id: ([units], [cadres])}: the units with an active assignment on the household
    or a place above it, and the cadres holding its building or stairwell (分片包楼)."""
    households = list(households)
    paths = {p for h in households for p in _ancestor_paths(h.path)}
    units_by_path: dict[str, list[Unit]] = defaultdict(list)
    for assignment in (
        UnitAssignment.objects.active(on)
        .filter(place__path__in=paths)
        .select_related("unit", "place")
    ):
        units_by_path[assignment.place.path].append(assignment.unit)
    cadres_by_path: dict[str, list[User]] = defaultdict(list)
    for cadre in BuildingAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on, place__path__in=paths
    ).select_related("user", "place"):
        cadres_by_path[cadre.place.path].append(cadre.user)
    result = {}
    for h in households:
        units: dict[int, Unit] = {}
        cadres: dict[int, User] = {}
        for path in _ancestor_paths(h.path):
            for unit in units_by_path.get(path, ()):
                units[unit.pk] = unit
            for user in cadres_by_path.get(path, ()):
                cadres[user.pk] = user
        result[h.pk] = (list(units.values()), list(cadres.values()))
    return result


def _command_post() -> list[User]:
    return list(User.objects.filter(role=Role.COMMAND_POST, is_active=True))


def _link(name: str, *args: Any) -> str:
    from tongxin.notifications.services import safe_reverse

    return safe_reverse(name, *args)


@transaction.atomic
def raise_recall(tube: Tube, lab_result: LabResult | None, now: dt.datetime) -> Recall:
    """A positive pooled tube: the recall with its members, their controls and resample tasks.
    Raising it again for the same tube returns the one already raised."""
    existing = Recall.objects.filter(tube=tube).first()
    if existing is not None:
        return existing
    test_round = TestRound.objects.select_related("incident").get(pk=tube.round_id)
    recall = Recall.objects.create(
        round=test_round, tube=tube, lab_result=lab_result, raised_at=now
    )
    samples = list(
        SampleEvent.objects.filter(tube=tube)
        .select_related("person", "household")
        .order_by("sampled_at", "pk")
    )
    members: dict[int, SampleEvent] = {}
    for sample in samples:
        members.setdefault(sample.person_id, sample)
    households = {s.household_id: s.household for s in members.values()}
    from tongxin.zones.services import effective_zones

    zones = effective_zones(households.values(), now, incident=test_round.incident)
    answerable = responsible(households.values(), timezone.localdate(now))
    reason = _("混管 %(tube)s 阳性，待单采复核") % {"tube": tube.barcode}
    all_units: dict[int, Unit] = {}
    for person_id, sample in members.items():
        zone = zones.get(sample.household_id)
        units, cadres = answerable[sample.household_id]
        for unit in units:
            all_units[unit.pk] = unit
        control = TemporaryControl.objects.create(
            person_id=person_id, recall=recall, reason=reason, started_at=now
        )
        task, _created = DoorTask.objects.get_or_create(
            round=test_round,
            person_id=person_id,
            reason=DoorReason.RECALL,
            defaults={"household_id": sample.household_id, "mode": SamplingMode.SINGLE},
        )
        if task.status != DoorStatus.PENDING:
            task.status, task.done_at = DoorStatus.PENDING, None
            task.save()
        RecallMember.objects.create(
            recall=recall,
            person_id=person_id,
            household_id=sample.household_id,
            zone_code=zone.code if zone else "",
            zone_name=zone.name if zone else "",
            units=[u.name for u in units],
            cadres=[c.full_name or c.username for c in cadres],
            control=control,
            task=task,
        )
    context = {
        "tube": tube.barcode,
        "round": test_round.name,
        "members": len(members),
        "places": sorted({str(h) for h in households.values()})[:10],
        "raised_at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
    }
    link = _link("sampling:recall", recall.pk)
    units = list(all_units.values())
    incident = test_round.incident

    def send() -> None:
        from tongxin.notifications.services import notify

        notify(
            "recall_raised",
            users=_command_post(),
            units=units,
            context=context,
            link=link,
            incident=incident,
        )

    transaction.on_commit(send, robust=True)
    return recall


@transaction.atomic
def record_positive_person(
    tube: Tube, lab_result: LabResult | None, now: dt.datetime
) -> list[PositivePerson]:
    """A positive single tube: a positive-person record for each (in practice one) person in it,
    and the finding recorded against their household for the zone lifting clock."""
    from tongxin.zones.services import record_positive

    test_round = TestRound.objects.select_related("incident").get(pk=tube.round_id)
    found_at = lab_result.reported_at if lab_result is not None else now
    made = []
    for sample in SampleEvent.objects.filter(tube=tube).select_related("household"):
        if PositivePerson.objects.filter(tube=tube, person_id=sample.person_id).exists():
            continue
        recall = (
            Recall.objects.filter(members__person_id=sample.person_id, raised_at__lte=found_at)
            .order_by("-raised_at")
            .first()
        )
        made.append(
            PositivePerson.objects.create(
                person_id=sample.person_id,
                household=sample.household,
                round=test_round,
                tube=tube,
                lab_result=lab_result,
                recall=recall,
                found_at=found_at,
                ct_values=lab_result.ct_values if lab_result is not None else {},
            )
        )
        if test_round.incident.is_open:
            record_positive(
                test_round.incident,
                sample.household,
                found_at,
                source=_("核酸检测单管阳性"),
                reference=tube.barcode,
            )
    if made:
        context = {
            "tube": tube.barcode,
            "round": test_round.name,
            "count": len(made),
            "places": sorted({str(p.household) for p in made}),
        }
        investigators = list(User.objects.filter(role=Role.INVESTIGATOR, is_active=True))
        link = _link("sampling:positives")
        incident = test_round.incident

        def send() -> None:
            from tongxin.notifications.services import notify

            notify(
                "positive_found",
                users=[*_command_post(), *investigators],
                context=context,
                link=link,
                incident=incident,
            )

        transaction.on_commit(send, robust=True)
    return made


def apply_single_results(tubes: Iterable[Tube], now: dt.datetime) -> int:
    """Give recall members the result of a single tube taken after their recall was raised;
    close the recalls whose members all have one. Returns how many members got a result."""
    tubes = [t for t in tubes if t.mode == SamplingMode.SINGLE and t.result]
    if not tubes:
        return 0
    by_tube = {t.pk: t for t in tubes}
    samples = list(
        SampleEvent.objects.filter(tube_id__in=list(by_tube)).values(
            "tube_id", "person_id", "sampled_at"
        )
    )
    if not samples:
        return 0
    open_members = list(
        RecallMember.objects.filter(
            person_id__in={s["person_id"] for s in samples},
            recall__status=RecallStatus.OPEN,
        )
        .exclude(result__in=[TestResult.NEGATIVE, TestResult.POSITIVE])
        .select_related("recall", "control", "task")
    )
    by_person: dict[int, list[RecallMember]] = defaultdict(list)
    for member in open_members:
        by_person[member.person_id].append(member)
    touched: set[int] = set()
    updated = 0
    for sample in samples:
        tube = by_tube[sample["tube_id"]]
        for member in by_person.get(sample["person_id"], ()):
            if sample["sampled_at"] < member.recall.raised_at:
                continue  # sampled before the recall: not the resample
            member.result = tube.result
            member.result_at = tube.result_at
            member.result_tube = tube
            member.save(update_fields=["result", "result_at", "result_tube"])
            updated += 1
            touched.add(member.recall_id)
            if tube.result == TestResult.NEGATIVE and member.control is not None:
                control = member.control
                if control.ended_at is None:
                    control.ended_at = tube.result_at or now
                    control.end_reason = _("单采复核阴性")
                    control.save()
    for recall in Recall.objects.filter(pk__in=touched, status=RecallStatus.OPEN):
        close_if_complete(recall, now)
    return updated


def close_if_complete(recall: Recall, now: dt.datetime) -> bool:
    pending = recall.members.exclude(result__in=[TestResult.NEGATIVE, TestResult.POSITIVE])
    if pending.exists():
        return False
    recall.status = RecallStatus.CLOSED
    recall.closed_at = now
    recall.save()
    return True


# --- reports ----------------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def recalls_report(test_round: TestRound, user: Any = None) -> list[dict[str, Any]]:
    """The round's recalls, open ones first, with their members (masked: name, masked ID,
    household address, zone, units and cadres, control, task, result). JSON-ready.

    `user` limits it to what they may see (a unit: the members living in its estates); None
    is the command line's whole county."""
    recalls = Recall.objects.filter(round=test_round)
    members = RecallMember.objects.filter(recall__round=test_round)
    if user is not None:
        recalls = recalls.visible_to(user)
        members = members.visible_to(user)
    members_by_recall: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in members.select_related("person", "household", "control", "task").order_by(
        "household__path", "person__name", "pk"
    ):
        members_by_recall[m.recall_id].append(
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "document_masked": m.person.document_masked,
                "household": m.household.address or m.household.name,
                "zone": m.zone_name,
                "units": m.units,
                "cadres": m.cadres,
                "under_control": bool(m.control and m.control.ended_at is None),
                "task_status": m.task.status if m.task else None,
                "result": m.result or None,
                "result_at": _iso(m.result_at),
            }
        )
    out = []
    for recall in recalls.select_related("tube", "lab_result").order_by("-raised_at", "-pk"):
        rows = members_by_recall.get(recall.pk, [])
        if rows:
            _audit_members_shown(recall, [r["person_id"] for r in rows])
        out.append(
            {
                "id": recall.pk,
                "tube": recall.tube.barcode,
                "mode": recall.tube.mode,
                "status": recall.status,
                "raised_at": _iso(recall.raised_at),
                "closed_at": _iso(recall.closed_at),
                "lab": recall.lab_result.lab if recall.lab_result else recall.tube.result_lab,
                "members": rows,
                "members_with_result": sum(
                    1 for r in rows if r["result"] in (TestResult.NEGATIVE, TestResult.POSITIVE)
                ),
            }
        )
    out.sort(key=lambda r: r["status"] != RecallStatus.OPEN)  # open first, each newest first
    return out


def _audit_members_shown(recall: Recall, person_ids: list[int]) -> None:
    # Membership of a positive pool is health data: whoever lists it leaves a trace.
    record(AuditAction.VIEW, recall, detail={"members": person_ids})


def view_recall(user: Any, pk: int) -> tuple[Recall, list[RecallMember]]:
    """One recall and the members the user may see (404 beyond); the view is audited."""
    from django.shortcuts import get_object_or_404

    recall = get_object_or_404(
        Recall.objects.visible_to(user).select_related("round", "tube"), pk=pk
    )
    members = list(
        RecallMember.objects.visible_to(user)
        .filter(recall=recall)
        .select_related("person__walk_in", "household", "control", "task")
        .order_by("household__path", "person__name")
    )
    if members:
        _audit_members_shown(recall, [m.person_id for m in members])
    return recall, members


def view_positives(user: Any, limit: int = 500) -> list[PositivePerson]:
    """The positive people the user may see, newest first; listing them is audited."""
    rows = list(
        PositivePerson.objects.visible_to(user)
        .select_related("person", "household", "tube", "round")
        .order_by("-found_at")[:limit]
    )
    if rows:
        record(
            AuditAction.VIEW,
            target_type="sampling.positiveperson",
            label=f"sampling.positiveperson ×{len(rows)}",
            detail={"people": [p.person_id for p in rows]},
        )
    return rows
