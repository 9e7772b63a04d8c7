"""A concurrent writer never makes the import corrupt or double-count.

Writers are serialized (each chunk locks the county row; SQLite runs IMMEDIATE transactions).
If someone still wrote the same person or place between our reads and our writes, the insert
hits a unique constraint, the chunk is rolled back and decided again on what is stored. The
tests make our reads miss a row that is stored, which is what a rival's commit between our
read and our write looks like."""

from pathlib import Path

import pytest

from tongxin.factories import PersonFactory, household
from tongxin.imports.services import engine, import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import PlaceTree

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_a_person_written_meanwhile_is_not_created_twice(
    county, tmp_path: Path, monkeypatch
) -> None:
    PersonFactory(name="张三", document_number=ID, household=household(room="101"))
    path = write_xlsx(tmp_path / "f.xlsx", [resident("甲"), resident("张三", ID, room="101")])
    real_existing = engine._Importer._existing
    calls = {"n": 0}

    def first_read_misses(self, rows):
        calls["n"] += 1
        return {} if calls["n"] == 1 else real_existing(self, rows)

    monkeypatch.setattr(engine._Importer, "_existing", first_read_misses)

    result = import_residents(path)

    assert calls["n"] == 2  # the chunk was decided again
    assert (result.created, result.unchanged, result.rejected) == (1, 1, 0)
    assert Person.objects.filter(name="张三").count() == 1
    assert Person.objects.count() == 2


def test_a_place_written_meanwhile_is_not_created_twice(
    county, tmp_path: Path, monkeypatch, caplog
) -> None:
    household("阳光小区", "7", "701")
    places = Place.objects.count()
    real_load = PlaceTree._load
    stale = {"once": True}

    def first_read_misses_building_7(self, parent):
        children = real_load(self, parent)
        if stale["once"] and parent.kind == PlaceKind.ESTATE:
            stale["once"] = False
            children.pop((PlaceKind.BUILDING, "7"))
        return children

    monkeypatch.setattr(PlaceTree, "_load", first_read_misses_building_7)
    path = write_xlsx(tmp_path / "f.xlsx", [resident("甲", building="7", room="701")])

    result = import_residents(path)

    assert not stale["once"]
    assert "retried after a concurrent write" in caplog.text
    assert result.created == 1
    assert Place.objects.count() == places
    assert Person.objects.get(name="甲").household.name == "701室"
