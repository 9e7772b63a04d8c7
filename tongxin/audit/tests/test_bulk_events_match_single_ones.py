"""The bulk writers (`record_many`, `record_rows`: COPY on PostgreSQL) write the same event as
`record` for the same act, and an object built from its row (`tongxin.core.bulk`) remembers
the same loaded values as one read by the ORM."""

import json

import pytest

from tongxin.audit.context import Actor, acting_as
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.audit.services import record, record_many, record_rows, target_type_of
from tongxin.core import bulk
from tongxin.factories import PersonFactory, UnitFactory, UserFactory
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db

FIELDS = ("actor_id", "actor_label", "channel", "ip", "action", "target_type", "target_id",
          "target_label", "changes", "detail")  # fmt: skip


def _fields(event: AuditEvent) -> tuple[object, ...]:
    return tuple(getattr(event, name) for name in FIELDS)


def test_record_many_and_record_rows_write_what_record_writes() -> None:
    unit = UnitFactory(name="县水利局")
    user = UserFactory()
    changes = {"name": "县水利局", "notes": "含\t制表符\n换行与\\反斜杠"}
    with acting_as(Actor(user=user, label=user.username, ip="10.1.2.3", channel="api")):
        single = record(AuditAction.CREATE, unit, changes=changes)
        assert record_many([(AuditAction.CREATE, unit, changes)]) == 1
        assert record_rows(
            [
                (AuditAction.CREATE, target_type_of(unit), str(unit.pk), str(unit), changes),
                (AuditAction.CREATE, "units.unit", str(unit.pk), str(unit), json.dumps(changes)),
            ]
        ) == 2  # fmt: skip
    events = AuditEvent.objects.filter(target_type="units.unit", target_id=str(unit.pk), actor=user)
    written = [_fields(e) for e in events.exclude(pk=single.pk)]
    assert written == [_fields(single)] * 3


def test_an_object_built_from_its_row_is_the_one_read_by_the_orm() -> None:
    person = PersonFactory()
    unit = UnitFactory(name="县卫健局", notes="备注")
    loaded = Unit.objects.get(pk=unit.pk)
    row = [getattr(loaded, f.attname) for f in Unit._meta.concrete_fields]
    (built,) = bulk.instances(Unit, [row])
    assert not built._state.adding and built._state.db == "default"
    assert {f.attname: getattr(built, f.attname) for f in Unit._meta.concrete_fields} == {
        f.attname: getattr(loaded, f.attname) for f in Unit._meta.concrete_fields
    }
    assert built._audit_loaded == loaded._audit_loaded
    # Saving it updates the row and records what changed, as for the ORM's object.
    built.notes = "改过"
    built.save()
    assert Unit.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(unit.pk))
    assert event.changes == {"notes": ["备注", "改过"]}
    # Some fields only: the others are deferred, read when first used.
    (partial,) = bulk.instances(Unit, [(unit.pk, "县卫健局")], attnames=("id", "name"))
    assert partial.get_deferred_fields() >= {"notes", "kind"}
    assert partial.notes == "改过"
    assert person.pk  # another audited model in the same database, untouched
