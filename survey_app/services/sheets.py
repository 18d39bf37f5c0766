"""Spreadsheet building blocks shared by every .xlsx and CSV export: formula-injection
neutralising and a formatted sheet with a frozen Chinese header row."""

from collections.abc import Iterable, Sequence

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

#: A spreadsheet reads a cell starting with one of these as a formula (or a DDE call).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """Neutralise spreadsheet formula injection: prefix a formula-like text with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def safe_cell(value):
    """`safe_text` for strings; numbers, dates and None pass through unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def write_sheet(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int],
                formats: dict[int, str] | None = None) -> None:
    """Write a bold, frozen header row and the rows; set widths and number formats by column."""
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, int | float):
                cell.number_format = number_format
