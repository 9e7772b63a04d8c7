import pytest

from tongxin.accounts.models import Role
from tongxin.audit.context import Actor, acting_as
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import PersonFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_resident_change_records_who_what_and_from_where() -> None:
    person = PersonFactory(name="张三", phone="13800138000")
    editor = UserFactory(role=Role.GRID_STAFF)
    with acting_as(Actor(user=editor, label=editor.username, ip="10.1.2.3", channel="web")):
        person.phone = "13900139000"
        person.notes = "独居老人"
        person.save()
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(person.pk)).get()
    assert event.actor == editor
    assert event.ip == "10.1.2.3"
    assert event.changes == {
        "phone": ["138****8000", "139****9000"],
        "notes": ["", "独居老人"],
    }


def test_audit_never_holds_raw_personal_data() -> None:
    person = PersonFactory(document_number="11010519491231002X", phone="13800138000")
    person.phone = "13900139000"
    person.save()
    text = " ".join(
        str(e.changes) + str(e.detail) + e.target_label for e in AuditEvent.objects.all()
    )
    for raw in ("11010519491231002X", "13800138000", "13900139000"):
        assert raw not in text


def test_saving_without_changes_records_nothing() -> None:
    unit = UnitFactory()
    before = AuditEvent.objects.count()
    unit.save()
    assert AuditEvent.objects.count() == before


def test_deletion_is_recorded() -> None:
    unit = UnitFactory(name="县水利局")
    unit.delete()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, target_label="县水利局").exists()


def test_audit_trail_visible_to_command_post_only() -> None:
    UnitFactory()
    assert AuditEvent.objects.visible_to(UserFactory(role=Role.COMMAND_POST)).exists()
    assert not AuditEvent.objects.visible_to(UserFactory(role=Role.GRID_STAFF)).exists()
