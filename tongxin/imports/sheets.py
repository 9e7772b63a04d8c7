"""Any spreadsheet with a header row, for modules that import their own lists (a team's
member list, an organisation's volunteers …), read by the same readers as the residents
import: .xlsx through the fast XML walk, .csv in UTF-8 or GBK.

A module gives its columns as {key: (header names …)}; rows come back keyed by those keys,
with their row numbers in the file, cell values as the file holds them.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from tongxin.imports.readers import (
    HEADER_SEARCH_ROWS,
    ImportFileError,
    Table,
    _open_workbook,
    _sheet_rows,
    decode_text,
    header_name,
)

Columns = dict[str, tuple[str, ...]]


def _keyed(
    numbered: Iterable[tuple[int, Sequence[Any]]], columns: Columns, required: Sequence[str]
) -> Table:
    lookup = {header_name(n): key for key, names in columns.items() for n in names}
    iterator = iter(numbered)
    head: list[tuple[int, Sequence[Any]]] = []
    for item in iterator:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    found: tuple[int, dict[int, str]] | None = None
    for number, cells in head:
        mapping: dict[int, str] = {}
        for i, cell in enumerate(cells):
            key = lookup.get(header_name(cell))
            if key and key not in mapping.values():
                mapping[i] = key
        if all(r in mapping.values() for r in required):
            found = (number, mapping)
            break
    if found is None:
        names = "、".join(f"“{columns[r][0]}”" for r in required)
        raise ImportFileError(
            _("未找到表头：前%(n)d行中没有包含%(names)s的行")
            % {"n": HEADER_SEARCH_ROWS, "names": names}
        )
    header_row, mapping = found
    table = Table(columns=list(mapping.values()), ignored_columns=[])
    for number, cells in [*head, *iterator]:
        if number <= header_row:
            continue
        values = {key: (cells[i] if i < len(cells) else None) for i, key in mapping.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        table.rows.append((number, values))
    return table


def read_sheet(path: Path, columns: Columns, required: Sequence[str]) -> Table:
    """The rows of the first sheet (of an .xlsx) that has the required columns, or a CSV."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        try:
            text = decode_text(path.read_bytes())
        except OSError as exc:
            raise ImportFileError(_("无法打开文件：%(error)s") % {"error": exc.strerror}) from exc
        first = text.split("\n", 1)[0]
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            return _keyed(enumerate(reader, start=1), columns, required)
        except csv.Error as exc:
            raise ImportFileError(_("CSV文件格式有误：%(error)s") % {"error": str(exc)}) from exc
    if suffix in {".xlsx", ".xlsm"}:
        try:
            opened = _open_workbook(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ImportFileError(
                _("无法读取该Excel文件（%(error)s）。请用Excel另存为 .xlsx 后重试。")
                % {"error": type(exc).__name__}
            ) from exc
        if opened is None:  # pragma: no cover - another openpyxl
            raise ImportFileError(_("无法读取该Excel文件"))
        try:
            first_error: ImportFileError | None = None
            for sheet in opened.sheets:
                rows = _sheet_rows(
                    opened.archive, sheet, opened.strings, opened.date_styles, opened.epoch
                )
                try:
                    return _keyed(rows, columns, required)
                except ImportFileError as exc:
                    first_error = first_error or exc
            raise first_error or ImportFileError(_("Excel文件中没有工作表"))
        finally:
            opened.archive.close()
    raise ImportFileError(
        _("不支持的文件类型“%(suffix)s”，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix or "?"}
    )
