"""Assessment scores and bonus/deduction items from Excel.

The plan is assessment_plan.py's (乡镇: 指标考评 50 + 领导评价 50, both manual;
quota ⌊30% × 5⌋ = 1; bonus cap 3, deduction cap 5). The template, the happy path with
composites computed by hand, every refusal leaving the database as it was.
"""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Role
from survey_app.models.assessment import (
    AdjustmentKind,
    PlanSubject,
)
from tests.app.assessment_files import (
    BONUS_HEADERS,
    DEDUCTION_HEADERS,
    GOOD_ADJUSTMENTS,
    LEADERS_MARK,
    SCORE_HEADERS,
    XLSX_TYPE,
    adjustments_book,
    book,
    confirm,
    leaders,
    page_errors,
    score_book,
    sheet_rows,
    snapshot,
    upload_adjustments,
    upload_scores,
)
from tests.app.assessment_plan import (  # noqa: F401 — fixtures are used by name
    component_id,
    get_view,
    plan_id,
    set_status,
    survey_id,
)


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


def test_adjustment_template(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    response = client.get(f"/admin/assessments/{plan_id}/adjustments/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["说明", "正向激励", "效能督查", "考核对象"]
    assert sheet_rows(workbook["正向激励"]) == [list(BONUS_HEADERS)]
    assert sheet_rows(workbook["效能督查"]) == [list(DEDUCTION_HEADERS)]
    assert ["T1", "乡镇1", "1镇", "乡镇"] in sheet_rows(workbook["考核对象"])


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
