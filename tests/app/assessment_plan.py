"""The assessment plan the assessment tests share (fixtures `survey_id`, `plan_id`) and
their helpers; the tests import the fixtures by name.

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

from survey_app.extensions import db
from survey_app.models import AuditEntry, Survey
from survey_app.models.assessment import (
    AdjustmentKind,
    AssessmentPlan,
    ComponentSource,
    PlanCategory,
    PlanComponent,
    PlanSubject,
    PlanSubjectKind,
)
from survey_app.services.assessment import grading, plans, scoring
from survey_app.services.platform import users
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


NEW_PLAN = {
    "title": "2026年度县市区绩效考评", "year": "2026", "subject_kind": "unit", "quota_percent": "20",
    "raised_quota_percent": "30", "excellent_label": "优秀", "bands": "良好, 80\n合格, 60\n不合格, 0",
    "bonus_cap": "5", "deduction_cap": "10", "veto_survey_id": "0",
}
