"""Cases: numbered within the incident, from a positive result in one step, by hand or from a
line listing; classification history; investigation deadlines from the edition; the activity
timeline pre-filled from the case's own check-ins."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.sampling.models import PositivePerson
from tongxin.tracing.models import (
    Case,
    CaseStatus,
    Channel,
    CheckIn,
    Classification,
    ClassificationChange,
    Management,
    ManagementStatus,
    OutsidePerson,
    Stay,
)
from tongxin.tracing.services.derive import case_window
from tongxin.tracing.services.management import TracingError
from tongxin.tracing.services.rules import deadlines_hours, max_stay


def _actor(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


@transaction.atomic
def create_case(
    incident: Incident,
    *,
    person: Person | None = None,
    outside: OutsidePerson | None = None,
    channel: str,
    reported_at: dt.datetime,
    classification: str = Classification.ASYMPTOMATIC,
    onset_date: dt.date | None = None,
    first_positive_at: dt.datetime | None = None,
    positive: PositivePerson | None = None,
    source_case: Case | None = None,
    by: Any = None,
) -> Case:
    """A new case with the next number of the incident (病例N). A person is a case once per
    incident; a 密接 who turns positive keeps their contact links (their management is marked
    as having become this case)."""
    if person is None and outside is None:
        raise TracingError(_("病例需要关联一名居民或外来人员"))
    Incident.objects.select_for_update().get(pk=incident.pk)  # numbers are handed out one by one
    existing = Case.objects.filter(incident=incident)
    existing = existing.filter(person=person) if person else existing.filter(outside_person=outside)
    if existing.exists():
        raise TracingError(_("此人已是本次疫情的病例"))
    number = (Case.objects.filter(incident=incident).aggregate(n=Max("number"))["n"] or 0) + 1
    case = Case.objects.create(
        incident=incident,
        number=number,
        person=person,
        outside_person=outside,
        channel=Channel(channel),
        reported_at=reported_at,
        classification=Classification(classification),
        onset_date=onset_date,
        first_positive_at=first_positive_at,
        positive=positive,
        source_case=source_case,
    )
    ClassificationChange.objects.create(
        case=case, classification=case.classification, at=reported_at, by=_actor(by)
    )
    if _actor(by) is not None:
        case.investigators.add(by)
    managed = Management.objects.filter(incident=incident)
    managed = managed.filter(person=person) if person else managed.filter(outside_person=outside)
    for m in managed:
        m.became_case = case
        m.status = ManagementStatus.BECAME_CASE
        m.save()
    return case


def case_from_positive(
    positive: PositivePerson, *, channel: str, by: Any = None, outside: OutsidePerson | None = None
) -> Case:
    """A positive single-tube result (from a recall or not) becomes a case in one step: the
    person, the tube's sampling time as first positive sample, the report time. `outside`: the
    person is one tracing knows outside the registry (sampling filed their tube under the
    record it registered on the spot); the case is theirs."""
    incident = positive.round.incident
    sampled = (
        positive.tube.samples.filter(person_id=positive.person_id)
        .order_by("sampled_at")
        .values_list("sampled_at", flat=True)
        .first()
    )
    return create_case(
        incident,
        person=None if outside is not None else positive.person,
        outside=outside,
        channel=channel,
        reported_at=positive.found_at,
        first_positive_at=sampled or positive.found_at,
        positive=positive,
        by=by,
    )


def positives_without_case(incident: Incident) -> Any:
    """Positive people of the incident's rounds who are not a case yet: the candidates the
    workbench offers to open in one step."""
    cased = Case.objects.filter(incident=incident, person__isnull=False).values("person_id")
    return (
        PositivePerson.objects.filter(round__incident=incident)
        .exclude(person_id__in=cased)
        .select_related("person", "household", "recall")
        .order_by("-found_at")
    )


@transaction.atomic
def reclassify(
    case: Case, classification: str, *, at: dt.datetime | None = None, by: Any = None
) -> Case:
    """Change the classification (e.g. asymptomatic → confirmed): one case, with its history."""
    classification = Classification(classification)
    if classification == case.classification:
        return case
    at = at or timezone.now()
    case.classification = classification
    case.save()
    ClassificationChange.objects.create(
        case=case, classification=classification, at=at, by=_actor(by)
    )
    return case


def deadlines(case: Case) -> dict[str, dt.datetime]:
    """Each investigation step's deadline: the report time plus the edition's hours."""
    return {
        step: case.reported_at + dt.timedelta(hours=hours)
        for step, hours in deadlines_hours(case.incident.policy_edition).items()
    }


def overdue_steps(case: Case, now: dt.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    done = {"core_information": case.core_done_at, "report": case.report_done_at}
    return [step for step, due in deadlines(case).items() if done.get(step) is None and due < now]


def mark_step_done(case: Case, step: str, at: dt.datetime | None = None) -> Case:
    at = at or timezone.now()
    if step == "core_information":
        case.core_done_at = at
        if case.status == CaseStatus.INVESTIGATING:
            case.status = CaseStatus.CORE_DONE
    elif step == "report":
        case.report_done_at = at
        case.status = CaseStatus.REPORTED
    else:
        raise TracingError(step)
    case.save()
    return case


def prefill_timeline(case: Case) -> int:
    """Add the case's own check-ins in the exposure window to its timeline (once each)."""
    start, end = case_window(case)
    have = set(case.stays.exclude(from_checkin=None).values_list("from_checkin_id", flat=True))
    added = 0
    for ci in (
        CheckIn.objects.filter(incident_id=case.incident_id)
        .of_subject(case.person_id, case.outside_person_id)
        .overlapping(start, end, max_stay(case.incident.policy_edition))
        .select_related("venue")
        .order_by("entered_at")
    ):
        if ci.pk in have:
            continue
        Stay.objects.create(
            incident_id=case.incident_id,
            case=case,
            venue=ci.venue,
            address=ci.venue.address,
            started_at=ci.entered_at,
            ended_at=ci.left_at,
            from_checkin=ci,
            note=_("扫码记录"),
        )
        added += 1
    return added
