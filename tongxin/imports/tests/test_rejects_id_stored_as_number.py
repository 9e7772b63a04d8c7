"""An ID number Excel stored as a number has lost digits: the row is rejected, saying so."""

from pathlib import Path

import pytest

from tongxin.core.idnumbers import check_char
from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_csv, write_xlsx
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

NUMBER = "33082419900101123" + check_char("33082419900101123")


def _assert_digits_lost(result) -> None:
    assert result.rejected_reasons == {"document_as_number": 1}
    message = result.problems[0].message
    assert "存成了数字" in message
    assert "丢失" in message
    assert "文本" in message  # tells the user to format the column as text


def test_numeric_id_cells_in_xlsx_are_rejected(county, tmp_path: Path) -> None:
    rows = [
        resident("整数", int(NUMBER)),
        resident("小数", float(NUMBER), room="102"),
        resident("文本", NUMBER, room="103"),
    ]
    path = write_xlsx(tmp_path / "numeric.xlsx", rows)

    result = import_residents(path)

    assert result.created == 1
    assert result.rejected == 2
    assert result.rejected_reasons == {"document_as_number": 2}
    assert list(Person.objects.values_list("name", flat=True)) == ["文本"]
    # The problems file shows what Excel would show.
    assert result.problems[1].values["证件号码"] == "3.30824E+17"


def test_scientific_notation_text_in_csv_is_rejected(county, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [resident("甲", "3.30824E+17")])
    result = import_residents(path)
    _assert_digits_lost(result)


def test_a_valid_fifteen_digit_number_stored_as_a_number_is_accepted(
    county, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [resident("老张", 110105491231002)])
    result = import_residents(path)
    assert result.created == 1
    assert Person.objects.with_document("resident_id", "11010519491231002X").exists()


def test_a_number_column_saved_as_csv_text_is_recognised(county, tmp_path: Path) -> None:
    # Excel writes a number-formatted 18-digit ID into a CSV as its 15 kept digits + 000.
    prefix = next(
        p for p in ("330824199001011", "330824198505052", "330824197707073")
        if check_char(p + "00") != "0"
    )  # fmt: skip
    path = write_csv(tmp_path / "f.csv", [resident("甲", prefix + "000")])
    result = import_residents(path)
    _assert_digits_lost(result)
