"""Day-0 imports: places, units (包干表) and staff, with the residents import's rules."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tongxin.accounts.models import AccountActivation, Role, User
from tongxin.audit.models import AuditEvent
from tongxin.imports.services.setup import import_setup, parse_buildings
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import BuildingAssignment, GridRole, GridRoleKind, Unit, UnitAssignment

PLACES = """\
地点表（开化县）
乡镇,村社区,小区名称,区划代码,详细地址,经度,纬度,备注
芹阳办事处,东门社区,阳光小区,330824001001,芹阳路1号,118.41,29.13,x
芹阳办事处,东门社区,锦绣花园,330824001001,,,,
芹阳办事处,西门社区,,999999999,,200,29,
华埠镇,华民村,上村,,,,,
,东门社区,阳光小区,,,,,
芹阳办事处,,阳光小区,,,,,
"""
UNITS = """\
责任单位,乡镇街道,社区/村,小区/自然村,开始日期
县水利局,芹阳办事处,东门社区,阳光小区,2022-03-14
县水利局,芹阳办事处,东门社区,锦绣花园,2022/3/15
县林业局,芹阳办事处,东门社区,阳光小区,
县林业局,芹阳办事处,东门社区,不存在小区,
"""
STAFF = """\
姓名,手机,单位,角色,网格角色,网格,包楼
王 刚,13900000001,县水利局,包干单位负责人,,,
李四,13900000002,县水利局,网格员,网格长,芹阳办事处/东门社区/阳光小区,1-6幢
李四,13900000002,县水利局,网格员,,芹阳办事处/东门社区/阳光小区,7幢
赵六,13900000003,县卫健局,网格员,,,
钱七,13900000001,县水利局,网格员,,,
孙八,12345,县水利局,网格员,,,
周九,13900000004,,指挥部,,,
吴十,13900000005,县水利局,网格员,专职网格员,芹阳办事处/东门社区/不存在,
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(kind: str, path: Path, *extra: str, capsys: Any) -> dict[str, Any]:
    call_command("import", kind, str(path), "--json", *extra)
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def places(county: Place, tmp_path: Path, capsys: Any) -> dict[str, Any]:
    return run("places", write(tmp_path, "地点.csv", PLACES, "gbk"), capsys=capsys)


def test_places_build_the_tree_with_synonyms_and_reasons(places: dict[str, Any]) -> None:
    assert places["rows"] == 6
    assert places["created"] == 4
    assert places["rejected_reasons"] == {"missing_community": 1, "missing_township": 1}
    assert places["ignored_columns"] == ["备注"]
    estate = Place.objects.get(kind=PlaceKind.ESTATE, name="阳光小区")
    assert estate.code == "330824001001"
    assert estate.address == "芹阳路1号"
    assert str(estate.longitude) == "118.410000"
    # a code outside the county and a longitude outside China are warned about and ignored
    west = Place.objects.get(kind=PlaceKind.COMMUNITY, name="西门社区")
    assert (west.code, west.longitude) == ("", None)
    assert places["warnings"] == 2  # 西门社区: the code and the coordinates
    assert Place.objects.filter(kind=PlaceKind.ESTATE).count() == 3


def test_places_reimport_changes_nothing(
    places: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    events = AuditEvent.objects.count()
    again = run("places", write(tmp_path, "again.csv", PLACES), capsys=capsys)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert AuditEvent.objects.count() == events + 1  # only the import itself


def test_places_dry_run_writes_nothing(county: Place, tmp_path: Path, capsys: Any) -> None:
    result = run("places", write(tmp_path, "p.csv", PLACES), "--dry-run", capsys=capsys)
    assert result["created"] == 4
    assert Place.objects.count() == 1
    assert not AuditEvent.objects.filter(action="import").exists()


def test_units_assign_existing_places_only(
    places: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    result = run("units", write(tmp_path, "包干表.csv", UNITS), capsys=capsys)
    assert result["rejected_reasons"] == {"place_not_found": 1}
    assert result["created"] == 3
    water = Unit.objects.get(name="县水利局")
    assert sorted(a.place.name for a in UnitAssignment.objects.filter(unit=water)) == [
        "锦绣花园",
        "阳光小区",
    ]
    assert str(UnitAssignment.objects.get(unit=water, place__name="锦绣花园").starts_on) == (
        "2022-03-15"
    )
    # two units on one estate is allowed but pointed out
    assert result["warnings"] == 1
    again = run("units", write(tmp_path, "again.csv", UNITS), capsys=capsys)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_staff_accounts_have_no_password_and_a_one_time_link(
    places: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    run("units", write(tmp_path, "u.csv", UNITS), capsys=capsys)
    links = tmp_path / "links.xlsx"
    result = run(
        "staff", write(tmp_path, "s.csv", STAFF), "--deliver", "print", "--links", str(links),
        capsys=capsys,
    )  # fmt: skip
    assert result["rejected_reasons"] == {
        "invalid_phone": 1,
        "phone_conflict": 1,
        "place_not_found": 1,
        "unit_not_found": 1,
    }
    assert result["created"] == 3  # 王刚, 李四, 周九
    assert result["updated"] == 1  # 李四's second row adds building 7
    leader = User.objects.get(full_name="王刚")
    assert (leader.role, leader.unit.name) == (Role.UNIT_LEADER, "县水利局")
    assert not leader.has_usable_password()
    assert User.objects.get(full_name="周九").role == Role.COMMAND_POST
    li = User.objects.get(full_name="李四")
    assert GridRole.objects.get(user=li).role == GridRoleKind.GRID_LEADER
    assert sorted(int(b.place.key) for b in BuildingAssignment.objects.filter(user=li)) == [
        1, 2, 3, 4, 5, 6, 7,
    ]  # fmt: skip
    assert links.exists()
    assert AccountActivation.objects.filter(user=li).count() == 1
    again = run("staff", write(tmp_path, "s2.csv", STAFF), "--deliver", "print", "--links",
                str(tmp_path / "l2.xlsx"), capsys=capsys)  # fmt: skip
    assert (again["created"], again["updated"]) == (0, 0)
    assert User.objects.filter(full_name="李四").count() == 1


def test_activation_link_sets_the_password_once(
    places: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    run("units", write(tmp_path, "u.csv", UNITS), capsys=capsys)
    links: list[Any] = []
    import_setup("staff", write(tmp_path, "s.csv", STAFF), deliver="print", links=links)
    user, link = next((u, link) for u, link in links if u.full_name == "李四")
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": ""}).status_code
    page = client.get(link)
    assert page.status_code == 200 and user.username in page.content.decode()
    mismatch = client.post(link, {"password1": "Qinyang-2022!x", "password2": "other"})
    assert "不一致" in mismatch.content.decode()
    done = client.post(link, {"password1": "Qinyang-2022!x", "password2": "Qinyang-2022!x"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Qinyang-2022!x")
    assert Client().get(link).status_code == 404  # used up
    assert Client().login(username=user.username, password="Qinyang-2022!x")


def test_staff_activation_goes_by_sms_when_the_site_address_is_known(
    places: dict[str, Any], tmp_path: Path, capsys: Any, settings: Any
) -> None:
    from tongxin.notifications.models import Delivery

    settings.TONGXIN_SITE_URL = "https://tx.example.gov.cn"
    run("units", write(tmp_path, "u.csv", UNITS), capsys=capsys)
    run("staff", write(tmp_path, "s.csv", STAFF), capsys=capsys)
    sms = Delivery.objects.filter(notification__kind="account_activation")
    assert sms.count() == 3
    assert "https://tx.example.gov.cn/activate/" in sms.first().notification.body


def test_buildings_column_forms() -> None:
    assert parse_buildings("1-6幢") == ["1", "2", "3", "4", "5", "6"]
    assert parse_buildings("1,3,5幢") == ["1", "3", "5"]
    assert parse_buildings("7幢") == ["7"]
    assert parse_buildings("3号楼、5栋") == ["3", "5"]
    with pytest.raises(ValueError):
        parse_buildings("6-1幢")
