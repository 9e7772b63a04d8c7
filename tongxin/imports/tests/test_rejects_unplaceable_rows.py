"""Rows without an estate, building or room cannot be placed and are rejected."""

from pathlib import Path

import pytest

from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "code", "message"),
    [
        ("estate", "missing_estate", "缺少小区（或自然村）"),
        ("building", "missing_building", "缺少楼幢（或组）"),
        ("room", "missing_room", "缺少房号"),
    ],
)
def test_missing_place_is_rejected(county, tmp_path: Path, field, code, message) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [resident("甲", **{field: ""}), resident("乙")])
    result = import_residents(path)
    assert (result.created, result.rejected) == (1, 1)
    assert result.rejected_reasons == {code: 1}
    assert result.problems[0].message == message


def test_a_stairwell_is_optional(county, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [resident("甲", stairwell="")])
    result = import_residents(path)
    assert result.created == 1


def test_an_overlong_place_name_is_rejected(county, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [resident("甲", estate="长" * 101)])
    result = import_residents(path)
    assert result.rejected_reasons == {"place_too_long": 1}
