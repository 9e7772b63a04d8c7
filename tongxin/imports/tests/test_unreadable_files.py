"""A file that cannot be read at all is an error in Chinese, and nothing is changed."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongxin.audit.models import AuditEvent
from tongxin.imports.services import ImportFileError, import_residents
from tongxin.imports.tests.workbooks import resident, write_csv, write_xlsx
from tongxin.people.models import Person
from tongxin.places.models import Place

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, int]:
    return Person.objects.count(), Place.objects.count(), AuditEvent.objects.count()


def test_garbage_xlsx_is_refused(county, tmp_path: Path) -> None:
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(b"this is not a zip file")
    before = _state()
    with pytest.raises(ImportFileError, match="无法读取"):
        import_residents(path)
    assert _state() == before


def test_truncated_xlsx_is_refused(county, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [resident()])
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good.read_bytes()[:400])
    with pytest.raises(ImportFileError):
        import_residents(path)
    assert Person.objects.count() == 0


def test_a_sheet_without_a_header_is_refused(county, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [{"a": 1}], header=["a", "b", "c"])
    with pytest.raises(ImportFileError, match="未找到表头"):
        import_residents(path)


def test_missing_required_column_is_named(county, tmp_path: Path) -> None:
    header = ["姓名", "证件号码", "小区", "楼幢"]
    path = write_csv(tmp_path / "f.csv", [resident()], header=header)
    with pytest.raises(ImportFileError, match="房号"):
        import_residents(path)


@pytest.mark.parametrize("name", ["old.xls", "list.pdf", "missing.xlsx"])
def test_other_formats_and_missing_files_are_refused(county, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name != "missing.xlsx":
        path.write_bytes(b"\xd0\xcf\x11\xe0 old binary")
    with pytest.raises(ImportFileError):
        import_residents(path)


def test_no_county_is_refused(db, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [resident()])
    with pytest.raises(ImportFileError, match="县"):
        import_residents(path)
    assert Place.objects.count() == 0


def test_the_command_exits_non_zero_with_the_chinese_message(county, tmp_path: Path) -> None:
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(b"junk")
    with pytest.raises(CommandError, match="无法读取该Excel文件"):
        call_command("import", "residents", str(path), "--json")


def test_an_earlier_import_is_kept_when_a_later_file_is_bad(county, tmp_path: Path) -> None:
    import_residents(write_xlsx(tmp_path / "good.xlsx", [resident("甲"), resident("乙")]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x00garbage\x00")
    with pytest.raises(ImportFileError):
        import_residents(bad)
    assert Person.objects.count() == 2
