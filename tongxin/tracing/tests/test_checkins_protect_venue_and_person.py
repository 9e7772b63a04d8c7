"""Check-ins have no foreign-key constraint in the database (the import's speed), so Django
must still refuse deleting a venue or a person that has check-ins."""

import pytest
from django.db.models import ProtectedError

from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import CheckIn

from .conftest import local


def test_a_venue_or_person_with_checkins_cannot_be_deleted(world):
    venue = VenueFactory()
    person = world.one("1801")
    checkin(world.incident, venue, person, local(9, 10), 30)
    with pytest.raises(ProtectedError):
        venue.delete()
    with pytest.raises(ProtectedError):
        person.delete()
    assert CheckIn.objects.filter(venue=venue, person=person).count() == 1
