"""The README's production steps, exactly as written, on an empty database (PostgreSQL when
TONGXIN_DATABASE_URL points at it): they end with a county, its units, staff who can
activate their accounts, and residents imported."""

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from tongxin.accounts.models import Role, User
from tongxin.factories import make_id_number
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import BuildingAssignment, UnitAssignment

README = Path(__file__).resolve().parents[3] / "README.md"


def steps() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- production-steps -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "README lost its production steps"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def xlsx(path: Path, rows: list[list[Any]]) -> None:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


def county_files(folder: Path) -> None:
    xlsx(folder / "地点.xlsx", [
        ["乡镇街道", "社区/村", "小区/自然村", "行政区划代码", "地址", "经度", "纬度"],
        ["芹阳办事处", "东门社区", "阳光小区", "330824001001", "芹阳路1号", 118.41, 29.13],
        ["华埠镇", "华民村", "上村", "330824101201", "", "", ""],
    ])  # fmt: skip
    xlsx(folder / "包干表.xlsx", [
        ["包干单位", "乡镇街道", "社区/村", "小区/自然村", "开始日期"],
        ["县水利局", "芹阳办事处", "东门社区", "阳光小区", "2022-03-14"],
        ["华埠镇人民政府", "华埠镇", "华民村", "上村", "2022-03-14"],
    ])  # fmt: skip
    xlsx(folder / "工作人员.xlsx", [
        ["姓名", "手机号", "单位", "角色", "网格角色", "网格", "包楼"],
        ["周指挥", "13900000009", "", "指挥部", "", "", ""],
        ["王刚", "13900000001", "县水利局", "包干单位负责人", "", "", ""],
        ["李四", "13900000002", "县水利局", "网格员", "网格长", "芹阳办事处/东门社区/阳光小区",
         "1-6幢"],
    ])  # fmt: skip
    residents = [["姓名", "身份证号", "手机号", "乡镇街道", "社区", "小区", "楼幢", "单元", "房号"]]
    for i, name in enumerate(["张三", "李梅", "王五"]):
        residents.append([name, make_id_number(), f"1381234000{i}", "芹阳办事处", "东门社区",
                          "阳光小区", "1幢", "1单元", f"10{i + 1}"])  # fmt: skip
    xlsx(folder / "居民.xlsx", residents)


@pytest.mark.django_db(transaction=True)
def test_readme_production_steps_make_a_working_county(
    tmp_path: Path, monkeypatch: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    from tongxin.incidents.models import PolicyEdition
    from tongxin.incidents.services import load_policy_editions

    # A database after `migrate` holds what the data migrations loaded (the policy editions);
    # an earlier transactional test in the same run may have flushed them: put them back.
    if not PolicyEdition.objects.exists():
        load_policy_editions()
    assert not Place.objects.exists() and not User.objects.exists()  # empty otherwise
    county_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    ran = []
    for line in steps():
        args = shlex.split(line)
        if args[0] == "pip":
            continue  # the install is what runs this test
        assert args[0] == "tongxin", line
        call_command(*args[1:])
        ran.append(args[1])
    assert ran == ["migrate", "setup", "import", "import", "import", "import", "incident"]

    root = Place.objects.get(depth=1)
    assert (root.name, root.code) == ("开化县", "330824")
    assert Place.objects.filter(kind=PlaceKind.ESTATE).count() == 2
    assert UnitAssignment.objects.filter(unit__name="县水利局", place__name="阳光小区").exists()
    assert Person.objects.count() == 3
    assert Incident.objects.get().policy_edition.code == "np-9"
    li = User.objects.get(full_name="李四")
    assert li.role == Role.GRID_STAFF and li.unit.name == "县水利局"
    assert BuildingAssignment.objects.filter(user=li).count() == 6

    # Every new account can be activated from the printed sheet, then signs in.
    sheet = load_workbook(tmp_path / "激活链接.xlsx").active
    links = {row[1]: row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(links) == {"周指挥", "王刚", "李四"}
    client = Client()
    assert client.post(links["周指挥"], {"password1": "Kaihua-2022-cmd", "password2":
                                       "Kaihua-2022-cmd"}).status_code == 302  # fmt: skip
    chief = User.objects.get(full_name="周指挥")
    assert client.login(username=chief.username, password="Kaihua-2022-cmd")
    # ... and the command post sees the residents the county just imported.
    assert client.get("/residents/").status_code == 200
