"""Requests arriving as a spreadsheet: a 12345 hotline export, a unit's list.

Every data row ends up in exactly one of three places — a new request, "already imported"
(the same source number came in before), or the problems list with the reason in Chinese —
so rows = created + skipped + rejected, and nothing is lost. The problems list echoes the
row's cells with phone and ID numbers masked.
"""

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record, record_export
from tongxin.core.phones import InvalidPhone
from tongxin.helpdesk.models import Category, Channel, Priority, RequestImport
from tongxin.helpdesk.services import registry
from tongxin.helpdesk.services.intake import Intake, IntakeError, receive
from tongxin.helpdesk.services.text import redact
from tongxin.imports.readers import ImportFileError, decode_text, display_text, header_name
from tongxin.places.labels import name_key
from tongxin.places.models import Place, PlaceKind

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ref": ("工单号", "工单编号", "编号", "来源编号", "12345工单号", "受理编号", "流水号"),
    "received_at": ("受理时间", "来电时间", "登记时间", "求助时间", "时间", "日期"),
    "phone": ("联系电话", "来电号码", "手机号", "电话", "求助人电话", "回拨号码", "联系方式"),
    "name": ("姓名", "求助人", "来电人", "联系人", "求助人姓名"),
    "address": ("地址", "住址", "详细地址", "所在地址", "求助地址"),
    "estate": ("小区", "小区名称", "自然村"),
    "building": ("楼幢", "楼栋", "楼号", "幢"),
    "stairwell": ("单元", "楼道"),
    "room": ("房号", "门牌号", "室号"),
    "text": ("诉求内容", "求助内容", "来电内容", "内容", "需求", "诉求", "具体诉求", "问题描述"),
    "category": ("类别", "诉求类别", "求助类别", "分类", "类型"),
    "priority": ("紧急程度", "优先级", "是否紧急", "紧急"),
}
REQUIRED = ("phone", "text")
COLUMN_LABELS = {
    "ref": "工单号", "received_at": "受理时间", "phone": "联系电话", "name": "姓名",
    "address": "地址", "estate": "小区", "building": "楼幢", "stairwell": "单元", "room": "房号",
    "text": "求助内容", "category": "类别", "priority": "紧急程度",
}  # fmt: skip
_LOOKUP = {header_name(n): key for key, names in SYNONYMS.items() for n in names}
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20_000

_CATEGORY_NAMES = {str(label): code for code, label in Category.choices} | {
    "物资": Category.FOOD, "生活": Category.FOOD, "买菜": Category.FOOD, "配药": Category.MEDICINE,
    "就医": Category.MEDICINE, "购药": Category.MEDICINE, "透析": Category.DIALYSIS,
    "孕妇": Category.MATERNITY, "急救": Category.EMERGENCY, "心理咨询": Category.MENTAL,
    "转运": Category.ISOLATION, "隔离": Category.ISOLATION, "咨询": Category.POLICY,
}  # fmt: skip
_URGENT_WORDS = {"紧急", "特急", "是", "急", "加急", "urgent"}
_HIGH_WORDS = {"较急", "比较急"}


@dataclass
class Sheet:
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _table(numbered: Any) -> Sheet:
    iterator = iter(numbered)
    head: list[tuple[int, Any]] = []
    for item in iterator:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header: tuple[int, dict[int, str]] | None = None
    for number, cells in head:
        mapping: dict[int, str] = {}
        for i, cell in enumerate(cells):
            key = _LOOKUP.get(header_name(cell))
            if key and key not in mapping.values():
                mapping[i] = key
        if "text" in mapping.values() and "phone" in mapping.values():
            header = (number, mapping)
            break
    if header is None:
        raise ImportFileError(
            _("未找到表头：前%(n)d行中没有同时包含“求助内容（诉求内容）”和“联系电话”的行")
            % {"n": HEADER_SEARCH_ROWS}
        )
    header_row, mapping = header
    sheet = Sheet(columns=list(mapping.values()))

    def keyed(cells: Any) -> dict[str, Any] | None:
        values = {key: (cells[i] if i < len(cells) else None) for i, key in mapping.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            return None
        return values

    for number, cells in [*head, *iterator]:
        if number <= header_row:
            continue
        values = keyed(cells)
        if values is not None:
            sheet.rows.append((number, values))
            if len(sheet.rows) > MAX_ROWS:
                raise ImportFileError(_("文件超过 %(n)d 行，请分批导入") % {"n": MAX_ROWS})
    return sheet


def read_sheet(data: bytes, filename: str) -> Sheet:
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFileError(
                _("无法读取该Excel文件（%(error)s）。请用Excel另存为 .xlsx 后重试。")
                % {"error": type(exc).__name__}
            ) from exc
        try:
            first_error: ImportFileError | None = None
            for ws in workbook.worksheets:
                try:
                    return _table(enumerate(ws.iter_rows(values_only=True), start=1))
                except ImportFileError as exc:
                    first_error = first_error or exc
            raise first_error or ImportFileError(_("Excel文件中没有工作表"))
        finally:
            workbook.close()
    if suffix in {".csv", ".txt"}:
        text = decode_text(data)
        first_line = text.split("\n", 1)[0]
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        try:
            return _table(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))
        except csv.Error as exc:
            raise ImportFileError(_("CSV文件格式有误：%(error)s") % {"error": str(exc)}) from exc
    if suffix == ".xls":
        raise ImportFileError(_("不支持旧版 .xls 文件，请用Excel另存为 .xlsx 后重试"))
    raise ImportFileError(
        _("不支持的文件类型“%(suffix)s”，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix or "?"}
    )


class RowError(ValueError):
    pass


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", display_text(value)).strip()


def _time(value: Any) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed: dt.datetime | None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    else:
        text = _text(value).replace("/", "-").replace("年", "-").replace("月", "-")
        text = text.replace("日", " ").replace("时", ":").replace("分", "").replace("秒", "")
        # "2022年3月7日 16:09" leaves two spaces where 日 was; one date, one time.
        text = " ".join(text.split())
        parsed = parse_datetime(text) or parse_datetime(text + ":00")
        if parsed is None:
            try:
                parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
            except ValueError:
                raise RowError(_("受理时间“%(v)s”无法识别") % {"v": _text(value)}) from None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _category(value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    if text in Category.values:
        return text
    for name, code in _CATEGORY_NAMES.items():
        if name and name in text:
            return str(code)
    return ""


def _priority(value: Any) -> str:
    text = _text(value)
    if text in _URGENT_WORDS:
        return Priority.URGENT
    if text in _HIGH_WORDS:
        return Priority.HIGH
    return ""


class _Places:
    """Estates by name, loaded once per file."""

    def __init__(self) -> None:
        self.estates = list(Place.objects.filter(kind=PlaceKind.ESTATE).order_by("path"))
        self.by_key = {e.key: e for e in self.estates}

    def estate(self, name: str) -> Place | None:
        return self.by_key.get(name_key(name)) if name else None

    def estate_in(self, address: str) -> Place | None:
        """An estate whose name appears in a free-text address (the longest name wins)."""
        found = [e for e in self.estates if e.name and e.name in address]
        return max(found, key=lambda e: len(e.name)) if found else None


def _suffixed(text: str, suffix: str) -> str:
    """ "3" in a 楼幢 column is 3幢; "3幢" stays as it is."""
    return text + suffix if text.isdigit() else text


def _intake(values: dict[str, Any], places: _Places, channel: str, source: str) -> Intake:
    text = _text(values.get("text"))
    if not text:
        raise RowError(_("缺少求助内容"))
    phone = _text(values.get("phone"))
    if not phone:
        raise RowError(_("缺少联系电话"))
    try:
        registry.normalize_callback(phone)
    except InvalidPhone:
        raise RowError(
            _("联系电话“%(v)s”不正确（应为手机号或带区号的固定电话）") % {"v": redact(phone)[0]}
        ) from None
    address = _text(values.get("address"))
    estate_name = _text(values.get("estate"))
    estate = places.estate(estate_name) or (places.estate_in(address) if address else None)
    unit_text = "".join(
        _suffixed(_text(values.get(key)), suffix)
        for key, suffix in (("building", "幢"), ("stairwell", "单元"), ("room", ""))
    )
    if estate is not None and not unit_text and address:
        unit_text = address.split(estate.name, 1)[-1]
    located = registry.locate(estate, unit_text) if estate is not None else None
    if not address:
        address = " ".join(p for p in (estate_name, unit_text) if p)
    return Intake(
        text=text,
        phone=phone,
        caller_name=_text(values.get("name"))[:50],
        place=located.place if located else None,
        address=address,
        category=_category(values.get("category")),
        stated_priority=_priority(values.get("priority")),
        channel=channel,
        external_ref=_text(values.get("ref"))[:60],
        source_label=source,
        received_at=_time(values.get("received_at")),
    )


def _masked_cells(values: dict[str, Any]) -> dict[str, str]:
    return {COLUMN_LABELS.get(k, k): redact(_text(v))[0] for k, v in values.items()}


def import_requests(
    data: bytes,
    filename: str,
    *,
    channel: str = Channel.HOTLINE_12345,
    source_label: str = "",
    user: Any = None,
    now: dt.datetime | None = None,
    send_sms: bool = True,
) -> RequestImport:
    """Take every row of the file in; returns the record of what became of each row."""
    if channel not in Channel.values:
        channel = Channel.OTHER
    now = now or timezone.now()
    sheet = read_sheet(data, filename)
    places = _Places()
    job = RequestImport(
        created_by=user if getattr(user, "pk", None) else None,
        filename=Path(filename).name[:255],
        channel=channel,
        source_label=source_label[:200],
        created_at=now,
        rows=len(sheet.rows),
    )
    problems: list[dict[str, Any]] = []
    for number, values in sheet.rows:
        try:
            intake = _intake(values, places, channel, source_label or Path(filename).name)
            received = receive(intake, by=user, now=now, send_sms=send_sms)
        except (RowError, IntakeError) as exc:
            problems.append({"row": number, "message": str(exc), "cells": _masked_cells(values)})
            continue
        if received.created:
            job.created += 1
        else:
            job.skipped += 1
    job.rejected = len(problems)
    job.problems = problems
    job.save()
    record(
        AuditAction.IMPORT,
        target_type="helpdesk.helprequest",
        label=f"{job.filename} ×{job.rows}",
        detail={
            "rows": job.rows, "created": job.created, "skipped": job.skipped,
            "rejected": job.rejected, "channel": channel,
        },
    )  # fmt: skip
    return job


def problems_csv(job: RequestImport) -> str:
    """The rejected rows, for fixing and importing again (numbers stay masked)."""
    out = io.StringIO()
    columns: list[str] = []
    for problem in job.problems:
        for name in problem.get("cells", {}):
            if name not in columns:
                columns.append(name)
    writer = csv.writer(out)
    writer.writerow([_("行号"), _("问题"), *columns])
    for problem in job.problems:
        cells = problem.get("cells", {})
        writer.writerow([problem["row"], problem["message"], *(cells.get(c, "") for c in columns)])
    # Callers' names and needs leave the platform in this file: an export like any other.
    record_export(
        "helpdesk.requestimport.problems", {"import": job.pk}, len(job.problems), unmasked=False
    )
    return "\ufeff" + out.getvalue()
