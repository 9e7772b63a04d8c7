"""`tongxin import residents FILE [--dry-run] [--errors OUT.xlsx] [--json] [--user U]`."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", "residents", *args, stdout=out)
    return out.getvalue()


def _file(tmp_path: Path) -> Path:
    rows = [
        resident("甲", phone="13812345678"),
        resident("乙", phone="123", room="102"),
        resident("", room="103"),
        resident("丁", "110105194912310021", room="104"),
    ]
    return write_xlsx(tmp_path / "名单.xlsx", rows, header=[*resident(), "备注"])


def test_json_prints_exactly_one_object(county, tmp_path: Path) -> None:
    output = _run(str(_file(tmp_path)), "--json")

    summary = json.loads(output)
    assert summary == {
        "rows": 4,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 0,
        "rejected": 2,
        "warnings": 1,
        "rejected_reasons": {"invalid_document": 1, "missing_name": 1},
        "ignored_columns": ["备注"],
    }
    assert Person.objects.count() == 2
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.channel == "cli"
    assert event.actor is None and event.actor_label.startswith("cli:")


def test_human_output_is_chinese(county, tmp_path: Path) -> None:
    output = _run(str(_file(tmp_path)))
    assert "共 4 行：新增 2，更新 0，未变 0，重复 0，拒绝 2，提示 1" in output
    assert "拒绝原因：" in output and "缺少姓名 1" in output
    assert "未使用的列：备注" in output


def test_dry_run_changes_nothing(county, tmp_path: Path) -> None:
    output = _run(str(_file(tmp_path)), "--dry-run")
    assert "试运行" in output
    assert Person.objects.count() == 0
    summary = json.loads(_run(str(_file(tmp_path)), "--dry-run", "--json"))
    assert summary["created"] == 2


def test_errors_file_is_written(county, tmp_path: Path) -> None:
    out = tmp_path / "问题.xlsx"
    _run(str(_file(tmp_path)), "--json", "--errors", str(out))
    sheet = load_workbook(out).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [3, 4, 5]


def test_user_option_scopes_the_import(county, tmp_path: Path) -> None:
    estate = household("阳光小区", "1", "101").parent.parent
    unit = UnitFactory()
    assign(unit, estate)
    UserFactory(username="wangge", role=Role.GRID_STAFF, unit=unit)
    rows = [resident("甲"), resident("乙", estate="明月小区")]
    path = write_xlsx(tmp_path / "f.xlsx", rows)

    summary = json.loads(_run(str(path), "--json", "--user", "wangge"))

    assert summary["created"] == 1
    assert summary["rejected_reasons"] == {"outside_jurisdiction": 1}
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert (event.actor.username, event.channel) == ("wangge", "cli")


def test_unknown_user_and_missing_permission_fail(county, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="不存在"):
        _run(str(_file(tmp_path)), "--user", "nobody")
    UserFactory(username="caiyang", role=Role.TEST_POINT)
    with pytest.raises(CommandError, match="没有导入居民的权限"):
        _run(str(_file(tmp_path)), "--user", "caiyang")
    assert Person.objects.count() == 0


def test_the_console_entry_point_exits_non_zero(county, tmp_path: Path) -> None:
    path = tmp_path / "坏.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with pytest.raises(CommandError, match="未找到表头"):
        call_command("import", "residents", str(path))
