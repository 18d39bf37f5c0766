"""Year-end assessment plans through the services and the pages: composites and grades
computed by hand, a linked survey's index and 民主测评 veto, overrides with reasons,
confirmation, access control and the demo plan. The plan and its figures by hand are in
assessment_plan.py; every form's bad input is in test_assessment_forms.py.
"""

import pytest
from sqlalchemy import select

from analytics.assessment import Outcome
from survey_app import demo
from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, Survey
from survey_app.models.assessment import (
    AssessmentPlan,
    GradeDecision,
    PlanCategory,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
)
from survey_app.services.assessment import demo_plan, grading
from survey_app.services.platform import users
from survey_app.services.results import reports
from tests.app.assessment_plan import (  # noqa: F401 — fixtures are used by name
    NEW_PLAN,
    actor,
    audit_count,
    component_id,
    count,
    get_view,
    plan_id,
    set_status,
    subject_id,
    survey_id,
)


def test_linked_survey_indices_are_read_by_subject_key(app, survey_id):  # noqa: F811
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, survey_id))
    indices = {row.key: row.index for row in report.subjects}
    assert indices == {"C1": pytest.approx(100), "C2": pytest.approx(80), "C3": pytest.approx(100 / 3)}
    assert {row.key: row.negative_share for row in report.subjects}["C3"] == pytest.approx(2 / 3)


def test_composites_are_computed_as_by_hand(app, plan_id):  # noqa: F811
    rows, view = get_view(app, plan_id)
    assert {key: row.composite for key, row in rows.items()} == {
        "C1": 97.0, "C2": 89.0, "C3": 73.33, "T1": 88.0, "T2": 88.0, "T3": None, "T4": 60.0, "T5": 95.0}
    c1 = rows["C1"]
    assert [(p.label, p.score, p.self_score) for p in c1.parts] == [("指标考评", 90, 92), ("民主测评", 100, None)]
    assert [p.points for p in c1.parts] == [pytest.approx(54), pytest.approx(40)]
    assert (c1.bonus_items, c1.bonus) == (4, 3)
    assert (rows["T4"].deduction_items, rows["T4"].deduction) == (7, 5)
    assert rows["T3"].missing == ("领导评价",)


def test_ranks_quotas_and_proposed_grades(app, plan_id):  # noqa: F811
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


def test_every_proposal_carries_its_reason(app, plan_id):  # noqa: F811
    rows, _view = get_view(app, plan_id)
    assert rows["C2"].reason == "综合得分 89.00，类别内第 2 名，优秀名额 1 个；优先评优：疫情防控表现突出"
    assert rows["C1"].reason == ("综合得分 97.00，类别内第 1 名，优秀名额 1 个已优先安排给表现突出的对象，"
                                 "评为称职（70 分及以上）")
    assert rows["C3"].reason == "否决：民主测评不称职比例 2/3 超过 1/3；综合得分 73.33，按分数线评为称职"
    assert rows["T5"].reason == "否决：年内受到诫勉；综合得分 95.00，按分数线评为称职"
    assert rows["T1"].reason == "并列待定：综合得分 88.00，2 个对象并列，争 1 个优秀名额，请组织部门确定"
    assert rows["T3"].reason == "缺项：领导评价尚无得分"
    assert rows["T4"].reason == "综合得分 60.00，类别内第 4 名，评为基本称职（60 分及以上）"  # below 称职: no 优秀


def test_changing_an_input_recomputes_and_logs_it(app, client, auth, plan_id):  # noqa: F811
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


def test_the_plan_page_shows_the_breakdown(app, client, auth, plan_id):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert "⌊30% × 2 + 40% × 1⌋ = 1" in page
    assert "× 60% = 54.00" in page and "97.00" in page and "+3.00" in page and "−5.00" in page
    assert "并列待定" in page and "缺项" in page
    assert "/status/propose" not in page and "<form" not in page.split("</header>")[1]  # viewers read only
    c1 = subject_id(app, plan_id, "C1")
    detail = client.get(f"/admin/assessments/{plan_id}/subjects/{c1}").get_data(as_text=True)
    assert "招商引资成效显著" in detail and "优秀名额 1 个已优先安排" in detail


def test_override_needs_a_proposal_and_a_reason_and_is_audited(app, client, auth, plan_id):  # noqa: F811
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


def test_overrides_respect_the_quota_and_the_veto(app, plan_id):  # noqa: F811
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


def test_confirmation_needs_every_grade_decided_then_locks(app, client, auth, plan_id):  # noqa: F811
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


def test_a_proposed_plan_fixes_the_method_until_withdrawn(app, client, auth, plan_id):  # noqa: F811
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
def test_viewer_cannot_change_plans(app, client, auth, plan_id, method, url):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    before = audit_count(app)
    response = getattr(client, method)(url.format(id=plan_id, subject=subject_id(app, plan_id, "T1")))
    assert response.status_code == 403
    assert audit_count(app) == before


@pytest.mark.parametrize(("method", "url"), ORGANIZER_URLS + [
    ("get", "/admin/assessments/"), ("get", "/admin/assessments/{id}"),
    ("get", "/admin/assessments/{id}/subjects/{subject}")])
def test_anonymous_is_sent_to_login(app, client, plan_id, method, url):  # noqa: F811
    response = getattr(client, method)(url.format(id=plan_id, subject=subject_id(app, plan_id, "T1")))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unit_scoped_viewer_sees_only_their_units(app, client, auth, plan_id):  # noqa: F811
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
