"""The workbooks and helpers the assessment import and export tests share: an organizer's
own files, uploads, snapshots of everything an import could touch, and a confirmed plan.
"""

import re
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models.assessment import (
    Adjustment,
    AssessmentPlan,
    ComponentScore,
)
from survey_app.services.assessment import grading
from tests.app.assessment_plan import actor, component_id, get_view, set_status

SCORE_HEADERS = ("编号", "名称", "所在单位", "自评分", "核验分")


BONUS_HEADERS = ("编号", "名称", "分值", "事由")


DEDUCTION_HEADERS = ("编号", "名称", "分值", "发现的问题", "记录文件")


LEADERS_MARK = "考评项目：乡镇／领导评价"


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def book(sheets: dict) -> bytes:
    """A workbook from {sheet name: rows}, as an organizer's own file would be."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def score_book(*rows, headers=SCORE_HEADERS, sheet="得分", mark=LEADERS_MARK) -> bytes:
    return book({sheet: ([(mark,)] if mark else []) + [headers, *rows]})


def leaders(app) -> int:
    return component_id(app, "乡镇", "领导评价")


def upload_scores(client, plan_id, component, data, filename="领导评价.xlsx"):  # noqa: F811
    return client.post(
        f"/admin/assessments/{plan_id}/import/scores",
        content_type="multipart/form-data",
        data={"scores-component_id": str(component), "scores-workbook": (BytesIO(data), filename)},
    )


def upload_adjustments(client, plan_id, data, filename="加减分.xlsx"):  # noqa: F811
    return client.post(
        f"/admin/assessments/{plan_id}/import/adjustments",
        content_type="multipart/form-data",
        data={"adjustments-workbook": (BytesIO(data), filename)},
    )


def page_errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    if 'id="import-errors"' not in html:
        return []
    return re.findall(r"<li>(.*?)</li>", html.split('id="import-errors"', 1)[1].split("</ol>", 1)[0])


def snapshot(app, plan_id) -> dict:  # noqa: F811
    """Everything an import could touch: equal before and after a refused upload."""
    with app.app_context():
        scores = {
            (s.subject_id, s.component_id): (s.self_score, s.verified_score)
            for s in db.session.scalars(select(ComponentScore))
        }
        items = db.session.scalar(select(func.count()).select_from(Adjustment))
        audit = db.session.scalar(select(func.count()).select_from(AuditEntry))
    rows, _view = get_view(app, plan_id)
    return {
        "scores": scores,
        "items": items,
        "audit": audit,
        "composites": {key: row.composite for key, row in rows.items()},
    }


def confirm(app, plan_id):  # noqa: F811
    """Propose, decide the tie and the 缺项 with overrides, and confirm."""
    set_status(app, plan_id, "propose")
    with app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        subjects = {s.key: s for s in plan.subjects}
        grading.override_grade(subjects["T1"], "优秀", "党委会研究确定", actor())
        grading.override_grade(subjects["T2"], "称职", "并列时按领导评价较低者", actor())
        grading.override_grade(subjects["T3"], "称职", "领导评价因换届未开展，按指标考评确定", actor())
        grading.change_status(plan, "confirm", actor())
        db.session.commit()


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_of(rows, key) -> list:
    return next(row for row in rows if len(row) > 1 and row[1] == key)


def adjustments_book(bonus=(), deduction=()) -> bytes:
    return book({"正向激励": [BONUS_HEADERS, *bonus], "效能督查": [DEDUCTION_HEADERS, *deduction]})


GOOD_ADJUSTMENTS = adjustments_book(
    bonus=[("T1", "乡镇1", 1.5, "乡村振兴示范村创建成效显著")],
    deduction=[
        ("T2", "", 2, "信访件办理超期", "市效能办通报〔2026〕9号"),
        ("", "乡镇5", "1", "窗口服务投诉属实", "市委督查室通报〔2026〕4号"),
    ],
)
