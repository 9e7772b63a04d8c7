"""A county's own spreadsheets on day 0: places, units (包干表) and staff.

The same engine pieces as the residents import: the readers find the header by its names and
map synonyms to the canonical columns (`readers.Columns`), every row is decided on its own
with a reason in Chinese (`RowProblem`), the summary has the same keys (`ImportResult`), the
problems file is the same (`write_problems_xlsx`) and so is the command. Each file is small
(hundreds or a few thousand rows), so a run is one transaction with a savepoint per row; a
dry run is the same run rolled back, so it reports exactly what the real run would do.

Re-importing a file changes nothing and records nothing but the import itself.
"""

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.models import Role, User
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.accounts.staff import UNIT_ROLES, username_for
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.core.text import clean_text
from tongxin.imports.readers import Columns, ImportFileError, Table, display_text, read_table
from tongxin.imports.services.engine import (
    PREVIEW_ROWS,
    ImportResult,
    RowProblem,
    _Rejected,
    masked_values,
)
from tongxin.people.services import PermissionDenied
from tongxin.places import labels
from tongxin.places.divisions import belongs_to_county
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import PlaceTree, county, no_county_message
from tongxin.units.models import (
    BuildingAssignment,
    GridRole,
    GridRoleKind,
    Unit,
    UnitAssignment,
    UnitKind,
)

TOWNSHIP, COMMUNITY, ESTATE = "乡镇街道", "社区/村", "小区/自然村"
_AREA_SYNONYMS: dict[str, tuple[str, ...]] = {
    TOWNSHIP: ("乡镇街道", "乡镇", "街道", "所属街道", "乡镇（街道）", "镇街"),
    COMMUNITY: ("社区/村", "社区", "村", "村社区", "行政村", "所属社区", "社区（村）"),
    ESTATE: ("小区/自然村", "小区", "自然村", "小区名称", "小区（自然村）"),
}

PLACES = Columns(
    canonical=(TOWNSHIP, COMMUNITY, ESTATE, "行政区划代码", "地址", "经度", "纬度"),
    synonyms={
        **_AREA_SYNONYMS,
        "行政区划代码": ("行政区划代码", "区划代码", "统计用区划代码", "代码"),
        "地址": ("地址", "详细地址"),
        "经度": ("经度", "lng", "lon", "longitude"),
        "纬度": ("纬度", "lat", "latitude"),
    },
    required=(TOWNSHIP,),
    anchor=TOWNSHIP,
    what=_lazy("地点表"),
)
UNITS = Columns(
    canonical=("包干单位", TOWNSHIP, COMMUNITY, ESTATE, "开始日期"),
    synonyms={
        "包干单位": ("包干单位", "责任单位", "单位", "单位名称"),
        **_AREA_SYNONYMS,
        "开始日期": ("开始日期", "包干开始日期", "起始日期", "日期"),
    },
    required=("包干单位", TOWNSHIP),
    anchor="包干单位",
    what=_lazy("包干表"),
)
STAFF = Columns(
    canonical=("姓名", "手机号", "单位", "角色", "网格角色", "网格", "包楼"),
    synonyms={
        "姓名": ("姓名", "名字"),
        "手机号": ("手机号", "手机", "联系电话", "电话"),
        "单位": ("单位", "所属单位", "包干单位", "工作单位"),
        "角色": ("角色", "系统角色", "岗位"),
        "网格角色": ("网格角色", "网格职务"),
        "网格": ("网格", "负责网格", "所在网格", "网格（地点）"),
        "包楼": ("包楼", "分片包楼", "负责楼幢", "包干楼幢"),
    },
    required=("姓名", "手机号", "角色"),
    anchor="姓名",
    what=_lazy("工作人员名单"),
)
KINDS: dict[str, Columns] = {"places": PLACES, "units": UNITS, "staff": STAFF}

# Short names of the reason codes, for summaries (the row messages say more).
SETUP_REASONS: dict[str, Any] = {
    "missing_township": _lazy("缺少乡镇街道"),
    "missing_community": _lazy("缺少社区/村"),
    "place_too_long": _lazy("地点名称过长"),
    "invalid_code": _lazy("区划代码无效"),
    "code_outside_county": _lazy("区划代码不属于本县"),
    "invalid_coordinates": _lazy("经纬度无效"),
    "missing_unit": _lazy("缺少单位"),
    "unit_not_found": _lazy("单位不存在"),
    "place_not_found": _lazy("地点不存在"),
    "invalid_date": _lazy("日期无效"),
    "shared_place": _lazy("地点已有其他包干单位"),
    "missing_name": _lazy("缺少姓名"),
    "name_too_long": _lazy("姓名过长"),
    "missing_phone": _lazy("缺少手机号"),
    "invalid_phone": _lazy("手机号无效"),
    "phone_conflict": _lazy("手机号已属于其他账号"),
    "missing_role": _lazy("缺少角色"),
    "unknown_role": _lazy("角色无法识别"),
    "unknown_grid_role": _lazy("网格角色无法识别"),
    "missing_grid": _lazy("缺少网格"),
    "invalid_buildings": _lazy("包楼无法识别"),
    "outside_jurisdiction": _lazy("不在辖区内"),
    "duplicate_differs": _lazy("重复行内容不同"),
}

_ROLE_NAMES: dict[str, str] = {str(r.label): r.value for r in Role}
_ROLE_NAMES.update({r.value: r.value for r in Role})
_ROLE_NAMES.update(
    {
        "指挥部工作人员": Role.COMMAND_POST,
        "单位负责人": Role.UNIT_LEADER,
        "包干负责人": Role.UNIT_LEADER,
        "网格长": Role.GRID_STAFF,
        "专职网格员": Role.GRID_STAFF,
        "兼职网格员": Role.GRID_STAFF,
        "网格指导员": Role.GRID_STAFF,
        "采样人员": Role.TEST_POINT,
        "采样员": Role.TEST_POINT,
        "值守人员": Role.HELPDESK,
    }
)
_GRID_ROLE_NAMES: dict[str, str] = {str(r.label): r.value for r in GridRoleKind}
_GRID_ROLE_NAMES.update({r.value: r.value for r in GridRoleKind})
_GRID_ROLE_NAMES.update({"专职": GridRoleKind.FULL_TIME, "兼职": GridRoleKind.PART_TIME,
                         "指导员": GridRoleKind.INSTRUCTOR})  # fmt: skip
_NAME_MAX = 100
_PERSON_NAME_MAX = 50


def _text(raw: Mapping[str, Any], column: str) -> str:
    value = raw.get(column)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


def _values(raw: Mapping[str, Any], columns: Columns) -> dict[str, str]:
    return {c: display_text(raw[c]) for c in columns.canonical if c in raw}


def _area_name(raw: Mapping[str, Any], column: str) -> str:
    name = _text(raw, column)
    if len(name) > _NAME_MAX:
        raise _Rejected(
            "place_too_long",
            _("%(column)s名称过长（超过%(n)d字）") % {"column": column, "n": _NAME_MAX},
        )
    return name


def _area_levels(raw: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, key, name) from the township down to the deepest level the row names."""
    township = _area_name(raw, TOWNSHIP)
    community = _area_name(raw, COMMUNITY)
    estate = _area_name(raw, ESTATE)
    if not township:
        raise _Rejected("missing_township", _("缺少乡镇街道"))
    levels = [(PlaceKind.TOWNSHIP.value, labels.name_key(township), township)]
    if estate and not community:
        raise _Rejected("missing_community", _("填写了小区/自然村，但缺少所属社区/村"))
    if community:
        levels.append((PlaceKind.COMMUNITY.value, labels.name_key(community), community))
    if estate:
        levels.append((PlaceKind.ESTATE.value, labels.name_key(estate), estate))
    return levels


def _levels_text(levels: list[tuple[str, str, str]]) -> str:
    return "/".join(name for _k, _key, name in levels)


@dataclass
class _Run:
    """One import: the rows decided one by one, inside one transaction."""

    columns: Columns
    user: Any
    dry_run: bool
    tree: PlaceTree = field(default_factory=PlaceTree)
    seen: dict[Any, tuple[int, Any]] = field(default_factory=dict)
    places_by_text: dict[str, Place] = field(default_factory=dict)

    def __post_init__(self) -> None:
        root = county()
        if root is None:
            raise ImportFileError(no_county_message())
        self.county = root
        self.jurisdiction = jurisdiction_of(self.user) if self.user is not None else None

    def may_see(self, place: Place) -> bool:
        return self.jurisdiction is None or self.jurisdiction.contains_path(place.path)

    def find_levels(self, levels: list[tuple[str, str, str]]) -> Place:
        node = self.county
        for kind, key, _name in levels:
            found = self.tree.find(node, kind, key)
            if found is None:
                raise _Rejected(
                    "place_not_found",
                    _("地点“%(place)s”不存在，请先导入地点表（tongxin import places）")
                    % {"place": _levels_text(levels)},
                )
            node = found
        if not self.may_see(node):
            raise _Rejected("outside_jurisdiction", _("该地点不在您的辖区内"))
        return node

    def repeat(
        self, key: Any, number: int, signature: Any, warnings: list[tuple[str, str]]
    ) -> bool:
        """Whether an earlier row of the file already said this (then it is a duplicate)."""
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = (number, signature)
            return False
        if earlier[1] != signature:
            warnings.append(
                (
                    "duplicate_differs",
                    _("与第%(row)d行是同一对象，但内容不同；以第%(row)d行为准")
                    % {"row": earlier[0]},
                )
            )
        return True


def _run(
    run: _Run,
    table: Table,
    *,
    source: str,
    decide: Callable[[_Run, int, Mapping[str, Any], list[tuple[str, str]]], str],
    target_type: str,
    label: str,
) -> ImportResult:
    columns, dry_run = run.columns, run.dry_run
    result = ImportResult(columns=list(columns.canonical))
    result.ignored_columns = list(table.ignored_columns)
    result.rows = len(table.rows)
    for number, raw in table.rows[:PREVIEW_ROWS]:
        result.preview_rows.append({"行号": str(number), **masked_values(_values(raw, columns))})
    with transaction.atomic():
        # One import of setup data at a time (they find-or-create the same places and units).
        Place.objects.select_for_update().filter(pk=run.county.pk).first()
        for number, raw in table.rows:
            warnings: list[tuple[str, str]] = []
            values = _values(raw, columns)
            try:
                with transaction.atomic():
                    outcome = decide(run, number, raw, warnings)
            except _Rejected as rejected:
                result.rejected += 1
                result.rejected_reasons[rejected.code] = (
                    result.rejected_reasons.get(rejected.code, 0) + 1
                )
                result.problems.append(
                    RowProblem(number, "rejected", rejected.code, rejected.message, values)
                )
                run.tree = PlaceTree()  # the savepoint rolled back what it had cached
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
            for code, message in warnings:
                result.warnings += 1
                result.problems.append(RowProblem(number, "warning", code, message, values))
        if dry_run:
            transaction.set_rollback(True)
        else:
            record(
                AuditAction.IMPORT,
                target_type=target_type,
                label=label % {"source": source},
                detail={"source": source, **result.as_dict()},
            )
    result.problems.sort(key=lambda p: (p.row, p.level != "rejected"))
    return result


# --- places ------------------------------------------------------------------------------


def _coordinate(raw: Mapping[str, Any], column: str) -> Decimal | None:
    text = _text(raw, column).rstrip("°")
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return Decimal("NaN")


def _place_extras(run: _Run, raw: Mapping[str, Any], warnings: list[tuple[str, str]]) -> dict:
    extras: dict[str, Any] = {}
    code = _text(raw, "行政区划代码").replace(" ", "")
    if code:
        if not re.fullmatch(r"\d{9}|\d{12}", code):
            warnings.append(("invalid_code", _("行政区划代码应为9位或12位数字，已忽略")))
        elif run.county.code and not belongs_to_county(code, run.county.code):
            warnings.append(
                (
                    "code_outside_county",
                    _("行政区划代码不以本县代码 %(code)s 开头，已忽略") % {"code": run.county.code},
                )
            )
        else:
            extras["code"] = code
    address = _text(raw, "地址")
    if address:
        extras["address"] = address[:400]
    lng, lat = _coordinate(raw, "经度"), _coordinate(raw, "纬度")
    if lng is not None or lat is not None:
        # Mainland China lies within these bounds; anything else is a typo or swapped columns.
        if (
            lng is None
            or lat is None
            or lng.is_nan()
            or lat.is_nan()
            or not (Decimal(73) <= lng <= Decimal(136))
            or not (Decimal(3) <= lat <= Decimal(54))
        ):
            warnings.append(("invalid_coordinates", _("经纬度缺一项或不在中国境内，已忽略")))
        else:
            extras["longitude"], extras["latitude"] = lng, lat
    return extras


def _decide_place(
    run: _Run, number: int, raw: Mapping[str, Any], warnings: list[tuple[str, str]]
) -> str:
    levels = _area_levels(raw)
    extras = _place_extras(run, raw, warnings)
    key = tuple(k for _kind, k, _n in levels)
    if run.repeat(key, number, tuple(sorted((k, str(v)) for k, v in extras.items())), warnings):
        return "duplicate"
    node = run.county
    created = False
    for kind, lkey, name in levels:
        found = run.tree.find(node, kind, lkey)
        if found is None:
            if not run.may_see(node):
                raise _Rejected("outside_jurisdiction", _("该地点不在您的辖区内"))
            found = run.tree.child(node, kind, lkey, name)
            created = True
        node = found
    if not run.may_see(node):
        raise _Rejected("outside_jurisdiction", _("该地点不在您的辖区内"))
    changed = [f for f, v in extras.items() if getattr(node, f) != v]
    if changed:
        for f in changed:
            setattr(node, f, extras[f])
        node.save(update_fields=changed)  # AuditedModel records the change
    if created:
        return "created"
    return "updated" if changed else "unchanged"


# --- units -------------------------------------------------------------------------------


def _date(raw: Mapping[str, Any], warnings: list[tuple[str, str]]) -> dt.date | None:
    value = raw.get("开始日期")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    warnings.append(("invalid_date", _("开始日期“%(d)s”无法识别，按今天导入") % {"d": text[:20]}))
    return None


def _unit_kind(name: str) -> str:
    if re.search(r"(街道|镇|乡)(人民政府|办事处)?$", name):
        return UnitKind.TOWNSHIP
    if re.search(r"(社区|村)(居委会|委员会|村委会)?$", name):
        return UnitKind.COMMUNITY
    if "医院" in name or "医疗" in name or "卫生院" in name:
        return UnitKind.MEDICAL
    if "公安" in name or "派出所" in name:
        return UnitKind.POLICE
    return UnitKind.BUREAU


def _decide_unit(
    run: _Run, number: int, raw: Mapping[str, Any], warnings: list[tuple[str, str]]
) -> str:
    name = re.sub(r"\s+", "", _text(raw, "包干单位"))
    if not name:
        raise _Rejected("missing_unit", _("缺少包干单位"))
    if len(name) > _NAME_MAX:
        raise _Rejected("place_too_long", _("单位名称过长（超过%(n)d字）") % {"n": _NAME_MAX})
    levels = _area_levels(raw)
    place = run.find_levels(levels)
    starts_on = _date(raw, warnings)
    if run.repeat((name, place.pk), number, starts_on, warnings):
        return "duplicate"
    unit = Unit.objects.filter(name=name).first()
    outcome = "unchanged"
    if unit is None:
        unit = Unit.objects.create(name=name, kind=_unit_kind(name))
        outcome = "created"
    today = timezone.localdate()
    assignment = UnitAssignment.objects.active(today).filter(unit=unit, place=place).first()
    if assignment is None:
        UnitAssignment.objects.create(unit=unit, place=place, starts_on=starts_on or today)
        outcome = "created"
    elif starts_on is not None and assignment.starts_on != starts_on:
        assignment.starts_on = starts_on
        assignment.save(update_fields=["starts_on"])
        outcome = "updated" if outcome == "unchanged" else outcome
    others = (
        UnitAssignment.objects.active(today)
        .filter(place=place)
        .exclude(unit=unit)
        .values_list("unit__name", flat=True)
    )
    if others:
        warnings.append(
            (
                "shared_place",
                _("该地点同时由 %(units)s 包干，请确认") % {"units": "、".join(sorted(others))},
            )
        )
    return outcome


# --- staff -------------------------------------------------------------------------------

_RANGE = re.compile(r"^(\d+)\s*[-~～至到—]\s*(\d+)$")
_MAX_BUILDINGS = 200


def parse_buildings(text: str) -> list[str]:
    """ "1-6幢" → 1…6; "1,3,5幢" → 1, 3, 5; "7幢" → 7; "3号楼、5栋" → 3, 5. Keys of buildings."""
    text = clean_text(text).replace(" ", "")
    if not text:
        return []
    keys: list[str] = []
    for part in re.split(r"[,，、;；/]+", text):
        if not part:
            continue
        core = re.sub(r"(号楼|幢|栋|楼|号|组|座)$", "", part.removeprefix("第"))
        core = re.sub(r"(号楼|幢|栋|楼|号|组|座)(?=\s*[-~～至到—])", "", core)
        match = _RANGE.match(core)
        if match:
            first, last = int(match.group(1)), int(match.group(2))
            if last < first or last - first >= _MAX_BUILDINGS:
                raise ValueError(part)
            keys.extend(str(n) for n in range(first, last + 1))
            continue
        key, _name = labels.building_label(core)
        if not key:
            raise ValueError(part)
        keys.append(key)
    return list(dict.fromkeys(keys))


def _place_from_text(run: _Run, text: str) -> Place:
    from tongxin.imports.services.export import AreaNotFound, find_area

    place = run.places_by_text.get(text)
    if place is None:
        try:
            place = find_area(text, run.user)
        except AreaNotFound as exc:
            raise _Rejected("place_not_found", str(exc)) from None
        run.places_by_text[text] = place
    if not run.may_see(place):
        raise _Rejected("outside_jurisdiction", _("该地点不在您的辖区内"))
    return place


class _StaffRun(_Run):
    def __post_init__(self) -> None:
        super().__post_init__()
        # Phones are encrypted without a lookup index; staff lists are small, read them once.
        self.by_phone: dict[str, User] = {}
        for user in User.objects.exclude(phone=""):
            if user.phone:
                self.by_phone[user.phone] = user
        self.units: dict[str, Unit] = {u.name: u for u in Unit.objects.all()}
        self.activate: list[User] = []
        # What is already assigned, so a re-import asks the database nothing per row.
        self.grid_roles = set(GridRole.objects.values_list("user_id", "place_id", "role"))
        self.buildings = set(BuildingAssignment.objects.values_list("user_id", "place_id"))


def _decide_staff(
    run: _Run, number: int, raw: Mapping[str, Any], warnings: list[tuple[str, str]]
) -> str:
    assert isinstance(run, _StaffRun)
    name = re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", _text(raw, "姓名"))
    if not name:
        raise _Rejected("missing_name", _("缺少姓名"))
    if len(name) > _PERSON_NAME_MAX:
        raise _Rejected("name_too_long", _("姓名过长（超过%(n)d字）") % {"n": _PERSON_NAME_MAX})
    phone_text = _text(raw, "手机号")
    if not phone_text:
        raise _Rejected("missing_phone", _("缺少手机号（用于发送激活链接和通知）"))
    try:
        phone = normalize_mobile(phone_text)
    except InvalidPhone:
        raise _Rejected("invalid_phone", _("手机号无效")) from None
    role_text = _text(raw, "角色").replace(" ", "")
    if not role_text:
        raise _Rejected("missing_role", _("缺少角色"))
    role = _ROLE_NAMES.get(role_text)
    if role is None:
        names = "、".join(str(r.label) for r in Role)
        raise _Rejected(
            "unknown_role",
            _("角色“%(role)s”无法识别，可填：%(names)s") % {"role": role_text[:20], "names": names},
        )
    unit_name = re.sub(r"\s+", "", _text(raw, "单位"))
    unit = None
    if unit_name:
        unit = run.units.get(unit_name)
        if unit is None:
            raise _Rejected(
                "unit_not_found",
                _("单位“%(unit)s”不存在，请先导入包干表（tongxin import units）")
                % {"unit": unit_name[:50]},
            )
    elif role in UNIT_ROLES:
        raise _Rejected("missing_unit", _("该角色须填写所属单位（辖区来自单位的包干范围）"))
    grid_role_text = _text(raw, "网格角色").replace(" ", "")
    grid_role = None
    if grid_role_text:
        grid_role = _GRID_ROLE_NAMES.get(grid_role_text)
        if grid_role is None:
            names = "、".join(str(r.label) for r in GridRoleKind)
            raise _Rejected(
                "unknown_grid_role",
                _("网格角色“%(role)s”无法识别，可填：%(names)s")
                % {"role": grid_role_text[:20], "names": names},
            )
    grid_text = _text(raw, "网格")
    buildings_text = _text(raw, "包楼")
    if (grid_role or buildings_text) and not grid_text:
        raise _Rejected("missing_grid", _("填写了网格角色或包楼，但缺少网格（所负责的地点）"))
    grid = _place_from_text(run, grid_text) if grid_text else None
    try:
        buildings = parse_buildings(buildings_text)
    except ValueError:
        raise _Rejected(
            "invalid_buildings",
            _("包楼“%(text)s”无法识别，可写 1-6幢、1,3,5幢 或 7幢") % {"text": buildings_text[:30]},
        ) from None
    if buildings and grid is not None and grid.kind != PlaceKind.ESTATE:
        raise _Rejected("invalid_buildings", _("包楼须对应一个小区/自然村（网格列）"))

    signature = (name, role, unit.pk if unit else None)
    user = run.by_phone.get(phone)
    outcome = "unchanged"
    if user is not None and (user.full_name or user.username) != name:
        raise _Rejected(
            "phone_conflict",
            _("该手机号已属于另一个账号（姓名不同），未新建账号；请核对手机号"),
        )
    earlier = run.seen.get(("staff", phone))
    if earlier is not None and earlier[1] != signature:
        raise _Rejected(
            "phone_conflict",
            _("与第%(row)d行是同一手机号，但姓名、角色或单位不同；以第%(row)d行为准")
            % {"row": earlier[0]},
        )
    run.seen.setdefault(("staff", phone), (number, signature))
    if user is None:
        user = User(username=username_for(name), full_name=name, role=role, unit=unit, phone=phone)
        user.set_unusable_password()
        user.save()
        run.by_phone[phone] = user
        assert isinstance(run, _StaffRun)
        run.activate.append(user)
        outcome = "created"
    elif earlier is None:
        changed = [
            f for f, v in (("role", role), ("unit_id", unit.pk if unit else None))
            if getattr(user, f) != v
        ]  # fmt: skip
        if changed:
            user.role, user.unit = role, unit
            user.save(update_fields=[f.removesuffix("_id") for f in changed])
            outcome = "updated"
    added = False
    if (
        grid is not None
        and grid_role is not None
        and ((user.pk, grid.pk, grid_role) not in run.grid_roles)
    ):
        GridRole.objects.create(user=user, place=grid, role=grid_role)
        run.grid_roles.add((user.pk, grid.pk, grid_role))
        added = True
    if buildings and grid is not None:
        wanted = [(grid, PlaceKind.BUILDING.value, key, f"{key}幢" if key.isdigit() else key)
                 for key in buildings]  # fmt: skip
        run.tree.children(wanted)
        for key in buildings:
            building = run.tree.find(grid, PlaceKind.BUILDING, key)
            assert building is not None
            if (user.pk, building.pk) not in run.buildings:
                BuildingAssignment.objects.create(user=user, place=building)
                run.buildings.add((user.pk, building.pk))
                added = True
    if outcome == "unchanged" and added:
        outcome = "updated"
    if outcome == "unchanged" and earlier is not None:
        return "duplicate"
    return outcome


# --- entry points ------------------------------------------------------------------------

_PERMS = {"places": Perm.MANAGE_PLACES, "units": Perm.MANAGE_STAFF, "staff": Perm.MANAGE_STAFF}
_DECIDE = {"places": _decide_place, "units": _decide_unit, "staff": _decide_staff}
_TARGETS = {"places": "places.place", "units": "units.unitassignment", "staff": "accounts.user"}
_LABELS = {
    "places": _lazy("导入地点 %(source)s"),
    "units": _lazy("导入包干表 %(source)s"),
    "staff": _lazy("导入工作人员 %(source)s"),
}


def import_setup(
    kind: str,
    path: Path,
    *,
    user: Any = None,
    dry_run: bool = False,
    source_name: str = "",
    deliver: str = "sms",
    links: list[tuple[User, str]] | None = None,
) -> ImportResult:
    """Import a places, units or staff spreadsheet (.xlsx, or .csv in UTF-8 or GBK).

    `user` None is the operator at the console (county-wide); a user needs the kind's
    permission and only reaches places in their jurisdiction. New staff accounts have no
    password; each gets a one-time activation link, sent by SMS (`deliver="sms"`) or handed
    back in `links` (pairs of account and link) to be printed for the unit leader."""
    if user is not None and not has_perm(user, _PERMS[kind]):
        raise PermissionDenied(_("您没有导入此类数据的权限"))
    columns = KINDS[kind]
    table = read_table(Path(path), columns)
    run = (_StaffRun if kind == "staff" else _Run)(columns, user, dry_run)
    result = _run(
        run, table, source=source_name or Path(path).name, decide=_DECIDE[kind],
        target_type=_TARGETS[kind], label=str(_LABELS[kind]),
    )  # fmt: skip
    if isinstance(run, _StaffRun) and not dry_run and run.activate:
        from tongxin.imports.services.staff import send_activations

        issued = send_activations(run.activate, deliver=deliver)
        if links is not None:
            links.extend(issued)
    return result


# The pieces other apps' day-0 imports (a round's test points) are built from.
SetupRun = _Run
RowRejected = _Rejected
run_rows = _run
place_from_text = _place_from_text
