"""The workbooks organizers download to fill in: one manual component's scores (with the
current 自评分 and 核验分), and the 正向激励 / 效能督查 items with the plan's subjects for
reference; both limited to the user's units when scoped. Read back by `plan_import`.
"""

from collections.abc import Collection

from flask_babel import gettext as _
from openpyxl import Workbook

from survey_app.models.assessment import AssessmentPlan, PlanComponent
from survey_app.services.assessment.file_format import (
    BONUS_COLUMNS,
    BONUS_SHEET,
    CATEGORY,
    DEDUCTION_COLUMNS,
    DEDUCTION_SHEET,
    KEY,
    NAME,
    SCORE_SHEET,
    SELF_SCORE,
    SUBJECT_LIST_SHEET,
    UNIT,
    VERIFIED_SCORE,
    component_mark,
    format_as_text_column,
    require_manual_component,
    visible_subjects,
    workbook_bytes,
    write_help_sheet,
    write_titled_sheet,
)
from survey_app.services.platform.sheets import write_sheet


def score_template(
    plan: AssessmentPlan, component: PlanComponent, unit_ids: Collection[int] | None = None
) -> bytes:
    """Return the score workbook of one manual component: its category's subjects (those of
    `unit_ids` only, when given) with their current 自评分 and 核验分."""
    require_manual_component(plan, component)
    workbook = Workbook()
    write_help_sheet(
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
    for subject in visible_subjects(plan, None if unit_ids is None else set(unit_ids)):
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
    write_titled_sheet(
        sheet,
        [component_mark(component)],
        [KEY, NAME, UNIT, SELF_SCORE, VERIFIED_SCORE],
        rows,
        [14, 24, 26, 10, 10],
        frozen_columns=2,
    )
    format_as_text_column(sheet, 1, 3)
    return workbook_bytes(workbook)


def adjustment_template(plan: AssessmentPlan, unit_ids: Collection[int] | None = None) -> bytes:
    """Return the bonus and deduction workbook: 正向激励 and 效能督查 sheets to fill, and the
    plan's subjects (those of `unit_ids` only, when given) for reference."""
    workbook = Workbook()
    write_help_sheet(
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
        format_as_text_column(sheet, 1, 2)
    subjects = workbook.create_sheet(SUBJECT_LIST_SHEET)
    write_sheet(
        subjects,
        [KEY, NAME, UNIT, CATEGORY],
        (
            [s.key, s.name, s.unit.name if s.unit else "", s.category.name]
            for s in visible_subjects(plan, None if unit_ids is None else set(unit_ids))
        ),
        [14, 24, 26, 18],
    )
    return workbook_bytes(workbook)
