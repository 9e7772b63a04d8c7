"""The daily report as .docx (python-docx) and .xlsx (openpyxl), rendered from its snapshot.

Same snapshot and text sections, same bytes: the documents' own dates (core properties) are
set to the report's cut-off, and the zip containers are rewritten with fixed entry times and
order, so a draft rendered twice, or an issued report downloaded a year later, is identical.
"""

import datetime as dt
import io
import re
import zipfile
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.command.models import DailyReport
from tongxin.command.services.reports import TEXT_SECTIONS, cutoff_label, rows

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _fixed_moment(report: DailyReport) -> dt.datetime:
    return timezone.localtime(report.cutoff_at).replace(tzinfo=None)


def stable_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same archive with every entry's time fixed and the core properties' dates set to
    `moment`: what the libraries stamp with "now" no longer differs between two renders."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return out.getvalue()


def _title(report: DailyReport) -> str:
    from tongxin.command.services.reports import settings_for

    return settings_for(report.incident).title


def _value(value: Any) -> str:
    if value is None:
        return "—"
    return str(value)


def _change(value: Any) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else str(value)


def render_docx(report: DailyReport) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    snap = report.snapshot
    moment = _fixed_moment(report)
    doc = Document()
    props = doc.core_properties
    props.author = props.last_modified_by = ""
    props.title = f"{_title(report)} 第{report.number}期"
    props.created = props.modified = props.last_printed = moment
    props.revision = 1

    heading = doc.add_heading(_title(report), level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line = doc.add_paragraph(
        _("第%(n)s期　　%(cutoff)s") % {"n": report.number, "cutoff": cutoff_label(report)}
    )
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(snap["incident"])

    for section in snap["sections"]:
        doc.add_heading(section["title"], level=1)
        for _key, text in section.get("text", []):
            doc.add_paragraph(str(text))
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        head = table.rows[0].cells
        head[0].text, head[1].text, head[2].text = _("项目"), _("累计/现有"), _("本期变化")
        for f in section["figures"]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = (
                f["label"],
                _value(f["value"]),
                _change(f["change"]),
            )
        for sub_table in section.get("tables", []):
            columns = sub_table["columns"]
            if not sub_table["rows"] or not columns:
                continue
            sub = doc.add_table(rows=1, cols=len(columns))
            sub.style = "Table Grid"
            for cell, column in zip(sub.rows[0].cells, columns, strict=True):
                cell.text = str(column)
            for row in sub_table["rows"]:
                for cell, value in zip(sub.add_row().cells, row, strict=True):
                    cell.text = _value(value)

    for key, label in TEXT_SECTIONS:
        doc.add_heading(str(label), level=1)
        for paragraph in (report.texts.get(key) or "—").splitlines() or ["—"]:
            doc.add_paragraph(paragraph)

    data = rows(report)
    doc.add_heading(_("分乡镇（街道）情况"), level=1)
    if data["townships"]:
        columns = list(data["townships"][0])
        labels = _column_labels(report)
        table = doc.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        for cell, column in zip(table.rows[0].cells, columns, strict=True):
            cell.text = labels.get(column, column) if column != "township" else _("乡镇（街道）")
        for row in data["townships"]:
            for cell, column in zip(table.add_row().cells, columns, strict=True):
                cell.text = _value(row.get(column))

    doc.add_heading(_("大事记"), level=1)
    for entry in snap["timeline"] or [{"at": "", "text": _("本期无")}]:
        doc.add_paragraph(f"{entry['at']}　{entry['text']}".strip())

    mismatches = [r for r in report.reconciliation if not r["ok"]]
    if mismatches:
        doc.add_heading(_("数据核对说明"), level=1)
        for r in mismatches:
            doc.add_paragraph(
                _("%(label)s：上期%(prev)s，本期应为%(exp)s，实为%(val)s。原因：%(cause)s")
                % {
                    "label": r["label"],
                    "prev": r["previous"],
                    "exp": r["expected"],
                    "val": r["value"],
                    "cause": r["cause"],
                }
            )
    out = io.BytesIO()
    doc.save(out)
    return stable_zip(out.getvalue(), moment)


def _column_labels(report: DailyReport) -> dict[str, str]:
    return {
        f"{s['module']}.{f['key']}": f"{s['title']}·{f['label']}"
        for s in report.snapshot["sections"]
        for f in s["figures"]
    }


def render_xlsx(report: DailyReport) -> bytes:
    """One sheet per table of `rows(report)`, its first row the keys (as the JSON has them)."""
    from openpyxl import Workbook

    moment = _fixed_moment(report)
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = ""
    book.properties.title = f"{_title(report)} 第{report.number}期"
    book.properties.created = book.properties.modified = moment
    for name, table in rows(report).items():
        sheet = book.create_sheet(name)
        columns: list[str] = []
        for row in table:
            columns += [c for c in row if c not in columns]
        sheet.append(columns)
        for row in table:
            sheet.append([_cell(row.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return stable_zip(out.getvalue(), moment)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def filename(report: DailyReport, ext: str) -> str:
    return f"daily-report-{report.report_date.isoformat()}-{report.number}.{ext}"
