"""Re-importing a file changes nothing; a newer file updates people by document number."""

from pathlib import Path

import pytest

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_csv, write_xlsx
from tongxin.people.models import Person, ResidenceStatus
from tongxin.places.models import Place

pytestmark = pytest.mark.django_db

A, B = "11010519491231002X", "330824199001011230"


def _rows() -> list[dict]:
    return [
        resident("张三", A, phone="13812345678", building="3号楼", stairwell="一单元"),
        resident("李四", B, phone="", room="102", status="外出"),
        resident("李四", B, phone="", room="102", status="外出"),  # a duplicate
        resident("", "123"),  # rejected
    ]


def test_reimporting_the_same_file_changes_nothing(county, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", _rows())
    first = import_residents(path)
    assert (first.created, first.duplicate, first.rejected) == (2, 1, 1)
    people = list(Person.objects.order_by("pk").values())
    places = Place.objects.count()
    events = AuditEvent.objects.count()

    again = import_residents(path)

    assert again.as_dict() | {"unchanged": 0} == first.as_dict() | {"created": 0}
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Person.objects.order_by("pk").values()) == people
    assert Place.objects.count() == places
    # No per-person noise: only the one import event.
    new_events = AuditEvent.objects.order_by("id")[events:]
    assert [e.action for e in new_events] == [AuditAction.IMPORT]


def test_the_same_rows_as_csv_are_unchanged_too(county, tmp_path: Path) -> None:
    import_residents(write_xlsx(tmp_path / "f.xlsx", _rows()))
    again = import_residents(write_csv(tmp_path / "f.csv", _rows(), encoding="gbk"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_newer_file_updates_people_by_document_number(county, tmp_path: Path) -> None:
    import_residents(write_xlsx(tmp_path / "old.xlsx", _rows()))
    old_household = Person.objects.get(name="张三").household
    newer = [
        resident("张三", A, phone="13987654321", building="5", room="501"),  # moved, new phone
        resident("李四", B, room="102", status="常住"),  # back home
    ]

    result = import_residents(write_xlsx(tmp_path / "new.xlsx", newer))

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    zhang = Person.objects.get(name="张三")
    assert zhang.household.address == "开化县 芹阳办事处 东门社区 阳光小区 5幢 501室"
    assert zhang.phone == "13987654321"
    assert zhang.phone_masked == "139****4321"
    assert Person.objects.with_phone("13987654321").get() == zhang
    assert Person.objects.get(name="李四").residence_status == ResidenceStatus.RESIDENT
    assert Person.objects.count() == 2
    assert Place.objects.filter(pk=old_household.pk).exists()  # the old household stays

    update = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(zhang.pk))
    assert update.changes == {
        "household": [old_household.pk, zhang.household_id],
        "phone": ["138****5678", "139****4321"],
    }
    assert "13987654321" not in str(update.changes)


def test_a_name_correction_is_an_update(county, tmp_path: Path) -> None:
    import_residents(write_xlsx(tmp_path / "a.xlsx", [resident("张山", A)]))
    result = import_residents(write_xlsx(tmp_path / "b.xlsx", [resident("张三", A)]))
    assert result.updated == 1
    person = Person.objects.get()
    assert (person.name, person.name_pinyin, person.name_initials) == ("张三", "zhangsan", "zs")
