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


def _excel_like(path: Path) -> Path:
    """A workbook as Excel writes it: shared strings, a <dimension>, a date style."""
    import zipfile

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "application/vnd.openxmlformats-package."
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    texts = ["姓名", "证件号码", "小区", "楼幢", "房号", "张三", "11010519491231002X", "阳光小区"]
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{package}relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sml}sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sml}worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{sml}sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{sml}styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook {ns} xmlns:r="{rel}"><sheets>'
            '<sheet name="居民" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": (
            f'<sst {ns} count="8" uniqueCount="8">'
            + "".join(f"<si><t>{t}</t></si>" for t in texts)
            + '<si><r><t>1</t></r><r><t>01</t></r><rPh sb="0" eb="1"><t>x</t></rPh></si>'
            + "</sst>"
        ),
        "xl/styles.xml": (
            f'<styleSheet {ns}><fonts count="1"><font/></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" xfId="0"/>'
            '<xf numFmtId="14" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet {ns}><dimension ref="A1:F2"/><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
            '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>'
            '<c r="E1" t="s"><v>4</v></c><c r="F1"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" t="s"><v>6</v></c>'
            '<c r="C2" t="s"><v>7</v></c><c r="D2"><v>3</v></c><c r="E2" t="s"><v>8</v></c>'
            '<c r="F2" s="1"><v>44621</v></c></row>'
            "</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_an_excel_written_workbook_with_shared_strings(tmp_path: Path) -> None:
    path = _excel_like(tmp_path / "excel.xlsx")
    workbook = load_workbook(path, read_only=True, data_only=True)
    theirs = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()

    table = read_xlsx(path)

    assert theirs[1][5] == dt.datetime(2022, 3, 1)
    assert table.rows == [
        (2, {"姓名": "张三", "证件号码": "11010519491231002X", "小区": "阳光小区", "楼幢": 3,
             "房号": "101"}),
    ]  # fmt: skip
    assert table.ignored_columns == ["1"]
