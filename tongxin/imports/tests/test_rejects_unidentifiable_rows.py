"""A row is rejected, and the rest go on, when the person cannot be identified."""

from pathlib import Path

import pytest

from tongxin.core.idnumbers import check_char
from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

GOOD = "11010519491231002X"


def _import(tmp_path: Path, *rows: dict) -> object:
    return import_residents(write_xlsx(tmp_path / "f.xlsx", [resident("好人", room="999"), *rows]))


def test_missing_name_is_rejected(county, tmp_path: Path) -> None:
    result = _import(tmp_path, resident("   "))
    assert (result.created, result.rejected) == (1, 1)
    assert result.rejected_reasons == {"missing_name": 1}
    problem = result.problems[0]
    assert (problem.row, problem.level, problem.message) == (3, "rejected", "缺少姓名")


def test_missing_resident_id_is_rejected(county, tmp_path: Path) -> None:
    result = _import(tmp_path, resident("甲", ""))
    assert result.rejected_reasons == {"missing_document": 1}
    assert result.problems[0].message == "缺少证件号码"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "身份证号码校验位错误"),
        ("11010519491231002", "身份证号码应为18位（现为17位）"),
        ("110105194913310028", "身份证号码中的出生日期无效"),
        ("990105194912310021", "身份证号码的地区码无效"),
        ("1101051949123100AX", "身份证号码只能包含数字，末位可为X"),
    ],
)
def test_invalid_resident_id_is_rejected_with_the_precise_reason(
    county, tmp_path: Path, number: str, reason: str
) -> None:
    result = _import(tmp_path, resident("甲", number))
    assert result.rejected_reasons == {"invalid_document": 1}
    assert result.problems[0].message == f"身份证号码无效：{reason}"
    assert Person.objects.count() == 1


def test_written_forms_of_a_valid_id_are_normalized(county, tmp_path: Path) -> None:
    result = _import(tmp_path, resident("甲", "１１０１０５ 1949 1231 002x"))
    assert result.created == 2
    assert Person.objects.with_document("resident_id", GOOD).get().name == "甲"


def test_other_document_types_are_not_checked_as_resident_ids(county, tmp_path: Path) -> None:
    result = _import(tmp_path, resident("Tom", "e1234 5678", doc_type="护照"))
    assert result.created == 2
    assert Person.objects.with_document("passport", "E12345678").exists()


def test_a_masked_id_number_cannot_identify_anyone(county, tmp_path: Path) -> None:
    result = _import(tmp_path, resident("甲", "110105********002X"))
    assert result.rejected_reasons == {"masked_document": 1}


def test_the_other_rows_still_go_in(county, tmp_path: Path) -> None:
    result = _import(tmp_path, resident(""), resident("乙", "123"), resident("丙", room="102"))
    assert (result.rows, result.created, result.rejected) == (4, 2, 2)
    assert set(Person.objects.values_list("name", flat=True)) == {"好人", "丙"}


def test_fifteen_digit_id_is_upgraded(county, tmp_path: Path) -> None:
    result = _import(tmp_path, resident("老张", "110105491231002"))
    assert result.created == 2
    assert Person.objects.with_document("resident_id", GOOD).get().name == "老张"


def test_check_char_sanity() -> None:
    assert check_char(GOOD[:17]) == "X"
