"""Spreadsheet building blocks shared by every .xlsx and CSV export and every .xlsx upload:
formula-injection neutralising, a formatted sheet with a frozen Chinese header row, and
reading uploaded cells and workbooks safely."""

import math
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from survey_app.errors import ValidationFailed

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


# ---- reading uploaded workbooks -----------------------------------------------------------

#: Characters str.strip() keeps but Excel users cannot see (zero-width space, BOM).
_INVISIBLE = "\u200b\ufeff"
#: Uncompressed size cap: an 8 MB upload can inflate to gigabytes (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def cell_text(value: Any) -> str:
    """Return a cell's value as trimmed text; whole numbers lose Excel's ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().strip(_INVISIBLE).strip()


def cell_key(value: Any) -> str:
    """Return a cell's value as a key: full-width "Ｃ１" (typed with a Chinese IME) becomes C1."""
    return unicodedata.normalize("NFKC", cell_text(value))


def cell_number(value: Any) -> float | None:
    """Return a cell's number (also from text such as "12" or full-width "１２"), else None."""
    if isinstance(value, bool):  # TRUE/FALSE cells are ints to Python, not numbers here
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(cell_key(value))
        except ValueError:
            return None
    return number if math.isfinite(number) else None  # "nan" and "inf" parse as floats


def repeated_header_message(sheet: str, row: int, header: str, first: str, again: str) -> str:
    """A header row naming one column twice: which sheet, row and column letters."""
    return _(
        "工作表“%(sheet)s”第 %(row)d 行：列“%(header)s”出现了不止一次（%(first)s 列和 %(again)s 列）",
        sheet=sheet, row=row, header=header, first=first, again=again,
    )


def workbook_problem(data: bytes) -> str | None:
    """Say why `data` is not a readable .xlsx workbook, or return None when it may be one."""
    if data.startswith(_OLE_MAGIC):
        # Encrypted OOXML is wrapped in an OLE container, like the old .xls format.
        if "EncryptionInfo".encode("utf-16-le") in data:
            return _("文件设置了打开密码，请在 Excel 中取消密码后重新上传")
        return _("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后重新上传")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        return _("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏")
    if size > MAX_UNCOMPRESSED_BYTES:
        return _("工作簿内容过大，请删除无关的工作表或分批导入")
    return None


def open_workbook(data: bytes, refusal: str):
    """Open an uploaded workbook read-only, or raise ValidationFailed(refusal, [why])."""
    problem = workbook_problem(data)
    if problem is None:
        try:
            with warnings.catch_warnings():
                # openpyxl warns about Excel features it does not read (extensions,
                # default styles); they do not matter for reading cell values.
                warnings.simplefilter("ignore")
                return load_workbook(BytesIO(data), read_only=True, data_only=True)
        # openpyxl raises many kinds (KeyError, ValueError, XML errors …) on a broken package.
        except Exception:  # noqa: BLE001
            problem = _("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏")
    raise ValidationFailed(refusal, [problem])
