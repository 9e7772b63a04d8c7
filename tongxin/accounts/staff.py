"""Managing staff accounts in the application (not only the Django admin).

Create (no password: a one-time activation link), disable and enable, reset (the password
stops working and a new link is issued), change role or unit, grid roles per place and
building assignments (分片包楼). Each function takes the acting user: it needs MANAGE_STAFF, and
reaches only the accounts, units and places visible to them (others are "not found"). Every
change is recorded in the audit trail (the models are audited; resets and status changes
are recorded with what happened).
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.accounts.activation import issue_activation
from tongxin.accounts.jurisdiction import administered
from tongxin.accounts.models import Role, User
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.core.text import pinyin_keys

# Roles whose jurisdiction comes from their unit: without a unit they would see nothing.
UNIT_ROLES = {Role.UNIT_LEADER, Role.GRID_STAFF, Role.TEST_POINT, Role.SUPPORT_TEAM}


class StaffError(ValueError):
    """A refused change; the message is in Chinese, for the user."""


class NotFound(LookupError):
    """Outside what the acting user may manage (shown as 404)."""


def _require(by: Any) -> None:
    if not has_perm(by, Perm.MANAGE_STAFF):
        raise NotFound


def managed_staff(by: Any) -> Any:
    _require(by)
    return administered(User, by)


def managed_units(by: Any) -> Any:
    from tongxin.units.models import Unit

    _require(by)
    return administered(Unit, by)


def _visible(by: Any, user: User) -> User:
    if not managed_staff(by).filter(pk=user.pk).exists():
        raise NotFound
    return user


def _check_place(by: Any, place: Any) -> Any:
    from tongxin.places.models import Place

    if not administered(Place, by).filter(pk=place.pk).exists():
        raise NotFound
    return place


def username_for(name: str) -> str:
    """张三 → zhangsan, or zhangsan2 … when taken."""
    base = (pinyin_keys(name)[0] or "staff")[:20]
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def phone_owner(phone: str, exclude: User | None = None) -> User | None:
    """The account holding this mobile number (phones are encrypted without a lookup index;
    staff lists are small, so they are compared decrypted)."""
    for user in User.objects.exclude(phone="").exclude(pk=getattr(exclude, "pk", None)):
        if user.phone == phone:
            return user
    return None


def _phone(text: str) -> str:
    try:
        return normalize_mobile(text)
    except InvalidPhone:
        raise StaffError(_("手机号无效")) from None


def _check_role_unit(by: Any, role: str, unit: Any) -> None:
    if role not in Role.values:
        raise StaffError(_("角色无法识别"))
    if role in UNIT_ROLES and unit is None:
        raise StaffError(_("该角色须填写所属单位（辖区来自单位的包干范围）"))
    if unit is not None and not managed_units(by).filter(pk=unit.pk).exists():
        raise NotFound


@transaction.atomic
def create_staff(by: Any, *, full_name: str, phone: str, role: str, unit: Any = None) -> User:
    """A new account without a password; issue its activation link with `reset_access`."""
    _require(by)
    full_name = "".join(full_name.split())
    if not full_name:
        raise StaffError(_("缺少姓名"))
    number = _phone(phone)
    _check_role_unit(by, role, unit)
    if phone_owner(number) is not None:
        raise StaffError(_("该手机号已属于另一个账号，未新建账号"))
    user = User(username=username_for(full_name), full_name=full_name, role=role, unit=unit,
                phone=number)  # fmt: skip
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def change_staff(by: Any, user: User, *, role: str, unit: Any = None) -> User:
    _visible(by, user)
    _check_role_unit(by, role, unit)
    if user.pk == getattr(by, "pk", None) and role != user.role:
        raise StaffError(_("不能修改自己的角色"))
    user.role, user.unit = role, unit
    user.save(update_fields=["role", "unit"])
    return user


@transaction.atomic
def set_active(by: Any, user: User, active: bool) -> User:
    _visible(by, user)
    if user.pk == getattr(by, "pk", None) and not active:
        raise StaffError(_("不能停用自己的账号"))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def reset_access(by: Any, user: User, *, delivered_by: str = "") -> str:
    """The current password stops working; a new one-time link (returned) sets the next one."""
    _visible(by, user)
    if not user.is_active:
        raise StaffError(_("账号已停用，请先启用"))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    key = issue_activation(user, delivered_by=delivered_by)
    record(AuditAction.UPDATE, user, detail={"access_reset": True, "delivered_by": delivered_by})
    return key


@transaction.atomic
def add_grid_role(by: Any, user: User, place: Any, role: str) -> Any:
    from tongxin.units.models import GridRole, GridRoleKind

    _visible(by, user)
    _check_place(by, place)
    if role not in GridRoleKind.values:
        raise StaffError(_("网格角色无法识别"))
    grid_role, _created = GridRole.objects.get_or_create(user=user, place=place, role=role)
    return grid_role


@transaction.atomic
def remove_grid_role(by: Any, user: User, grid_role_id: int) -> None:
    from tongxin.units.models import GridRole

    _visible(by, user)
    found = GridRole.objects.filter(pk=grid_role_id, user=user).first()
    if found is None:
        raise NotFound
    _check_place(by, found.place)
    found.delete()


@transaction.atomic
def add_buildings(by: Any, user: User, estate: Any, buildings: list[str]) -> int:
    """Assign the cadre to these buildings (keys, e.g. from imports' parse_buildings) of an
    estate, creating building nodes that do not exist yet. Returns how many were new."""
    from tongxin.places.models import PlaceKind
    from tongxin.places.services import PlaceTree
    from tongxin.units.models import BuildingAssignment

    _visible(by, user)
    _check_place(by, estate)
    if estate.kind != PlaceKind.ESTATE:
        raise StaffError(_("包楼须对应一个小区/自然村"))
    tree = PlaceTree()
    tree.children(
        [(estate, PlaceKind.BUILDING.value, key, f"{key}幢" if key.isdigit() else key)
         for key in buildings]
    )  # fmt: skip
    added = 0
    for key in buildings:
        building = tree.find(estate, PlaceKind.BUILDING, key)
        assert building is not None
        _ba, made = BuildingAssignment.objects.get_or_create(user=user, place=building)
        added += int(made)
    return added


@transaction.atomic
def remove_building(by: Any, user: User, assignment_id: int) -> None:
    from tongxin.units.models import BuildingAssignment

    _visible(by, user)
    found = BuildingAssignment.objects.filter(pk=assignment_id, user=user).first()
    if found is None:
        raise NotFound
    _check_place(by, found.place)
    found.delete()
