import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tongxin.core import crypto
from tongxin.factories import PersonFactory
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db


def test_encrypted_value_round_trips_and_is_not_stored_in_clear() -> None:
    person = PersonFactory(document_number="11010519491231002X", phone="13800138000")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document_number, phone FROM people_person WHERE id = %s", [person.pk]
        )
        stored_doc, stored_phone = cursor.fetchone()
    assert "11010519491231002X" not in stored_doc
    assert "13800138000" not in stored_phone
    assert Person.objects.get(pk=person.pk).document_number == "11010519491231002X"


def test_rotation_keeps_data_readable_and_findable(settings: object) -> None:
    person = PersonFactory(document_number="11010519491231002X", phone="13800138000")
    old_field_keys = list(settings.TONGXIN_FIELD_KEYS)
    old_blind_keys = list(settings.TONGXIN_BLIND_INDEX_KEYS)

    # A new key goes first; the old ones stay until rotation is done.
    settings.TONGXIN_FIELD_KEYS = [Fernet.generate_key().decode(), *old_field_keys]
    settings.TONGXIN_BLIND_INDEX_KEYS = ["new-blind-key", *old_blind_keys]
    assert Person.objects.with_document("resident_id", "11010519491231002X").get() == person
    call_command("rotate_keys", stdout=io.StringIO())

    # After rotation the old keys can go and nothing is lost.
    settings.TONGXIN_FIELD_KEYS = settings.TONGXIN_FIELD_KEYS[:1]
    settings.TONGXIN_BLIND_INDEX_KEYS = ["new-blind-key"]
    reloaded = Person.objects.with_document("resident_id", "11010519491231002X").get()
    assert reloaded.phone == "13800138000"
    assert Person.objects.with_phone("13800138000").get() == person


def test_value_under_an_unknown_key_fails_loudly(settings: object) -> None:
    token = crypto.encrypt("13800138000")
    settings.TONGXIN_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
