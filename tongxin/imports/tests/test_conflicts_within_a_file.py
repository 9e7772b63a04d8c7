"""A person already placed at another household earlier in the same file is a conflict."""

from pathlib import Path

import pytest

from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_the_later_row_is_rejected_naming_the_earlier_row(county, tmp_path: Path) -> None:
    rows = [
        resident("甲", room="101"),
        resident("张三", ID, room="102"),
        resident("张三", ID, room="103"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert (result.created, result.rejected) == (2, 1)
    assert result.rejected_reasons == {"conflict": 1}
    problem = result.problems[0]
    assert problem.row == 4
    assert problem.message == "与第3行是同一证件号码，但住户不同；以第3行为准"
    assert Person.objects.get(name="张三").household.name == "102室"


def test_a_rejected_earlier_row_does_not_block_a_later_one(county, tmp_path: Path) -> None:
    rows = [resident("张三", ID, room=""), resident("张三", ID, room="103")]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))
    assert result.rejected_reasons == {"missing_room": 1}
    assert result.created == 1
