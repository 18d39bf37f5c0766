"""Every form of the assessment pages refuses bad input with a Chinese message and status
400, and changes nothing; good input through the same forms is stored and recomputed.
The plan is assessment_plan.py's.
"""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models.assessment import (
    Adjustment,
    AssessmentPlan,
    ComponentScore,
    PlanCategory,
    PlanComponent,
    PlanSubject,
)
from tests.app.assessment_plan import (  # noqa: F401 — fixtures are used by name
    NEW_PLAN,
    audit_count,
    component_id,
    count,
    get_view,
    plan_id,
    subject_id,
    survey_id,
)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "请填写标题"),
        ({"year": "1900"}, "年度应在 2000–2100 之间"),
        ({"quota_percent": "150"}, "比例应在 0–100 之间"),
        ({"raised_quota_percent": "10"}, "提高后的比例不能低于一般比例"),
        ({"bands": "良好, 八十\n合格, 0"}, "第 1 行：应为“等次, 最低分”"),
        ({"bands": "良好, 60\n合格, 80\n不合格, 0"}, "分数线应从高到低排列"),
        ({"bands": "良好, 80\n合格, 60"}, "最后一个等次的分数线必须是 0"),
        ({"bands": "优秀, 80\n合格, 0"}, "不能与最高等次同名"),
        ({"bonus_cap": "-1"}, "上限应在 0–100 之间"),
        ({"subject_kind": "team"}, "不是有效的选择"),
        ({"veto_survey_id": "999"}, "请选择已发布或已结束的评议活动"),
    ],
)
def test_bad_new_plan_is_refused(app, client, auth, changes, message):
    auth.login()
    response = client.post("/admin/assessments/new", data={**NEW_PLAN, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, AssessmentPlan) == 0


def test_bad_settings_are_refused(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    data = {f"settings-{k}": v for k, v in NEW_PLAN.items() if k != "subject_kind"}
    response = client.post(f"/admin/assessments/{plan_id}/settings", data={**data, "settings-deduction_cap": "x"})
    assert response.status_code == 400 and "不是有效的浮点数" in response.get_data(as_text=True)
    response = client.post(f"/admin/assessments/{plan_id}/settings", data={**data, "settings-bands": ""})
    assert response.status_code == 400 and "请填写等次" in response.get_data(as_text=True)
    with app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        assert (plan.title, plan.deduction_cap, plan.grade_bands[0]["label"]) == ("2026年度干部考核", 5.0, "称职")
    response = client.post(f"/admin/assessments/{plan_id}/settings", data=data)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(AssessmentPlan, plan_id).grade_bands[0]["label"] == "良好"


@pytest.mark.parametrize(("name", "message"), [("", "请填写类别名称"), ("乡镇", "类别“乡镇”已存在")])
def test_bad_category_is_refused(app, client, auth, plan_id, name, message):  # noqa: F811
    auth.login()
    response = client.post(f"/admin/assessments/{plan_id}/categories", data={"category-name": name})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, PlanCategory) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "请填写考评项目名称"),
        ({"name": "指标考评"}, "考评项目“指标考评”已存在"),
        ({"weight": "-1"}, "权重应在 0–1000 之间"),
        ({"weight": "abc"}, "不是有效的浮点数"),
        ({"source": "survey"}, "来源为评议活动时，请选择评议活动"),
        ({"source": "survey", "survey_id": "999"}, "请选择已发布或已结束的评议活动"),
    ],
)
def test_bad_component_is_refused(app, client, auth, plan_id, changes, message):  # noqa: F811
    auth.login()
    with app.app_context():
        towns = db.session.scalars(select(PlanCategory.id).where(PlanCategory.name == "乡镇")).one()
    data = {"name": "机制创新", "weight": "10", "source": "manual", "survey_id": "0", **changes}
    response = client.post(f"/admin/assessments/{plan_id}/categories/{towns}/components",
                           data={f"component-{towns}-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, PlanComponent) == 4


def test_component_weight_is_edited_and_recomputed(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    comp = component_id(app, "乡镇", "领导评价")
    data = {"name": "领导评价", "weight": "150", "source": "manual", "survey_id": "0"}
    response = client.post(f"/admin/assessments/{plan_id}/components/{comp}",
                           data={f"edit-{comp}-{k}": v for k, v in data.items()})
    assert response.status_code == 302
    assert get_view(app, plan_id)[0]["T1"].composite == 87.0  # (50·90 + 150·86) / 200
    response = client.post(f"/admin/assessments/{plan_id}/components/{comp}",
                           data={f"edit-{comp}-{k}": v for k, v in {**data, "weight": "-5"}.items()})
    assert response.status_code == 400 and "权重应在 0–1000 之间" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": ""}, "请填写编号"),
        ({"key": "T 9"}, "编号不能含空格或逗号"),
        ({"key": "T1"}, "编号“T1”已被其他考核对象使用"),
        ({"name": ""}, "请填写名称"),
        ({"category_id": "9999"}, "请选择类别"),
    ],
)
def test_bad_subject_is_refused(app, client, auth, plan_id, changes, message):  # noqa: F811
    auth.login()
    with app.app_context():
        towns = db.session.scalars(select(PlanCategory.id).where(PlanCategory.name == "乡镇")).one()
    data = {"key": "T9", "name": "新镇", "unit_name": "", "category_id": str(towns), **changes}
    response = client.post(f"/admin/assessments/{plan_id}/subjects", data={f"subject-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, PlanSubject) == 8


def test_bad_import_is_refused(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    response = client.post(f"/admin/assessments/{plan_id}/subjects/import", data={"import-survey_id": "999"})
    assert response.status_code == 400 and "请选择评议活动" in response.get_data(as_text=True)
    assert count(app, PlanSubject) == 8


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("T1, 91\nT9, 80", "第 2 行：找不到编号或名称“T9”"),
        ("T1, 91\nT2, 120", "第 2 行：分数应为 0–100 的数字"),
        ("T1, 91\nT2, 八十", "第 2 行：分数应为 0–100 的数字"),
        ("T1, 91\nT2", "第 2 行：应为“编号或名称, 分数”"),
        ("T1, 91\n乡镇1, 92", "第 2 行：“乡镇1”重复出现"),
        ("T1, 91\nC1, 92", "第 2 行：“C1”不属于类别“乡镇”"),
        ("", "请至少填写一行"),
    ],
)
def test_bad_pasted_scores_store_nothing(app, client, auth, plan_id, lines, message):  # noqa: F811
    auth.login()
    before = audit_count(app)
    response = client.post(f"/admin/assessments/{plan_id}/scores/bulk", data={
        "bulk-component_id": str(component_id(app, "乡镇", "指标考评")), "bulk-field": "verified_score",
        "bulk-lines": lines})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert get_view(app, plan_id)[0]["T1"].parts[0].score == 90
    assert audit_count(app) == before


def test_pasted_scores_are_stored_all_together(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    response = client.post(f"/admin/assessments/{plan_id}/scores/bulk", data={
        "bulk-component_id": str(component_id(app, "乡镇", "领导评价")), "bulk-field": "verified_score",
        "bulk-lines": "T3, 84\n乡镇4，70"})
    assert response.status_code == 302
    rows, _view = get_view(app, plan_id)
    assert rows["T3"].composite == 82.0 and rows["T4"].composite == 65.0  # T4: 70 − 5
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "assessment.scores_bulk")).one()
        assert entry.detail["composite"] == {"T3": [None, 82.0], "T4": [60.0, 65.0]}


@pytest.mark.parametrize(("data", "message"), [({"verified_score": "101"}, "分数应在 0–100 之间"),
                                                ({"verified_score": "nan"}, "分数应在 0–100 之间"),
                                                ({"self_score": "abc"}, "不是有效的浮点数")])
def test_bad_score_is_refused(app, client, auth, plan_id, data, message):  # noqa: F811
    auth.login()
    t1, comp = subject_id(app, plan_id, "T1"), component_id(app, "乡镇", "指标考评")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t1}/scores/{comp}",
                           data={f"score-{comp}-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert get_view(app, plan_id)[0]["T1"].parts[0].score == 90


def test_a_refused_form_leaves_the_other_forms_showing_stored_values(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    c2, comp = subject_id(app, plan_id, "C2"), component_id(app, "市直部门", "指标考评")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{c2}/scores/{comp}",
                           data={f"score-{comp}-verified_score": "101"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<input checked id="flags-is_priority"' in page
    assert 'value="疫情防控表现突出"' in page


def test_linked_components_take_no_manual_scores(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    c1, linked = subject_id(app, plan_id, "C1"), component_id(app, "市直部门", "民主测评")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{c1}/scores/{linked}",
                           data={f"score-{linked}-verified_score": "10"})
    assert response.status_code == 400 and "不能手工录入" in response.get_data(as_text=True)
    assert count(app, ComponentScore) == 12


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"is_priority": "y"}, "请说明突出表现"),
        ({"meets_raised_condition": "y", "raised_reason": " "}, "请说明符合的条件"),
        ({"is_vetoed": "y"}, "请说明否决的理由"),
    ],
)
def test_flags_need_their_reasons(app, client, auth, plan_id, data, message):  # noqa: F811
    auth.login()
    t1 = subject_id(app, plan_id, "T1")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t1}/flags",
                           data={f"flags-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    rows, _view = get_view(app, plan_id)
    assert not (rows["T1"].is_priority or rows["T1"].meets_raised_condition or rows["T1"].is_vetoed)


def test_priority_flag_changes_the_proposal(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    t2 = subject_id(app, plan_id, "T2")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t2}/flags",
                           data={"flags-is_priority": "y", "flags-priority_reason": "急难险重任务中表现突出"})
    assert response.status_code == 302
    rows, _view = get_view(app, plan_id)
    assert rows["T2"].proposed_grade == "优秀" and rows["T1"].proposed_grade == "称职"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "bonus", "points": "0", "reason": "x"}, "分值应大于 0，且不超过 100"),
        ({"kind": "bonus", "points": "-1", "reason": "x"}, "分值应大于 0，且不超过 100"),
        ({"kind": "bonus", "points": "1", "reason": ""}, "请填写事由"),
        ({"kind": "deduction", "points": "1", "reason": "窗口超时"}, "扣分须注明记录该问题的文件"),
        ({"kind": "penalty", "points": "1", "reason": "x"}, "不是有效的选择"),
    ],
)
def test_bad_adjustment_is_refused(app, client, auth, plan_id, data, message):  # noqa: F811
    auth.login()
    t1 = subject_id(app, plan_id, "T1")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t1}/adjustments",
                           data={f"adjustment-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, Adjustment) == 4


def test_adjustments_are_added_and_removed(app, client, auth, plan_id):  # noqa: F811
    auth.login()
    t1 = subject_id(app, plan_id, "T1")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t1}/adjustments", data={
        "adjustment-kind": "deduction", "adjustment-points": "1.5", "adjustment-reason": "信访件办理超期",
        "adjustment-document": "市效能办通报〔2026〕9号"})
    assert response.status_code == 302
    rows, _view = get_view(app, plan_id)
    assert rows["T1"].composite == 86.5 and rows["T2"].proposed_grade == "优秀"  # the tie is broken
    with app.app_context():
        item = db.session.scalars(select(Adjustment).where(Adjustment.reason == "信访件办理超期")).one()
        item_id = item.id
    client.post(f"/admin/assessments/{plan_id}/adjustments/{item_id}/remove", data={"confirm": "yes"})
    assert get_view(app, plan_id)[0]["T1"].composite == 88.0
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"assessment.deduction_add", "assessment.deduction_remove"} <= actions
