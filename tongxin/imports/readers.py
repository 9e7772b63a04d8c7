"""Reading residents spreadsheets: .xlsx and .csv (UTF-8 with or without BOM, or GBK).

A reader finds the header row by its names (a title row or two above it is common), maps each
recognised column to its canonical name and hands back every data row as it was in the file:
cell values keep their type (an ID number Excel stored as a number stays a number, so the
engine can tell the user that digits were lost).
"""

import contextlib
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongxin.core import uploads

CANONICAL_COLUMNS: list[str] = [
    "姓名", "证件类型", "证件号码", "手机号", "乡镇街道", "社区", "小区", "楼幢", "单元", "房号",
    "居住状态",
]  # fmt: skip

# Exactly the names the county's spreadsheets use (issue 2, section 6).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "姓名": ("姓名", "名字"),
    "证件类型": ("证件类型",),
    "证件号码": ("证件号码", "身份证号", "身份证号码"),
    "手机号": ("手机号", "联系电话", "电话"),
    "乡镇街道": ("乡镇街道", "所属街道", "街道", "乡镇"),
    "社区": ("社区", "所属社区", "村社区", "村"),
    "小区": ("小区", "小区名称", "自然村"),
    "楼幢": ("楼幢", "楼栋", "楼号", "幢", "组"),
    "单元": ("单元", "楼道"),
    "房号": ("房号", "门牌号", "室号"),
    "居住状态": ("居住状态", "人员状态", "居住情况"),
}
REQUIRED_COLUMNS = ("姓名", "证件号码", "小区", "楼幢", "房号")


@dataclass(frozen=True)
class Columns:
    """What one kind of spreadsheet looks like: its canonical columns, the header names each
    is known by, the columns a file must have, and the column a header row must contain."""

    canonical: tuple[str, ...]
    synonyms: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    anchor: str
    what: Any  # what the file is, for messages (e.g. 居民名单)
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        normalized = {
            header_name(name): canonical
            for canonical, names in self.synonyms.items()
            for name in (canonical, *names)
        }
        object.__setattr__(self, "lookup", normalized)

    def column(self, value: object) -> str | None:
        return self.lookup.get(header_name(value))


# How far down a header row may sit below title rows.
HEADER_SEARCH_ROWS = 10


class ImportFileError(ValueError):
    """A file that cannot be read at all. The message is in Chinese, for the user."""


def header_name(value: object) -> str:
    """A header cell as compared with the synonyms: no spaces, no required-field asterisks."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s*]", "", text)


def canonical_column(value: object, columns: "Columns | None" = None) -> str | None:
    return (columns or RESIDENTS).column(value)


RESIDENTS = Columns(
    canonical=tuple(CANONICAL_COLUMNS),
    synonyms=SYNONYMS,
    required=REQUIRED_COLUMNS,
    anchor="姓名",
    what=_lazy("居民名单"),
)


@dataclass
class Table:
    """The data rows of a file, keyed by canonical column, with their row numbers in the file."""

    columns: list[str]  # canonical columns present, in file order
    ignored_columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _find_header(
    first_rows: Sequence[tuple[int, Sequence[Any]]], columns: "Columns"
) -> tuple[int, Sequence[Any]]:
    for number, cells in first_rows:
        recognised = {columns.column(c) for c in cells} - {None}
        if columns.anchor in recognised and len(recognised) >= min(3, len(columns.required)):
            return number, cells
    if columns is not RESIDENTS:
        raise ImportFileError(
            _("未找到表头：前%(n)d行中没有包含%(names)s等列名的行。请确认这是%(what)s。")
            % {
                "n": HEADER_SEARCH_ROWS,
                "names": "".join(f"“{c}”" for c in columns.required or (columns.anchor,)),
                "what": columns.what,
            }
        )
    raise ImportFileError(
        _(
            "未找到表头：前%(n)d行中没有包含“姓名”“证件号码”“小区”“楼幢”“房号”等列名的行。"
            "请确认这是居民名单。"
        )
        % {"n": HEADER_SEARCH_ROWS}
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def build_table(
    numbered_rows: Iterable[tuple[int, Sequence[Any]]], columns_spec: "Columns | None" = None
) -> Table:
    """Find the header among the first rows and key every following row by canonical column."""
    spec = columns_spec or RESIDENTS
    iterator = iter(numbered_rows)
    head: list[tuple[int, Sequence[Any]]] = []
    for item in iterator:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header_number, header_cells = _find_header(head, spec)

    index: dict[int, str] = {}
    columns: list[str] = []
    ignored: list[str] = []
    for i, cell in enumerate(header_cells):
        canonical = spec.column(cell)
        if canonical is not None and canonical not in columns:
            index[i] = canonical
            columns.append(canonical)
        elif not _blank(cell):
            ignored.append(unicodedata.normalize("NFKC", str(cell)).strip())
    missing = [c for c in spec.required if c not in columns]
    if missing:
        raise ImportFileError(_("表头缺少必需的列：%(columns)s") % {"columns": "、".join(missing)})

    table = Table(columns=columns, ignored_columns=ignored)
    positions = list(index.items())
    row_limit, cell_limit = uploads.max_rows(), uploads.max_cell_chars()

    def keyed(cells: Sequence[Any]) -> dict[str, Any] | None:
        width = len(cells)
        values = {name: cells[i] if i < width else None for i, name in positions}
        if all(_blank(v) for v in values.values()):
            return None
        if len(table.rows) >= row_limit:
            raise ImportFileError(
                _("文件超过 %(n)d 行居民记录的上限，请按小区拆分后分批导入。") % {"n": row_limit}
            )
        for name, value in values.items():
            if isinstance(value, str) and len(value) > cell_limit:
                raise ImportFileError(
                    _("“%(column)s”列有单元格超过 %(n)d 个字符，请检查文件内容。")
                    % {"column": name, "n": cell_limit}
                )
        return values

    for number, cells in head:
        if number > header_number:
            values = keyed(cells)
            if values is not None:
                table.rows.append((number, values))
    for number, cells in iterator:
        values = keyed(cells)
        if values is not None:
            table.rows.append((number, values))
    return table


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE = f"{_MAIN_NS}row", f"{_MAIN_NS}c", f"{_MAIN_NS}v"
_TEXT, _RUN = f"{_MAIN_NS}t", f"{_MAIN_NS}r"
_COLUMN_REF = re.compile(r"([A-Z]+)")
_column_index: dict[str, int] = {}


def _column_of(ref: str) -> int:
    match = _COLUMN_REF.match(ref)
    if match is None:
        raise ValueError(ref)
    letters = match.group(1)
    index = _column_index.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + (ord(ch) - 64)
        index = _column_index[letters] = index - 1
    return index


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _sheet_rows(
    archive: zipfile.ZipFile, path: str, strings: Sequence[str], date_styles: Any, epoch: Any
) -> Iterable[tuple[int, list[Any]]]:
    """A sheet's rows as (row number, values), parsed straight from its XML.

    openpyxl's read-only row iterator builds a cell object per value, about 15 µs each:
    three seconds of a 13,000-row workbook, half the import's budget. This walks the same XML
    with the standard library's C parser, using the shared strings, date styles and epoch
    openpyxl read (values as openpyxl gives them with data_only=True)."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.datetime import from_excel, from_ISO8601

    number = 0
    with archive.open(path) as source:
        # Python's bundled expat (≥ 2.4.1) refuses entity-expansion bombs and ElementTree
        # never fetches external entities, so untrusted uploads are safe to parse here.
        for _event, element in iterparse(source):  # noqa: S314
            if element.tag != _ROW:
                continue
            r = element.get("r")
            number = int(r) if r else number + 1
            values: list[Any] = []
            for cell in element:
                if cell.tag != _CELL:
                    continue
                ref = cell.get("r")
                column = _column_of(ref) if ref else len(values)
                kind = cell.get("t", "n")
                value: Any
                if kind == "inlineStr":
                    # <is><t>…</t></is> or rich text <is><r><t>…</t></r>…</is>; phonetic
                    # runs (rPh) hold readings, not text, and are left out.
                    parts = []
                    for holder in cell:
                        for part in holder:
                            if part.tag == _TEXT:
                                parts.append(part.text or "")
                            elif part.tag == _RUN:
                                parts.append(part.findtext(_TEXT) or "")
                    value = "".join(parts)
                else:
                    text = cell.findtext(_VALUE)
                    if text is None or text == "":
                        value = None
                    elif kind == "n":
                        value = _number(text)
                        style = cell.get("s")
                        if style and int(style) in date_styles:
                            with contextlib.suppress(OverflowError, ValueError):
                                value = from_excel(value, epoch)
                    elif kind == "s":
                        value = strings[int(text)]
                    elif kind == "b":
                        value = text == "1"
                    elif kind == "d":
                        value = from_ISO8601(text)
                    else:  # str (a formula's text), e (an error such as #N/A)
                        value = text
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values.append(value)
            element.clear()
            yield number, values


@dataclass
class _Workbook:
    archive: zipfile.ZipFile
    strings: Sequence[str]
    date_styles: Any
    epoch: Any
    sheets: list[str]  # paths of the worksheets in the archive, in workbook order


def _open_workbook(source: Path | io.BytesIO) -> _Workbook | None:
    """The parts of a workbook the fast reader needs, read by openpyxl (without building
    read-only worksheets, whose size probe parses a sheet without a <dimension> in full).
    None when this openpyxl's internals are not the ones we know."""
    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
    except ImportError:  # pragma: no cover - another openpyxl
        return None
    reader = ExcelReader(source, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
        return _Workbook(
            reader.archive, reader.shared_strings, reader.wb._date_formats, reader.wb.epoch, sheets
        )
    except AttributeError:  # pragma: no cover - another openpyxl
        reader.archive.close()
        return None


def _read_with_openpyxl(source: Path | io.BytesIO, spec: "Columns | None" = None) -> Table:
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True, data_only=True)
    try:
        first_error: ImportFileError | None = None
        for sheet in workbook.worksheets:
            try:
                return build_table(enumerate(sheet.iter_rows(values_only=True), start=1), spec)
            except ImportFileError as exc:
                first_error = first_error or exc
        raise first_error or ImportFileError(_("Excel文件中没有工作表"))
    finally:
        workbook.close()


def read_xlsx(source: Path | io.BytesIO, spec: "Columns | None" = None) -> Table:
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        uploads.check_archive(source)
    except uploads.UploadRejected as exc:
        raise ImportFileError(str(exc)) from exc
    try:
        opened = _open_workbook(source)
        if opened is None:  # pragma: no cover - another openpyxl
            return _read_with_openpyxl(source, spec)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("无法读取该Excel文件（%(error)s）。请用Excel另存为 .xlsx 后重试。")
            % {"error": type(exc).__name__}
        ) from exc
    try:
        first_error: ImportFileError | None = None
        for path in opened.sheets:
            rows = _sheet_rows(
                opened.archive, path, opened.strings, opened.date_styles, opened.epoch
            )
            try:
                return build_table(rows, spec)
            except ImportFileError as exc:
                # A workbook's first sheet is sometimes a cover or an instructions page.
                first_error = first_error or exc
        raise first_error or ImportFileError(_("Excel文件中没有工作表"))
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, IndexError) as exc:
        raise ImportFileError(
            _("Excel文件已损坏，无法读取（%(error)s）") % {"error": type(exc).__name__}
        ) from exc
    finally:
        opened.archive.close()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK (read as GB 18030, its superset)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("无法识别CSV文件的编码，请保存为UTF-8或GBK编码的CSV，或直接上传 .xlsx")
        ) from None


def read_csv(data: bytes, spec: "Columns | None" = None) -> Table:
    text = decode_text(data)
    if "\x00" in text:
        raise ImportFileError(_("这不是文本格式的CSV文件"))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return build_table(enumerate(reader, start=1), spec)
    except csv.Error as exc:
        raise ImportFileError(_("CSV文件格式有误：%(error)s") % {"error": str(exc)}) from exc


def read_table(path: Path, spec: "Columns | None" = None) -> Table:
    suffix = path.suffix.lower()
    try:
        uploads.check_size(path.stat().st_size)
    except uploads.UploadRejected as exc:
        raise ImportFileError(str(exc)) from exc
    except OSError:
        pass  # the readers below say the file cannot be opened
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(path, spec)
    if suffix in {".csv", ".txt"}:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportFileError(_("无法打开文件：%(error)s") % {"error": exc.strerror}) from exc
        return read_csv(data, spec)
    if suffix == ".xls":
        raise ImportFileError(_("不支持旧版 .xls 文件，请用Excel另存为 .xlsx 后重试"))
    raise ImportFileError(
        _("不支持的文件类型“%(suffix)s”，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix or "?"}
    )


def display_text(value: Any) -> str:
    """A cell as the user saw it, for the problems file and the preview."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:G}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
