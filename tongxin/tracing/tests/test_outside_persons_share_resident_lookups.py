"""Outside persons are indexed and masked exactly like residents (one derivation in core)."""

from tongxin.people.models import Person
from tongxin.tracing.models import OutsidePerson


def test_an_outside_person_is_found_and_masked_like_the_resident_with_the_same_numbers(world):
    person = world.one("1801")
    outside = OutsidePerson.objects.create(
        incident=world.incident, document_number=person.document_number, phone=person.phone
    )
    number = person.document_number
    assert Person.objects.with_document(person.document_type, number).get() == person
    assert OutsidePerson.objects.with_document(outside.document_type, number).get() == outside
    assert OutsidePerson.objects.with_phone(person.phone).get() == outside
    assert outside.document_masked == person.document_masked
    assert (outside.phone_masked, outside.phone_last4) == (person.phone_masked, person.phone_last4)
