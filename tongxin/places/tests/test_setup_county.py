from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tongxin.audit.models import AuditEvent
from tongxin.places.models import Place, PlaceKind


def test_setup_county_creates_the_root_once(db: Any, capsys: Any) -> None:
    call_command("setup", "county", "--name", "开化县", "--code", "330824")
    root = Place.objects.get(depth=1)
    assert (root.kind, root.name, root.code) == (PlaceKind.COUNTY, "开化县", "330824")
    assert AuditEvent.objects.filter(target_type="places.place", action="create").count() == 1
    call_command("setup", "county", "--name", "开化县", "--code", "330824", "--json")
    assert '"created": false' in capsys.readouterr().out
    assert Place.objects.count() == 1
    assert AuditEvent.objects.filter(target_type="places.place").count() == 1


@pytest.mark.parametrize(
    ("name", "code"), [("常山县", "330822"), ("开化县", "330822"), ("开化 县", "330825")]
)
def test_setup_county_refuses_other_values(db: Any, name: str, code: str) -> None:
    call_command("setup", "county", "--name", "开化县", "--code", "330824")
    with pytest.raises(CommandError, match="已设置"):
        call_command("setup", "county", "--name", name, "--code", code)
    assert Place.objects.get().code == "330824"


@pytest.mark.parametrize("code", ["33082", "3308240", "990824", "330800", "330024", "abcdef"])
def test_setup_county_checks_the_gbt2260_code(db: Any, code: str) -> None:
    with pytest.raises(CommandError):
        call_command("setup", "county", "--name", "开化县", "--code", code)
    assert not Place.objects.exists()


def test_before_setup_the_login_page_and_imports_point_to_the_command(
    db: Any, client: Any, tmp_path: Any
) -> None:
    from pathlib import Path

    from tongxin.imports.readers import ImportFileError
    from tongxin.imports.services import import_residents

    page = client.get("/accounts/login/").content.decode()
    assert "tongxin setup county" in page
    residents = Path(tmp_path) / "r.csv"
    residents.write_text("姓名,身份证号,小区,楼幢,房号\n张三,x,阳光小区,1,101\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="tongxin setup county"):
        import_residents(residents)
    call_command("setup", "county", "--name", "开化县", "--code", "330824")
    assert "tongxin setup county" not in client.get("/accounts/login/").content.decode()
