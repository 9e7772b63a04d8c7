"""The .docx opens in python-docx with its sections, the .xlsx in openpyxl with one sheet per
table, and `tongxin report daily --json` prints the same keys as the .xlsx."""

import io
import json

from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from tongxin.command.factories import help_request, local
from tongxin.command.services import documents, reports


def test_docx_and_xlsx_sections(world):
    help_request(world.incident, local(7, 9), world.homes["sun"], closed_at=local(7, 15))
    report = reports.generate(world.incident, local(7).date(), now=local(8, 1))
    report = reports.edit(report, world.users["command"], {"key_work": "全员核酸第一轮完成"})

    doc = Document(io.BytesIO(documents.render_docx(report)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "疫情防控工作日报"
    for title in (
        "求助平台",
        "三区管控",
        "指令办理",
        "当日重点工作",
        "分乡镇（街道）情况",
        "大事记",
    ):
        assert title in headings
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "第1期" in body and "截至3月7日24时" in body
    assert "全员核酸第一轮完成" in body
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    assert {"受理", "芹阳办事处", "华埠镇"} <= cells

    book = load_workbook(io.BytesIO(documents.render_xlsx(report)))
    tables = reports.rows(report)
    assert book.sheetnames == list(tables)
    figures = book["figures"]
    header = [c.value for c in figures[1]]
    assert header == ["section", "key", "label", "value", "change"]
    received = [r for r in figures.iter_rows(values_only=True) if r[1] == "helpdesk.received"]
    assert received == [("求助平台", "helpdesk.received", "受理", 1, 1)]


def test_command_prints_the_xlsx_keys_and_writes_files(world, tmp_path, capsys, settings):
    help_request(world.incident, local(7, 9), world.homes["sun"])
    docx_path, xlsx_path = tmp_path / "r.docx", tmp_path / "r.xlsx"
    call_command(
        "report", "daily", "--incident", str(world.incident.pk), "--date", "2022-03-07",
        "--docx", str(docx_path), "--xlsx", str(xlsx_path), "--json",
    )  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    book = load_workbook(xlsx_path)
    assert list(printed) == book.sheetnames
    for name in book.sheetnames:
        header = [c.value for c in book[name][1] if c.value is not None]
        if printed[name]:
            assert header == list(printed[name][0])
    assert docx_path.read_bytes()[:2] == b"PK"
    # Called again, the same report (frozen), the same bytes.
    first = docx_path.read_bytes()
    call_command(
        "report", "daily", "--incident", str(world.incident.pk), "--date", "2022-03-07",
        "--docx", str(docx_path),
    )  # fmt: skip
    assert docx_path.read_bytes() == first
