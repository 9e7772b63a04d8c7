"""Writing cells that came from people into spreadsheets without letting them run as formulas.

A name typed as `=HYPERLINK(...)` or `+cmd|...` would otherwise become a live formula when an
export is opened in Excel or WPS (CSV/formula injection).
"""

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """CSV has no cell types: a leading apostrophe is how spreadsheets are told "text"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_cell(sheet: WriteOnlyWorksheet, value: Any, *, as_text_format: bool = False) -> Any:
    """An xlsx cell whose string value is stored as a string, never as a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if as_text_format:
        cell.number_format = "@"
    return cell
