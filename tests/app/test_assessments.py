"""Year-end assessment plans through the services and the pages: composites and grades
computed by hand, a linked survey's index and 民主测评 veto, overrides with reasons,
confirmation, every form's bad input, and access control.

The plan (cadres): quota 30 %, raised 40 %, bonus cap 3, deduction cap 5, veto survey =
the 民主测评 (threshold 1/3).

市直部门 (指标考评 60 manual, 民主测评 40 linked): C1 raised, C2 priority.
  C1: 0.6·90 + 0.4·100 = 94, bonus 2 + 2 capped at 3 → 97.00
  C2: 0.6·95 + 0.4·80 = 89.00 (priority)
  C3: 0.6·100 + 0.4·100/3 = 73.33, 不称职 share 2/3 > 1/3 → veto
  quota ⌊30%·2 + 40%·1⌋ = 1 → C2 优秀 (priority first), C1 称职 (place taken), C3 称职 (veto).
乡镇 (指标考评 50, 领导评价 50, manual): quota ⌊30%·5⌋ = 1.
  T1: 90, 86 → 88.00 and T2: 88, 88 → 88.00: tied for the one place → 并列待定
  T3: 80, — → 缺项;  T4: 70, 60 → 65 − min(3 + 4, 5) = 60.00 → 基本称职
  T5: 95, 95 → 95.00, vetoed by the organizer → 称职 (rank 1)
"""


import pytest
from sqlalchemy import func, select

from analytics.assessment import Outcome
from survey_app import demo
from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, Survey
from survey_app.models.assessment import (
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentScore,
    ComponentSource,
    GradeDecision,
    PlanCategory,
    PlanComponent,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
)
from survey_app.services.assessment import demo_plan, grading, plans, scoring
from survey_app.services.platform import users
from survey_app.services.results import reports
from tests.app.factories import cast


def actor():
    return users.find_user("factory")


@pytest.fixture
def survey_id(app, make_survey):
    """民主测评 of C1, C2, C3 rated by three superiors: indices 100, 80, 100/3; C3 不称职 2/3."""
    survey_id = make_survey(publish=True)
    for c3 in (("不称职", "不称职"), ("不称职", "不称职"), ("优秀", "优秀")):
        cast(app, survey_id, "superior", {"C1": ("优秀", "优秀"), "C2": ("称职", "称职"), "C3": c3})
    return survey_id


def _build_plan(survey: Survey) -> AssessmentPlan:
    who = actor()
    plan = plans.create_plan(
        {"title": "2026年度干部考核", "year": 2026, "subject_kind": PlanSubjectKind.CADRE, "quota_percent": 30,
         "raised_quota_percent": 40, "bonus_cap": 3.0, "deduction_cap": 5.0, "veto_survey_id": survey.id}, who)
    assert plans.import_subjects(plan, survey, who) == 3  # category 市直部门 from the units
    city = plan.categories[0]
    indicator = plans.add_component(city, {"name": "指标考评", "weight": 60, "source": ComponentSource.MANUAL}, who)
    plans.add_component(city, {"name": "民主测评", "weight": 40, "source": ComponentSource.SURVEY,
                               "survey_id": survey.id}, who)
    towns = plans.add_category(plan, "乡镇", who)
    town_indicator = plans.add_component(towns, {"name": "指标考评", "weight": 50, "source": "manual"}, who)
    leaders = plans.add_component(towns, {"name": "领导评价", "weight": 50, "source": "manual"}, who)
    subjects = {s.key: s for s in plan.subjects}
    for key, score in (("C1", 90), ("C2", 95), ("C3", 100)):
        scoring.set_score(subjects[key], indicator, min(score + 2, 100), score, who)
    for i, (a, b) in enumerate(((90, 86), (88, 88), (80, None), (70, 60), (95, 95)), 1):
        subject = plans.add_subject(plan, {"key": f"T{i}", "name": f"乡镇{i}", "unit_name": f"{i}镇",
                                           "category_id": towns.id}, who)
        scoring.set_score(subject, town_indicator, None, a, who)
        if b is not None:
            scoring.set_score(subject, leaders, None, b, who)
        subjects[subject.key] = subject
    scoring.update_flags(subjects["C1"], {"meets_raised_condition": True, "raised_reason": "省级文明单位"}, who)
    scoring.update_flags(subjects["C2"], {"is_priority": True, "priority_reason": "疫情防控表现突出"}, who)
    scoring.update_flags(subjects["T5"], {"is_vetoed": True, "veto_reason": "年内受到诫勉"}, who)
    for points in (2, 2):
        scoring.add_adjustment(subjects["C1"], {"kind": AdjustmentKind.BONUS, "points": points,
                                                "reason": "招商引资成效显著"}, who)
    for points in (3, 4):
        scoring.add_adjustment(subjects["T4"], {"kind": AdjustmentKind.DEDUCTION, "points": points,
                                                "reason": "督查发现整改不到位", "document": "督查通报〔2026〕3号"}, who)
    return plan


@pytest.fixture
def plan_id(app, survey_id):
    with app.app_context():
        plan = _build_plan(db.session.get(Survey, survey_id))
        db.session.commit()
        return plan.id


def get_view(app, plan_id) -> dict:
    with app.app_context():
        view = grading.compute_plan(db.session.get(AssessmentPlan, plan_id))
        return {row.key: row for row in view.subjects}, view


def subject_id(app, plan_id, key) -> int:
    with app.app_context():
        return db.session.scalars(select(PlanSubject.id).where(PlanSubject.plan_id == plan_id,
                                                                PlanSubject.key == key)).one()


def component_id(app, category, name) -> int:
    with app.app_context():
        return db.session.scalars(select(PlanComponent.id).join(PlanCategory).where(
            PlanCategory.name == category, PlanComponent.name == name)).one()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def audit_count(app) -> int:
    return count(app, AuditEntry)


def set_status(app, plan_id, *actions):
    with app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        for action in actions:
            grading.change_status(plan, action, actor())
        db.session.commit()


# ---- the computation, by hand ------------------------------------------------------------------


def test_linked_survey_indices_are_read_by_subject_key(app, survey_id):
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, survey_id))
    indices = {row.key: row.index for row in report.subjects}
    assert indices == {"C1": pytest.approx(100), "C2": pytest.approx(80), "C3": pytest.approx(100 / 3)}
    assert {row.key: row.negative_share for row in report.subjects}["C3"] == pytest.approx(2 / 3)


def test_composites_are_computed_as_by_hand(app, plan_id):
    rows, view = get_view(app, plan_id)
    assert {key: row.composite for key, row in rows.items()} == {
        "C1": 97.0, "C2": 89.0, "C3": 73.33, "T1": 88.0, "T2": 88.0, "T3": None, "T4": 60.0, "T5": 95.0}
    c1 = rows["C1"]
    assert [(p.label, p.score, p.self_score) for p in c1.parts] == [("指标考评", 90, 92), ("民主测评", 100, None)]
    assert [p.points for p in c1.parts] == [pytest.approx(54), pytest.approx(40)]
    assert (c1.bonus_items, c1.bonus) == (4, 3)
    assert (rows["T4"].deduction_items, rows["T4"].deduction) == (7, 5)
    assert rows["T3"].missing == ("领导评价",)


def test_ranks_quotas_and_proposed_grades(app, plan_id):
    rows, view = get_view(app, plan_id)
    city, towns = view.categories
    assert (city.quota, city.quota_formula) == (1, "⌊30% × 2 + 40% × 1⌋ = 1")
    assert (towns.quota, towns.quota_formula) == (1, "⌊30% × 5⌋ = 1")
    assert [r.key for r in city.subjects] == ["C1", "C2", "C3"]
    assert {k: r.rank for k, r in rows.items()} == {
        "C1": 1, "C2": 2, "C3": 3, "T5": 1, "T1": 2, "T2": 2, "T4": 4, "T3": None}
    assert {k: r.proposed_grade for k, r in rows.items()} == {
        "C1": "称职", "C2": "优秀", "C3": "称职", "T1": None, "T2": None, "T3": None, "T4": "基本称职", "T5": "称职"}
    assert rows["T1"].outcome is Outcome.TIE_PENDING and rows["T3"].outcome is Outcome.INCOMPLETE


def test_every_proposal_carries_its_reason(app, plan_id):
    rows, _view = get_view(app, plan_id)
    assert rows["C2"].reason == "综合得分 89.00，类别内第 2 名，优秀名额 1 个；优先评优：疫情防控表现突出"
    assert rows["C1"].reason == ("综合得分 97.00，类别内第 1 名，优秀名额 1 个已优先安排给表现突出的对象，"
                                 "评为称职（70 分及以上）")
    assert rows["C3"].reason == "否决：民主测评不称职比例 2/3 超过 1/3；综合得分 73.33，按分数线评为称职"
    assert rows["T5"].reason == "否决：年内受到诫勉；综合得分 95.00，按分数线评为称职"
    assert rows["T1"].reason == "并列待定：综合得分 88.00，2 个对象并列，争 1 个优秀名额，请组织部门确定"
    assert rows["T3"].reason == "缺项：领导评价尚无得分"
    assert rows["T4"].reason == "综合得分 60.00，类别内第 4 名，评为基本称职（60 分及以上）"  # below 称职: no 优秀


def test_changing_an_input_recomputes_and_logs_it(app, client, auth, plan_id):
    auth.login()
    t3, leaders = subject_id(app, plan_id, "T3"), component_id(app, "乡镇", "领导评价")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t3}/scores/{leaders}",
                           data={f"score-{leaders}-self_score": "92", f"score-{leaders}-verified_score": "90"})
    assert response.status_code == 302
    rows, _view = get_view(app, plan_id)
    assert rows["T3"].composite == 85.0 and rows["T3"].rank == 4
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "assessment.score")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.detail["subject"] == "T3"
        assert entry.detail["composite"] == [None, 85.0]
        assert entry.detail["verified_score"] == [None, 90.0]
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert "85.00" in page


def test_the_plan_page_shows_the_breakdown(app, client, auth, plan_id):
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert "⌊30% × 2 + 40% × 1⌋ = 1" in page
    assert "× 60% = 54.00" in page and "97.00" in page and "+3.00" in page and "−5.00" in page
    assert "并列待定" in page and "缺项" in page
    assert "/status/propose" not in page and "<form" not in page.split("</header>")[1]  # viewers read only
    c1 = subject_id(app, plan_id, "C1")
    detail = client.get(f"/admin/assessments/{plan_id}/subjects/{c1}").get_data(as_text=True)
    assert "招商引资成效显著" in detail and "优秀名额 1 个已优先安排" in detail


# ---- overrides and confirmation ---------------------------------------------------------------


def test_override_needs_a_proposal_and_a_reason_and_is_audited(app, client, auth, plan_id):
    auth.login()
    t1 = subject_id(app, plan_id, "T1")
    url = f"/admin/assessments/{plan_id}/subjects/{t1}/override"
    response = client.post(url, data={"override-grade": "优秀", "override-reason": "实绩突出"})
    assert response.status_code == 400 and "请先提出建议等次，再调整等次" in response.get_data(as_text=True)
    set_status(app, plan_id, "propose")
    before = audit_count(app)
    response = client.post(url, data={"override-grade": "优秀", "override-reason": "  "})
    assert response.status_code == 400 and "调整等次必须填写理由" in response.get_data(as_text=True)
    response = client.post(url, data={"override-grade": "特等", "override-reason": "x"})
    assert response.status_code == 400 and "等次不在本方案的等次之中" in response.get_data(as_text=True)
    assert audit_count(app) == before and count(app, GradeDecision) == 0
    response = client.post(url, data={"override-grade": "优秀", "override-reason": "乡村振兴实绩更突出，党委会研究确定"})
    assert response.status_code == 302
    rows, _view = get_view(app, plan_id)
    assert (rows["T1"].final_grade, rows["T1"].is_overridden, rows["T1"].proposed_grade) == ("优秀", True, None)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "assessment.override")).one()
        assert entry.detail["reason"] == "乡村振兴实绩更突出，党委会研究确定" and entry.detail["grade"] == "优秀"
        assert entry.username == "organizer"


def test_overrides_respect_the_quota_and_the_veto(app, plan_id):
    set_status(app, plan_id, "propose")
    with app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        subjects = {s.key: s for s in plan.subjects}
        with pytest.raises(ValidationFailed, match="不能评为优秀"):
            grading.override_grade(subjects["T5"], "优秀", "分数最高", actor())
        grading.override_grade(subjects["T1"], "优秀", "党委会研究确定", actor())
        with pytest.raises(ValidationFailed, match="优秀名额（1 个）已满"):
            grading.override_grade(subjects["T2"], "优秀", "同样突出", actor())
        grading.clear_override(subjects["T1"], actor())
        grading.override_grade(subjects["T2"], "优秀", "改为 T2", actor())
        db.session.commit()
    rows, _view = get_view(app, plan_id)
    assert rows["T2"].final_grade == "优秀" and rows["T1"].final_grade is None


def test_confirmation_needs_every_grade_decided_then_locks(app, client, auth, plan_id):
    auth.login()
    set_status(app, plan_id, "propose")
    response = client.post(f"/admin/assessments/{plan_id}/status/confirm", data={"confirm": "yes"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "还不能确认考核结果" in page and "“乡镇1”并列待定，尚未确定等次" in page and "“乡镇3”缺项" in page
    with app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        assert plan.status is PlanStatus.PROPOSED
        subjects = {s.key: s for s in plan.subjects}
        grading.override_grade(subjects["T1"], "优秀", "党委会研究确定", actor())
        grading.override_grade(subjects["T2"], "称职", "并列时按领导评价较低者", actor())
        grading.override_grade(subjects["T3"], "称职", "领导评价因换届未开展，按指标考评确定", actor())
        db.session.commit()
    response = client.post(f"/admin/assessments/{plan_id}/status/confirm", data={"confirm": "yes"})
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(AssessmentPlan, plan_id)
        assert plan.status is PlanStatus.CONFIRMED and plan.confirmed_at is not None
        decisions = {d.subject.key: (d.final_grade, d.composite) for d in db.session.scalars(select(GradeDecision))}
        assert decisions == {"C1": ("称职", 97.0), "C2": ("优秀", 89.0), "C3": ("称职", 73.33),
                             "T1": ("优秀", 88.0), "T2": ("称职", 88.0), "T3": ("称职", None),
                             "T4": ("基本称职", 60.0), "T5": ("称职", 95.0)}
    t4, indicator = subject_id(app, plan_id, "T4"), component_id(app, "乡镇", "指标考评")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t4}/scores/{indicator}",
                           data={f"score-{indicator}-verified_score": "99"})
    assert response.status_code == 400 and "考核结果已确认，不能再修改" in response.get_data(as_text=True)
    assert get_view(app, plan_id)[0]["T4"].composite == 60.0


def test_a_proposed_plan_fixes_the_method_until_withdrawn(app, client, auth, plan_id):
    auth.login()
    set_status(app, plan_id, "propose")
    response = client.post(f"/admin/assessments/{plan_id}/categories", data={"category-name": "县市区"})
    assert response.status_code == 400 and "考核办法和考核对象已固定" in response.get_data(as_text=True)
    client.post(f"/admin/assessments/{plan_id}/status/withdraw")
    response = client.post(f"/admin/assessments/{plan_id}/categories", data={"category-name": "县市区"})
    assert response.status_code == 302
    assert count(app, PlanCategory) == 3


def test_organizer_creates_a_plan_through_the_pages(app, client, auth):
    auth.login()
    response = client.post("/admin/assessments/new", data=NEW_PLAN)
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalars(select(AssessmentPlan)).one()
        assert (plan.quota_percent, plan.raised_quota_percent, plan.subject_kind) == (20, 30, PlanSubjectKind.UNIT)
        assert plan.grade_bands == [{"label": "良好", "min": 80.0}, {"label": "合格", "min": 60.0},
                                    {"label": "不合格", "min": 0.0}]
        plan_id = plan.id
    client.post(f"/admin/assessments/{plan_id}/categories", data={"category-name": "县市区"})
    with app.app_context():
        category_id = db.session.scalars(select(PlanCategory.id)).one()
    response = client.post(f"/admin/assessments/{plan_id}/categories/{category_id}/components",
                           data={f"component-{category_id}-name": "指标考评", f"component-{category_id}-weight": "60",
                                 f"component-{category_id}-source": "manual"})
    assert response.status_code == 302
    response = client.post(f"/admin/assessments/{plan_id}/subjects", data={
        "subject-key": "XQ01", "subject-name": "东湖区", "subject-category_id": str(category_id)})
    assert response.status_code == 302
    response = client.post(f"/admin/assessments/{plan_id}/scores/bulk", data={
        "bulk-component_id": str(component_id(app, "县市区", "指标考评")), "bulk-field": "verified_score",
        "bulk-lines": "东湖区\t91.5"})
    assert response.status_code == 302
    rows, _view = get_view(app, plan_id)
    assert rows["XQ01"].composite == 91.5 and rows["XQ01"].proposed_grade == "良好"  # ⌊20%·1⌋ = 0 places
    assert "本类别没有优秀名额" in rows["XQ01"].reason
    with app.app_context():
        assert db.session.scalars(select(PlanSubject)).one().unit.name == "东湖区"


# ---- bad input: a Chinese message, status 400, nothing changes ---------------------------------

NEW_PLAN = {
    "title": "2026年度县市区绩效考评", "year": "2026", "subject_kind": "unit", "quota_percent": "20",
    "raised_quota_percent": "30", "excellent_label": "优秀", "bands": "良好, 80\n合格, 60\n不合格, 0",
    "bonus_cap": "5", "deduction_cap": "10", "veto_survey_id": "0",
}


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


def test_bad_settings_are_refused(app, client, auth, plan_id):
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
def test_bad_category_is_refused(app, client, auth, plan_id, name, message):
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
def test_bad_component_is_refused(app, client, auth, plan_id, changes, message):
    auth.login()
    with app.app_context():
        towns = db.session.scalars(select(PlanCategory.id).where(PlanCategory.name == "乡镇")).one()
    data = {"name": "机制创新", "weight": "10", "source": "manual", "survey_id": "0", **changes}
    response = client.post(f"/admin/assessments/{plan_id}/categories/{towns}/components",
                           data={f"component-{towns}-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, PlanComponent) == 4


def test_component_weight_is_edited_and_recomputed(app, client, auth, plan_id):
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
def test_bad_subject_is_refused(app, client, auth, plan_id, changes, message):
    auth.login()
    with app.app_context():
        towns = db.session.scalars(select(PlanCategory.id).where(PlanCategory.name == "乡镇")).one()
    data = {"key": "T9", "name": "新镇", "unit_name": "", "category_id": str(towns), **changes}
    response = client.post(f"/admin/assessments/{plan_id}/subjects", data={f"subject-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, PlanSubject) == 8


def test_bad_import_is_refused(app, client, auth, plan_id):
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
def test_bad_pasted_scores_store_nothing(app, client, auth, plan_id, lines, message):
    auth.login()
    before = audit_count(app)
    response = client.post(f"/admin/assessments/{plan_id}/scores/bulk", data={
        "bulk-component_id": str(component_id(app, "乡镇", "指标考评")), "bulk-field": "verified_score",
        "bulk-lines": lines})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert get_view(app, plan_id)[0]["T1"].parts[0].score == 90
    assert audit_count(app) == before


def test_pasted_scores_are_stored_all_together(app, client, auth, plan_id):
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
def test_bad_score_is_refused(app, client, auth, plan_id, data, message):
    auth.login()
    t1, comp = subject_id(app, plan_id, "T1"), component_id(app, "乡镇", "指标考评")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t1}/scores/{comp}",
                           data={f"score-{comp}-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert get_view(app, plan_id)[0]["T1"].parts[0].score == 90


def test_a_refused_form_leaves_the_other_forms_showing_stored_values(app, client, auth, plan_id):
    auth.login()
    c2, comp = subject_id(app, plan_id, "C2"), component_id(app, "市直部门", "指标考评")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{c2}/scores/{comp}",
                           data={f"score-{comp}-verified_score": "101"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<input checked id="flags-is_priority"' in page
    assert 'value="疫情防控表现突出"' in page


def test_linked_components_take_no_manual_scores(app, client, auth, plan_id):
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
def test_flags_need_their_reasons(app, client, auth, plan_id, data, message):
    auth.login()
    t1 = subject_id(app, plan_id, "T1")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t1}/flags",
                           data={f"flags-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    rows, _view = get_view(app, plan_id)
    assert not (rows["T1"].is_priority or rows["T1"].meets_raised_condition or rows["T1"].is_vetoed)


def test_priority_flag_changes_the_proposal(app, client, auth, plan_id):
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
def test_bad_adjustment_is_refused(app, client, auth, plan_id, data, message):
    auth.login()
    t1 = subject_id(app, plan_id, "T1")
    response = client.post(f"/admin/assessments/{plan_id}/subjects/{t1}/adjustments",
                           data={f"adjustment-{k}": v for k, v in data.items()})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, Adjustment) == 4


def test_adjustments_are_added_and_removed(app, client, auth, plan_id):
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


# ---- access -----------------------------------------------------------------------------------

ORGANIZER_URLS = [
    ("get", "/admin/assessments/new"),
    ("post", "/admin/assessments/new"),
    ("post", "/admin/assessments/{id}/settings"),
    ("post", "/admin/assessments/{id}/status/propose"),
    ("post", "/admin/assessments/{id}/categories"),
    ("post", "/admin/assessments/{id}/subjects"),
    ("post", "/admin/assessments/{id}/scores/bulk"),
    ("post", "/admin/assessments/{id}/subjects/{subject}/flags"),
    ("post", "/admin/assessments/{id}/subjects/{subject}/adjustments"),
    ("post", "/admin/assessments/{id}/subjects/{subject}/override"),
    ("post", "/admin/assessments/{id}/delete"),
]


@pytest.mark.parametrize(("method", "url"), ORGANIZER_URLS)
def test_viewer_cannot_change_plans(app, client, auth, plan_id, method, url):
    auth.login("viewer", Role.VIEWER)
    before = audit_count(app)
    response = getattr(client, method)(url.format(id=plan_id, subject=subject_id(app, plan_id, "T1")))
    assert response.status_code == 403
    assert audit_count(app) == before


@pytest.mark.parametrize(("method", "url"), ORGANIZER_URLS + [
    ("get", "/admin/assessments/"), ("get", "/admin/assessments/{id}"),
    ("get", "/admin/assessments/{id}/subjects/{subject}")])
def test_anonymous_is_sent_to_login(app, client, plan_id, method, url):
    response = getattr(client, method)(url.format(id=plan_id, subject=subject_id(app, plan_id, "T1")))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unit_scoped_viewer_sees_only_their_units(app, client, auth, plan_id):
    with app.app_context():
        t1 = db.session.scalars(select(PlanSubject).where(PlanSubject.key == "T1")).one()
        unit_id, other = t1.unit_id, t1.id
    auth.create_user("scoped", Role.VIEWER, unit_ids=[unit_id])
    auth.login("scoped")
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert "乡镇1" in page and "乡镇2" not in page
    assert "2026年度干部考核" in client.get("/admin/assessments/").get_data(as_text=True)
    t2 = subject_id(app, plan_id, "T2")
    assert client.get(f"/admin/assessments/{plan_id}/subjects/{t2}").status_code == 404
    assert client.get(f"/admin/assessments/{plan_id}/subjects/{other}").status_code == 200


# ---- demo -------------------------------------------------------------------------------------


def test_demo_plan_over_the_six_units(app):
    with app.app_context():
        demo.seed()  # surveys with simulated ballots, then the plan
        db.session.commit()
        admin = users.find_user("admin")
        # the demo may seed other plans too (the heads' 年度考核)
        plan = db.session.scalars(
            select(AssessmentPlan).where(AssessmentPlan.title == demo_plan.DEMO_TITLE)).one()
        assert demo_plan.seed_demo_plan(admin) is None
        assert plan.status is PlanStatus.PROPOSED and len(plan.subjects) == 6
        view = grading.compute_plan(plan)
        assert [c.quota for c in view.categories] == [1, 1]
        assert all(row.composite is not None for row in view.subjects)
        assert sum(row.proposed_grade == "优秀" for row in view.subjects) == 2
        assert not view.problems
