"""A bad phone keeps the person without it (a warning); 居住状态 texts map to statuses."""

from pathlib import Path

import pytest

from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import HEADER, resident, write_xlsx
from tongxin.people.models import Person, ResidenceStatus

pytestmark = pytest.mark.django_db


def test_a_bad_phone_keeps_the_person_without_the_phone(county, tmp_path: Path) -> None:
    rows = [resident("甲", phone="1381234"), resident("乙", phone="0570-1234567", room="102")]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert (result.created, result.rejected, result.warnings) == (2, 0, 2)
    assert {p.code for p in result.problems} == {"invalid_phone"}
    assert result.problems[0].message == "手机号无效，已忽略该号码，人员照常导入"
    assert list(Person.objects.values_list("phone_bidx", flat=True)) == ["", ""]


def test_phones_written_in_other_ways_are_read(county, tmp_path: Path) -> None:
    rows = [
        resident("甲", phone=13812345678),
        resident("乙", phone="+86 139-1234-5678", room="102"),
        resident("丙", phone="13712345678/13612345678", room="103"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    phones = {p.name: p.phone for p in Person.objects.all()}
    assert phones == {"甲": "13812345678", "乙": "13912345678", "丙": "13712345678"}
    assert [p.code for p in result.problems] == ["multiple_phones"]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("常住", ResidenceStatus.RESIDENT),
        ("登记未常住", ResidenceStatus.REGISTERED_ABSENT),
        ("外出", ResidenceStatus.AWAY),
        ("暂住", ResidenceStatus.TEMPORARY),
        ("", ResidenceStatus.RESIDENT),
    ],
)
def test_status_texts(county, tmp_path: Path, text: str, status: str) -> None:
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", [resident("甲", status=text)]))
    assert result.warnings == 0
    assert Person.objects.get().residence_status == status


def test_an_unknown_status_is_a_warning_and_defaults_to_resident(county, tmp_path: Path) -> None:
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", [resident("甲", status="出国")]))
    assert result.created == 1
    assert [(p.level, p.code) for p in result.problems] == [("warning", "unknown_status")]
    assert result.problems[0].message == "居住状态“出国”无法识别，按“常住”导入"
    assert Person.objects.get().residence_status == ResidenceStatus.RESIDENT


def test_a_file_without_a_status_column_keeps_stored_statuses(county, tmp_path: Path) -> None:
    row = resident("甲", "11010519491231002X", status="外出")
    import_residents(write_xlsx(tmp_path / "a.xlsx", [row]))
    without = [h for h in HEADER if h != "居住状态"]
    result = import_residents(write_xlsx(tmp_path / "b.xlsx", [row], header=without))

    assert result.unchanged == 1
    assert Person.objects.get().residence_status == ResidenceStatus.AWAY


def test_a_blank_phone_does_not_erase_a_stored_phone(county, tmp_path: Path) -> None:
    import_residents(
        write_xlsx(tmp_path / "a.xlsx", [resident("甲", "11010519491231002X", phone="13812345678")])
    )
    result = import_residents(
        write_xlsx(tmp_path / "b.xlsx", [resident("甲", "11010519491231002X", phone="")])
    )
    assert result.unchanged == 1
    assert Person.objects.get().phone == "13812345678"
