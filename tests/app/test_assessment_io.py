"""Assessment scores and bonus/deduction items from Excel, and the committee's result tables.

The plan is the one of test_assessments.py (乡镇: 指标考评 50 + 领导评价 50, both manual;
quota ⌊30% × 5⌋ = 1; bonus cap 3, deduction cap 5). Imports: the template, the happy path
with composites computed by hand, every refusal leaving the database as it was. Exports:
read back with openpyxl and pdftotext (headers, figures, the 草稿 mark, neutralised
formulas), scoped to a user's units, and the access rules (viewers export, never import).
"""

import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role
from survey_app.models.assessment import (
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentScore,
    PlanCategory,
    PlanStatus,
    PlanSubject,
)
from survey_app.services.assessment import committee_pdf, grading, plans, scoring
from tests.app.documents import assert_fonts_embedded, pdf_text_or_skip, pdf_words
from tests.app.test_assessments import (  # noqa: F401 — fixtures are used by name
    actor,
    audit_count,
    component_id,
    get_view,
    plan_id,
    set_status,
    subject_id,
    survey_id,
)

SCORE_HEADERS = ("编号", "名称", "所在单位", "自评分", "核验分")
BONUS_HEADERS = ("编号", "名称", "分值", "事由")
DEDUCTION_HEADERS = ("编号", "名称", "分值", "发现的问题", "记录文件")
LEADERS_MARK = "考评项目：乡镇／领导评价"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- helpers ----------------------------------------------------------------------------------


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


# ---- the score template -----------------------------------------------------------------------


def test_score_template_lists_the_category_with_its_scores(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    response = client.get(f"/admin/assessments/{plan_id}/components/{leaders(app)}/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX_TYPE
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["说明", "得分"]
    sheet = workbook["得分"]
    rows = sheet_rows(sheet)
    assert rows[0][0] == LEADERS_MARK
    assert rows[1] == list(SCORE_HEADERS)
    assert rows[2:] == [
        ["T1", "乡镇1", "1镇", None, 86],
        ["T2", "乡镇2", "2镇", None, 88],
        ["T3", "乡镇3", "3镇", None, None],
        ["T4", "乡镇4", "4镇", None, 60],
        ["T5", "乡镇5", "5镇", None, 95],
    ]
    assert sheet.freeze_panes == "C3" and sheet["A2"].font.b
    assert sheet["A3"].number_format == "@"  # keys such as 007 stay as typed


def test_linked_components_have_no_template(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    linked = component_id(app, "市直部门", "民主测评")
    assert client.get(f"/admin/assessments/{plan_id}/components/{linked}/template.xlsx").status_code == 404


# ---- importing scores -------------------------------------------------------------------------


def test_filled_template_is_imported_and_recomputed(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    component = leaders(app)
    workbook = load_workbook(
        BytesIO(client.get(f"/admin/assessments/{plan_id}/components/{component}/template.xlsx").data)
    )
    sheet = workbook["得分"]
    sheet["D5"], sheet["E5"] = 88, 84  # T3: 自评分 88, 核验分 84 (was 缺项)
    sheet["E6"] = "70"  # T4: 核验分 70 as text; its blank 自评分 stays blank
    buffer = BytesIO()
    workbook.save(buffer)
    response = upload_scores(client, plan_id, component, buffer.getvalue())
    assert response.status_code == 302, page_errors(response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入分数：5 行，其中 2 个对象的分数有变化，3 个不变；0 行未填分数" in page
    rows, view = get_view(app, plan_id)
    assert rows["T3"].composite == 82.0  # (50·80 + 50·84) / 100
    assert rows["T4"].composite == 65.0  # (50·70 + 50·70) / 100 − min(3 + 4, 5)
    assert rows["T3"].parts[1].self_score == 88 and rows["T4"].parts[1].self_score is None
    assert rows["T3"].rank == 4 and rows["T3"].proposed_grade == "称职"
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "assessment.scores_import")
        ).one()
        assert entry.detail["filename"] == "领导评价.xlsx" and entry.username == "organizer"
        assert (
            entry.detail["rows"],
            entry.detail["changed"],
            entry.detail["unchanged"],
            entry.detail["blank"],
        ) == (5, 2, 3, 0)
        assert entry.detail["composite"] == {"T3": [None, 82.0], "T4": [60.0, 65.0]}
        assert entry.detail["scores"]["T3"] == {"self_score": [None, 88.0], "verified_score": [None, 84.0]}


def test_own_file_by_name_with_aliases_and_blank_rows(app, client, auth, plan_id):  # noqa: F811
    """No title row, other column order, 核定分 for 核验分, a name instead of a key, a row
    without scores (left as it is) and full-width digits."""
    auth.login()
    data = score_book(
        ("", "乡镇3", "９０", None, "3镇"),
        ("T1", "乡镇1", None, None, None),
        headers=("编号", "名称", "核定分", "自评分", "备注"),
        mark=None,
    )
    response = upload_scores(client, plan_id, leaders(app), data)
    assert response.status_code == 302, page_errors(response)
    rows, _view = get_view(app, plan_id)
    assert rows["T3"].composite == 85.0 and rows["T1"].composite == 88.0


UNKNOWN = ("T9", "", "", None, 80)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            score_book(("T3", "乡镇3", "", None, 84), UNKNOWN),
            "工作表“得分”第 4 行 A 列（编号）：找不到编号为“T9”的考核对象",
        ),
        (
            score_book(("T3", "乡镇3", "", None, 84), ("T3", "", "", 90, None)),
            "工作表“得分”第 4 行 A 列（编号）：与第 3 行是同一考核对象（乡镇3）",
        ),
        (
            score_book(("T3", "乡镇3", "", None, 120)),
            "工作表“得分”第 3 行 E 列（核验分）：应为 0–100 之间的数（现为 120）",
        ),
        (
            score_book(("T3", "乡镇3", "", "八十", 84)),
            "工作表“得分”第 3 行 D 列（自评分）：应为数字（现为“八十”）",
        ),
        (
            score_book(("T3", "乡镇3", "", None, True)),
            "工作表“得分”第 3 行 E 列（核验分）：应为数字（现为“True”）",
        ),
        (
            score_book(("T3", "乡镇2", "", None, 84)),
            "工作表“得分”第 3 行 B 列（名称）：编号“T3”的考核对象是“乡镇3”，与本行的“乡镇2”不一致",
        ),
        (
            score_book(("C1", "", "", None, 84)),
            "工作表“得分”第 3 行 A 列（编号）：“张伟”属于类别“市直部门”，不参加“乡镇／领导评价”的考评",
        ),
        (score_book(("", "", "3镇", None, 84)), "工作表“得分”第 3 行 A 列（编号）：请填写编号或名称"),
        (score_book(("T3", "乡镇3", "", None, 84), sheet="Sheet1"), "缺少工作表“得分”，请使用导入模板"),
        (
            score_book(("T3", "乡镇3", "", None, 84), headers=("编号", "名称", "所在单位", "自评分", "分数")),
            "工作表“得分”第 2 行：缺少列“核验分”，请使用导入模板",
        ),
        (
            score_book(("T3", "乡镇3", "", None, 84), headers=("编号", "名称", "自评分", "核验分", "核定分")),
            "工作表“得分”第 2 行：列“核验分”出现了不止一次（D 列和 E 列）",
        ),
        (
            score_book(("T3", "乡镇3", "", None, 84), mark="考评项目：乡镇／指标考评"),
            "工作表“得分”第 1 行：这是“乡镇／指标考评”的分数文件，与所选的考评项目“乡镇／领导评价”不符",
        ),
        (score_book(("T3", "乡镇3", "", None, None)), "工作表“得分”中没有填写任何分数"),
        (b"just some text, not a workbook", "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "这是旧版 Excel 文件（.xls）"),
    ],
)
def test_bad_score_file_changes_nothing(app, client, auth, plan_id, data, message):  # noqa: F811
    auth.login()
    before = snapshot(app, plan_id)
    response = upload_scores(client, plan_id, leaders(app), data)
    assert response.status_code == 422
    errors = page_errors(response)
    assert any(message in error for error in errors), errors
    assert "文件有误，未导入任何数据" in response.get_data(as_text=True)
    assert snapshot(app, plan_id) == before


def test_every_mistake_is_listed_at_once(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    data = score_book(("T3", "乡镇3", "", None, 84), UNKNOWN, ("T4", "", "", -1, 101))
    errors = page_errors(upload_scores(client, plan_id, leaders(app), data))
    assert errors == [
        "工作表“得分”第 4 行 A 列（编号）：找不到编号为“T9”的考核对象",
        "工作表“得分”第 5 行 D 列（自评分）：应为 0–100 之间的数（现为 -1）",
        "工作表“得分”第 5 行 E 列（核验分）：应为 0–100 之间的数（现为 101）",
    ]


@pytest.mark.parametrize(
    ("filename", "component", "message"),
    [
        ("分数.txt", "leaders", "只能上传 Excel 工作簿（.xlsx）文件"),
        ("分数.xlsx", "linked", "请选择考评项目"),
    ],
)
def test_bad_upload_form_changes_nothing(app, client, auth, plan_id, filename, component, message):  # noqa: F811
    auth.login()
    before = snapshot(app, plan_id)
    target = leaders(app) if component == "leaders" else component_id(app, "市直部门", "民主测评")
    response = upload_scores(client, plan_id, target, score_book(("T3", "乡镇3", "", None, 84)), filename)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    response = client.post(
        f"/admin/assessments/{plan_id}/import/scores",
        content_type="multipart/form-data",
        data={"scores-component_id": str(leaders(app))},
    )
    assert response.status_code == 422 and "请选择要上传的文件" in response.get_data(as_text=True)
    assert snapshot(app, plan_id) == before


def test_a_confirmed_plan_imports_nothing(app, client, auth, plan_id):  # noqa: F811
    confirm(app, plan_id)
    auth.login()
    before = snapshot(app, plan_id)
    response = upload_scores(client, plan_id, leaders(app), score_book(("T4", "乡镇4", "", None, 99)))
    assert response.status_code == 409 and "考核结果已确认，不能再导入" in response.get_data(as_text=True)
    response = upload_adjustments(client, plan_id, book({"正向激励": [BONUS_HEADERS, ("T4", "", 1, "x")]}))
    assert response.status_code == 409
    assert snapshot(app, plan_id) == before
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert '/import"' not in page and "export.pdf" in page


def test_a_proposed_plan_still_takes_scores(app, client, auth, plan_id):  # noqa: F811
    set_status(app, plan_id, "propose")
    auth.login()
    response = upload_scores(client, plan_id, leaders(app), score_book(("T3", "乡镇3", "", None, 84)))
    assert response.status_code == 302
    assert get_view(app, plan_id)[0]["T3"].composite == 82.0


def test_scoped_organizer_imports_only_their_subjects(app, client, auth, plan_id):  # noqa: F811
    with app.app_context():
        unit = db.session.scalars(select(PlanSubject.unit_id).where(PlanSubject.key == "T3")).one()
    auth.create_user("scoped-organizer", Role.ORGANIZER, unit_ids=[unit])
    auth.login("scoped-organizer")
    template = load_workbook(
        BytesIO(client.get(f"/admin/assessments/{plan_id}/components/{leaders(app)}/template.xlsx").data)
    )
    assert [row[0] for row in sheet_rows(template["得分"])[2:]] == ["T3"]
    before = snapshot(app, plan_id)
    response = upload_scores(
        client, plan_id, leaders(app), score_book(("T3", "", "", None, 84), ("T4", "", "", None, 1))
    )
    assert "工作表“得分”第 4 行 A 列（编号）：找不到编号为“T4”的考核对象" in page_errors(response)
    assert snapshot(app, plan_id) == before


# ---- importing bonus and deduction items ------------------------------------------------------


def test_adjustment_template(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    response = client.get(f"/admin/assessments/{plan_id}/adjustments/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["说明", "正向激励", "效能督查", "考核对象"]
    assert sheet_rows(workbook["正向激励"]) == [list(BONUS_HEADERS)]
    assert sheet_rows(workbook["效能督查"]) == [list(DEDUCTION_HEADERS)]
    assert ["T1", "乡镇1", "1镇", "乡镇"] in sheet_rows(workbook["考核对象"])


def adjustments_book(bonus=(), deduction=()) -> bytes:
    return book({"正向激励": [BONUS_HEADERS, *bonus], "效能督查": [DEDUCTION_HEADERS, *deduction]})


GOOD_ADJUSTMENTS = adjustments_book(
    bonus=[("T1", "乡镇1", 1.5, "乡村振兴示范村创建成效显著")],
    deduction=[
        ("T2", "", 2, "信访件办理超期", "市效能办通报〔2026〕9号"),
        ("", "乡镇5", "1", "窗口服务投诉属实", "市委督查室通报〔2026〕4号"),
    ],
)


def test_adjustments_are_imported_and_recomputed(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    response = upload_adjustments(client, plan_id, GOOD_ADJUSTMENTS)
    assert response.status_code == 302, page_errors(response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入正向激励 1 项、效能督查 2 项" in page
    rows, _view = get_view(app, plan_id)
    assert (rows["T1"].composite, rows["T2"].composite, rows["T5"].composite) == (89.5, 86.0, 94.0)
    assert rows["T1"].proposed_grade == "优秀"  # the tie is broken; T5 (94.00) stays vetoed
    t2 = rows["T2"].adjustments[0]
    assert (t2.kind, t2.points, t2.reason, t2.document) == (
        AdjustmentKind.DEDUCTION,
        2.0,
        "信访件办理超期",
        "市效能办通报〔2026〕9号",
    )
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "assessment.adjustments_import")
        ).one()
        assert (entry.detail["bonuses"], entry.detail["deductions"]) == (1, 2)
        assert entry.detail["composite"] == {"T1": [88.0, 89.5], "T2": [88.0, 86.0], "T5": [95.0, 94.0]}
        assert entry.detail["proposal"]["T1"] == [None, "优秀"]
    response = upload_adjustments(client, plan_id, GOOD_ADJUSTMENTS)  # the same file again
    assert response.status_code == 422
    assert (
        "“乡镇1”已录入过相同的加分（1.5 分，乡村振兴示范村创建成效显著），是否重复导入？"
        in page_errors(response)[0]
    )
    assert get_view(app, plan_id)[0]["T1"].composite == 89.5


def test_one_sheet_is_enough(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    data = book({"效能督查": [DEDUCTION_HEADERS, ("T1", "", 0.5, "会议迟到", "效能通报〔2026〕1号")]})
    assert upload_adjustments(client, plan_id, data).status_code == 302
    assert get_view(app, plan_id)[0]["T1"].composite == 87.5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            adjustments_book(bonus=[("T1", "", 0, "x")]),
            "工作表“正向激励”第 2 行 C 列（分值）：应大于 0，且不超过 100（现为 0）",
        ),
        (
            adjustments_book(bonus=[("T1", "", "两分", "x")]),
            "工作表“正向激励”第 2 行 C 列（分值）：应为数字（现为“两分”）",
        ),
        (adjustments_book(bonus=[("T1", "", 1, "")]), "工作表“正向激励”第 2 行 D 列（事由）：不能为空"),
        (
            adjustments_book(bonus=[("T1", "", 1, "x" * 301)]),
            "工作表“正向激励”第 2 行 D 列（事由）：不能超过 300 个字符",
        ),
        (
            adjustments_book(deduction=[("T1", "", 1, "窗口超时", None)]),
            "工作表“效能督查”第 2 行 E 列（记录文件）：不能为空",
        ),
        (
            adjustments_book(deduction=[("T9", "", 1, "窗口超时", "通报")]),
            "工作表“效能督查”第 2 行 A 列（编号）：找不到编号为“T9”的考核对象",
        ),
        (
            adjustments_book(bonus=[("T1", "", 1, "x"), ("T1", "乡镇1", 1, "x")]),
            "工作表“正向激励”第 3 行 D 列（事由）：与第 2 行完全相同（同一对象、分值和事由）",
        ),
        (
            adjustments_book(deduction=[("T4", "", 3, "督查发现整改不到位", "督查通报〔2026〕3号")]),
            "“乡镇4”已录入过相同的扣分（3 分，督查发现整改不到位），是否重复导入？",
        ),
        (
            book({"加分": [BONUS_HEADERS, ("T1", "", 1, "x")]}),
            "缺少工作表“正向激励”和“效能督查”，请使用导入模板",
        ),
        (
            book({"效能督查": [("编号", "名称", "分值", "发现的问题"), ("T1", "", 1, "x")]}),
            "工作表“效能督查”第 1 行：缺少列“记录文件”",
        ),
        (adjustments_book(), "文件中没有任何加分或扣分项"),
        (b"PK\x03\x04 broken", "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏"),
    ],
)
def test_bad_adjustment_file_changes_nothing(app, client, auth, plan_id, data, message):  # noqa: F811
    auth.login()
    before = snapshot(app, plan_id)
    response = upload_adjustments(client, plan_id, data)
    assert response.status_code == 422
    errors = page_errors(response)
    assert any(message in error for error in errors), errors
    assert snapshot(app, plan_id) == before


def test_one_bad_row_among_good_ones_adds_nothing(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    before = snapshot(app, plan_id)
    data = adjustments_book(
        bonus=[("T1", "", 1, "好"), ("T2", "", 1, "好")], deduction=[("T3", "", 1, "问题", "")]
    )
    response = upload_adjustments(client, plan_id, data)
    assert page_errors(response) == ["工作表“效能督查”第 2 行 E 列（记录文件）：不能为空"]
    assert snapshot(app, plan_id) == before


# ---- exports ----------------------------------------------------------------------------------


def test_workbook_export_of_a_draft(app, client, auth, plan_id):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    response = client.get(f"/admin/assessments/{plan_id}/export.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX_TYPE
    assert response.headers["Cache-Control"] == "private, no-store"
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["市直部门", "乡镇", "加减分明细", "分项得分", "考核办法"]
    towns = workbook["乡镇"]
    rows = sheet_rows(towns)
    assert rows[0][0].startswith("2026年度干部考核｜乡镇") and "草稿（未确认）" in rows[0][0]
    assert towns["A1"].font.color.rgb.endswith("C00000")
    assert "⌊30% × 5⌋ = 1 个，已用 0 个，尚余 1 个" in rows[2][0] and "并列待定 2 个" in rows[2][0]
    assert rows[3][0] == "综合得分 = 指标考评 × 50% + 领导评价 × 50% + 正向激励（上限 3）− 效能督查（上限 5）"
    assert rows[4] == [
        "名次",
        "编号",
        "名称",
        "所在单位",
        "指标考评（权重 50，占 50%）",
        "领导评价（权重 50，占 50%）",
        "正向激励加分",
        "效能督查扣分",
        "综合得分",
        "建议等次",
        "建议理由",
        "最终等次",
        "调整理由",
        "标记",
        "备注",
    ]
    assert towns.freeze_panes == "D6" and towns["A5"].font.b
    assert [row[1] for row in rows[5:]] == ["T5", "T1", "T2", "T4", "T3"]
    assert row_of(rows, "T1")[:12] == [
        2,
        "T1",
        "乡镇1",
        "1镇",
        90,
        86,
        0,
        0,
        88,
        "并列待定",
        "并列待定：综合得分 88.00，2 个对象并列，争 1 个优秀名额，请组织部门确定",
        "待定",
    ]
    t4 = row_of(rows, "T4")
    assert t4[6:10] == [0, 5, 60, "基本称职"] and t4[14] == "扣分合计 7.00，按上限计 5.00"
    assert row_of(rows, "T3")[4:6] == [80, "缺项"] and row_of(rows, "T3")[8] == "缺项"
    assert row_of(rows, "T5")[13] == "否决：年内受到诫勉"
    assert towns["I6"].number_format == "0.00"
    city = sheet_rows(workbook["市直部门"])
    assert row_of(city, "C1")[4:9] == [90, 100, 3, 0, 97]
    assert row_of(city, "C3")[13] == "否决：民主测评不称职比例 2/3"
    items = sheet_rows(workbook["加减分明细"])
    assert ["乡镇", "T4", "乡镇4", "效能督查", -3, "督查发现整改不到位", "督查通报〔2026〕3号"] in items
    parts = sheet_rows(workbook["分项得分"])
    assert ["市直部门", "C1", "张伟", "指标考评", "手工录入（核验分）", 60, 0.6, 92, 90, 54] in parts
    rules = {row[0]: row[1] for row in sheet_rows(workbook["考核办法"])[3:]}
    assert rules["状态"] == "草稿（未确认）" and "优秀比例 30%" in rules["优秀比例"]
    assert "⌊30% × 2 + 40% × 1⌋ = 1" in rules["类别：市直部门"]


def test_confirmed_workbook_has_final_grades_and_override_reasons(app, client, auth, plan_id):  # noqa: F811
    confirm(app, plan_id)
    auth.login("viewer", Role.VIEWER)
    workbook = load_workbook(BytesIO(client.get(f"/admin/assessments/{plan_id}/export.xlsx").data))
    rows = sheet_rows(workbook["乡镇"])
    assert "草稿" not in rows[0][0] and "未确认" not in rows[1][0] and "已确认" in rows[1][0]
    assert "已用 1 个，尚余 0 个" in rows[2][0]
    t1 = row_of(rows, "T1")
    assert (t1[11], t1[12]) == ("优秀", "党委会研究确定")
    assert row_of(rows, "T3")[11:13] == ["称职", "领导评价因换届未开展，按指标考评确定"]
    assert all(
        "草稿" not in (row[0] or "") for name in workbook.sheetnames for row in sheet_rows(workbook[name])[:2]
    )


def test_formulas_in_user_text_are_neutralised(app, client, auth, plan_id, tmp_path):  # noqa: F811
    with app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        towns = db.session.scalars(select(PlanCategory).where(PlanCategory.name == "乡镇")).one()
        plans.update_plan(plan, {"title": '=HYPERLINK("http://example.invalid")'}, actor())
        subject = plans.add_subject(
            plan, {"key": "T6", "name": "=1+1", "unit_name": "@SUM(A1)", "category_id": towns.id}, actor()
        )
        for component in towns.components:
            scoring.set_score(subject, component, None, 70, actor())
        scoring.add_adjustment(
            subject, {"kind": AdjustmentKind.BONUS, "points": 1, "reason": "+cmd|' /C calc'!A0"}, actor()
        )
        db.session.commit()
    auth.login("viewer", Role.VIEWER)
    workbook = load_workbook(BytesIO(client.get(f"/admin/assessments/{plan_id}/export.xlsx").data))
    towns_sheet = workbook["乡镇"]
    cells = [cell for row in towns_sheet.iter_rows() for cell in row if cell.value is not None]
    t6 = row_of(sheet_rows(towns_sheet), "T6")
    assert t6[2:4] == ["'=1+1", "'@SUM(A1)"] and t6[8] == 71
    assert towns_sheet["A1"].value.startswith("'=HYPERLINK")
    assert not any(
        cell.data_type == "f"
        for name in workbook.sheetnames
        for row in workbook[name].iter_rows()
        for cell in row
    )
    assert all(not str(cell.value).startswith(("=", "+", "@")) for cell in cells)
    items = sheet_rows(workbook["加减分明细"])
    assert ["乡镇", "T6", "'=1+1", "正向激励", 1, "'+cmd|' /C calc'!A0", None] in items
    text = pdf_text_or_skip(client.get(f"/admin/assessments/{plan_id}/export.pdf").data)
    assert "=1+1" in text  # shown as typed: a PDF evaluates nothing


def test_the_signing_pdf_leaves_room_to_write_the_date(app, client, auth, plan_id):  # noqa: F811
    """The date blanks were ideographic spaces, collapsed to "日期： 年 月 日"."""
    auth.login("viewer", Role.VIEWER)
    pdf = client.get(f"/admin/assessments/{plan_id}/export.pdf").data
    dates = [word for word in pdf_words(pdf) if re.fullmatch(r"日期：＿+年＿+月＿+日", word.text)]
    assert len(dates) == 2, [w.text for w in pdf_words(pdf) if "日期" in w.text]  # the chair's and the members'
    for word in dates:
        year, month, day = map(len, re.fullmatch(r"日期：(＿+)年(＿+)月(＿+)日", word.text).groups())
        assert year >= 6 and month >= 4 and day >= 4, word.text
        assert word.x_max - word.x_min > 60 * 2.835, word  # over 60 mm of line: room for "2026年12月31日"


def test_pdf_of_a_draft_is_marked(app, client, auth, plan_id, tmp_path):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    response = client.get(f"/admin/assessments/{plan_id}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = pdf_text_or_skip(response.data)
    assert "2026年度干部考核 考核结果（草稿）" in text
    assert_fonts_embedded(response.data)
    assert "草稿（未确认）：考核结果尚未确认" in text
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", response.data))
    assert text.count("2026年度干部考核｜草稿（未确认）｜生成日期") == pages  # the footer of every page
    assert f"第 1 页，共 {pages} 页" in text
    assert "市直部门" in text and "乡镇1" in text and "张伟" in text
    assert "97.00" in text and "88.00" in text and "60.00" in text
    assert "向下取整（30%" in text and "已用 0 个，尚余 1 个" in text
    assert "并列待定：综合得分 88.00，2 个对象并列" in text
    assert "考核委员会主任（签字）" in text and "考核委员会成员（签字）" in text


def test_pdf_of_a_confirmed_plan_lists_overrides_with_reasons(app, client, auth, plan_id, tmp_path):  # noqa: F811
    confirm(app, plan_id)
    auth.login("viewer", Role.VIEWER)
    text = pdf_text_or_skip(client.get(f"/admin/assessments/{plan_id}/export.pdf").data)
    assert "草稿" not in text and "未确认" not in text and "已确认" in text
    flat = re.sub(r"\s+", "", text)
    assert "乡镇1：建议等次“并列待定”，调整为“优秀”。调整理由：党委会研究确定" in flat
    assert "乡镇3：建议等次“缺项”，调整为“称职”。调整理由：领导评价因换届未开展，按指标考评确定" in flat
    assert "已用1个，尚余0个" in flat


def test_scoped_viewer_exports_only_their_units(app, client, auth, plan_id, tmp_path):  # noqa: F811
    with app.app_context():
        unit = db.session.scalars(select(PlanSubject.unit_id).where(PlanSubject.key == "T1")).one()
    auth.create_user("scoped", Role.VIEWER, unit_ids=[unit])
    auth.login("scoped")
    workbook = load_workbook(BytesIO(client.get(f"/admin/assessments/{plan_id}/export.xlsx").data))
    keys = {row[1] for name in ("市直部门", "乡镇") for row in sheet_rows(workbook[name])[5:]}
    assert keys == {"T1"}
    assert {row[1] for row in sheet_rows(workbook["分项得分"])[3:]} == {"T1"}
    assert "仅含您权限范围内的考核对象" in sheet_rows(workbook["乡镇"])[1][0]
    assert "⌊30% × 5⌋ = 1" in sheet_rows(workbook["乡镇"])[2][0]  # the category's quota, not the scope's
    text = pdf_text_or_skip(client.get(f"/admin/assessments/{plan_id}/export.pdf").data)
    assert "乡镇1" in text and "乡镇2" not in text and "张伟" not in text
    assert "仅含您权限范围内的考核对象" in text


# ---- access -----------------------------------------------------------------------------------

IMPORT_URLS = [
    ("get", "/admin/assessments/{id}/import"),
    ("get", "/admin/assessments/{id}/components/{component}/template.xlsx"),
    ("get", "/admin/assessments/{id}/adjustments/template.xlsx"),
    ("post", "/admin/assessments/{id}/import/scores"),
    ("post", "/admin/assessments/{id}/import/adjustments"),
]


@pytest.mark.parametrize(("method", "url"), IMPORT_URLS)
def test_viewer_cannot_import(app, client, auth, plan_id, method, url):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    before = snapshot(app, plan_id)
    kwargs = {}
    if method == "post":
        kwargs = {
            "content_type": "multipart/form-data",
            "data": {
                "scores-component_id": str(leaders(app)),
                "scores-workbook": (BytesIO(score_book(("T3", "", "", None, 84))), "x.xlsx"),
                "adjustments-workbook": (BytesIO(GOOD_ADJUSTMENTS), "x.xlsx"),
            },
        }
    response = getattr(client, method)(url.format(id=plan_id, component=leaders(app)), **kwargs)
    assert response.status_code == 403
    assert snapshot(app, plan_id) == before


@pytest.mark.parametrize(
    ("method", "url"),
    IMPORT_URLS
    + [("get", "/admin/assessments/{id}/export.xlsx"), ("get", "/admin/assessments/{id}/export.pdf")],
)
def test_anonymous_is_sent_to_login(app, client, plan_id, method, url):  # noqa: F811
    before = snapshot(app, plan_id)
    response = getattr(client, method)(url.format(id=plan_id, component=leaders(app)))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert snapshot(app, plan_id) == before


def test_viewer_sees_export_links_but_no_import_link(app, client, auth, plan_id):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert (
        f"/admin/assessments/{plan_id}/export.xlsx" in page
        and f"/admin/assessments/{plan_id}/export.pdf" in page
    )
    assert f"/admin/assessments/{plan_id}/import" not in page
    auth.logout()
    auth.login()
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert f"/admin/assessments/{plan_id}/import" in page
    import_page = client.get(f"/admin/assessments/{plan_id}/import").get_data(as_text=True)
    assert f"/components/{leaders(app)}/template.xlsx" in import_page
    assert "/adjustments/template.xlsx" in import_page


def test_a_scoped_user_cannot_export_a_plan_of_other_units(app, client, auth, plan_id):  # noqa: F811
    with app.app_context():
        plan = plans.create_plan({"title": "另一方案", "year": 2026}, actor())
        db.session.commit()
        other = plan.id
        unit = db.session.scalars(select(PlanSubject.unit_id).where(PlanSubject.key == "T1")).one()
    auth.create_user("scoped", Role.VIEWER, unit_ids=[unit])
    auth.login("scoped")
    assert client.get(f"/admin/assessments/{other}/export.xlsx").status_code == 404
    assert client.get(f"/admin/assessments/{other}/export.pdf").status_code == 404


def test_services_export_without_a_request(app, plan_id):  # noqa: F811
    """The builders take the date as a parameter and read no request (CLI use)."""
    from datetime import date

    with app.test_request_context(), app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        view = grading.compute_plan(plan)
        first = committee_pdf.results_pdf(plan, view, date(2026, 12, 20))
        assert first == committee_pdf.results_pdf(plan, view, date(2026, 12, 20))
        assert plan.status is PlanStatus.DRAFT


def test_upload_with_csrf_protection_on(app, auth, plan_id):  # noqa: F811
    """The two upload forms share one page: each carries its own prefixed CSRF token."""
    auth.create_user("csrf-organizer", Role.ORGANIZER)
    strict = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True
    )
    try:
        client = strict.test_client()
        login = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
        client.post(
            "/auth/login", data={"username": "csrf-organizer", "password": auth.PASSWORD, "csrf_token": token}
        )
        page = client.get(f"/admin/assessments/{plan_id}/import").get_data(as_text=True)
        token = re.search(r'name="scores-csrf_token"[^>]*value="([^"]+)"', page).group(1)
        before = snapshot(app, plan_id)
        refused = upload_scores(client, plan_id, leaders(app), score_book(("T3", "", "", None, 84)))
        assert refused.status_code == 400 and snapshot(app, plan_id) == before
        response = client.post(
            f"/admin/assessments/{plan_id}/import/scores",
            content_type="multipart/form-data",
            data={
                "scores-csrf_token": token,
                "scores-component_id": str(leaders(app)),
                "scores-workbook": (BytesIO(score_book(("T3", "", "", None, 84))), "x.xlsx"),
            },
        )
        assert response.status_code == 302
        assert get_view(app, plan_id)[0]["T3"].composite == 82.0
    finally:
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()
