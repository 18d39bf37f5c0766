"""The demo's 2026 绩效考评 over the six units of the 2026 服务质量评议, set up and proposed
through the same services an organizer uses (called by `survey_app.demo`).
"""

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Survey, SurveyKind, User
from survey_app.models.assessment import AdjustmentKind, AssessmentPlan, ComponentSource, PlanSubjectKind
from survey_app.services.assessment.grading import change_status
from survey_app.services.assessment.plans import add_category, add_component, add_subject, create_plan
from survey_app.services.assessment.scoring import add_adjustment, set_score, update_flags

DEMO_TITLE = "2026年度市直单位绩效考评"
#: (key, unit, plan category, 指标考评 self/verified, 领导评价) for the demo's six units.
DEMO_UNITS = (
    ("FGW", "市发展改革委", "市直经济部门", 96.0, 93.5, 94.0),
    ("ZRZY", "市自然资源局", "市直经济部门", 95.0, 91.0, 92.0),
    ("ZJ", "市住房城乡建设局", "市直经济部门", 94.5, 92.0, 90.5),
    ("SCJG", "市市场监管局", "市直执法监管和服务部门", 93.0, 88.5, 89.0),
    ("STHJ", "市生态环境局", "市直执法监管和服务部门", 92.0, 87.0, 88.0),
    ("XZSP", "市行政审批局", "市直执法监管和服务部门", 97.0, 94.0, 93.0),
)
#: Per plan category: (指标考评, 公众评议, 领导评价) weights; service departments weigh the public more.
DEMO_WEIGHTS = {"市直经济部门": (60.0, 20.0, 20.0), "市直执法监管和服务部门": (50.0, 30.0, 20.0)}


def seed_demo_plan(actor: User | None) -> AssessmentPlan | None:
    """Create the demo's 2026 绩效考评 over the six units of the 2026 服务质量评议, proposed.

    公众评议 reads the survey's unit indices, so call it after the demo's ballots exist (a
    unit without enough answers shows 缺项). Does nothing and returns None when the plan
    already exists or the survey is missing.
    """
    survey = db.session.scalar(
        select(Survey).where(Survey.kind == SurveyKind.SERVICE_QUALITY, Survey.year == 2026).order_by(Survey.id)
    )
    exists = db.session.scalar(select(AssessmentPlan.id).where(AssessmentPlan.title == DEMO_TITLE))
    if survey is None or exists is not None:
        return None
    plan = create_plan({"title": DEMO_TITLE, "year": 2026, "subject_kind": PlanSubjectKind.UNIT,
                        "quota_percent": 30, "raised_quota_percent": 40, "bonus_cap": 3.0,
                        "deduction_cap": 5.0}, actor)
    components = {}
    for name, (indicator, public, leaders) in DEMO_WEIGHTS.items():
        category = add_category(plan, name, actor)
        components[name] = (
            add_component(category, {"name": "指标考评", "weight": indicator, "source": ComponentSource.MANUAL}, actor),
            add_component(category, {"name": "公众评议", "weight": public, "source": ComponentSource.SURVEY,
                                     "survey_id": survey.id}, actor),
            add_component(category, {"name": "领导评价", "weight": leaders, "source": ComponentSource.MANUAL}, actor),
        )
    categories = {c.name: c for c in plan.categories}
    subjects = {}
    for key, unit, category, self_score, verified, leaders in DEMO_UNITS:
        subject = add_subject(plan, {"key": key, "name": unit, "unit_name": unit,
                                     "category_id": categories[category].id}, actor)
        indicator, _public, leader = components[category]
        set_score(subject, indicator, self_score, verified, actor)
        set_score(subject, leader, None, leaders, actor)
        subjects[key] = subject
    update_flags(subjects["ZRZY"], {"is_priority": True,
                                    "priority_reason": "重点项目：全市重大项目用地要素保障攻坚中表现突出"}, actor)
    update_flags(subjects["ZJ"], {"meets_raised_condition": True, "raised_reason": "2026年被评为省级文明单位"}, actor)
    update_flags(subjects["XZSP"], {"meets_raised_condition": True,
                                    "raised_reason": "被评为省级以上系统先进集体（全省政务服务系统先进集体）"}, actor)
    add_adjustment(subjects["FGW"], {"kind": AdjustmentKind.BONUS, "points": 2.0,
                                     "reason": "争取中央预算内投资额居全省前列"}, actor)
    add_adjustment(subjects["XZSP"], {"kind": AdjustmentKind.BONUS, "points": 1.5,
                                      "reason": "“一件事一次办”改革经验获全省推广"}, actor)
    add_adjustment(subjects["SCJG"], {"kind": AdjustmentKind.DEDUCTION, "points": 1.0,
                                      "reason": "效能督查发现窗口办件超时办结 3 件",
                                      "document": "市效能办督查通报〔2026〕7号"}, actor)
    add_adjustment(subjects["STHJ"], {"kind": AdjustmentKind.DEDUCTION, "points": 2.0,
                                      "reason": "环保督察反馈问题整改进度滞后",
                                      "document": "市委督查室督查通报〔2026〕12号"}, actor)
    change_status(plan, "propose", actor)
    return plan
