"""Imports are audited: create/update per person with masked values, and one import event."""

from pathlib import Path

import pytest

from tongxin.accounts.models import Role
from tongxin.audit.context import Actor, acting_as
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UserFactory
from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

ID, PHONE = "11010519491231002X", "13812345678"


def test_people_places_and_the_import_are_recorded(county, tmp_path: Path) -> None:
    user = UserFactory(role=Role.COMMAND_POST, username="zhihuibu")
    path = write_xlsx(tmp_path / "名单.xlsx", [resident("张三", ID, phone=PHONE), resident("")])

    with acting_as(Actor(user=user, label="zhihuibu", channel="cli")):
        import_residents(path, user=user)

    person = Person.objects.get()
    create = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="people.person")
    assert create.target_id == str(person.pk)
    assert (create.actor, create.channel) == (user, "cli")
    assert create.changes["document_number"] == "110105********002X"
    assert create.changes["phone"] == "138****5678"
    assert create.changes["name"] == "张三"

    places = AuditEvent.objects.filter(action=AuditAction.CREATE, target_type="places.place")
    assert places.count() == 1 + 5  # the fixture's county, then township … household
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.detail["source"] == "名单.xlsx"
    assert (event.detail["created"], event.detail["rejected"]) == (1, 1)
    assert event.detail["rejected_reasons"] == {"missing_name": 1}

    for stored in AuditEvent.objects.all():
        text = f"{stored.changes} {stored.detail} {stored.target_label}"
        assert ID not in text and PHONE not in text
