"""An identical repeated row is a duplicate, not a second person.

The same person at the same household with other differences (name, phone, status) is also
counted as a duplicate: the earlier row stands and the later one gets a warning naming what
differs, so the user can check which is right."""

from pathlib import Path

import pytest

from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_an_identical_repeated_row_is_a_duplicate(county, tmp_path: Path) -> None:
    row = resident("张三", ID, phone="13812345678")
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", [row, dict(row), dict(row)]))

    assert (result.rows, result.created, result.duplicate) == (3, 1, 2)
    assert result.warnings == 0
    assert result.problems == []
    assert Person.objects.count() == 1


def test_the_same_row_with_messy_labels_is_a_duplicate(county, tmp_path: Path) -> None:
    rows = [
        resident("张三", ID, building="3", room="101"),
        resident("张  三", ID.lower(), building="3号楼", room="101室"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))
    assert (result.created, result.duplicate, result.warnings) == (1, 1, 0)


def test_a_repeat_that_differs_is_a_duplicate_with_a_warning(county, tmp_path: Path) -> None:
    rows = [
        resident("张三", ID, phone="13812345678"),
        resident("张三", ID, phone="13987654321", status="外出"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert (result.created, result.duplicate, result.warnings) == (1, 1, 1)
    problem = result.problems[0]
    assert (problem.row, problem.level, problem.code) == (3, "warning", "duplicate_differs")
    assert problem.message == "与第2行是同一人、同一住户，但手机号、居住状态不同；以第2行为准"
    assert Person.objects.get().phone == "13812345678"
