"""Importing scores and bonus/deduction items from Excel, all or nothing.

Imports follow the roster import (services/design/rosters.py): a downloadable template
(`import_templates`), then an upload that is read completely first, so that every problem
is listed with its sheet, row and column before anything is written; a file is imported
whole or not at all, through `scoring.store_scores` / `scoring.add_adjustments` (one audit
entry with the counts and every changed subject's composite before and after). The formats
are in docs/assessment.md.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from survey_app.errors import StructureLocked, ValidationFailed
from survey_app.models import User
from survey_app.models.assessment import AdjustmentKind, AssessmentPlan, PlanComponent
from survey_app.services.assessment import scoring
from survey_app.services.assessment.file_format import (
    BONUS_COLUMNS,
    BONUS_SHEET,
    COMPONENT_MARK,
    DEDUCTION_COLUMNS,
    DEDUCTION_SHEET,
    DOCUMENT,
    DOCUMENT_LENGTH,
    FINDING,
    POINTS,
    REASON,
    REASON_LENGTH,
    SCORE_COLUMNS,
    SCORE_SHEET,
    SELF_SCORE,
    VERIFIED_SCORE,
    component_mark,
    file_error_message,
    require_manual_component,
    visible_subjects,
)
from survey_app.services.assessment.scoring import KEEP
from survey_app.services.assessment.sheet_reading import (
    DataSheet,
    RowReader,
    SubjectFinder,
    read_data_sheet,
    subject_column,
)
from survey_app.services.platform import sheets


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


def parse_scores(
    plan: AssessmentPlan, component: PlanComponent, data: bytes, unit_ids: Collection[int] | None = None
) -> tuple[list[ScoreRow], int]:
    """Read a score workbook for one manual component into rows, or raise ValidationFailed
    listing every problem. Returns the rows with a score and how many rows had none. Only
    subjects of `unit_ids` (when given) are found. Nothing is written."""
    require_manual_component(plan, component)
    workbook = sheets.open_workbook(data, file_error_message())
    problems: list[str] = []
    try:
        sheet = read_data_sheet(workbook, SCORE_SHEET, SCORE_COLUMNS, problems)
    finally:
        workbook.close()
    if sheet is None:
        raise ValidationFailed(file_error_message(), [_("缺少工作表“%(sheet)s”，请使用导入模板", sheet=SCORE_SHEET)])
    expected = component_mark(component)
    mark_row, mark = next(
        ((row, text) for row, text in sheet.above if text.startswith(COMPONENT_MARK)), (0, None)
    )
    if mark is not None and mark != expected:
        raise ValidationFailed(
            file_error_message(),
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
    finder = SubjectFinder(visible_subjects(plan, None if unit_ids is None else set(unit_ids)))
    rows, blank, first_row = [], 0, {}
    for number, values in sheet.rows:
        reader = RowReader(sheet, number, values, problems)
        subject = finder.find(reader)
        self_score, verified_score = reader.score(SELF_SCORE), reader.score(VERIFIED_SCORE)
        if subject is None:
            continue
        column = subject_column(reader)
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
        raise ValidationFailed(file_error_message(), problems)
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
    keys = scoring.store_scores(
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


def _parse_adjustment_sheet(
    sheet: DataSheet, kind: AdjustmentKind, finder: SubjectFinder, problems: list[str]
):
    reason_header = REASON if kind is AdjustmentKind.BONUS else FINDING
    label = _("加分") if kind is AdjustmentKind.BONUS else _("扣分")
    rows: list[AdjustmentRow] = []
    first_row: dict[tuple, int] = {}
    for number, values in sheet.rows:
        reader = RowReader(sheet, number, values, problems)
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
    workbook = sheets.open_workbook(data, file_error_message())
    problems: list[str] = []
    try:
        bonus = read_data_sheet(workbook, BONUS_SHEET, BONUS_COLUMNS, problems)
        deduction = read_data_sheet(workbook, DEDUCTION_SHEET, DEDUCTION_COLUMNS, problems)
    finally:
        workbook.close()
    if bonus is None and deduction is None:
        raise ValidationFailed(
            file_error_message(),
            [
                _(
                    "缺少工作表“%(bonus)s”和“%(deduction)s”，请使用导入模板",
                    bonus=BONUS_SHEET,
                    deduction=DEDUCTION_SHEET,
                )
            ],
        )
    finder = SubjectFinder(visible_subjects(plan, None if unit_ids is None else set(unit_ids)))
    rows = []
    for sheet, kind in ((bonus, AdjustmentKind.BONUS), (deduction, AdjustmentKind.DEDUCTION)):
        if sheet is not None:
            rows += _parse_adjustment_sheet(sheet, kind, finder, problems)
    if not problems and not rows:
        problems.append(_("文件中没有任何加分或扣分项"))
    if problems:
        raise ValidationFailed(file_error_message(), problems)
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
    scoring.add_adjustments(
        plan, entries, actor, "assessment.adjustments_import", filename=filename, **summary.as_dict()
    )
    return summary
