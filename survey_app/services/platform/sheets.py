"""Spreadsheet building blocks shared by every .xlsx and CSV export and every .xlsx upload:
formula-injection neutralising, a formatted sheet with a frozen Chinese header row, and
reading uploaded cells and workbooks safely."""

import math
import time
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
# Upload limits (docs/operations.md, "Upload limits"). An 8 MB upload can inflate to
# gigabytes, and openpyxl reads the whole shared-strings part into memory when it opens a
# workbook, so sizes are checked from the zip directory before openpyxl sees anything
# (zipfile never inflates a member past its declared size: a lying directory fails its CRC).
#: Shared strings (every distinct text of the workbook), uncompressed.
MAX_SHARED_STRINGS_BYTES = 10 * 1024 * 1024
#: One worksheet's XML, uncompressed (a 10,000-row roster is about 4 MB).
MAX_WORKSHEET_BYTES = 40 * 1024 * 1024
#: Any other part (styles, drawings, …), uncompressed.
MAX_OTHER_PART_BYTES = 10 * 1024 * 1024
#: The whole package, uncompressed.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 1000
#: Deflate compresses spreadsheet XML 10–50 times; far beyond that is a crafted bomb.
MAX_COMPRESSION_RATIO = 200
_RATIO_CHECKED_FROM_BYTES = 1024 * 1024
#: Rows read from one sheet, blank ones and those filled only in ignored columns included.
MAX_SHEET_ROWS = 50_000
#: Columns read from a row; cells further right are not looked at.
MAX_COLUMNS = 200
#: Excel's own limit for a cell's text.
MAX_CELL_CHARS = 32_767
#: Seconds one upload may spend reading its sheets (a worker also serves ballots).
READ_SECONDS = 10.0
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


def _too_large(part: str, limit: int) -> str:
    what = (_("文字内容") if part == "xl/sharedStrings.xml"
            else _("一个工作表") if part.startswith("xl/worksheets/") else _("一个组成部分"))
    return _(
        "工作簿内容过大：%(what)s解压后超过 %(limit)d MB。请删除无关的工作表、行和列后重新上传，或分批导入",
        what=what, limit=limit // (1024 * 1024),
    )


def _part_limit(name: str) -> int:
    if name == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS_BYTES
    if name.startswith("xl/worksheets/"):
        return MAX_WORKSHEET_BYTES
    return MAX_OTHER_PART_BYTES


def _package_problem(infos: list[zipfile.ZipInfo]) -> str | None:
    """Say why the zip directory describes a package too costly to open, or None."""
    if len(infos) > MAX_PARTS:
        return _("工作簿的组成部分过多（超过 %(count)d 个），可能已损坏", count=MAX_PARTS)
    for info in infos:
        if info.file_size > _part_limit(info.filename):
            return _too_large(info.filename, _part_limit(info.filename))
        if info.file_size > _RATIO_CHECKED_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            return _("工作簿的压缩比异常（解压后是原来的 %(ratio)d 倍以上），已拒绝",
                     ratio=MAX_COMPRESSION_RATIO)
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        return _too_large("", MAX_UNCOMPRESSED_BYTES)
    return None


def workbook_problem(data: bytes) -> str | None:
    """Say why `data` is not a readable .xlsx workbook, or return None when it may be one."""
    if data.startswith(_OLE_MAGIC):
        # Encrypted OOXML is wrapped in an OLE container, like the old .xls format.
        if "EncryptionInfo".encode("utf-16-le") in data:
            return _("文件设置了打开密码，请在 Excel 中取消密码后重新上传")
        return _("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后重新上传")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return _("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏")
    return _package_problem(infos)


class BoundedSheet:
    """A read-only worksheet whose rows stop at the row, column, cell and time limits: past
    one, reading raises ValidationFailed(refusal, [why]) instead of going on."""

    def __init__(self, sheet, refusal: str, deadline: float):
        self._sheet = sheet
        self._refusal = refusal
        self._deadline = deadline
        self.title = sheet.title

    def _refuse(self, problem: str):
        raise ValidationFailed(self._refusal, [problem])

    def iter_rows(self, min_row: int | None = None, max_row: int | None = None, min_col: int | None = None,
                  max_col: int | None = None, values_only: bool = False):
        """openpyxl's iter_rows, bounded."""
        max_col = min(max_col or MAX_COLUMNS, MAX_COLUMNS)
        rows = self._sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                                     values_only=values_only)
        for count, row in enumerate(rows, 1):
            if count > MAX_SHEET_ROWS:
                self._refuse(_("工作表“%(sheet)s”超过 %(max)d 行（空行和无关的列也算在内），请删除多余的行或分批导入",
                               sheet=self.title, max=MAX_SHEET_ROWS))
            if count % 256 == 0 and time.monotonic() > self._deadline:
                self._refuse(_("读取工作簿超过 %(seconds)d 秒，已停止：请删除无关的内容或分批导入",
                               seconds=int(READ_SECONDS)))
            for cell in row:
                value = cell if values_only else getattr(cell, "value", None)
                if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    self._refuse(_("工作表“%(sheet)s”第 %(row)d 行有单元格超过 %(max)d 个字符",
                                   sheet=self.title, row=(min_row or 1) + count - 1, max=MAX_CELL_CHARS))
            yield row


class BoundedWorkbook:
    """An uploaded workbook opened read-only (streaming), with bounded sheets."""

    def __init__(self, workbook, refusal: str, deadline: float):
        self._workbook = workbook
        self.worksheets = [BoundedSheet(sheet, refusal, deadline) for sheet in workbook.worksheets]

    def close(self) -> None:
        self._workbook.close()


def open_workbook(data: bytes, refusal: str) -> BoundedWorkbook:
    """Open an uploaded workbook read-only and bounded, or raise ValidationFailed(refusal, [why]).

    The package's sizes are checked before openpyxl parses anything; its sheets then read
    row by row and refuse past MAX_SHEET_ROWS rows, a cell over MAX_CELL_CHARS or
    READ_SECONDS seconds; columns past MAX_COLUMNS are not read.
    """
    problem = workbook_problem(data)
    if problem is None:
        deadline = time.monotonic() + READ_SECONDS
        try:
            with warnings.catch_warnings():
                # openpyxl warns about Excel features it does not read (extensions,
                # default styles); they do not matter for reading cell values.
                warnings.simplefilter("ignore")
                workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
        # openpyxl raises many kinds (KeyError, ValueError, XML errors …) on a broken package.
        except Exception:  # noqa: BLE001
            problem = _("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏")
        else:
            return BoundedWorkbook(workbook, refusal, deadline)
    raise ValidationFailed(refusal, [problem])
