"""Year-end assessment to and from files: scores and bonus/deduction items imported from
Excel, and the result tables a committee signs (.xlsx and PDF).

Imports follow the roster import (services/design/rosters.py): a downloadable template, then an
upload that is read completely first, so that every problem is listed with its sheet, row
and column before anything is written; a file is imported whole or not at all, through
`assessments.store_scores` / `assessments.add_adjustments` (one audit entry with the counts
and every changed subject's composite before and after).

Exports are built from a `PlanView` (`assessments.compute_plan`, scoped to the user's units
by the caller), so they show the figures of the plan page. A plan not yet confirmed is
marked 草稿（未确认） on every sheet and every page. No function reads the clock: the
caller passes the date. The formats are in docs/assessment.md.
"""

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from analytics.assessment import Outcome
from survey_app.errors import NotFound, StructureLocked, ValidationFailed
from survey_app.models import User
from survey_app.models.assessment import (
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentSource,
    PlanComponent,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
)
from survey_app.services.assessment import assessments
from survey_app.services.assessment.assessments import KEEP, CategoryView, PlanView, SubjectView
from survey_app.services.platform import pdf_layout, phrasing, sheets
from survey_app.services.platform.sheets import safe_text, write_sheet

# ---- the workbook formats --------------------------------------------------------------------
# Sheet and column names are the file format, not interface text: they are never translated.

HELP_SHEET = "说明"
SCORE_SHEET = "得分"
BONUS_SHEET = "正向激励"
DEDUCTION_SHEET = "效能督查"
SUBJECT_LIST_SHEET = "考核对象"
KEY, NAME, UNIT, CATEGORY = "编号", "名称", "所在单位", "类别"
SELF_SCORE, VERIFIED_SCORE = "自评分", "核验分"
POINTS, REASON, FINDING, DOCUMENT = "分值", "事由", "发现的问题", "记录文件"
#: Other headers organizers use for the same columns.
HEADER_ALIASES = {"核定分": VERIFIED_SCORE, "姓名或名称": NAME, "名称或姓名": NAME, "姓名": NAME}
#: Columns each sheet must have (any order; other columns are ignored).
SCORE_COLUMNS = (KEY, NAME, SELF_SCORE, VERIFIED_SCORE)
BONUS_COLUMNS = (KEY, NAME, POINTS, REASON)
DEDUCTION_COLUMNS = (KEY, NAME, POINTS, FINDING, DOCUMENT)
#: The score template's first row names its component; an upload for another is refused.
COMPONENT_MARK = "考评项目："

REASON_LENGTH = Adjustment.__table__.c["reason"].type.length
DOCUMENT_LENGTH = Adjustment.__table__.c["document"].type.length
MAX_DATA_ROWS = 10_000
_HEADER_SEARCH_ROWS = 10
SCORE_FORMAT = "0.00"


def _file_error() -> str:
    return _("文件有误，未导入任何数据")


def component_mark(component: PlanComponent) -> str:
    """The text of a score template's first row: which category and component it is for."""
    return f"{COMPONENT_MARK}{component.category.name}／{component.name}"


def _visible(plan: AssessmentPlan, unit_ids: Collection[int] | None) -> list[PlanSubject]:
    return [s for s in plan.subjects if unit_ids is None or s.unit_id in unit_ids]


# ---- templates --------------------------------------------------------------------------------


def _titled_sheet(
    sheet: Worksheet,
    titles: Sequence[str],
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int],
    formats: dict[int, str] | None = None,
    *,
    frozen_columns: int = 0,
    marked: bool = False,
) -> None:
    """`write_sheet` under title rows: the header and the title rows stay frozen; with
    `marked` the first title is red (草稿)."""
    write_sheet(sheet, headers, rows, widths, formats)
    sheet.insert_rows(1, len(titles))
    for number, title in enumerate(titles, 1):
        cell = sheet.cell(row=number, column=1, value=safe_text(title))
        cell.font = Font(
            bold=number == 1,
            size=13 if number == 1 else 10,
            color="C00000" if marked and number == 1 else None,
        )
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{len(titles) + 2}"


def _help_sheet(sheet: Worksheet, lines: Sequence[str]) -> None:
    sheet.title = HELP_SHEET
    for line in lines:
        sheet.append([safe_text(line)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
    for (cell,) in sheet.iter_rows(max_col=1):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _as_text_column(sheet: Worksheet, column: int, first_row: int) -> None:
    """Format a key column as text, so Excel keeps keys such as 007 as typed."""
    sheet.column_dimensions[get_column_letter(column)].number_format = "@"
    for (cell,) in sheet.iter_rows(min_row=first_row, min_col=column, max_col=column):
        cell.number_format = "@"


def _save(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def score_template(
    plan: AssessmentPlan, component: PlanComponent, unit_ids: Collection[int] | None = None
) -> bytes:
    """Return the score workbook of one manual component: its category's subjects (those of
    `unit_ids` only, when given) with their current 自评分 and 核验分."""
    _require_manual(plan, component)
    workbook = Workbook()
    _help_sheet(
        workbook.active,
        [
            _(
                "%(plan)s：%(category)s／%(component)s 分数导入模板",
                plan=plan.title,
                category=component.category.name,
                component=component.name,
            ),
            _(
                "在“得分”工作表中填写自评分和核验分（0–100，可带小数）。核验分计入综合得分，自评分一并保存备查。"
            ),
            _(
                "已填的分数为系统中的现有分数；留空的单元格不修改现有分数（要清除分数，请在考核对象页面操作）。"
            ),
            _(
                "按编号找考核对象；编号留空时按名称找（名称须唯一）。两者都填时须一致，防止错行。所在单位列仅供核对，导入时不读取。"
            ),
            _(
                "第 1 行写明了本文件所属的类别和考评项目，请勿修改：上传到其他考评项目时会被拒绝。表头行的列名请勿修改，列的顺序可以调整，多出的列会被忽略。"
            ),
            _(
                "文件中任何一处有误时，整个文件都不会导入，页面会列出每个问题所在的工作表、行和列。考核结果确认后不能再导入。"
            ),
        ],
    )
    sheet = workbook.create_sheet(SCORE_SHEET)
    rows = []
    for subject in _visible(plan, None if unit_ids is None else set(unit_ids)):
        if subject.category_id == component.category_id:
            score = next((s for s in subject.scores if s.component_id == component.id), None)
            rows.append(
                [
                    subject.key,
                    subject.name,
                    subject.unit.name if subject.unit else "",
                    score.self_score if score else None,
                    score.verified_score if score else None,
                ]
            )
    _titled_sheet(
        sheet,
        [component_mark(component)],
        [KEY, NAME, UNIT, SELF_SCORE, VERIFIED_SCORE],
        rows,
        [14, 24, 26, 10, 10],
        frozen_columns=2,
    )
    _as_text_column(sheet, 1, 3)
    return _save(workbook)


def adjustment_template(plan: AssessmentPlan, unit_ids: Collection[int] | None = None) -> bytes:
    """Return the bonus and deduction workbook: 正向激励 and 效能督查 sheets to fill, and the
    plan's subjects (those of `unit_ids` only, when given) for reference."""
    workbook = Workbook()
    _help_sheet(
        workbook.active,
        [
            _("%(plan)s：正向激励和效能督查导入模板", plan=plan.title),
            _("“正向激励”工作表每行一项加分：编号、名称、分值（大于 0，不超过 100）、事由（必填）。"),
            _(
                "“效能督查”工作表每行一项扣分：编号、名称、分值（大于 0，不超过 100）、发现的问题（必填）、记录文件（必填，如督查通报文号）。"
            ),
            _(
                "导入会在已录入的项目之外追加；与已录入的某一项（同一对象、分值、事由和记录文件）完全相同的行会被拒绝，以免重复导入后重复计分。"
                "同一对象确有两项相同分值的加分或扣分时，请在事由中写明区别。"
            ),
            _("加分和扣分分别按方案的上限封顶计入综合得分。只需其中一类时，可以删除另一个工作表。"),
            _(
                "按编号找考核对象；编号留空时按名称找（名称须唯一）。两者都填时须一致。“考核对象”工作表列出了全部对象，仅供查阅，导入时不读取。"
            ),
            _(
                "文件中任何一处有误时，整个文件都不会导入，页面会列出每个问题所在的工作表、行和列。考核结果确认后不能再导入。"
            ),
        ],
    )
    bonus = workbook.create_sheet(BONUS_SHEET)
    write_sheet(bonus, BONUS_COLUMNS, [], [14, 24, 8, 60])
    deduction = workbook.create_sheet(DEDUCTION_SHEET)
    write_sheet(deduction, DEDUCTION_COLUMNS, [], [14, 24, 8, 50, 30])
    for sheet in (bonus, deduction):
        _as_text_column(sheet, 1, 2)
    subjects = workbook.create_sheet(SUBJECT_LIST_SHEET)
    write_sheet(
        subjects,
        [KEY, NAME, UNIT, CATEGORY],
        (
            [s.key, s.name, s.unit.name if s.unit else "", s.category.name]
            for s in _visible(plan, None if unit_ids is None else set(unit_ids))
        ),
        [14, 24, 26, 18],
    )
    return _save(workbook)


# ---- reading a workbook -----------------------------------------------------------------------










@dataclass(frozen=True, slots=True)
class _Sheet:
    """A data sheet as read: where each known column is, its non-blank rows, and the text of
    the rows above the header."""

    name: str
    letters: Mapping[str, str]
    rows: tuple[tuple[int, Mapping[str, Any]], ...]
    above: tuple[tuple[int, str], ...]  # (row number, text) of the cells above the header


def _header_of(value: Any) -> str:
    text = sheets.cell_text(value)
    return HEADER_ALIASES.get(text, text)


def _read_sheet(workbook, name: str, columns: tuple[str, ...], problems: list[str]) -> _Sheet | None:
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
        if row_number >= _HEADER_SEARCH_ROWS:
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
    return _Sheet(name, {h: letter for h, (letter, _i) in found.items()}, tuple(data), tuple(above))


class _RowReader:
    """Read one data row's cells by header, noting each problem with its cell address."""

    def __init__(self, sheet: _Sheet, number: int, values: Mapping[str, Any], problems: list[str]):
        self.sheet, self.row, self.values, self.problems = sheet, number, values, problems
        self.is_valid = True

    def fail(self, header: str, problem: str) -> None:
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


class _Finder:
    """Find a row's subject by 编号, or by 名称 when 编号 is blank; both given must agree."""

    def __init__(self, subjects: Iterable[PlanSubject]):
        self.by_key: dict[str, PlanSubject] = {}
        self.by_name: dict[str, list[PlanSubject]] = {}
        for subject in subjects:
            self.by_key[subject.key] = subject
            self.by_name.setdefault(subject.name, []).append(subject)

    def find(self, reader: _RowReader) -> PlanSubject | None:
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


def _subject_column(reader: _RowReader) -> str:
    return KEY if sheets.cell_text(reader.values.get(KEY)) else NAME


# ---- scores -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreRow:
    row: int
    subject_key: str
    #: A score, or KEEP where the cell is blank (the stored score is left as it is).
    self_score: Any
    verified_score: Any


@dataclass(frozen=True, slots=True)
class ScoreImportSummary:
    rows: int  # rows with at least one score
    changed: int  # subjects whose scores changed
    unchanged: int
    blank: int  # rows naming a subject but no score

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "changed": self.changed, "unchanged": self.unchanged, "blank": self.blank}


def _require_open(plan: AssessmentPlan) -> None:
    if plan.is_confirmed:
        raise StructureLocked(_("考核结果已确认，不能再导入"))


def _require_manual(plan: AssessmentPlan, component: PlanComponent) -> None:
    if component.category.plan_id != plan.id:
        raise NotFound(_("考评项目不存在"))
    if component.source is not ComponentSource.MANUAL:
        raise ValidationFailed(_("“%(name)s”的得分来自关联的评议活动，不能导入", name=component.name))


def parse_scores(
    plan: AssessmentPlan, component: PlanComponent, data: bytes, unit_ids: Collection[int] | None = None
) -> tuple[list[ScoreRow], int]:
    """Read a score workbook for one manual component into rows, or raise ValidationFailed
    listing every problem. Returns the rows with a score and how many rows had none. Only
    subjects of `unit_ids` (when given) are found. Nothing is written."""
    _require_manual(plan, component)
    workbook = sheets.open_workbook(data, _file_error())
    problems: list[str] = []
    try:
        sheet = _read_sheet(workbook, SCORE_SHEET, SCORE_COLUMNS, problems)
    finally:
        workbook.close()
    if sheet is None:
        raise ValidationFailed(_file_error(), [_("缺少工作表“%(sheet)s”，请使用导入模板", sheet=SCORE_SHEET)])
    expected = component_mark(component)
    mark_row, mark = next(
        ((row, text) for row, text in sheet.above if text.startswith(COMPONENT_MARK)), (0, None)
    )
    if mark is not None and mark != expected:
        raise ValidationFailed(
            _file_error(),
            [
                _(
                    "工作表“%(sheet)s”第 %(row)d 行：这是“%(mark)s”的分数文件，与所选的考评项目“%(expected)s”不符",
                    sheet=SCORE_SHEET,
                    row=mark_row,
                    mark=mark.removeprefix(COMPONENT_MARK),
                    expected=expected.removeprefix(COMPONENT_MARK),
                )
            ],
        )
    finder = _Finder(_visible(plan, None if unit_ids is None else set(unit_ids)))
    rows, blank, first_row = [], 0, {}
    for number, values in sheet.rows:
        reader = _RowReader(sheet, number, values, problems)
        subject = finder.find(reader)
        self_score, verified_score = reader.score(SELF_SCORE), reader.score(VERIFIED_SCORE)
        if subject is None:
            continue
        column = _subject_column(reader)
        if subject.category_id != component.category_id:
            reader.fail(
                column,
                _(
                    "“%(name)s”属于类别“%(category)s”，不参加“%(component)s”的考评",
                    name=subject.name,
                    category=subject.category.name,
                    component=expected.removeprefix(COMPONENT_MARK),
                ),
            )
        elif subject.id in first_row:
            reader.fail(
                column,
                _("与第 %(row)d 行是同一考核对象（%(name)s）", row=first_row[subject.id], name=subject.name),
            )
        else:
            first_row[subject.id] = number
        if not reader.is_valid:
            continue
        if self_score is KEEP and verified_score is KEEP:
            blank += 1
        else:
            rows.append(ScoreRow(number, subject.key, self_score, verified_score))
    if not problems and not rows:
        problems.append(_("工作表“%(sheet)s”中没有填写任何分数", sheet=SCORE_SHEET))
    if problems:
        raise ValidationFailed(_file_error(), problems)
    return rows, blank


def import_scores(
    plan: AssessmentPlan,
    component: PlanComponent,
    data: bytes,
    actor: User,
    *,
    unit_ids: Collection[int] | None = None,
    filename: str = "",
) -> ScoreImportSummary:
    """Read a score workbook and store its scores for one manual component, all or nothing;
    one audit entry records the counts, every change and the composites before and after."""
    _require_open(plan)  # before reading: no point listing a file's mistakes in vain
    rows, blank = parse_scores(plan, component, data, unit_ids)
    subjects = {s.key: s for s in plan.subjects}
    entries = [(subjects[row.subject_key], row.self_score, row.verified_score) for row in rows]
    keys = assessments.store_scores(
        plan,
        component,
        entries,
        actor,
        "assessment.scores_import",
        filename=filename,
        rows=len(rows),
        blank=blank,
    )
    return ScoreImportSummary(rows=len(rows), changed=len(keys), unchanged=len(rows) - len(keys), blank=blank)


# ---- bonus and deduction items ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdjustmentRow:
    sheet: str
    row: int
    subject_key: str
    kind: AdjustmentKind
    points: float
    reason: str
    document: str


@dataclass(frozen=True, slots=True)
class AdjustmentImportSummary:
    bonuses: int
    deductions: int

    def as_dict(self) -> dict[str, int]:
        return {"bonuses": self.bonuses, "deductions": self.deductions}


def _same_item(kind: AdjustmentKind, points: float, reason: str, document: str) -> tuple:
    return kind, round(points, 6), reason, document


def _parse_adjustment_sheet(sheet: _Sheet, kind: AdjustmentKind, finder: _Finder, problems: list[str]):
    reason_header = REASON if kind is AdjustmentKind.BONUS else FINDING
    label = _("加分") if kind is AdjustmentKind.BONUS else _("扣分")
    rows: list[AdjustmentRow] = []
    first_row: dict[tuple, int] = {}
    for number, values in sheet.rows:
        reader = _RowReader(sheet, number, values, problems)
        subject = finder.find(reader)
        points = reader.points(POINTS)
        reason = reader.text(reason_header, REASON_LENGTH, required=True)
        document = (
            reader.text(DOCUMENT, DOCUMENT_LENGTH, required=True) if kind is AdjustmentKind.DEDUCTION else ""
        )
        if subject is None or not reader.is_valid:
            continue
        same = (subject.key, *_same_item(kind, points, reason, document))
        if same in first_row:
            reader.fail(
                reason_header,
                _(
                    "与第 %(row)d 行完全相同（同一对象、分值和%(what)s）",
                    row=first_row[same],
                    what=reason_header,
                ),
            )
            continue
        first_row[same] = number
        if any(_same_item(a.kind, a.points, a.reason, a.document) == same[1:] for a in subject.adjustments):
            reader.fail(
                reason_header,
                _(
                    "“%(name)s”已录入过相同的%(label)s（%(points)s 分，%(reason)s），"
                    "是否重复导入？确为另一项时，请在%(what)s中写明区别",
                    name=subject.name,
                    label=label,
                    points=sheets.cell_text(points),
                    reason=reason,
                    what=reason_header,
                ),
            )
            continue
        rows.append(AdjustmentRow(sheet.name, number, subject.key, kind, points, reason, document))
    return rows


def parse_adjustments(
    plan: AssessmentPlan, data: bytes, unit_ids: Collection[int] | None = None
) -> list[AdjustmentRow]:
    """Read a bonus and deduction workbook into rows, or raise ValidationFailed listing every
    problem. Either sheet may be left out, not both. Nothing is written."""
    workbook = sheets.open_workbook(data, _file_error())
    problems: list[str] = []
    try:
        bonus = _read_sheet(workbook, BONUS_SHEET, BONUS_COLUMNS, problems)
        deduction = _read_sheet(workbook, DEDUCTION_SHEET, DEDUCTION_COLUMNS, problems)
    finally:
        workbook.close()
    if bonus is None and deduction is None:
        raise ValidationFailed(
            _file_error(),
            [
                _(
                    "缺少工作表“%(bonus)s”和“%(deduction)s”，请使用导入模板",
                    bonus=BONUS_SHEET,
                    deduction=DEDUCTION_SHEET,
                )
            ],
        )
    finder = _Finder(_visible(plan, None if unit_ids is None else set(unit_ids)))
    rows = []
    for sheet, kind in ((bonus, AdjustmentKind.BONUS), (deduction, AdjustmentKind.DEDUCTION)):
        if sheet is not None:
            rows += _parse_adjustment_sheet(sheet, kind, finder, problems)
    if not problems and not rows:
        problems.append(_("文件中没有任何加分或扣分项"))
    if problems:
        raise ValidationFailed(_file_error(), problems)
    return rows


def import_adjustments(
    plan: AssessmentPlan,
    data: bytes,
    actor: User,
    *,
    unit_ids: Collection[int] | None = None,
    filename: str = "",
) -> AdjustmentImportSummary:
    """Read a bonus and deduction workbook and add its items, all or nothing; one audit entry
    lists the items with the counts and the composites before and after."""
    _require_open(plan)
    rows = parse_adjustments(plan, data, unit_ids)
    subjects = {s.key: s for s in plan.subjects}
    summary = AdjustmentImportSummary(
        bonuses=sum(r.kind is AdjustmentKind.BONUS for r in rows),
        deductions=sum(r.kind is AdjustmentKind.DEDUCTION for r in rows),
    )
    entries = [
        (
            subjects[r.subject_key],
            {"kind": r.kind, "points": r.points, "reason": r.reason, "document": r.document},
        )
        for r in rows
    ]
    assessments.add_adjustments(
        plan, entries, actor, "assessment.adjustments_import", filename=filename, **summary.as_dict()
    )
    return summary


# ---- exports: shared wording ------------------------------------------------------------------


def download_name(plan: AssessmentPlan, suffix: str) -> str:
    """Return a file name like "2026年度干部考核-考核结果.xlsx" without path or control characters."""
    stem = plan.title.strip(" ._") or str(plan.id)
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", f"{stem}-{suffix}")


def _status_text(plan: AssessmentPlan) -> str:
    if plan.status is PlanStatus.CONFIRMED:
        when = plan.confirmed_at.date().isoformat() if plan.confirmed_at else "—"
        who = plan.confirmed_by.display_name if plan.confirmed_by else "—"
        return _("已确认（%(when)s，确认人：%(who)s）", when=when, who=who)
    if plan.status is PlanStatus.PROPOSED:
        return _("已提出建议等次，草稿（未确认）")
    return _("草稿（未确认）")


def _draft_mark() -> str:
    return _("草稿（未确认）：考核结果尚未确认，仅供讨论，不作为正式结果")


def _scope_note() -> str:
    return _("本表仅含您权限范围内的考核对象；优秀名额按整个类别计算。")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _pct(share: float) -> str:
    value = share * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def _g(value: float) -> str:
    return f"{value:g}"


def _proposal(row: SubjectView) -> str:
    if row.proposed_grade:
        return row.proposed_grade
    return _("并列待定") if row.outcome is Outcome.TIE_PENDING else _("缺项")


def _final(row: SubjectView) -> str:
    if row.final_grade:
        return row.final_grade
    return _("待定") if row.outcome is Outcome.TIE_PENDING else _("缺项")


def _composite(plan: AssessmentPlan, row: SubjectView) -> float | None:
    """The composite as signed once confirmed, else as computed now."""
    return row.confirmed_composite if plan.is_confirmed else row.composite


def _flags(row: SubjectView) -> str:
    flags = []
    if row.is_priority:
        flags.append(_("优先：%(reason)s", reason=row.priority_reason))
    if row.meets_raised_condition:
        flags.append(_("提高比例：%(reason)s", reason=row.raised_reason))
    if row.is_vetoed:
        flags.append(_("否决：%(reason)s", reason=row.veto_reason))
    elif row.is_veto_applied:
        flags.append(
            _("否决：民主测评不称职比例 %(share)s", share=assessments.share_text(row.negative_share or 0))
        )
    return phrasing.clauses(flags)


def _remarks(plan: AssessmentPlan, row: SubjectView) -> str:
    remarks = []
    if row.bonus_items > row.bonus:
        remarks.append(
            _("加分合计 %(sum)s，按上限计 %(cap)s", sum=_number(row.bonus_items), cap=_number(row.bonus))
        )
    if row.deduction_items > row.deduction:
        remarks.append(
            _(
                "扣分合计 %(sum)s，按上限计 %(cap)s",
                sum=_number(row.deduction_items),
                cap=_number(row.deduction),
            )
        )
    if row.is_clipped:
        remarks.append(_("扣分后低于 0，按 0 计"))
    if plan.is_confirmed and row.changed_since_confirmation:
        remarks.append(_("确认后关联评议结果有变化，现重新计算为 %(value)s", value=_number(row.composite)))
    return phrasing.clauses(remarks)


def _composite_formula(plan: AssessmentPlan, category: CategoryView) -> str:
    parts = " + ".join(f"{label} × {_pct(share)}" for label, _weight, share in category.components) or "—"
    return _(
        "综合得分 = %(parts)s + 正向激励（上限 %(bonus)s）− 效能督查（上限 %(deduction)s）",
        parts=parts,
        bonus=_g(plan.bonus_cap),
        deduction=_g(plan.deduction_cap),
    )


def _quota_line(plan: AssessmentPlan, category: CategoryView) -> str:
    line = _(
        "%(n)d 个对象；优秀名额 %(formula)s 个，已用 %(used)d 个，尚余 %(left)d 个",
        n=category.n,
        formula=category.quota_formula,
        used=category.final_excellent,
        left=max(category.quota - category.final_excellent, 0),
    )
    if category.n_raised:
        line += _("（其中 %(n)d 个对象符合提高比例条件）", n=category.n_raised)
    if category.pending and not plan.is_confirmed:
        line += _("；并列待定 %(n)d 个", n=category.pending)
    return line


def _rule_lines(plan: AssessmentPlan) -> list[tuple[str, str]]:
    bands = phrasing.listing(
        phrasing.noted(b["label"], _("%(score)s 分及以上", score=_g(b["min"]))) if b["min"] > 0 else b["label"]
        for b in plan.grade_bands
    )
    quota = _("优秀比例 %(x)s%%", x=plan.quota_percent)
    if plan.raised_quota_percent is not None:
        quota += _(
            "；符合提高条件（省级以上综合表彰、文明单位、绩效考评优秀等）的对象按 %(y)s%% 计",
            y=plan.raised_quota_percent,
        )
    veto = (
        _(
            "%(title)s：不称职比例超过 %(t)s 者不得评为%(top)s",
            title=plan.veto_survey.title,
            t=assessments.share_text(plan.veto_survey.negative_share_threshold),
            top=plan.excellent_label,
        )
        if plan.veto_survey
        else _("只按组织部门标注的否决情形")
    )
    return [
        (_("优秀比例"), quota),
        (
            _("优秀名额"),
            _(
                "每个类别分别计算：名额 = 向下取整（(x × 一般对象数 + y × 符合提高条件的对象数) ÷ 100）；"
                "缺项的对象也计入对象数"
            ),
        ),
        (
            _("等次"),
            _(
                "%(top)s（名额内，且不低于 %(min)s 分）、%(bands)s",
                top=plan.excellent_label,
                min=_g(plan.grade_bands[0]["min"]),
                bands=bands,
            ),
        ),
        (
            _("综合得分"),
            _(
                "各考评项目得分按权重加权平均，加正向激励（上限 %(b)s 分）、减效能督查（上限 %(d)s 分），"
                "四舍五入保留两位小数；只有核验分计入，自评分一并列出备查",
                b=_g(plan.bonus_cap),
                d=_g(plan.deduction_cap),
            ),
        ),
        (_("缺项"), _("任一考评项目没有得分的对象没有综合得分，不参加排名（不按 0 分计）")),
        (_("排名"), _("类别内按综合得分从高到低，得分相同者名次相同")),
        (
            _("评优顺序"),
            _(
                "在疫情防控、重点项目、乡村振兴、急难险重等工作中表现突出的对象优先，其余按综合得分；"
                "名额边界上得分相同、名额不够的对象为“并列待定”，由组织部门确定"
            ),
        ),
        (_("否决"), veto),
        (_("调整等次"), _("组织部门可以调整建议等次，须写明理由，并记入操作日志")),
    ]


# ---- exports: Excel ---------------------------------------------------------------------------


def _sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]+", "_", name).strip("' ")[:31] or _("类别")
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f"({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _titles(plan: AssessmentPlan, heading: str, generated_on: date, is_scoped: bool) -> list[str]:
    first = f"{plan.title}｜{heading}"
    if not plan.is_confirmed:
        first += "　" + _draft_mark()
    second = _(
        "%(year)s 年度｜%(status)s｜生成日期 %(date)s",
        year=plan.year,
        status=_status_text(plan),
        date=generated_on.isoformat(),
    )
    if is_scoped:
        second += "｜" + _scope_note()
    return [first, second]


def _category_sheet(
    sheet: Worksheet, plan: AssessmentPlan, category: CategoryView, titles: list[str]
) -> None:
    components = category.components
    headers = [_("名次"), _("编号"), _("名称"), _("所在单位")]
    headers += [
        _("%(name)s（权重 %(weight)s，占 %(share)s）", name=label, weight=_g(weight), share=_pct(share))
        for label, weight, share in components
    ]
    headers += [
        _("正向激励加分"),
        _("效能督查扣分"),
        _("综合得分"),
        _("建议等次"),
        _("建议理由"),
        _("最终等次"),
        _("调整理由"),
        _("标记"),
        _("备注"),
    ]
    rows = []
    for row in category.subjects:
        scores = [_("缺项") if part.score is None else part.score for part in row.parts]
        composite = _composite(plan, row)
        rows.append(
            [
                row.rank or "—",
                row.key,
                row.name,
                row.unit,
                *scores,
                row.bonus,
                row.deduction,
                _("缺项") if composite is None else composite,
                _proposal(row),
                row.reason,
                _final(row),
                row.override_reason if row.is_overridden else "",
                _flags(row),
                _remarks(plan, row),
            ]
        )
    first_score = 5
    formats = {column: SCORE_FORMAT for column in range(first_score, first_score + len(components) + 3)}
    widths = [6, 12, 18, 20, *[13] * len(components), 9, 9, 10, 10, 50, 10, 36, 30, 28]
    _titled_sheet(
        sheet,
        [*titles, _quota_line(plan, category), _composite_formula(plan, category)],
        headers,
        rows,
        widths,
        formats,
        frozen_columns=3,
        marked=not plan.is_confirmed,
    )


def _adjustments_sheet(sheet: Worksheet, view: PlanView, titles: list[str], marked: bool) -> None:
    rows = [
        [
            row.category,
            row.key,
            row.name,
            _("正向激励") if item.kind is AdjustmentKind.BONUS else _("效能督查"),
            item.points if item.kind is AdjustmentKind.BONUS else -item.points,
            item.reason,
            item.document,
        ]
        for row in view.subjects
        for item in row.adjustments
    ]
    _titled_sheet(
        sheet,
        titles,
        [_("类别"), _("编号"), _("名称"), _("类型"), _("分值"), _("事由或发现的问题"), _("记录文件")],
        rows,
        [16, 12, 18, 10, 8, 50, 30],
        {5: SCORE_FORMAT},
        frozen_columns=3,
        marked=marked,
    )


def _parts_sheet(sheet: Worksheet, view: PlanView, titles: list[str], marked: bool) -> None:
    rows = [
        [
            row.category,
            row.key,
            row.name,
            part.label,
            part.source_label,
            part.weight,
            part.share,
            None if part.is_linked else part.self_score,
            _("缺项") if part.score is None else part.score,
            part.points,
        ]
        for row in view.subjects
        for part in row.parts
    ]
    _titled_sheet(
        sheet,
        titles,
        [
            _("类别"),
            _("编号"),
            _("名称"),
            _("考评项目"),
            _("得分来源"),
            _("权重"),
            _("占比"),
            _("自评分"),
            _("计入得分（核验分）"),
            _("折算分"),
        ],
        rows,
        [16, 12, 18, 14, 30, 8, 8, 10, 12, 10],
        {6: "0.##", 7: "0.0%", 8: SCORE_FORMAT, 9: SCORE_FORMAT, 10: SCORE_FORMAT},
        frozen_columns=3,
        marked=marked,
    )


def _rules_sheet(
    sheet: Worksheet, plan: AssessmentPlan, view: PlanView, titles: list[str], marked: bool
) -> None:
    kind = _("单位") if plan.subject_kind is PlanSubjectKind.UNIT else _("干部")
    rows = [
        [_("考核方案"), plan.title],
        [_("年度"), str(plan.year)],
        [_("考核对象"), kind],
        [_("状态"), _status_text(plan)],
        *([label, text] for label, text in _rule_lines(plan)),
    ]
    for category in view.categories:
        weights = phrasing.listing(
            phrasing.noted(f"{label} {_g(weight)}", _pct(share)) for label, weight, share in category.components
        )
        rows.append(
            [
                _("类别：%(name)s", name=category.name),
                _(
                    "考评项目及权重：%(weights)s。%(quota)s",
                    weights=weights or "—",
                    quota=_quota_line(plan, category),
                ),
            ]
        )
    _titled_sheet(sheet, titles, [_("项目"), _("内容")], rows, [24, 110], marked=marked)
    for (cell,) in sheet.iter_rows(min_row=len(titles) + 2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def results_workbook(
    plan: AssessmentPlan, view: PlanView, generated_on: date, *, is_scoped: bool = False
) -> bytes:
    """Return the committee's result workbook: a sheet per category (rank, scores with
    weights, bonus, deduction, composite, proposed grade and reason, final grade, override
    reason, quota line), the bonus/deduction items, the component scores, and the rules."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    marked = not plan.is_confirmed
    for category in view.categories:
        sheet = workbook.create_sheet(_sheet_name(category.name, taken))
        _category_sheet(sheet, plan, category, _titles(plan, category.name, generated_on, is_scoped))
    for name, write in (
        (_("加减分明细"), lambda s, t: _adjustments_sheet(s, view, t, marked)),
        (_("分项得分"), lambda s, t: _parts_sheet(s, view, t, marked)),
        (_("考核办法"), lambda s, t: _rules_sheet(s, plan, view, t, marked)),
    ):
        write(workbook.create_sheet(_sheet_name(name, taken)), _titles(plan, name, generated_on, is_scoped))
    return _save(workbook)


# ---- exports: PDF -----------------------------------------------------------------------------

#: Characters the PDF's built-in CJK font cannot show, and what to write instead.
_PDF_REPLACEMENTS = {"⌊": "向下取整（", "⌋": "）", "−": "-", "·": "、"}
_DRAFT_STYLE = ParagraphStyle(
    "draft",
    parent=pdf_layout.STYLES["notice"],
    fontSize=12,
    leading=17,
    textColor=colors.HexColor("#c00000"),
    borderColor=colors.HexColor("#c00000"),
    borderWidth=0.8,
    borderPadding=4,
    spaceBefore=2,
    spaceAfter=8,
)
_NOTE_STYLE = ParagraphStyle("note", parent=pdf_layout.STYLES["body"], fontSize=8.5, leading=12, leftIndent=8)
_SIGN_STYLE = ParagraphStyle("sign", parent=pdf_layout.STYLES["body"], fontSize=11, leading=30)


def _pdf(text: str) -> str:
    for old, new in _PDF_REPLACEMENTS.items():
        text = text.replace(old, new)
    return text


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_pdf(text)), style)


def _lines(lines: Iterable[str], style: str = "cell") -> Paragraph:
    return Paragraph("<br/>".join(escape(_pdf(line)) for line in lines if line), pdf_layout.STYLES[style])


def _pdf_row(plan: AssessmentPlan, row: SubjectView) -> list:
    name = [row.name]
    if row.unit and row.unit != row.name:
        name.append(row.unit)
    marks = [
        _("优先") if row.is_priority else "",
        _("提高比例") if row.meets_raised_condition else "",
        _("否决") if row.is_veto_applied else "",
    ]
    if any(marks):
        name.append(phrasing.listing(m for m in marks if m))
    parts = [f"{part.label} {_('缺项') if part.score is None else _number(part.score)}" for part in row.parts]
    final = _final(row) + (_("（已调整）") if row.is_overridden else "")
    return [
        str(row.rank or "—"),
        _lines(name),
        _lines(parts),
        f"+{_number(row.bonus)}" if row.bonus else "—",
        f"-{_number(row.deduction)}" if row.deduction else "—",
        _number(_composite(plan, row)),
        _lines([_proposal(row), row.reason]),
        final,
    ]


def _category_notes(plan: AssessmentPlan, category: CategoryView) -> list[str]:
    notes = []
    for row in category.subjects:
        if row.outcome is Outcome.TIE_PENDING:
            notes.append(_("%(name)s：%(reason)s", name=row.name, reason=row.reason))
        if row.is_overridden:
            notes.append(
                _(
                    "%(name)s：建议等次“%(proposal)s”，调整为“%(final)s”。调整理由：%(reason)s",
                    name=row.name,
                    proposal=_proposal(row),
                    final=row.final_grade,
                    reason=row.override_reason,
                )
            )
        remarks = _remarks(plan, row)
        if remarks:
            notes.append(phrasing.labelled(row.name, remarks))
    return notes


def _pdf_header() -> list[str]:
    return [
        _("名次"),
        _("名称"),
        _("分项得分"),
        _("加分"),
        _("扣分"),
        _("综合得分"),
        _("建议等次与理由"),
        _("最终等次"),
    ]


PDF_WIDTHS = tuple(x * mm for x in (9, 26, 32, 12, 12, 16, 45, 22))


#: Room to write a date by hand, in full-width low lines at the signature size (11 pt): the
#: year 6 (23 mm), month and day 4 each (15.5 mm). The blanks were ideographic spaces, which
#: a paragraph collapses to one: "日期： 年 月 日" left no room at all.
DATE_BLANKS = (6, 4, 4)


def _date_line() -> Paragraph:
    year, month, day = ("＿" * width for width in DATE_BLANKS)
    return _para(_("日期：%(year)s年%(month)s月%(day)s日", year=year, month=month, day=day), _SIGN_STYLE)


def _signatures() -> KeepTogether:
    line = "＿" * 12
    return KeepTogether(
        [
            pdf_layout.paragraph(_("考核委员会审定"), "h2"),
            _para(_("考核委员会主任（签字）：%(line)s", line=line), _SIGN_STYLE),
            _date_line(),
            _para(_("考核委员会成员（签字）："), _SIGN_STYLE),
            *(_para(f"{line}　　{line}　　{line}", _SIGN_STYLE) for _i in range(3)),
            _date_line(),
        ]
    )


def results_pdf(
    plan: AssessmentPlan, view: PlanView, generated_on: date, *, is_scoped: bool = False
) -> bytes:
    """Return the result tables in the form a committee signs: per category the table with
    proposed grades and reasons, the quota used, notes on ties and overrides, then the rules
    and the signature lines; numbered A4 pages, marked 草稿 until the plan is confirmed."""
    draft = not plan.is_confirmed
    title = _("%(title)s 考核结果", title=plan.title) + (_("（草稿）") if draft else "")
    kind = _("单位") if plan.subject_kind is PlanSubjectKind.UNIT else _("干部")
    subtitle = _(
        "%(year)s 年度｜考核对象：%(kind)s｜%(status)s｜生成日期 %(date)s",
        year=plan.year,
        kind=kind,
        status=_status_text(plan),
        date=generated_on.isoformat(),
    )
    story = [_para(title, pdf_layout.STYLES["title"]), _para(subtitle, pdf_layout.STYLES["subtitle"])]
    if draft:
        story.append(_para(_draft_mark(), _DRAFT_STYLE))
    if is_scoped:
        story.append(_para(_scope_note(), pdf_layout.STYLES["notice"]))
    for category in view.categories:
        story.append(_para(category.name, pdf_layout.STYLES["h2"]))
        story.append(_para(_quota_line(plan, category), pdf_layout.STYLES["body"]))
        story.append(_para(_composite_formula(plan, category), pdf_layout.STYLES["body"]))
        story.append(Spacer(1, 2 * mm))
        if category.subjects:
            rows = [_pdf_row(plan, row) for row in category.subjects]
            story.append(pdf_layout.table(_pdf_header(), rows, PDF_WIDTHS))
        else:
            story.append(_para(_("本类别没有考核对象"), pdf_layout.STYLES["body"]))
        notes = _category_notes(plan, category)
        if notes:
            story.append(Spacer(1, 2 * mm))
            story.append(_para(_("说明："), pdf_layout.STYLES["body"]))
            story += [_para(f"{i}. {note}", _NOTE_STYLE) for i, note in enumerate(notes, 1)]
    story.append(_para(_("考核办法"), pdf_layout.STYLES["h2"]))
    story += [_para(phrasing.labelled(label, text), _NOTE_STYLE) for label, text in _rule_lines(plan)]
    story += [Spacer(1, 6 * mm), _signatures()]
    footer = "｜".join(
        [
            plan.title,
            _("草稿（未确认）") if draft else _("已确认"),
            _("生成日期 %(date)s", date=generated_on.isoformat()),
        ]
    )
    return pdf_layout.build_pdf(_pdf(title), _pdf(footer), story)
