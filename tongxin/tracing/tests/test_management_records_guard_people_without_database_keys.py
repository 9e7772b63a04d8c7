"""Management records and contact links have no foreign-key constraint in the database
(derivation writes tens of thousands at once; migration tracing.0008), so Django must still
refuse deleting a person who has a management record and still delete a record's links with
it."""

import pytest
from django.db.models import ProtectedError

from tongxin.people.models import Person
from tongxin.tracing.models import Contact, Management
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def test_a_person_with_a_management_record_cannot_be_deleted(world):
    co_resident = world.one("1801", 1)
    derive_for_case(make_case(world, world.one("1801")), now=local(13))
    assert Management.objects.filter(person=co_resident).exists()
    with pytest.raises(ProtectedError):
        co_resident.delete()
    assert Person.objects.filter(pk=co_resident.pk).exists()


def test_deleting_a_record_deletes_its_links(world):
    derive_for_case(make_case(world, world.one("1801")), now=local(13))
    m = Management.objects.get(person=world.one("1801", 1))
    assert Contact.objects.filter(management=m).exists()
    m.delete()
    assert not Contact.objects.filter(management_id=m.pk).exists()
