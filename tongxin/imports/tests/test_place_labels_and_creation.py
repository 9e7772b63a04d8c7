"""Places are created under the right parents once; messy labels name the same place."""

from pathlib import Path

import pytest

from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_csv, write_xlsx
from tongxin.places.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


def test_building_labels_name_one_building(county, tmp_path: Path) -> None:
    labels = [3, "3幢", "3栋", "3号楼", "3号", "第3幢"]
    rows = [resident(f"人{i}", building=b, room=f"{i + 1}01") for i, b in enumerate(labels)]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert result.created == len(labels)
    buildings = Place.objects.filter(kind=PlaceKind.BUILDING)
    assert [(b.key, b.name) for b in buildings] == [("3", "3幢")]
    assert buildings.get().numchild == len(labels)


def test_stairwell_labels_name_one_stairwell(county, tmp_path: Path) -> None:
    rows = [
        resident(f"人{i}", stairwell=s, room=f"{i + 1}01")
        for i, s in enumerate([1, "1单元", "一单元"])
    ]
    import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    stairwells = Place.objects.filter(kind=PlaceKind.STAIRWELL)
    assert [(s.key, s.name) for s in stairwells] == [("1", "1单元")]


def test_places_hang_under_the_right_parents(county, tmp_path: Path) -> None:
    rows = [
        resident("甲", stairwell="2", room="301室"),
        resident("乙", township="华埠镇", community="华丰村", estate="华丰上村", building="3组",
                 room="12号"),
    ]  # fmt: skip
    import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    chain = {
        h.name: [p.kind for p in Place.objects.filter(h.ancestors_q()).order_by("depth")]
        for h in Place.objects.filter(kind=PlaceKind.HOUSEHOLD)
    }
    assert chain == {
        "301室": ["county", "township", "community", "estate", "building", "stairwell",
                  "household"],
        "12号": ["county", "township", "community", "estate", "building", "household"],
    }  # fmt: skip
    for place in Place.objects.exclude(pk=county.pk):
        assert place.parent_id is not None
        assert place.path.startswith(place.parent.path)
        assert place.depth == place.parent.depth + 1
    county.refresh_from_db()
    assert county.numchild == 2
    assert Place.objects.get(name="12号").address == "开化县 华埠镇 华丰村 华丰上村 3组 12号"


def test_the_same_place_is_never_created_twice(county, tmp_path: Path) -> None:
    rows = [resident(f"人{i}", room=101 + i % 3) for i in range(9)]
    import_residents(write_xlsx(tmp_path / "a.xlsx", rows))
    before = Place.objects.count()
    more = [resident(f"新{i}", building="1幢", room=f"{101 + i % 3}室") for i in range(3)]
    import_residents(write_csv(tmp_path / "b.csv", more))

    assert Place.objects.count() == before == 1 + 4 + 3  # county … building + 3 rooms
    assert Place.objects.filter(kind=PlaceKind.HOUSEHOLD).count() == 3


def test_existing_places_made_elsewhere_are_reused(county, tmp_path: Path) -> None:
    from tongxin.factories import household

    made = household("阳光小区", "1", "101")
    before = Place.objects.count()
    import_residents(write_xlsx(tmp_path / "f.xlsx", [resident("甲", building="1号楼")]))
    assert Place.objects.count() == before
    assert made.residents.get().name == "甲"


def test_new_households_get_paths_after_existing_siblings(county, tmp_path: Path) -> None:
    from tongxin.factories import household

    existing = household("阳光小区", "1", "101")
    import_residents(write_xlsx(tmp_path / "f.xlsx", [resident("甲", room="102")]))
    new = Place.objects.get(kind=PlaceKind.HOUSEHOLD, key="102")
    assert new.parent_id == existing.parent_id
    assert new.path > existing.path
    existing.parent.refresh_from_db()
    assert existing.parent.numchild == 2
    assert list(Place.objects.filter(parent=existing.parent).order_by("path")) == [existing, new]
