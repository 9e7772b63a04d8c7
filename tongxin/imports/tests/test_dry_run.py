"""--dry-run decides every row exactly as a real run would, and writes nothing."""

from pathlib import Path

import pytest

from tongxin.audit.models import AuditEvent
from tongxin.factories import household
from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person
from tongxin.places.models import Place

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_a_dry_run_counts_like_the_real_run_and_writes_nothing(county, tmp_path: Path) -> None:
    household("阳光小区", "1", "101")
    rows = [
        resident("甲", ID, building="9", stairwell="1", room="901"),
        resident("甲", ID, building="9号楼", stairwell="一单元", room="901"),  # duplicate
        resident("甲", ID, building="9", room="902"),  # conflict
        resident("乙", township="", community="", room="102"),  # located by name
        resident("丙", phone="123"),  # warning
        resident(""),  # rejected
    ]
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    before = (Person.objects.count(), Place.objects.count(), AuditEvent.objects.count())

    dry = import_residents(path, dry_run=True)

    assert (Person.objects.count(), Place.objects.count(), AuditEvent.objects.count()) == before
    real = import_residents(path)
    assert dry.as_dict() == real.as_dict()
    assert [(p.row, p.code) for p in dry.problems] == [(p.row, p.code) for p in real.problems]


def test_a_dry_run_after_an_import_reports_updates(county, tmp_path: Path) -> None:
    import_residents(write_xlsx(tmp_path / "a.xlsx", [resident("甲", ID)]))
    moved = write_xlsx(tmp_path / "b.xlsx", [resident("甲", ID, building="2", room="201")])

    dry = import_residents(moved, dry_run=True)

    assert (dry.created, dry.updated) == (0, 1)
    assert Person.objects.get().household.name == "101室"
