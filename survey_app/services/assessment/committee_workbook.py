"""The committee's result workbook (.xlsx): a sheet per category with ranks, scores,
composites, proposed and final grades and their reasons, then the bonus/deduction items,
the component scores and the rules; marked 草稿（未确认） on every sheet until the plan is
confirmed. The format is in docs/assessment.md.
"""

import re
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from survey_app.models.assessment import AdjustmentKind, AssessmentPlan, PlanSubjectKind
from survey_app.services.assessment import target_link
from survey_app.services.assessment.committee_wording import (
    composite_formula,
    draft_mark,
    final_grade_text,
    flags_text,
    percent_text,
    plain_number,
    plan_status_text,
    proposed_grade_text,
    quota_line,
    remarks_text,
    rule_lines,
    scope_note,
    shown_composite,
)
from survey_app.services.assessment.file_format import SCORE_FORMAT, workbook_bytes, write_titled_sheet
from survey_app.services.assessment.plan_view import CategoryView, PlanView
from survey_app.services.platform import phrasing


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
        first += "　" + draft_mark()
    second = _(
        "%(year)s 年度｜%(status)s｜生成日期 %(date)s",
        year=plan.year,
        status=plan_status_text(plan),
        date=generated_on.isoformat(),
    )
    if is_scoped:
        second += "｜" + scope_note()
    return [first, second]


def _category_sheet(
    sheet: Worksheet, plan: AssessmentPlan, category: CategoryView, titles: list[str]
) -> None:
    components = category.components
    headers = [_("名次"), _("编号"), _("名称"), _("所在单位")]
    headers += [
        _(
            "%(name)s（权重 %(weight)s，占 %(share)s）",
            name=label,
            weight=plain_number(weight),
            share=percent_text(share),
        )
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
        composite = shown_composite(plan, row)
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
                proposed_grade_text(row),
                row.reason,
                final_grade_text(row),
                row.override_reason if row.is_overridden else "",
                flags_text(row),
                remarks_text(plan, row),
            ]
        )
    first_score = 5
    formats = {column: SCORE_FORMAT for column in range(first_score, first_score + len(components) + 3)}
    widths = [6, 12, 18, 20, *[13] * len(components), 9, 9, 10, 10, 50, 10, 36, 30, 28]
    write_titled_sheet(
        sheet,
        [*titles, quota_line(plan, category), composite_formula(plan, category)],
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
    write_titled_sheet(
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
    write_titled_sheet(
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
        [_("状态"), plan_status_text(plan)],
        *([label, text] for label, text in rule_lines(plan)),
    ]
    for category in view.categories:
        weights = phrasing.listing(
            phrasing.noted(f"{label} {plain_number(weight)}", percent_text(share))
            for label, weight, share in category.components
        )
        rows.append(
            [
                _("类别：%(name)s", name=category.name),
                _(
                    "考评项目及权重：%(weights)s。%(quota)s",
                    weights=weights or "—",
                    quota=quota_line(plan, category),
                ),
            ]
        )
    write_titled_sheet(sheet, titles, [_("项目"), _("内容")], rows, [24, 110], marked=marked)
    for (cell,) in sheet.iter_rows(min_row=len(titles) + 2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _targets_sheet(sheet: Worksheet, breakdowns: list, titles: list[str], marked: bool) -> None:
    """指标考评明细: every leaf of every TARGETS component, with its arithmetic, and the total."""
    rows = []
    for row, item in breakdowns:
        head = [row.category, row.key, row.name, item.component.name, item.system.title]
        if item.unit is None:
            rows.append([*head, "", "", "", None, None, None, None, item.note])
            continue
        state = _("最终") if item.unit.is_final else _("预估")
        for leaf in item.unit.leaves:
            rows.append([*head, state, leaf.code, leaf.name, leaf.points, leaf.target,
                         None if leaf.is_missing else leaf.value, leaf.earned, leaf.wording])
        total = _("合计 %(total)s / %(points)s，第 %(rank)d 名", total=plain_number(round(item.unit.total, 2)),
                  points=plain_number(item.points), rank=item.unit.rank)
        counted = (_("折算为百分制 %(score)s", score=plain_number(round(item.score, 2))) if item.score is not None
                   else item.note)
        rows.append([*head, state, "", total, item.points, None, None, item.unit.total, counted])
    write_titled_sheet(sheet, titles, [_("类别"), _("编号"), _("名称"), _("考评项目"), _("考核细则"), _("状态"),
                                       _("指标编号"), _("指标"), _("分值"), _("目标值"), _("实际值"), _("得分"),
                                       _("计算过程")], rows, [12, 10, 18, 12, 24, 8, 10, 24, 8, 10, 10, 8, 60],
                       marked=marked)


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
    breakdowns = target_link.plan_breakdowns(plan, view)
    if breakdowns:
        name = _("指标考评明细")
        _targets_sheet(workbook.create_sheet(_sheet_name(name, taken)), breakdowns,
                       _titles(plan, name, generated_on, is_scoped), marked)
    return workbook_bytes(workbook)
