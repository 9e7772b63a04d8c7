"""Exports: the import's columns, masked unless permitted and asked, scoped, audited."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UnitFactory, UserFactory, assign
from tongxin.imports.services import CANONICAL_COLUMNS, export_residents, import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person
from tongxin.people.services import PermissionDenied
from tongxin.places.models import Place, PlaceKind

pytestmark = pytest.mark.django_db

ID, PHONE = "11010519491231002X", "13812345678"


@pytest.fixture
def residents(county, tmp_path: Path) -> None:
    rows = [
        resident("张三", ID, phone=PHONE, building="3号楼", stairwell="一单元", room="301",
                 status="外出"),
        resident("李四", room="102"),
        resident("王五", estate="明月小区", room="201"),
        resident("Tom", "E1234567", doc_type="护照", estate="明月小区", room="202"),
    ]  # fmt: skip
    import_residents(write_xlsx(tmp_path / "seed.xlsx", rows))


def _xlsx_rows(path: Path) -> list[dict]:
    lines = list(load_workbook(path).active.iter_rows(values_only=True))
    assert list(lines[0]) == CANONICAL_COLUMNS
    return [dict(zip(lines[0], [v or "" for v in line], strict=True)) for line in lines[1:]]


def test_masked_by_default(residents, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    assert export_residents(out) == 4
    rows = {r["姓名"]: r for r in _xlsx_rows(out)}
    assert rows["张三"] == {
        "姓名": "张三", "证件类型": "居民身份证", "证件号码": "110105********002X",
        "手机号": "138****5678", "乡镇街道": "芹阳办事处", "社区": "东门社区", "小区": "阳光小区",
        "楼幢": "3幢", "单元": "1单元", "房号": "301室", "居住状态": "外出",
    }  # fmt: skip
    assert rows["Tom"]["证件类型"] == "护照"
    assert ID not in out.read_bytes().decode("latin-1")


def test_unmasked_for_the_command_line_and_audited(residents, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    export_residents(out, unmask=True)
    rows = {r["姓名"]: r for r in _xlsx_rows(out)}
    assert (rows["张三"]["证件号码"], rows["张三"]["手机号"]) == (ID, PHONE)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["rows"] == 4
    assert event.detail["unmasked"] is True
    assert event.detail["filters"] == {"format": "xlsx"}


def test_an_unmasked_export_reimports_unchanged(residents, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    export_residents(out, fmt="csv", unmask=True)
    result = import_residents(out)
    assert (result.rows, result.unchanged, result.created, result.updated) == (4, 4, 0, 0)
    assert result.problems == []


def test_a_masked_export_cannot_be_reimported_as_people(residents, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    export_residents(out)
    result = import_residents(out, dry_run=True)
    assert result.rejected_reasons == {"masked_document": 4}


def test_csv_has_a_bom_for_excel(residents) -> None:
    buffer = io.BytesIO()
    count = export_residents(buffer, fmt="csv")
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == CANONICAL_COLUMNS
    assert len(rows) == count + 1 == 5


def test_area_filter(residents, tmp_path: Path) -> None:
    estate = Place.objects.get(kind=PlaceKind.ESTATE, name="明月小区")
    out = tmp_path / "out.xlsx"
    assert export_residents(out, area=estate) == 2
    assert {r["姓名"] for r in _xlsx_rows(out)} == {"王五", "Tom"}
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["filters"]["area_id"] == estate.pk
    assert event.detail["filters"]["area"] == estate.address
    assert event.detail["rows"] == 2


def test_a_unit_leader_exports_only_their_jurisdiction_masked(residents, tmp_path: Path) -> None:
    unit = UnitFactory()
    assign(unit, Place.objects.get(kind=PlaceKind.ESTATE, name="阳光小区"))
    leader = UserFactory(role=Role.UNIT_LEADER, unit=unit)
    out = tmp_path / "out.xlsx"

    assert export_residents(out, user=leader) == 2
    assert {r["姓名"] for r in _xlsx_rows(out)} == {"张三", "李四"}

    other = Place.objects.get(kind=PlaceKind.ESTATE, name="明月小区")
    assert export_residents(tmp_path / "none.xlsx", user=leader, area=other) == 0
    with pytest.raises(PermissionDenied):
        export_residents(tmp_path / "x.xlsx", user=leader, unmask=True)
    grid = UserFactory(role=Role.GRID_STAFF, unit=unit)
    with pytest.raises(PermissionDenied):
        export_residents(tmp_path / "y.xlsx", user=grid)


def test_the_command_post_may_unmask(residents, tmp_path: Path) -> None:
    boss = UserFactory(role=Role.COMMAND_POST)
    out = tmp_path / "out.xlsx"
    assert export_residents(out, user=boss, unmask=True, reason="移交流调组") == 4
    assert ID in {r["证件号码"] for r in _xlsx_rows(out)}


def test_export_command(residents, tmp_path: Path) -> None:
    out = tmp_path / "东门.csv"
    stdout = io.StringIO()
    call_command(
        "export", "residents", "--area", "开化县/芹阳办事处/东门社区/阳光小区", "--out", str(out),
        stdout=stdout,
    )  # fmt: skip
    assert "已导出 2 名居民" in stdout.getvalue()
    assert "已脱敏" in stdout.getvalue()
    text = out.read_text(encoding="utf-8-sig")
    assert "张三" in text and "王五" not in text and ID not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.channel == "cli"
    assert not (tmp_path / "东门.csv.part").exists()


def test_export_command_area_by_id_or_address_and_user(residents, tmp_path: Path) -> None:
    estate = Place.objects.get(kind=PlaceKind.ESTATE, name="明月小区")
    for area in (str(estate.pk), estate.address, "明月小区", "东门社区 > 明月小区"):
        out = tmp_path / "m.xlsx"
        call_command("export", "residents", "--area", area, "--out", str(out), stdout=io.StringIO())
        assert {r["姓名"] for r in _xlsx_rows(out)} == {"王五", "Tom"}

    unit = UnitFactory()
    assign(unit, Place.objects.get(kind=PlaceKind.ESTATE, name="阳光小区"))
    UserFactory(username="leader", role=Role.UNIT_LEADER, unit=unit)
    with pytest.raises(CommandError, match="未找到地点"):
        call_command(
            "export", "residents", "--area", str(estate.pk), "--out", str(tmp_path / "n.xlsx"),
            "--user", "leader",
        )  # fmt: skip
    with pytest.raises(CommandError, match="明文"):
        call_command(
            "export", "residents", "--out", str(tmp_path / "n.xlsx"), "--user", "leader",
            "--unmask",
        )  # fmt: skip
    with pytest.raises(CommandError, match=r"\.xlsx 或 \.csv"):
        call_command("export", "residents", "--out", str(tmp_path / "n.pdf"))
    assert Person.objects.count() == 4
