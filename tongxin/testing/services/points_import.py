"""A round's test points from a spreadsheet, so a county can script its first night.

Columns (synonyms accepted, other columns ignored and listed): 采样点名称, 服务地点 (one or more
places, separated by ；or 、, e.g. 芹阳办事处/东门社区/阳光小区), 采样人员 (a number, or the
samplers' names, counted), 开放时间 (07:00-19:00), 所在地点 (defaults to the first place served),
地址. The same engine as every other import: per-row reasons in Chinese, idempotent (a point
is known by its name and place), dry run, audited.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongxin.core.text import clean_text
from tongxin.imports.readers import Columns, read_table
from tongxin.imports.services.engine import ImportResult
from tongxin.imports.services.setup import RowRejected, SetupRun, place_from_text, run_rows
from tongxin.testing.models import RoundPoint, TestPoint, TestRound
from tongxin.testing.services.rounds import RoundError, attach_point, create_point
from tongxin.testing.services.scope import in_scope

POINTS = Columns(
    canonical=("采样点名称", "服务地点", "采样人员", "开放时间", "所在地点", "地址"),
    synonyms={
        "采样点名称": ("采样点名称", "采样点", "名称"),
        "服务地点": ("服务地点", "服务范围", "服务小区", "负责区域"),
        "采样人员": ("采样人员", "采样人员数", "采样员", "采样人数"),
        "开放时间": ("开放时间", "采样时间", "工作时间"),
        "所在地点": ("所在地点", "位置", "设点地点"),
        "地址": ("地址", "详细地址"),
    },
    required=("采样点名称", "服务地点", "开放时间"),
    anchor="采样点名称",
    what=_lazy("采样点表"),
)
POINT_REASONS = {
    "missing_point_name": _lazy("缺少采样点名称"),
    "missing_served": _lazy("缺少服务地点"),
    "outside_round": _lazy("不在本轮检测范围"),
    "invalid_hours": _lazy("开放时间无法识别"),
    "invalid_samplers": _lazy("采样人员无法识别"),
}
_HOURS = re.compile(r"(\d{1,2})(?:[:：.](\d{2}))?\s*[-~～至到—]+\s*(\d{1,2})(?:[:：.](\d{2}))?")
DEFAULT_SAMPLERS = 2


@dataclass
class _PointsRun(SetupRun):
    round: TestRound | None = None


def parse_hours(text: str) -> tuple[dt.time, dt.time]:
    match = _HOURS.fullmatch(clean_text(text).replace(" ", ""))
    if not match:
        raise ValueError(text)
    h1, m1, h2, m2 = match.groups()
    return dt.time(int(h1) % 24, int(m1 or 0)), dt.time(int(h2) % 24, int(m2 or 0))


def _samplers(value: Any, warnings: list[tuple[str, str]]) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value < 1:
            raise RowRejected("invalid_samplers", _("采样人员数至少为 1"))
        return value
    text = clean_text(value)
    if not text:
        warnings.append(("invalid_samplers", _("未填写采样人员，按 %(n)d 人计") % {
            "n": DEFAULT_SAMPLERS}))  # fmt: skip
        return DEFAULT_SAMPLERS
    if re.fullmatch(r"\d+\s*人?", text):
        count = int(re.sub(r"\D", "", text))
        if count < 1:
            raise RowRejected("invalid_samplers", _("采样人员数至少为 1"))
        return count
    names = [n for n in re.split(r"[,，、;；/\s]+", text) if n]
    return len(names)


def _decide_point(
    run: SetupRun, number: int, raw: Mapping[str, Any], warnings: list[tuple[str, str]]
) -> str:
    assert isinstance(run, _PointsRun) and run.round is not None
    name = clean_text(raw.get("采样点名称"))
    if not name:
        raise RowRejected("missing_point_name", _("缺少采样点名称"))
    served_text = clean_text(raw.get("服务地点"))
    if not served_text:
        raise RowRejected("missing_served", _("缺少服务地点"))
    served = [place_from_text(run, part) for part in re.split(r"[;；、\n]+", served_text) if part]
    for place in served:
        if not in_scope(run.round, place):
            raise RowRejected("outside_round", _("%(place)s 不在本轮检测范围内") % {"place": place})
    try:
        opens, closes = parse_hours(clean_text(raw.get("开放时间")))
    except ValueError:
        raise RowRejected(
            "invalid_hours", _("开放时间无法识别，请写成 07:00-19:00 的形式")
        ) from None
    samplers = _samplers(raw.get("采样人员"), warnings)
    location_text = clean_text(raw.get("所在地点"))
    location = place_from_text(run, location_text) if location_text else served[0]
    signature = (tuple(p.pk for p in served), opens, closes, samplers)
    if run.repeat(("point", name, location.pk), number, signature, warnings):
        return "duplicate"
    address = clean_text(raw.get("地址"))[:255]
    point = TestPoint.objects.filter(name=name, place=location).first()
    outcome = "unchanged"
    try:
        if point is None:
            point = create_point(name, location, opens, closes, samplers, address=address)
            outcome = "created"
        else:
            changed: dict[str, Any] = {
                f: v
                for f, v in (("opens_at", opens), ("closes_at", closes), ("samplers", samplers))
                if getattr(point, f) != v
            }
            if address and point.address != address:
                changed["address"] = address
            if changed:
                TestPoint.objects.filter(pk=point.pk).update(**changed)
                outcome = "updated"
        before = RoundPoint.objects.filter(round=run.round, point=point).first()
        served_before = set(before.serves.values_list("pk", flat=True)) if before else None
        attach_point(run.round, point, serves=served)
    except RoundError as exc:
        raise RowRejected("outside_round", str(exc)) from None
    if outcome == "unchanged" and served_before != {p.pk for p in served}:
        outcome = "updated"
    return outcome


def import_points(
    round: TestRound, path: Path, *, user: Any = None, dry_run: bool = False, source_name: str = ""
) -> ImportResult:
    """Import the round's test points (see the module's docstring for the columns)."""
    from tongxin.accounts.permissions import Perm, has_perm
    from tongxin.people.services import PermissionDenied

    if user is not None and not has_perm(user, Perm.MANAGE_TESTING):
        raise PermissionDenied(_("您没有管理核酸轮次的权限"))
    table = read_table(Path(path), POINTS)
    run = _PointsRun(POINTS, user, dry_run, round=round)
    return run_rows(
        run, table, source=source_name or Path(path).name, decide=_decide_point,
        target_type="testing.testpoint", label=str(_lazy("导入采样点 %(source)s")),
    )  # fmt: skip


def import_points_upload(
    round: TestRound, upload: Any, *, user: Any, dry_run: bool = False
) -> ImportResult:
    """An uploaded file (a page's form) through `import_points`: size checked first, kept in an
    owner-only temporary folder only while it is read."""
    import tempfile

    from tongxin.core.uploads import check_size
    from tongxin.imports.readers import ImportFileError

    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix or "?"}
        )
    check_size(upload.size)
    with tempfile.TemporaryDirectory(prefix="tongxin-points-") as folder:
        path = Path(folder) / f"points{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return import_points(round, path, user=user, dry_run=dry_run, source_name=name)
