"""Writing the residents files the tests import: real .xlsx and .csv files on disk."""

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tongxin.factories import make_id_number
from tongxin.imports.services import CANONICAL_COLUMNS

HEADER = list(CANONICAL_COLUMNS)


def resident(
    name: str = "张三",
    number: str | int | float | None = None,
    *,
    phone: Any = "",
    township: str = "芹阳办事处",
    community: str = "东门社区",
    estate: str = "阳光小区",
    building: Any = "1",
    stairwell: Any = "",
    room: Any = "101",
    status: str = "",
    doc_type: str = "",
) -> dict[str, Any]:
    """One row keyed by canonical header; a fresh valid ID number unless one is given."""
    return {
        "姓名": name,
        "证件类型": doc_type,
        "证件号码": make_id_number() if number is None else number,
        "手机号": phone,
        "乡镇街道": township,
        "社区": community,
        "小区": estate,
        "楼幢": building,
        "单元": stairwell,
        "房号": room,
        "居住状态": status,
    }


def _matrix(rows: Iterable[dict[str, Any]], header: Sequence[str]) -> list[list[Any]]:
    return [[r.get(h, "") for h in header] for r in rows]


def write_xlsx(
    path: Path,
    rows: Iterable[dict[str, Any]],
    *,
    header: Sequence[str] = HEADER,
    titles: Sequence[str] = (),
    names: dict[str, str] | None = None,
) -> Path:
    """An .xlsx with optional title rows above the header; `names` renames header cells
    (canonical → what the file calls it)."""
    workbook = Workbook()
    sheet = workbook.active
    for title in titles:
        sheet.append([title])
    shown = [(names or {}).get(h, h) for h in header]
    sheet.append(shown)
    for values in _matrix(rows, header):
        sheet.append([None if v == "" else v for v in values])
    workbook.save(path)
    return path


def write_csv(
    path: Path,
    rows: Iterable[dict[str, Any]],
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8-sig",
    names: dict[str, str] | None = None,
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([(names or {}).get(h, h) for h in header])
        writer.writerows(_matrix(rows, header))
    return path
