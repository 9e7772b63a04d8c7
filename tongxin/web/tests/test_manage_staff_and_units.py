"""In-app management of staff accounts and units: command post and system administrator
only, scoped (others' objects are 404), every change audited."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.accounts.models import Role, User
from tongxin.audit.models import AuditEvent
from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import BuildingAssignment, GridRole, Unit, UnitAssignment

PASSWORD = "pass-word-123"


@pytest.fixture
def estate(db: Any) -> Place:
    return household("阳光小区", "1", "101").parent.parent


@pytest.fixture
def water(estate: Place) -> Unit:
    unit = UnitFactory(name="县水利局")
    assign(unit, estate)
    return unit


def signed_in(role: str, **extra: Any) -> tuple[Client, User]:
    user = UserFactory(role=role, **extra)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.mark.parametrize("role", [Role.COMMAND_POST, Role.SYSADMIN])
def test_create_an_account_and_activate_it_from_the_shown_link(
    role: str, water: Unit, estate: Place
) -> None:
    client, _boss = signed_in(role)
    page = client.post(
        reverse("manage_staff"),
        {"full_name": "李 四", "phone": "13900000002", "role": Role.GRID_STAFF,
         "unit": water.pk, "deliver": "print"},
    )  # fmt: skip
    assert page.status_code == 200
    cadre = User.objects.get(full_name="李四")
    assert not cadre.has_usable_password() and cadre.unit == water
    html = page.content.decode()
    link = html.split("data-activation-link>", 1)[1].split("<", 1)[0].strip()
    assert "/activate/" in link
    assert "13900000002" not in html  # the phone is shown masked only
    path = link[link.index("/activate/") :]
    assert Client().post(path, {"password1": "Kaihua-2022-x", "password2": "Kaihua-2022-x"})
    cadre.refresh_from_db()
    assert cadre.check_password("Kaihua-2022-x")
    assert AuditEvent.objects.filter(target_type="accounts.user", target_id=str(cadre.pk),
                                     action="create").exists()  # fmt: skip


def test_a_phone_that_belongs_to_another_account_is_a_conflict(water: Unit) -> None:
    client, _boss = signed_in(Role.COMMAND_POST)
    UserFactory(full_name="王刚", phone="13900000001", role=Role.UNIT_LEADER, unit=water)
    page = client.post(
        reverse("manage_staff"),
        {"full_name": "钱七", "phone": "13900000001", "role": Role.GRID_STAFF, "unit": water.pk},
    )
    assert page.status_code == 400 and "已属于另一个账号" in page.content.decode()
    assert not User.objects.filter(full_name="钱七").exists()


def test_change_role_disable_reset_grid_roles_and_buildings(water: Unit, estate: Place) -> None:
    client, _boss = signed_in(Role.COMMAND_POST)
    other = UnitFactory(name="县林业局")
    cadre = UserFactory(role=Role.GRID_STAFF, unit=water)
    url = reverse("manage_staff_detail", args=[cadre.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "role", "role": Role.UNIT_LEADER, "unit": other.pk})
    cadre.refresh_from_db()
    assert (cadre.role, cadre.unit) == (Role.UNIT_LEADER, other)
    client.post(url, {"action": "grid_role", "place": "芹阳办事处/东门社区/阳光小区",
                      "role": "grid_leader"})  # fmt: skip
    assert GridRole.objects.get(user=cadre).place == estate
    client.post(url, {"action": "buildings", "place": "东门社区/阳光小区", "buildings": "1-3幢"})
    assert sorted(b.place.key for b in BuildingAssignment.objects.filter(user=cadre)) == [
        "1", "2", "3",
    ]  # fmt: skip
    assert Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING).count() == 3
    # reset: the password stops working and a new link is shown once
    reset = client.post(url, {"action": "reset", "deliver": "print"})
    assert "/activate/" in reset.content.decode()
    cadre.refresh_from_db()
    assert not cadre.check_password(PASSWORD)
    client.post(url, {"action": "disable"})
    cadre.refresh_from_db()
    assert not cadre.is_active
    changes = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(cadre.pk))
    assert changes.filter(action="update").count() >= 3
    assert AuditEvent.objects.filter(target_type="units.gridrole", action="create").exists()
    assert AuditEvent.objects.filter(target_type="units.buildingassignment").count() == 3


def test_units_and_assignments(estate: Place) -> None:
    client, _boss = signed_in(Role.COMMAND_POST)
    made = client.post(reverse("manage_units"), {"name": "县营商办", "kind": "bureau"})
    unit = Unit.objects.get(name="县营商办")
    assert made["Location"] == reverse("manage_unit", args=[unit.pk])
    url = reverse("manage_unit", args=[unit.pk])
    client.post(url, {"place": "芹阳办事处/东门社区/阳光小区", "starts_on": "2022-03-14"})
    assignment = UnitAssignment.objects.get(unit=unit)
    assert (assignment.place, str(assignment.starts_on)) == (estate, "2022-03-14")
    missing = client.post(url, {"place": "不存在的小区"})
    assert missing.status_code == 400
    client.post(url, {"action": "end", "id": assignment.pk})
    assignment.refresh_from_db()
    assert assignment.ends_on is not None
    assert AuditEvent.objects.filter(target_type="units.unitassignment", action="update").exists()


@pytest.mark.parametrize("role", [Role.UNIT_LEADER, Role.GRID_STAFF, Role.HELPDESK])
def test_other_roles_cannot_manage(role: str, water: Unit) -> None:
    client, _me = signed_in(role, unit=water)
    target = UserFactory(role=Role.GRID_STAFF, unit=water)
    for url in (reverse("manage_staff"), reverse("manage_units"),
                reverse("manage_staff_detail", args=[target.pk]),
                reverse("manage_unit", args=[water.pk])):  # fmt: skip
        assert client.get(url).status_code == 403
    assert client.post(reverse("manage_staff_links")).status_code == 403


def test_unknown_accounts_are_not_found(water: Unit) -> None:
    client, _boss = signed_in(Role.COMMAND_POST)
    assert client.get(reverse("manage_staff_detail", args=[99999])).status_code == 404
    assert client.get(reverse("manage_unit", args=[99999])).status_code == 404


def test_printing_links_for_pending_accounts_is_audited(water: Unit) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    client, _boss = signed_in(Role.SYSADMIN)
    pending = UserFactory(full_name="待激活", role=Role.GRID_STAFF, unit=water)
    pending.set_unusable_password()
    pending.save()
    UserFactory(full_name="已激活", role=Role.GRID_STAFF, unit=water)
    sheet = client.post(reverse("manage_staff_links"), {"unit": water.pk})
    rows = list(load_workbook(BytesIO(b"".join(sheet.streaming_content))).active.values)
    assert [r[1] for r in rows[1:]] == ["待激活"]
    assert "/activate/" in rows[1][4]
    assert AuditEvent.objects.filter(action="export",
                                     target_type="accounts.accountactivation").exists()  # fmt: skip


def test_open_and_close_an_incident_from_the_page(db: Any) -> None:
    from tongxin.incidents.models import Incident
    from tongxin.incidents.services import load_policy_editions

    load_policy_editions()
    client, _boss = signed_in(Role.COMMAND_POST)
    url = reverse("manage_incidents")
    client.post(url, {"name": "2022-03 开化疫情", "edition": "np-9"})
    incident = Incident.objects.get()
    assert incident.is_open and incident.policy_edition.code == "np-9"
    client.post(url, {"action": "close", "id": incident.pk})
    incident.refresh_from_db()
    assert incident.purge_due_on is not None
    assert "删除" in client.get(url).content.decode()
    assert AuditEvent.objects.filter(target_type="incidents.incident").count() == 2
    sysadmin, _admin = signed_in(Role.SYSADMIN)
    assert sysadmin.get(url).status_code == 403
