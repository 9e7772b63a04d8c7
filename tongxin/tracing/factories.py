"""Test factories for tracing (test-only; needs the dev extras)."""

import datetime as dt
import uuid
from typing import Any

import factory

from tongxin.people.models import Person
from tongxin.tracing.models import CheckIn, OutsidePerson, Venue, VenueKind


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"V{n:05d}")
    name = factory.Sequence(lambda n: f"同心超市{n}号店")
    kind = VenueKind.SUPERMARKET
    address = "开化县芹阳办事处"


def checkin(
    incident: Any,
    venue: Venue,
    who: Person | OutsidePerson,
    entered_at: dt.datetime,
    minutes: int,
) -> CheckIn:
    """A stay with a known exit time, stored directly (the import has its own tests)."""
    person = who if isinstance(who, Person) else None
    outside = who if isinstance(who, OutsidePerson) else None
    return CheckIn.objects.create(
        incident=incident,
        venue=venue,
        person=person,
        outside_person=outside,
        entered_at=entered_at,
        exited_at=entered_at + dt.timedelta(minutes=minutes),
        left_at=entered_at + dt.timedelta(minutes=minutes),
        row_key=uuid.uuid4(),
    )
