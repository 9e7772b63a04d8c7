"""The fast sheet reader gives the values openpyxl's own read-only reader gives."""

import datetime as dt
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from tongxin.imports.readers import _open_workbook, _sheet_rows, read_xlsx


def _workbook(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["居民登记表"])
    sheet.append(["姓名", "证件号码", "小区", "楼幢", "房号", "出生日期", "备注", "标记"])
    sheet.append(["张三", "11010519491231002X", "阳光小区", 3, 101.0, dt.date(1949, 12, 31),
                  "a & b < c", True])  # fmt: skip
    sheet.append(["李四", 330824199001011230, "阳光小区", "3幢", "101室", None, None, False])
    sheet["A5"] = "王五"
    sheet["E5"] = 3.30824e17
    sheet["H5"] = "=1+1"
    sheet["B6"] = CellRichText([TextBlock(InlineFont(b=True), "1101"), "05194912310021"])
    sheet["AA7"] = "far right"
    workbook.save(path)
    return path


def test_fast_rows_equal_openpyxl_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "f.xlsx")
    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    theirs = list(sheet.iter_rows(values_only=True))
    workbook.close()
    opened = _open_workbook(path)
    assert opened is not None
    ours = dict(
        _sheet_rows(opened.archive, opened.sheets[0], opened.strings, opened.date_styles,
                    opened.epoch)
    )  # fmt: skip
    opened.archive.close()

    for number, expected in enumerate(theirs, start=1):
        got = ours.get(number, [])
        got = got + [None] * (len(expected) - len(got))
        assert got == list(expected), number
    assert ours[7][26] == "far right"


def test_read_xlsx_keys_rows_by_canonical_column(tmp_path: Path) -> None:
    table = read_xlsx(_workbook(tmp_path / "f.xlsx"))
    assert table.columns == ["姓名", "证件号码", "小区", "楼幢", "房号"]
    assert table.ignored_columns == ["出生日期", "备注", "标记"]
    first_number, first = table.rows[0]
    assert first_number == 3
    assert first == {"姓名": "张三", "证件号码": "11010519491231002X", "小区": "阳光小区",
                     "楼幢": 3, "房号": 101}  # fmt: skip
    assert isinstance(table.rows[1][1]["证件号码"], (int, float))  # a number, as stored
    assert [n for n, _ in table.rows] == [3, 4, 5, 6]  # row 7 has nothing in our columns
