"""The problems file: rejected and warned rows, original row number, values and reason."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tongxin.core.idnumbers import check_char
from tongxin.imports.services import import_residents, write_problems_xlsx
from tongxin.imports.tests.workbooks import resident, write_xlsx

pytestmark = pytest.mark.django_db

NUMERIC = "33082419900101123" + check_char("33082419900101123")


def test_rows_values_and_reasons(county, tmp_path: Path) -> None:
    rows = [
        resident("甲"),
        resident("乙", int(NUMERIC), room="102"),
        resident("丙", phone="12345", room="103", status="出国"),
        resident("", room="104"),
    ]
    path = write_xlsx(tmp_path / "f.xlsx", rows, titles=["居民登记表"])
    result = import_residents(path)
    out = tmp_path / "problems.xlsx"

    write_problems_xlsx(result, out)

    sheet = load_workbook(out).active
    lines = list(sheet.iter_rows(values_only=True))
    header = lines[0]
    assert header[:3] == ("原行号", "处理结果", "原因")
    by_row = {line[0]: dict(zip(header, line, strict=True)) for line in lines[1:]}
    assert sorted(by_row) == [4, 5, 6]  # rows in the file, after the title row and header

    numeric = by_row[4]
    assert numeric["处理结果"] == "未导入"
    assert "存成了数字" in numeric["原因"]
    assert numeric["证件号码"] == "3.30824E+17"
    assert numeric["姓名"] == "乙"

    warned = by_row[5]
    assert warned["处理结果"] == "已导入，请核对"
    assert (
        warned["原因"]
        == "手机号无效，已忽略该号码，人员照常导入；居住状态“出国”无法识别，按“常住”导入"
    )
    assert warned["手机号"] == "12345"
    assert warned["房号"] == "103"

    assert by_row[6]["原因"] == "缺少姓名"
    # Numbers stay text when the user fixes the file in Excel.
    assert sheet.cell(row=2, column=header.index("证件号码") + 1).number_format == "@"


def test_written_to_a_stream_even_without_problems(county, tmp_path: Path) -> None:
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", [resident("甲")]))
    buffer = io.BytesIO()
    write_problems_xlsx(result, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.max_row == 1
