"""Reading an uploaded assessment workbook: find a sheet and its header row (by name or
alias, in any column order), read its non-blank rows, and read each cell as text, score or
points, noting every problem with its sheet, row and column; find a row's subject by 编号
or 名称.
"""

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from survey_app.models.assessment import PlanSubject
from survey_app.services.assessment.file_format import (
    HEADER_ALIASES,
    HEADER_SEARCH_ROWS,
    KEY,
    MAX_DATA_ROWS,
    NAME,
)
from survey_app.services.assessment.scoring import KEEP
from survey_app.services.platform import sheets


@dataclass(frozen=True, slots=True)
class DataSheet:
    """A data sheet as read: where each known column is, its non-blank rows, and the text of
    the rows above the header."""

    name: str
    letters: Mapping[str, str]
    rows: tuple[tuple[int, Mapping[str, Any]], ...]
    above: tuple[tuple[int, str], ...]  # (row number, text) of the cells above the header


def _header_of(value: Any) -> str:
    text = sheets.cell_text(value)
    return HEADER_ALIASES.get(text, text)


def read_data_sheet(workbook, name: str, columns: tuple[str, ...], problems: list[str]) -> DataSheet | None:
    """Read the sheet `name` (None when the workbook has none): its header row among the first
    rows, where each of `columns` is, and its non-blank rows; note each missing or repeated
    column and a sheet over MAX_DATA_ROWS in `problems`."""
    worksheet = next((ws for ws in workbook.worksheets if ws.title.strip() == name), None)
    if worksheet is None:
        return None
    rows = enumerate(worksheet.iter_rows(values_only=True), 1)
    above: list[tuple[int, str]] = []
    number, header = 1, ()  # without a header row, messages name row 1
    for row_number, values in rows:
        if set(columns) & {_header_of(v) for v in values}:
            number, header = row_number, values
            break
        above += [(row_number, sheets.cell_text(v)) for v in values if sheets.cell_text(v)]
        if row_number >= HEADER_SEARCH_ROWS:
            break
    found: dict[str, tuple[str, int]] = {}
    for index, value in enumerate(header):
        text, letter = _header_of(value), get_column_letter(index + 1)
        if text in found:
            problems.append(sheets.repeated_header_message(name, number, text, found[text][0], letter))
        elif text in columns:
            found[text] = (letter, index)
    for column in columns:
        if column not in found:
            problems.append(
                _(
                    "工作表“%(sheet)s”第 %(row)d 行：缺少列“%(header)s”，请使用导入模板",
                    sheet=name,
                    row=number,
                    header=column,
                )
            )
    data = []
    for row_number, values in rows:
        cells = {h: values[i] if i < len(values) else None for h, (_letter, i) in found.items()}
        if all(sheets.cell_text(v) == "" for v in cells.values()):
            continue
        if len(data) == MAX_DATA_ROWS:
            problems.append(_("工作表“%(sheet)s”超过 %(max)d 行，请分批导入", sheet=name, max=MAX_DATA_ROWS))
            break
        data.append((row_number, cells))
    return DataSheet(name, {h: letter for h, (letter, _i) in found.items()}, tuple(data), tuple(above))


class RowReader:
    """Read one data row's cells by header, noting each problem with its cell address."""

    def __init__(self, sheet: DataSheet, number: int, values: Mapping[str, Any], problems: list[str]):
        self.sheet, self.row, self.values, self.problems = sheet, number, values, problems
        self.is_valid = True

    def fail(self, header: str, problem: str) -> None:
        """Note `problem` at this row's cell under `header`; the row is then invalid."""
        self.is_valid = False
        self.problems.append(
            _(
                "工作表“%(sheet)s”第 %(row)d 行 %(letter)s 列（%(header)s）：%(problem)s",
                sheet=self.sheet.name,
                row=self.row,
                letter=self.sheet.letters.get(header, "?"),
                header=header,
                problem=problem,
            )
        )

    def text(self, header: str, max_length: int = 10_000, *, required: bool = False) -> str:
        """The cell as text ("" without the column), noting a blank required or too long one."""
        if header not in self.sheet.letters:
            return ""
        value = sheets.cell_text(self.values.get(header))
        if required and not value:
            self.fail(header, _("不能为空"))
        elif len(value) > max_length:
            self.fail(
                header, _("不能超过 %(max)d 个字符（现有 %(count)d 个）", max=max_length, count=len(value))
            )
        return value

    def score(self, header: str):
        """A 0–100 score, or KEEP for a blank cell (or a wrong one, whose problem is noted)."""
        raw = self.values.get(header)
        if header not in self.sheet.letters or sheets.cell_text(raw) == "":
            return KEEP
        number = sheets.cell_number(raw)
        if number is None:
            self.fail(header, _("应为数字（现为“%(value)s”）", value=sheets.cell_text(raw)))
        elif not 0 <= number <= 100:
            self.fail(header, _("应为 0–100 之间的数（现为 %(value)s）", value=sheets.cell_text(raw)))
        else:
            return number
        return KEEP

    def points(self, header: str) -> float:
        """Bonus or deduction points, over 0 and at most 100 (0.0 for a wrong cell, noted)."""
        raw = self.values.get(header)
        if header not in self.sheet.letters:
            return 0.0  # the missing column is reported once for the sheet
        if sheets.cell_text(raw) == "":
            self.fail(header, _("不能为空"))
            return 0.0
        number = sheets.cell_number(raw)
        if number is None:
            self.fail(header, _("应为数字（现为“%(value)s”）", value=sheets.cell_text(raw)))
        elif not 0 < number <= 100:
            self.fail(header, _("应大于 0，且不超过 100（现为 %(value)s）", value=sheets.cell_text(raw)))
        else:
            return number
        return 0.0


class SubjectFinder:
    """Find a row's subject by 编号, or by 名称 when 编号 is blank; both given must agree."""

    def __init__(self, subjects: Iterable[PlanSubject]):
        self.by_key: dict[str, PlanSubject] = {}
        self.by_name: dict[str, list[PlanSubject]] = {}
        for subject in subjects:
            self.by_key[subject.key] = subject
            self.by_name.setdefault(subject.name, []).append(subject)

    def find(self, reader: RowReader) -> PlanSubject | None:
        """The row's subject, or None after noting why it has none."""
        key, name = reader.text(KEY), reader.text(NAME)
        if key:
            subject = self.by_key.get(key) or self.by_key.get(unicodedata.normalize("NFKC", key))
            if subject is None:
                reader.fail(KEY, _("找不到编号为“%(key)s”的考核对象", key=key))
            elif name and name != subject.name:
                reader.fail(
                    NAME,
                    _(
                        "编号“%(key)s”的考核对象是“%(actual)s”，与本行的“%(name)s”不一致",
                        key=key,
                        actual=subject.name,
                        name=name,
                    ),
                )
                return None
            return subject
        if not name:
            reader.fail(KEY, _("请填写编号或名称"))
            return None
        named = self.by_name.get(name, [])
        if len(named) > 1:
            reader.fail(NAME, _("名称“%(name)s”对应多个考核对象，请填写编号", name=name))
        elif not named:
            reader.fail(NAME, _("找不到名称为“%(name)s”的考核对象", name=name))
        return named[0] if len(named) == 1 else None


def subject_column(reader: RowReader) -> str:
    """The column naming the row's subject: 编号 when filled in, else 名称."""
    return KEY if sheets.cell_text(reader.values.get(KEY)) else NAME
