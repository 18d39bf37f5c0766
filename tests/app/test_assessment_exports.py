"""The committee's result tables from an assessment plan (assessment_plan.py's), read back
with openpyxl and pdftotext (headers, figures, the 草稿 mark, neutralised formulas), scoped
to a user's units, and the access rules of the files (viewers export, never import).
"""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.models.assessment import (
    AdjustmentKind,
    AssessmentPlan,
    PlanCategory,
    PlanStatus,
    PlanSubject,
)
from survey_app.services.assessment import committee_pdf, grading, plans, scoring
from tests.app.assessment_files import (
    GOOD_ADJUSTMENTS,
    XLSX_TYPE,
    confirm,
    leaders,
    row_of,
    score_book,
    sheet_rows,
    snapshot,
    upload_scores,
)
from tests.app.assessment_plan import (  # noqa: F401 — fixtures are used by name
    actor,
    get_view,
    plan_id,
    survey_id,
)
from tests.app.documents import assert_fonts_embedded, pdf_text_or_skip, pdf_words


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
