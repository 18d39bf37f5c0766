"""Rosters (名册) from Excel: the template workbook, reading an organizer's file, importing it.

Reading and importing are separate steps so that every problem in a file is reported at
once, each with its sheet, row and column, before anything is written: a roster is
imported whole or not at all. See docs/rosters.md for the format and the messages.
"""

import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from survey_app.errors import DomainError, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import RespondentGroup, Subject, SubjectKind, Survey, Unit, User
from survey_app.services.design import surveys
from survey_app.services.platform import audit, sheets

# ---- the workbook format ------------------------------------------------------------------
# Sheet and column names are the file format, not interface text: they are never translated.

HELP_SHEET = "说明"
SUBJECT_SHEET = "评议对象"
GROUP_SHEET = "评议主体"
ALL_SUBJECTS = "全部"
KIND_BY_LABEL = {"干部": SubjectKind.CADRE, "单位": SubjectKind.UNIT, "领导班子": SubjectKind.TEAM}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    header: str
    width: int
    #: Formatted as text in the template, so Excel keeps "007" and "1,2" as typed.
    as_text: bool = False


SUBJECT_COLUMNS = (
    ColumnSpec("编号", 14, as_text=True),
    ColumnSpec("姓名或名称", 22),
    ColumnSpec("类别", 12),
    ColumnSpec("所在单位", 26),
    ColumnSpec("单位类别", 16),
    ColumnSpec("职务", 22),
    ColumnSpec("前任编号", 14, as_text=True),
)
GROUP_COLUMNS = (
    ColumnSpec("代码", 14, as_text=True),
    ColumnSpec("名称", 18),
    ColumnSpec("权重", 10),
    ColumnSpec("最少人数", 10),
    ColumnSpec("应参加人数", 12),
    ColumnSpec("评议对象", 40, as_text=True),
)


def _length(model, column: str) -> int:
    """Return a model column's length, so the file's limits follow the schema."""
    return model.__table__.c[column].type.length


SUBJECT_KEY_LENGTH = _length(Subject, "key")
SUBJECT_NAME_LENGTH = _length(Subject, "name")
POSITION_TITLE_LENGTH = _length(Subject, "position_title")
UNIT_NAME_LENGTH = _length(Unit, "name")
UNIT_CATEGORY_LENGTH = _length(Unit, "category")
GROUP_KEY_LENGTH = _length(RespondentGroup, "key")
GROUP_NAME_LENGTH = _length(RespondentGroup, "name")

_KEY_PATTERN = re.compile(r"[A-Za-z0-9_\-]+")
#: Separators of the 评议对象 cell; keys contain no spaces, so whitespace separates too.
_KEY_SEPARATORS = re.compile(r"[、,，;；\s]+")
#: Title rows above the header are common in organizers' own sheets; look this far down.
_HEADER_SEARCH_ROWS = 10
MAX_DATA_ROWS = 10_000


# ---- plain rows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubjectRow:
    row: int  # the Excel row number, for messages
    key: str
    name: str
    kind: SubjectKind
    unit_name: str  # "" for none
    unit_category: str
    position_title: str
    predecessor_key: str | None


@dataclass(frozen=True, slots=True)
class GroupRow:
    row: int
    key: str
    name: str
    weight: float
    min_size: int
    expected_count: int
    #: None: the group rates every subject (全部); otherwise the keys it rates.
    subject_keys: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Roster:
    subjects: tuple[SubjectRow, ...]
    groups: tuple[GroupRow, ...]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    subjects_created: int
    subjects_updated: int
    subjects_unchanged: int
    groups_created: int
    groups_updated: int
    groups_unchanged: int
    units_created: int
    #: Existing units whose category differs from the file's; left as they were because
    #: units are shared with every survey, past years' included.
    units_with_other_category: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "subjects_created": self.subjects_created,
            "subjects_updated": self.subjects_updated,
            "subjects_unchanged": self.subjects_unchanged,
            "groups_created": self.groups_created,
            "groups_updated": self.groups_updated,
            "groups_unchanged": self.groups_unchanged,
            "units_created": self.units_created,
            "units_with_other_category": list(self.units_with_other_category),
        }


# ---- the template -------------------------------------------------------------------------


def build_template() -> bytes:
    """Return the empty roster workbook: instructions, and the two data sheets' headers."""
    workbook = Workbook()
    _write_help(workbook.active)
    subject_sheet = _write_header(workbook.create_sheet(SUBJECT_SHEET), SUBJECT_COLUMNS)
    _add_kind_list(subject_sheet)
    _write_header(workbook.create_sheet(GROUP_SHEET), GROUP_COLUMNS)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_header(sheet, columns: tuple[ColumnSpec, ...]):
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.as_text:
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def _add_kind_list(sheet) -> None:
    letter = _letter_of(SUBJECT_COLUMNS, "类别")
    choices = ",".join(KIND_BY_LABEL)
    validation = DataValidation(
        type="list",
        formula1=f'"{choices}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("类别无效"),
        error=_("请从列表中选择：干部、单位 或 领导班子"),
    )
    validation.add(f"{letter}2:{letter}{MAX_DATA_ROWS + 1}")
    sheet.add_data_validation(validation)


def _letter_of(columns: tuple[ColumnSpec, ...], header: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, 1) if c.header == header))


def _help_rows() -> list[tuple[str, ...]]:
    """The 说明 sheet: how to fill each column, with the examples the data sheets leave out."""
    return [
        (_("评议名册导入模板"),),
        (_("在“评议对象”和“评议主体”两个工作表中从第 2 行起逐行填写，第 1 行表头请勿修改。"),),
        (
            _(
                "列的顺序可以调整，多出的列会被忽略；空行会被跳过。名册中任何一处有误时，整个文件都不会导入，页面会列出所有问题的位置。"
            ),
        ),
        (
            _(
                "按编号（代码）更新：问卷中已有的编号会被更新，新编号会被添加，名册中没有的对象和主体保持不变。问卷发布后不能再导入名册。"
            ),
        ),
        (),
        (SUBJECT_SHEET, _("必填"), _("填写说明"), _("示例")),
        (
            "编号",
            _("是"),
            _(
                "唯一编号，如工号；只能使用字母、数字、下划线和连字符，最多 %(n)d 个字符。逐年保持不变，用于与往年结果比较。",
                n=SUBJECT_KEY_LENGTH,
            ),
            "C1001",
        ),
        (
            "姓名或名称",
            _("是"),
            _("干部姓名，或单位、领导班子的名称，最多 %(n)d 个字符", n=SUBJECT_NAME_LENGTH),
            "张伟",
        ),
        ("类别", _("是"), _("从下拉列表中选择：干部、单位 或 领导班子"), "干部"),
        ("所在单位", _("否"), _("单位全称；系统中没有的单位会自动新建"), "市发展和改革委员会"),
        (
            "单位类别",
            _("否"),
            _("如 县市区、市直部门；用于分类排名和权重。单位已有类别时不会被修改"),
            "市直部门",
        ),
        ("职务", _("否"), _("现任职务"), "主任"),
        ("前任编号", _("否"), _("同一岗位前任的编号，可以是往年的编号，用于与前任比较"), "C0907"),
        (),
        (GROUP_SHEET, _("必填"), _("填写说明"), _("示例")),
        (
            "代码",
            _("是"),
            _("唯一代码，只能使用字母、数字、下划线和连字符，最多 %(n)d 个字符", n=GROUP_KEY_LENGTH),
            "superior",
        ),
        ("名称", _("是"), _("评议主体名称，最多 %(n)d 个字符", n=GROUP_NAME_LENGTH), "上级领导"),
        ("权重", _("是"), _("不小于 0 的数字，如 0.4 或 40"), "0.4"),
        ("最少人数", _("否"), _("少于此人数时不单独报告该主体的结果，至少为 1；不填为 3"), "5"),
        ("应参加人数", _("否"), _("用于计算参评率；不填为 0"), "12"),
        ("评议对象", _("是"), _("填“全部”，或列出评议对象的编号，用 、 或 , 或 ， 分隔"), "C1001、C1002"),
    ]


def _write_help(sheet) -> None:
    sheet.title = HELP_SHEET
    for row in _help_rows():
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=14)
    for row in sheet.iter_rows():
        if row[0].value in (SUBJECT_SHEET, GROUP_SHEET):
            for cell in row:
                cell.font = Font(bold=True)
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (16, 8, 70, 22), strict=True):
        sheet.column_dimensions[letter].width = width


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


def _quoted(items: Collection[str]) -> str:
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
            self.fail(header, _("编号 %(keys)s 只能使用字母、数字、下划线和连字符", keys=_quoted(malformed)))
        unknown = [p for p in parts if p not in malformed and available is not None and p not in available]
        if unknown:
            self.fail(
                header,
                _(
                    "编号 %(keys)s 在工作表“%(sheet)s”和本问卷中都不存在",
                    keys=_quoted(unknown),
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


# ---- near-duplicate unit names --------------------------------------------------------------
# One unit typed two ways (市住房和城乡建设局 / 市住房城乡建设局) would become two units,
# splitting its results and its category's ranking. Names whose keys below are equal are
# flagged and the organizer decides, per name, to merge or to create: a flag costs a click,
# a silent merge of two real units would cost their results. See docs/rosters.md.

#: Connectives that official names use or drop (住房和城乡建设局 / 住房城乡建设局).
_CONNECTIVES = re.compile(r"[和与及暨、]")
#: Words often dropped from a unit's full name.
_DROPPABLE_WORDS = ("城乡",)
#: One leading level word: 市财政局 / 财政局 (区 likewise).
_LEVEL_PREFIXES = ("市", "区")
_SPACES_AND_PUNCTUATION = re.compile(r"[\s\W_]+")
#: The radio value meaning "create a new unit under the name as typed".
NEW_UNIT = "__new__"


def unit_name_key(name: str) -> str:
    """The name with its common variants removed: full-width forms folded (NFKC), spaces
    and punctuation, 和/与/及/暨/、, 城乡 and one leading 市 or 区 dropped."""
    text = _SPACES_AND_PUNCTUATION.sub("", unicodedata.normalize("NFKC", name))
    text = _CONNECTIVES.sub("", text)
    for word in _DROPPABLE_WORDS:
        text = text.replace(word, "")
    if text[:1] in _LEVEL_PREFIXES and len(text) > 2:
        text = text[1:]
    return text


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """A unit name of the file that is not a unit yet but looks like `candidates`:
    existing units, or an earlier spelling in the same file."""

    name: str
    candidates: tuple[str, ...]
    rows: tuple[int, ...]  # Excel rows of 评议对象 that name it


class UnitChoicesNeeded(DomainError):
    """Some unit names look like others: nothing is imported until each is decided."""

    def __init__(self, near_duplicates: list[NearDuplicate]):
        super().__init__(_("名册中有 %(n)d 个单位名称与已有单位相近，请逐个选择合并或新建", n=len(near_duplicates)))
        self.near_duplicates = near_duplicates


def find_near_duplicates(rows: tuple[SubjectRow, ...]) -> list[NearDuplicate]:
    """Flag the file's new unit names that match an existing unit, or an earlier name of the
    file, on `unit_name_key` but not exactly."""
    names: dict[str, list[int]] = {}
    for row in rows:
        if row.unit_name:
            names.setdefault(row.unit_name, []).append(row.row)
    existing = set(db.session.scalars(select(Unit.name)))
    by_key: dict[str, list[str]] = {}
    for name in sorted(existing):
        by_key.setdefault(unit_name_key(name), []).append(name)
    flagged = []
    for name, row_numbers in names.items():  # in file order: the first spelling is the candidate
        if name in existing:
            continue
        similar = by_key.setdefault(unit_name_key(name), [])
        if similar:
            flagged.append(NearDuplicate(name, tuple(similar), tuple(row_numbers)))
        similar.append(name)
    return flagged


def _apply_unit_choices(
    rows: tuple[SubjectRow, ...], choices: Mapping[str, str] | None
) -> tuple[tuple[SubjectRow, ...], dict[str, str]]:
    """Rename merged units' rows to the chosen unit; refuse until every flag is decided."""
    flagged = find_near_duplicates(rows)
    choices = choices or {}
    if any(choices.get(d.name) not in (NEW_UNIT, *d.candidates) for d in flagged):
        raise UnitChoicesNeeded(flagged)
    merged = {d.name: choices[d.name] for d in flagged if choices[d.name] != NEW_UNIT}
    # A merge into an earlier spelling that is itself merged follows it (a → b → c).
    for name, target in list(merged.items()):
        while target in merged:
            target = merged[target]
        merged[name] = target
    return tuple(replace(row, unit_name=merged.get(row.unit_name, row.unit_name)) for row in rows), merged


# ---- importing ----------------------------------------------------------------------------


def import_workbook(survey: Survey, data: bytes, actor: User, *, filename: str = "",
                    unit_choices: Mapping[str, str] | None = None) -> ImportSummary:
    """Read a roster workbook and import it into a draft survey (what the upload view does)."""
    _require_draft(survey)  # before reading: no point listing a file's mistakes in vain
    roster = parse_roster(data, known_subject_keys={s.key for s in survey.subjects})
    return import_roster(survey, roster, actor, filename=filename, unit_choices=unit_choices)


def import_roster(survey: Survey, roster: Roster, actor: User, *, filename: str = "",
                  unit_choices: Mapping[str, str] | None = None) -> ImportSummary:
    """Add or update the roster's subjects and groups (matched by key) in a draft survey.

    Subjects and groups missing from the roster are kept. Raises StructureLocked on a
    published survey, ValidationFailed on a group naming an unknown subject, and
    UnitChoicesNeeded while a near-duplicate unit name has no choice in `unit_choices`
    (name → NEW_UNIT or the unit to merge into), all before any change; the caller rolls
    back on any error, so an import is all or nothing.
    """
    _require_draft(survey)
    _check_references(survey, roster)
    subject_rows, merged_units = _apply_unit_choices(roster.subjects, unit_choices)
    units, units_created, other_category = _resolve_units(subject_rows)
    subjects_created, subjects_updated, subjects_unchanged = _upsert_subjects(survey, subject_rows, units)
    groups_created, groups_updated, groups_unchanged = _upsert_groups(survey, roster.groups)
    db.session.flush()
    summary = ImportSummary(
        subjects_created=subjects_created,
        subjects_updated=subjects_updated,
        subjects_unchanged=subjects_unchanged,
        groups_created=groups_created,
        groups_updated=groups_updated,
        groups_unchanged=groups_unchanged,
        units_created=units_created,
        units_with_other_category=tuple(other_category),
    )
    audit.record(actor, "roster.import", "survey", survey.id, filename=filename, merged_units=merged_units,
                 **summary.as_dict())
    return summary


def _require_draft(survey: Survey) -> None:
    if survey.is_structure_locked:
        raise StructureLocked(_("问卷已发布，结构已锁定，不能导入名册"))


def _check_references(survey: Survey, roster: Roster) -> None:
    # parse_roster checks this when given the survey's keys; a caller may not have.
    available = {s.key for s in survey.subjects} | {s.key for s in roster.subjects}
    problems = [
        _(
            "工作表“%(sheet)s”第 %(row)d 行（评议对象）：编号 %(keys)s 在名册和本问卷中都不存在",
            sheet=GROUP_SHEET,
            row=group.row,
            keys=_quoted(sorted(set(group.subject_keys) - available)),
        )
        for group in roster.groups
        if group.subject_keys is not None and not set(group.subject_keys) <= available
    ]
    if problems:
        raise ValidationFailed(_("名册有误，未导入任何数据"), problems)


def _resolve_units(rows: tuple[SubjectRow, ...]) -> tuple[dict[str, Unit], int, list[str]]:
    """Get or create the roster's units; return them by name, how many were new, and the
    existing ones whose category differs from the file's (kept: other surveys use them)."""
    categories: dict[str, str] = {}
    for row in rows:
        if row.unit_name and not categories.get(row.unit_name):
            categories[row.unit_name] = row.unit_category
    existing = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.name.in_(categories)))}
    other_category = [
        name
        for name, category in categories.items()
        if name in existing and category and existing[name].category not in ("", category)
    ]
    units = {name: surveys.get_or_create_unit(name, category) for name, category in categories.items()}
    return units, len(units) - len(existing), other_category


def _assign(entity: Any, values: Mapping[str, Any]) -> bool:
    """Set the values that differ; return whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(entity, name) != value:
            setattr(entity, name, value)
            changed = True
    return changed


def _upsert_subjects(
    survey: Survey, rows: tuple[SubjectRow, ...], units: Mapping[str, Unit]
) -> tuple[int, int, int]:
    """Add new keys after the existing subjects, update known ones; count each outcome."""
    by_key = {subject.key: subject for subject in survey.subjects}
    position = max((s.position for s in survey.subjects), default=-1) + 1
    created = updated = 0
    for row in rows:
        values = {
            "name": row.name,
            "kind": row.kind,
            "unit": units.get(row.unit_name),
            "position_title": row.position_title,
            "predecessor_key": row.predecessor_key,
        }
        subject = by_key.get(row.key)
        if subject is None:
            survey.subjects.append(Subject(key=row.key, position=position, **values))
            position += 1
            created += 1
        elif _assign(subject, values):
            updated += 1
    return created, updated, len(rows) - created - updated


def _upsert_groups(survey: Survey, rows: tuple[GroupRow, ...]) -> tuple[int, int, int]:
    subjects_by_key = {subject.key: subject for subject in survey.subjects}
    by_key = {group.key: group for group in survey.groups}
    position = max((g.position for g in survey.groups), default=-1) + 1
    created = updated = 0
    for row in rows:
        values = {
            "name": row.name,
            "weight": row.weight,
            "min_size": row.min_size,
            "expected_count": row.expected_count,
            "rates_all_subjects": row.subject_keys is None,
        }
        rated = [subjects_by_key[key] for key in row.subject_keys or ()]
        group = by_key.get(row.key)
        if group is None:
            survey.groups.append(
                RespondentGroup(key=row.key, position=position, rated_subjects=rated, **values)
            )
            position += 1
            created += 1
        elif _assign(group, values) | _assign_rated(group, rated):  # | : run both, not short-circuit
            updated += 1
    return created, updated, len(rows) - created - updated


def _assign_rated(group: RespondentGroup, rated: list[Subject]) -> bool:
    if {s.key for s in group.rated_subjects} == {s.key for s in rated}:
        return False
    group.rated_subjects = rated
    return True
