"""With 乡镇街道 and 社区 blank, the estate is found by its name among known estates."""

from pathlib import Path

import pytest

from tongxin.factories import household
from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

UNLOCATED = "无法确定小区所属社区，请填写乡镇街道和社区"


def test_an_existing_estate_is_found_by_name(county, tmp_path: Path) -> None:
    household("阳光小区", "1", "101", township="芹阳办事处", community="东门社区")
    rows = [resident("甲", township="", community="", building="2", room="201")]

    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert result.created == 1
    assert Person.objects.get().household.address == "开化县 芹阳办事处 东门社区 阳光小区 2幢 201室"


def test_an_estate_named_fully_elsewhere_in_the_file_is_found(county, tmp_path: Path) -> None:
    rows = [
        resident("甲", township="", community="", room="102"),  # before the full row
        resident("乙", room="101"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))
    assert result.created == 2
    assert result.rejected == 0


def test_an_ambiguous_estate_name_is_rejected(county, tmp_path: Path) -> None:
    household("幸福小区", "1", "101", community="东门社区")
    household("幸福小区", "1", "101", community="西门社区")
    rows = [resident("甲", estate="幸福小区", township="", community="")]

    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert result.rejected_reasons == {"estate_not_located": 1}
    assert result.problems[0].message == UNLOCATED


def test_the_community_alone_can_settle_an_ambiguous_name(county, tmp_path: Path) -> None:
    household("幸福小区", "1", "101", community="东门社区")
    household("幸福小区", "1", "101", community="西门社区")
    rows = [resident("甲", estate="幸福小区", township="", community="西门社区")]

    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert result.created == 1
    assert "西门社区" in Person.objects.get().household.address


def test_an_unknown_estate_is_rejected(county, tmp_path: Path) -> None:
    rows = [resident("甲", estate="无名小区", township="", community="")]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))
    assert result.rejected_reasons == {"estate_not_located": 1}
