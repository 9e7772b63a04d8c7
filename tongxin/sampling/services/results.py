"""Lab results: one row per tube barcode (阴性 / 阳性 / 无效, Ct values optional, lab, time).

Every row a lab sends is kept (`LabResult`), including unknown barcodes and results that
contradict one already in force; both are reported back, never dropped. A row identical to
one already imported changes nothing, so re-importing a file is harmless.

A tube takes the first valid result it gets (an 无效 can be followed by a real one). Accepted
results then act: a positive pooled tube raises a recall, a positive single tube a positive
person, and a single tube of a recalled person completes their part of the recall.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.sampling.models import (
    LabResult,
    LabResultStatus,
    ResultImport,
    TestResult,
    Tube,
)
from tongxin.sampling.services.access import can
from tongxin.testing.models import SamplingMode

# What the import accepts in the result column, exactly (after width/case folding): the
# words labs write in full. Abbreviations ("阴", "阳", "+", "-", "neg") are refused, not
# guessed: a misread positive is the one mistake that cannot happen. Shown on the import page
# and in the API description from this table.
RESULT_WORDS = {
    "阴性": TestResult.NEGATIVE, "未检出": TestResult.NEGATIVE, "negative": TestResult.NEGATIVE,
    "阳性": TestResult.POSITIVE, "检出": TestResult.POSITIVE, "positive": TestResult.POSITIVE,
    "无效": TestResult.INVALID, "invalid": TestResult.INVALID,
}  # fmt: skip


def accepted_words() -> dict[str, list[str]]:
    """{result label: the words accepted for it}, for pages and messages."""
    found: dict[str, list[str]] = defaultdict(list)
    for word, value in RESULT_WORDS.items():
        found[str(TestResult(value).label)].append(word)
    return dict(found)


def accepted_words_text() -> str:
    return "；".join(f"{label}：{'、'.join(words)}" for label, words in accepted_words().items())


# Boxes whose tubes have left the point: a result for any other tube is for a tube the lab
# should not have yet (still open at the point, or packed but not handed over).
HANDED_OVER = ("in_transit", "received")


COLUMNS: dict[str, tuple[str, ...]] = {
    "barcode": ("试管条码", "条码", "样本条码", "管码", "barcode", "tube"),
    "result": ("检测结果", "结果", "result"),
    "ct": ("ct", "ct值"),
    "ct_orf1ab": ("orf1ab", "orf1abct", "orf1ab基因", "orf1ab基因ct值"),
    "ct_n": ("n", "nct", "n基因", "n基因ct值"),
    "lab": ("检测机构", "实验室", "lab"),
    "reported_at": ("报告时间", "检测时间", "结果时间", "时间", "reported_at", "time"),
}
_LOOKUP = {name: key for key, names in COLUMNS.items() for name in names}
MAX_REPORTED = 200  # problems listed in a summary (all are counted)


class ResultFileError(ValueError):
    """A file that cannot be read at all (message in Chinese, for the user)."""


class NotAllowed(PermissionError):
    pass


def _header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    return re.sub(r"[\s*（）()_:：]", "", text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


# --- reading ----------------------------------------------------------------------------------


def _rows_from_table(table: list[list[Any]]) -> list[dict[str, Any]]:
    for index, row in enumerate(table[:10]):
        keys = [_LOOKUP.get(_header(c)) for c in row]
        if "barcode" in keys and "result" in keys:
            rows = []
            for number, values in enumerate(table[index + 1 :], start=index + 2):
                if all(_cell(v) == "" for v in values):
                    continue
                item: dict[str, Any] = {"_row": number}
                for key, value in zip(keys, values, strict=False):
                    if key and key not in item:
                        item[key] = value
                rows.append(item)
            return rows
    raise ResultFileError(_("找不到表头：需要“试管条码”和“检测结果”两列"))


def read_result_file(data: bytes, name: str) -> list[dict[str, Any]]:
    """Rows (dicts keyed barcode/result/ct…/lab/reported_at, plus _row) of a .csv or .xlsx."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise ResultFileError(_("无法读取该 Excel 文件")) from None
        sheet = book.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        return _rows_from_table(table)
    from tongxin.imports.readers import decode_text

    try:
        text = decode_text(data)
    except Exception:
        raise ResultFileError(_("无法识别文件编码，请另存为 UTF-8 的 CSV 文件")) from None
    return _rows_from_table([list(r) for r in csv.reader(io.StringIO(text))])


# --- parsing rows -----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    barcode: str
    result: str
    ct: dict[str, float]
    lab: str
    reported_at: dt.datetime
    key: str = ""


def _time(value: Any, tz: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    else:
        text = _cell(value).replace("/", "-")
        if not text:
            return None
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}(:\d{2})?", text):
            date, time = text.split(" ")
            y, m, d = (int(x) for x in date.split("-"))
            text = f"{y:04d}-{m:02d}-{d:02d} {time if len(time) > 5 else time + ':00'}"
            text = re.sub(r" (\d):", r" 0\1:", text)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _ct(item: dict[str, Any]) -> tuple[dict[str, float], str]:
    values: dict[str, float] = {}
    for key, label in (("ct", "Ct"), ("ct_orf1ab", "ORF1ab"), ("ct_n", "N")):
        text = _cell(item.get(key))
        if not text:
            continue
        try:
            values[label] = round(float(text), 2)
        except ValueError:
            return {}, _("Ct值“%(v)s”不是数字") % {"v": text}
    return values, ""


def _row_key(row: _Row) -> str:
    raw = json.dumps(
        [row.barcode, row.result, row.lab, row.reported_at.isoformat(), sorted(row.ct.items())],
        ensure_ascii=False,
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _parse_rows(
    items: Iterable[dict[str, Any]], default_lab: str
) -> tuple[list[_Row], list[dict[str, Any]]]:
    tz = timezone.get_current_timezone()
    rows, invalid = [], []
    for number, item in enumerate(items, start=1):
        number = int(item.get("_row") or number)
        barcode = _cell(item.get("barcode"))
        word = _cell(item.get("result")).lower()
        result = RESULT_WORDS.get(word)
        lab = _cell(item.get("lab")) or default_lab
        reported_at = _time(item.get("reported_at"), tz)
        ct, ct_error = _ct(item)
        problem = ""
        if not barcode:
            problem = _("缺少试管条码")
        elif result is None:
            problem = _("检测结果“%(v)s”无法识别，只接受 %(words)s") % {
                "v": word,
                "words": accepted_words_text(),
            }
        elif not lab:
            problem = _("缺少检测机构")
        elif reported_at is None:
            problem = _("报告时间缺失或无法识别")
        elif ct_error:
            problem = ct_error
        if problem:
            invalid.append({"row": number, "barcode": barcode, "message": problem})
            continue
        row = _Row(number, barcode, result, ct, lab[:100], reported_at)  # type: ignore[arg-type]
        row.key = _row_key(row)
        rows.append(row)
    return rows, invalid


# --- importing --------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    rows: int = 0
    new: int = 0
    accepted: int = 0
    repeat: int = 0
    unchanged: int = 0  # identical to a row imported before
    duplicate_in_file: int = 0
    unknown: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    positives: list[str] = field(default_factory=list)
    # Results accepted for tubes never handed over (see `import_result_rows`).
    not_handed_over: list[dict[str, Any]] = field(default_factory=list)
    recalls: list[int] = field(default_factory=list)
    positive_people: int = 0
    recall_members_resulted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "new": self.new,
            "accepted": self.accepted,
            "repeat": self.repeat,
            "unchanged": self.unchanged,
            "duplicate_in_file": self.duplicate_in_file,
            "unknown_count": len(self.unknown),
            "unknown": self.unknown[:MAX_REPORTED],
            "conflict_count": len(self.conflicts),
            "conflicts": self.conflicts[:MAX_REPORTED],
            "invalid_count": len(self.invalid),
            "invalid": self.invalid[:MAX_REPORTED],
            "not_handed_over_count": len(self.not_handed_over),
            "not_handed_over": self.not_handed_over[:MAX_REPORTED],
            "positive_tubes": self.positives,
            "recalls_raised": self.recalls,
            "positive_people": self.positive_people,
            "recall_members_resulted": self.recall_members_resulted,
        }


def _decide(tube: Tube, row: _Row) -> str:
    """What a new row means for its tube: accepted, repeat (same as in force) or conflict."""
    if not tube.result or (tube.result == TestResult.INVALID and row.result != TestResult.INVALID):
        return LabResultStatus.ACCEPTED
    if tube.result == row.result:
        return LabResultStatus.REPEAT
    return LabResultStatus.CONFLICT


@transaction.atomic
def import_result_rows(
    items: Iterable[dict[str, Any]],
    *,
    user: Any = None,
    lab: str = "",
    name: str = "",
    digest: str = "",
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Import result rows (dicts keyed barcode, result, ct/ct_orf1ab/ct_n, lab, reported_at).
    `user` None is the command line (trusted); a user needs the import-results permission.

    A result for a tube that was never handed over (not in a box that left its point: still
    open at the point, or packed but not handed to transport) is ACCEPTED WITH A WARNING, not
    refused: the lab holds the tube, so the record of its journey is what lags, and a positive
    must raise its recall at once. Such rows are flagged (`LabResult.not_handed_over`), listed
    in the summary and on the results page for the lab liaison to chase."""
    if user is not None and not can(user, "import_results"):
        raise NotAllowed(_("您没有导入检测结果的权限"))
    now = now or timezone.now()
    rows, invalid = _parse_rows(items, lab.strip())
    summary = ImportSummary(rows=len(rows) + len(invalid), invalid=invalid)

    known = set(
        LabResult.objects.filter(row_key__in=[r.key for r in rows]).values_list(
            "row_key", flat=True
        )
    )
    fresh: list[_Row] = []
    seen: set[str] = set()
    for row in rows:
        if row.key in known:
            summary.unchanged += 1
        elif row.key in seen:
            summary.duplicate_in_file += 1
        else:
            seen.add(row.key)
            fresh.append(row)
    summary.new = len(fresh)
    if not fresh:
        _audit(summary, name, user)
        return summary.as_dict()

    tubes = {
        t.barcode: t
        for t in Tube.objects.select_for_update(of=("self",))
        .select_related("box")
        .filter(barcode__in={r.barcode for r in fresh})
    }
    source = ResultImport.objects.create(
        name=(name or _("接口上传"))[:255],
        sha256=digest,
        lab=lab[:100],
        imported_at=now,
        imported_by=user if getattr(user, "pk", None) else None,
    )
    results: list[LabResult] = []
    changed: dict[int, Tube] = {}
    positive_rows: dict[int, LabResult] = {}
    for row in sorted(fresh, key=lambda r: (r.reported_at, r.number)):
        tube = tubes.get(row.barcode)
        lab_result = LabResult(
            row_key=row.key, barcode=row.barcode, tube=tube, result=row.result,
            ct_values=row.ct, lab=row.lab, reported_at=row.reported_at, source=source,
        )  # fmt: skip
        results.append(lab_result)
        if tube is None:
            lab_result.status = LabResultStatus.UNKNOWN
            summary.unknown.append({"row": row.number, "barcode": row.barcode})
            continue
        if tube.box is None or tube.box.status not in HANDED_OVER:
            lab_result.not_handed_over = True
            summary.not_handed_over.append(
                {"row": row.number, "barcode": row.barcode, "tube_status": tube.status}
            )
        lab_result.status = _decide(tube, row)
        if lab_result.status == LabResultStatus.ACCEPTED:
            tube.result, tube.result_at, tube.result_lab = row.result, row.reported_at, row.lab
            changed[tube.pk] = tube
            summary.accepted += 1
            if row.result == TestResult.POSITIVE:
                positive_rows[tube.pk] = lab_result
        elif lab_result.status == LabResultStatus.REPEAT:
            summary.repeat += 1
        else:
            if not tube.result_conflict:
                tube.result_conflict = True
                changed[tube.pk] = tube
            summary.conflicts.append(
                {
                    "row": row.number,
                    "barcode": row.barcode,
                    "result": row.result,
                    "in_force": tube.result,
                    "lab": row.lab,
                }
            )
    LabResult.objects.bulk_create(results, batch_size=1000)
    Tube.objects.bulk_update(
        list(changed.values()), ["result", "result_at", "result_lab", "result_conflict"],
        batch_size=1000,
    )  # fmt: skip

    from tongxin.sampling.services import coverage, recalls

    coverage.note_results(
        [t.pk for t in changed.values() if t.result in (TestResult.NEGATIVE, TestResult.POSITIVE)]
    )

    for tube_id, lab_result in positive_rows.items():
        tube = changed[tube_id]
        summary.positives.append(tube.barcode)
        if tube.mode == SamplingMode.SINGLE:
            summary.positive_people += len(recalls.record_positive_person(tube, lab_result, now))
        else:
            summary.recalls.append(recalls.raise_recall(tube, lab_result, now).pk)
    summary.recall_members_resulted = recalls.apply_single_results(changed.values(), now)
    source.summary = summary.as_dict()
    source.save(update_fields=["summary"])
    _audit(summary, name, user)
    return summary.as_dict()


def _audit(summary: ImportSummary, name: str, user: Any) -> None:
    record(
        AuditAction.IMPORT,
        target_type="sampling.labresult",
        label=_("检测结果导入 %(name)s") % {"name": name or _("接口上传")},
        detail={k: v for k, v in summary.as_dict().items() if not isinstance(v, list)},
    )


def import_results(
    file: Any, *, user: Any = None, lab: str = "", name: str = "", now: dt.datetime | None = None
) -> dict[str, Any]:
    """Import a results file (.csv or .xlsx): a path, or an uploaded/open binary file."""
    if isinstance(file, (str, Path)):
        path = Path(file)
        data, name = path.read_bytes(), name or path.name
    else:
        data = file.read()
        name = name or getattr(file, "name", "") or "results.csv"
    digest = hashlib.sha256(data).hexdigest()
    rows = read_result_file(data, name)
    return import_result_rows(
        rows, user=user, lab=lab, name=Path(name).name, digest=digest, now=now
    )


def import_results_file(path: str | Path, *, user: Any = None) -> dict[str, Any]:
    """For `tongxin testing import-results FILE`: the summary, JSON-ready."""
    return import_results(path, user=user)


def unresolved(user: Any) -> dict[str, Any]:
    """Results needing a person: unknown barcodes and tubes with conflicting results."""
    visible = LabResult.objects.visible_to(user)
    return {
        "unknown": visible.filter(status=LabResultStatus.UNKNOWN).order_by("-reported_at")[:200],
        "conflicts": visible.filter(status=LabResultStatus.CONFLICT)
        .select_related("tube")
        .order_by("-reported_at")[:200],
    }


def counts_by_status(results: Iterable[LabResult]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.status] += 1
    return dict(counts)
