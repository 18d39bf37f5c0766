"""Reading an organizer's roster workbook into plain rows (roster_format.py): finding each
sheet's header, reading every cell by its column, and checking the rows (lengths, keys,
numbers, duplicates, one category per unit, the subjects a group names). Every problem
of a file is reported at once, with its sheet, row and column; nothing is written.
"""

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from survey_app.errors import ValidationFailed
from survey_app.models import SubjectKind
from survey_app.services.design.roster_format import (
    ALL_SUBJECTS,
    GROUP_COLUMNS,
    GROUP_KEY_LENGTH,
    GROUP_NAME_LENGTH,
    GROUP_SHEET,
    KIND_BY_LABEL,
    MAX_DATA_ROWS,
    POSITION_TITLE_LENGTH,
    SUBJECT_COLUMNS,
    SUBJECT_KEY_LENGTH,
    SUBJECT_NAME_LENGTH,
    SUBJECT_SHEET,
    UNIT_CATEGORY_LENGTH,
    UNIT_NAME_LENGTH,
    ColumnSpec,
    GroupRow,
    Roster,
    SubjectRow,
)
from survey_app.services.platform import sheets

_KEY_PATTERN = re.compile(r"[A-Za-z0-9_\-]+")
#: Separators of the 评议对象 cell; keys contain no spaces, so whitespace separates too.
_KEY_SEPARATORS = re.compile(r"[、,，;；\s]+")
#: Title rows above the header are common in organizers' own sheets; look this far down.
_HEADER_SEARCH_ROWS = 10


# ---- reading cells ------------------------------------------------------------------------


def _cell_message(sheet: str, row: int, letter: str, header: str, problem: str) -> str:
    return _(
        "工作表“%(sheet)s”第 %(row)d 行 %(letter)s 列（%(header)s）：%(problem)s",
        sheet=sheet,
        row=row,
        letter=letter,
        header=header,
        problem=problem,
    )


def quoted(items: Collection[str]) -> str:
    """List items in Chinese quotes: “a”、“b”."""
    return "、".join(f"“{item}”" for item in items)


@dataclass(frozen=True, slots=True)
class _Sheet:
    """A data sheet as read: where each known column is, and its non-blank rows."""

    name: str
    letters: Mapping[str, str]  # header → column letter, for the headers found
    rows: tuple[tuple[int, Mapping[str, Any]], ...]  # (row number, header → raw value)


@dataclass(frozen=True, slots=True)
class _NumberRule:
    minimum: float
    maximum: float
    is_integer: bool
    default: float | None = None  # None: the cell is required


WEIGHT_RULE = _NumberRule(0, 1000, is_integer=False)
MIN_SIZE_RULE = _NumberRule(1, 1000, is_integer=True, default=3)
EXPECTED_COUNT_RULE = _NumberRule(0, 1_000_000, is_integer=True, default=0)


class _RowReader:
    """Read one data row's cells by header, noting each problem with its cell address.

    A column missing from the header has already been reported once for the sheet, so
    its cells read as blank here without further messages.
    """

    def __init__(self, sheet: _Sheet, number: int, values: Mapping[str, Any], problems: list[str]):
        self.sheet = sheet
        self.row = number
        self.values = values
        self.problems = problems
        self.is_valid = True

    def fail(self, header: str, problem: str) -> None:
        self.is_valid = False
        self.problems.append(
            _cell_message(self.sheet.name, self.row, self.sheet.letters[header], header, problem)
        )

    def has(self, header: str) -> bool:
        return header in self.sheet.letters

    def text(self, header: str, max_length: int, *, required: bool = False, as_key: bool = False) -> str:
        if not self.has(header):
            return ""
        value = (sheets.cell_key if as_key else sheets.cell_text)(self.values.get(header))
        if required and not value:
            self.fail(header, _("不能为空"))
        elif len(value) > max_length:
            self.fail(
                header, _("不能超过 %(max)d 个字符（现有 %(count)d 个）", max=max_length, count=len(value))
            )
        return value

    def key(self, header: str, max_length: int) -> str:
        """Read a required key; return "" when it is not usable (the problem is noted)."""
        value = self.text(header, max_length, required=True, as_key=True)
        if len(value) > max_length:
            return ""
        if value and not _KEY_PATTERN.fullmatch(value):
            self.fail(header, _("“%(value)s”只能使用字母、数字、下划线和连字符", value=value))
            return ""
        return value

    def subject_kind(self, header: str) -> SubjectKind | None:
        value = self.text(header, 100, required=True)
        if value and value not in KIND_BY_LABEL:
            self.fail(header, _("应为 干部、单位 或 领导班子"))
        return KIND_BY_LABEL.get(value)

    def number(self, header: str, rule: _NumberRule) -> float:
        raw = self.values.get(header)
        if not self.has(header) or sheets.cell_text(raw) == "":
            if rule.default is None and self.has(header):
                self.fail(header, _("不能为空"))
            return rule.default or 0
        number = sheets.cell_number(raw)
        if number is None:
            self.fail(header, _("应为数字（现为“%(value)s”）", value=sheets.cell_text(raw)))
        elif rule.is_integer and not number.is_integer():
            self.fail(header, _("应为整数（现为 %(value)s）", value=sheets.cell_text(raw)))
        elif number < rule.minimum:
            self.fail(header, _minimum_message(rule.minimum))
        elif number > rule.maximum:
            self.fail(header, _("不能大于 %(max)s", max=sheets.cell_text(rule.maximum)))
        else:
            return number
        return rule.default or 0

    def subject_keys(self, header: str, available: Collection[str] | None) -> tuple[str, ...] | None:
        """Read 全部 (None) or a list of subject keys; `available` None skips the existence check."""
        text = self.text(header, 10_000, required=True, as_key=True)
        parts = list(dict.fromkeys(p for p in _KEY_SEPARATORS.split(text) if p))
        if parts == [ALL_SUBJECTS]:
            return None
        if ALL_SUBJECTS in parts:
            self.fail(header, _("“全部”不能与编号同时填写"))
            return ()
        malformed = [p for p in parts if not _KEY_PATTERN.fullmatch(p)]
        if malformed:
            self.fail(header, _("编号 %(keys)s 只能使用字母、数字、下划线和连字符", keys=quoted(malformed)))
        unknown = [p for p in parts if p not in malformed and available is not None and p not in available]
        if unknown:
            self.fail(
                header,
                _(
                    "编号 %(keys)s 在工作表“%(sheet)s”和本问卷中都不存在",
                    keys=quoted(unknown),
                    sheet=SUBJECT_SHEET,
                ),
            )
        return tuple(parts)


def _minimum_message(minimum: float) -> str:
    if minimum == 0:
        return _("不能为负数")
    return _("至少为 %(min)s", min=sheets.cell_text(minimum))


# ---- reading the workbook -----------------------------------------------------------------


def _find_worksheet(workbook, name: str):
    # workbook.worksheets leaves out chart sheets, which have no cells.
    return next((ws for ws in workbook.worksheets if ws.title.strip() == name), None)


def _read_sheet(workbook, name: str, columns: tuple[ColumnSpec, ...], problems: list[str]) -> _Sheet | None:
    worksheet = _find_worksheet(workbook, name)
    if worksheet is None:
        problems.append(_("缺少工作表“%(sheet)s”，请使用导入模板", sheet=name))
        return None
    rows = enumerate(worksheet.iter_rows(values_only=True), 1)
    header_number, header = _find_header(rows, columns)
    positions = _map_headers(name, header_number, header, columns, problems)
    letters = {header: letter for header, (letter, _index) in positions.items()}
    return _Sheet(name=name, letters=letters, rows=_data_rows(name, rows, positions, problems))


def _find_header(rows: Iterator[tuple[int, tuple]], columns: tuple[ColumnSpec, ...]) -> tuple[int, tuple]:
    """Return the first row naming any known column (skipping title rows), else row 1."""
    known = {column.header for column in columns}
    for number, values in rows:
        if known & {sheets.cell_text(v) for v in values}:
            return number, values
        if number >= _HEADER_SEARCH_ROWS:
            break
    return 1, ()


def _map_headers(
    sheet: str, number: int, values: tuple, columns: tuple[ColumnSpec, ...], problems: list[str]
) -> dict[str, tuple[str, int]]:
    """Map each known header to (column letter, index); report duplicates and missing ones."""
    known = {column.header for column in columns}
    found: dict[str, tuple[str, int]] = {}
    unrecognized = []
    for index, value in enumerate(values):
        header, letter = sheets.cell_text(value), get_column_letter(index + 1)
        if header in found:
            problems.append(sheets.repeated_header_message(sheet, number, header, found[header][0], letter))
        elif header in known:
            found[header] = (letter, index)
        elif header:
            unrecognized.append(f"{letter} 列“{header}”")
    for column in columns:
        if column.header not in found:
            problems.append(_missing_column_message(sheet, number, column.header, unrecognized))
    return found


def _missing_column_message(sheet: str, row: int, header: str, unrecognized: list[str]) -> str:
    if unrecognized:
        return _(
            "工作表“%(sheet)s”第 %(row)d 行：缺少列“%(header)s”（未识别的列：%(others)s）",
            sheet=sheet,
            row=row,
            header=header,
            others="、".join(unrecognized),
        )
    return _("工作表“%(sheet)s”第 %(row)d 行：缺少列“%(header)s”", sheet=sheet, row=row, header=header)


def _data_rows(
    sheet: str, rows: Iterator[tuple[int, tuple]], columns: dict[str, tuple[str, int]], problems: list[str]
) -> tuple:
    """Return the non-blank rows below the header as (row number, header → value)."""
    result = []
    for number, values in rows:
        cells = {
            header: values[index] if index < len(values) else None
            for header, (_letter, index) in columns.items()
        }
        if all(sheets.cell_text(value) == "" for value in cells.values()):
            continue  # blank, or filled only in columns we ignore
        if len(result) == MAX_DATA_ROWS:
            problems.append(_("工作表“%(sheet)s”超过 %(max)d 行，请分批导入", sheet=sheet, max=MAX_DATA_ROWS))
            break
        result.append((number, cells))
    return tuple(result)


# ---- checking rows ------------------------------------------------------------------------


def _parse_subjects(sheet: _Sheet, problems: list[str]) -> list[SubjectRow]:
    subjects: list[SubjectRow] = []
    first_row_of_key: dict[str, int] = {}
    unit_categories: dict[str, tuple[str, int]] = {}  # unit → (category, row that set it)
    for number, values in sheet.rows:
        reader = _RowReader(sheet, number, values, problems)
        subject = _read_subject(reader)
        _check_duplicate(reader, "编号", subject.key, first_row_of_key)
        _check_unit_category(reader, subject, unit_categories)
        if subject.predecessor_key and subject.predecessor_key == subject.key:
            reader.fail("前任编号", _("不能与本人的编号相同"))
        if reader.is_valid:
            subjects.append(subject)
    return subjects


def _read_subject(reader: _RowReader) -> SubjectRow:
    return SubjectRow(
        row=reader.row,
        key=reader.key("编号", SUBJECT_KEY_LENGTH),
        name=reader.text("姓名或名称", SUBJECT_NAME_LENGTH, required=True),
        kind=reader.subject_kind("类别"),
        unit_name=reader.text("所在单位", UNIT_NAME_LENGTH),
        unit_category=reader.text("单位类别", UNIT_CATEGORY_LENGTH),
        position_title=reader.text("职务", POSITION_TITLE_LENGTH),
        # Any format: a predecessor may carry a key from an earlier year or system.
        predecessor_key=reader.text("前任编号", SUBJECT_KEY_LENGTH, as_key=True) or None,
    )


def _check_duplicate(reader: _RowReader, header: str, key: str, first_row_of_key: dict[str, int]) -> None:
    if not key:
        return
    if key in first_row_of_key:
        reader.fail(header, _("“%(key)s”与第 %(row)d 行重复", key=key, row=first_row_of_key[key]))
    else:
        first_row_of_key[key] = reader.row


def _check_unit_category(reader: _RowReader, subject: SubjectRow, seen: dict[str, tuple[str, int]]) -> None:
    """One unit has one category: refuse a category without a unit or two different ones."""
    if not subject.unit_category:
        return
    if not subject.unit_name:
        if reader.has("所在单位"):
            reader.fail("单位类别", _("填写了单位类别，但没有填写所在单位"))
        return
    category, row = seen.setdefault(subject.unit_name, (subject.unit_category, reader.row))
    if category != subject.unit_category:
        reader.fail(
            "单位类别",
            _(
                "单位“%(unit)s”在第 %(row)d 行的类别是“%(category)s”，两处应一致",
                unit=subject.unit_name,
                row=row,
                category=category,
            ),
        )


def _parse_groups(
    sheet: _Sheet, available_keys: Collection[str] | None, problems: list[str]
) -> list[GroupRow]:
    groups: list[GroupRow] = []
    first_row_of_key: dict[str, int] = {}
    for number, values in sheet.rows:
        reader = _RowReader(sheet, number, values, problems)
        group = GroupRow(
            row=number,
            key=reader.key("代码", GROUP_KEY_LENGTH),
            name=reader.text("名称", GROUP_NAME_LENGTH, required=True),
            weight=reader.number("权重", WEIGHT_RULE),
            min_size=int(reader.number("最少人数", MIN_SIZE_RULE)),
            expected_count=int(reader.number("应参加人数", EXPECTED_COUNT_RULE)),
            subject_keys=reader.subject_keys("评议对象", available_keys),
        )
        _check_duplicate(reader, "代码", group.key, first_row_of_key)
        if reader.is_valid:
            groups.append(group)
    return groups


def parse_roster(data: bytes, known_subject_keys: Collection[str] = ()) -> Roster:
    """Read a roster workbook into plain rows, or raise ValidationFailed listing every problem.

    A group may name subjects of the file or `known_subject_keys` (those already in the
    survey). Nothing is written to the database.
    """
    workbook = sheets.open_workbook(data, _("名册有误，未导入任何数据"))
    problems: list[str] = []
    try:
        subject_sheet = _read_sheet(workbook, SUBJECT_SHEET, SUBJECT_COLUMNS, problems)
        group_sheet = _read_sheet(workbook, GROUP_SHEET, GROUP_COLUMNS, problems)
    finally:
        workbook.close()
    subjects = _parse_subjects(subject_sheet, problems) if subject_sheet else []
    # Without a readable 编号 column every reference would look unknown: skip that check.
    available = None
    if subject_sheet and subject_sheet.letters.get("编号"):
        available = _keys_in_sheet(subject_sheet) | set(known_subject_keys)
    groups = _parse_groups(group_sheet, available, problems) if group_sheet else []
    if not problems and not subjects and not groups:
        problems.append(_("名册中没有任何评议对象或评议主体"))
    if problems:
        raise ValidationFailed(_("名册有误，未导入任何数据"), problems)
    return Roster(subjects=tuple(subjects), groups=tuple(groups))


def _keys_in_sheet(sheet: _Sheet) -> set[str]:
    """Every key typed in the 编号 column, valid rows or not: a row with another mistake
    is reported once for that mistake, not again by each group naming it."""
    return {sheets.cell_key(values.get("编号")) for _number, values in sheet.rows} - {""}
