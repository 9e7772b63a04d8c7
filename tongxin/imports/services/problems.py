"""The problems file: every rejected or warned row with its row number, values and reasons."""

from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tongxin.core.spreadsheets import text_cell
from tongxin.imports.services.engine import ImportResult, RowProblem

# Columns Excel must keep as text, or it would mangle ID numbers and phones again.
TEXT_COLUMNS = {"证件号码", "手机号", "房号", "楼幢", "单元", "行政区划代码", "包楼"}


def _rows(problems: list[RowProblem]) -> list[tuple[int, str, str, dict[str, str]]]:
    """One line per file row: rejected wins over warnings; reasons joined."""
    by_row: dict[int, list[RowProblem]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(problem)
    lines = []
    for row in sorted(by_row):
        found = by_row[row]
        rejected = [p for p in found if p.level == "rejected"]
        shown = rejected or found
        outcome = _("未导入") if rejected else _("已导入，请核对")
        reasons = "；".join(p.message for p in shown)
        lines.append((row, outcome, reasons, shown[0].values))
    return lines


def write_problems_xlsx(result: ImportResult, out: Path | BinaryIO) -> None:
    """The rejected and warned rows with their original row number, values and the reason."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("问题清单"))
    present = {c for p in result.problems for c in p.values}
    columns = [c for c in result.columns if c in present]
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 8), ("B", 14), ("C", 60)):
        sheet.column_dimensions[letter].width = width
    header = []
    for title in [_("原行号"), _("处理结果"), _("原因"), *columns]:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row, outcome, reasons, values in _rows(result.problems):
        cells: list[object] = [row, outcome, reasons]
        for column in columns:
            value = values.get(column, "")
            cells.append(text_cell(sheet, value, as_text_format=column in TEXT_COLUMNS))
        sheet.append(cells)
    workbook.save(out)
