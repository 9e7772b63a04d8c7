"""Co-presence search (时空交集) as a tool of its own: who was at a venue in a time window (for
at least N minutes), and who overlapped a person's stays. Answers carry masked identities."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.tracing.models import CheckIn, OutsidePerson, Venue
from tongxin.tracing.services.rules import max_stay


@dataclass
class Present:
    person_id: int | None
    outside_person_id: int | None
    name: str
    document_masked: str
    phone_masked: str
    in_registry: bool
    first: dt.datetime
    last: dt.datetime
    minutes: int
    venues: list[str]

    def as_dict(self) -> dict[str, object]:
        return {
            "person": self.person_id,
            "outside_person": self.outside_person_id,
            "name": self.name,
            "document": self.document_masked,
            "phone": self.phone_masked,
            "in_registry": self.in_registry,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "overlap_minutes": self.minutes,
            "venues": self.venues,
        }


@dataclass
class _Acc:
    first: dt.datetime
    last: dt.datetime
    minutes: float = 0.0
    venues: list[str] = field(default_factory=list)


def _collect(
    incident: Incident,
    windows: list[tuple[int, dt.datetime, dt.datetime]],
    min_minutes: int,
    exclude: Q | None = None,
) -> list[Present]:
    """People whose check-ins overlap any (venue, start, end) window by at least min_minutes
    (per stay); their overlap minutes summed over the windows."""
    bound = max_stay(incident.policy_edition)
    acc: dict[tuple[int | None, int | None], _Acc] = {}
    codes = dict(Venue.objects.filter(pk__in={w[0] for w in windows}).values_list("pk", "code"))
    for venue_id, start, end in windows:
        qs = CheckIn.objects.filter(incident=incident, venue_id=venue_id).overlapping(
            start, end, bound
        )
        if exclude is not None:
            qs = qs.exclude(exclude)
        for pid, oid, entered, left in qs.values_list(
            "person_id", "outside_person_id", "entered_at", "left_at"
        ):
            first, last = max(entered, start), min(left, end)
            minutes = (last - first).total_seconds() / 60
            if minutes < min_minutes:
                continue
            a = acc.get((pid, oid))
            if a is None:
                a = acc[(pid, oid)] = _Acc(first, last)
            a.first, a.last = min(a.first, first), max(a.last, last)
            a.minutes += minutes
            if codes[venue_id] not in a.venues:
                a.venues.append(codes[venue_id])
    # Plain rows, not model instances: hundreds of people per busy window, and an instance
    # costs a change-tracking snapshot each (audit.signals) that nothing here would use.
    fields = ("pk", "name", "document_masked", "phone_masked")
    people = {
        row[0]: row[1:]
        for row in Person.objects.filter(pk__in={k[0] for k in acc if k[0]}).values_list(*fields)
    }
    outside = {
        row[0]: row[1:]
        for row in OutsidePerson.objects.filter(pk__in={k[1] for k in acc if k[1]}).values_list(
            *fields
        )
    }
    result = []
    for (person_id, outside_id), a in acc.items():
        name, document, phone = people[person_id] if person_id else outside[outside_id or 0]
        result.append(
            Present(
                person_id=person_id,
                outside_person_id=outside_id,
                name=name,
                document_masked=document,
                phone_masked=phone,
                in_registry=bool(person_id),
                first=a.first,
                last=a.last,
                minutes=int(a.minutes),
                venues=a.venues,
            )
        )
    result.sort(key=lambda p: (-p.minutes, p.first))
    return result


def at_venue(
    incident: Incident, venue: Venue, start: dt.datetime, end: dt.datetime, min_minutes: int = 0
) -> list[Present]:
    """Who was at the venue between start and end, for at least min_minutes of that window."""
    return _collect(incident, [(venue.pk, start, end)], min_minutes)


def overlapping_person(
    incident: Incident,
    *,
    person_id: int | None = None,
    outside_person_id: int | None = None,
    start: dt.datetime,
    end: dt.datetime,
    min_minutes: int = 0,
) -> list[Present]:
    """Who overlapped the person's check-ins between start and end."""
    own = (
        CheckIn.objects.filter(incident=incident)
        .of_subject(person_id, outside_person_id)
        .overlapping(start, end, max_stay(incident.policy_edition))
    )
    windows = [
        (v, max(s, start), min(e, end))
        for v, s, e in own.values_list("venue_id", "entered_at", "left_at")
    ]
    exclude = Q(person_id=person_id) if person_id else Q(outside_person_id=outside_person_id)
    return _collect(incident, windows, min_minutes, exclude)
