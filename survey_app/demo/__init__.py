"""The demo a newcomer sees after `make run`: realistic surveys and an admin account.

The surveys are definition files in survey_app/demo/, imported like any other:
last year's 服务质量评议 (closed, for year-on-year comparisons), this year's
服务质量评议 of 20 cadres in 6 units and the 民主测评 of 市发展改革委领导班子 (both published).
Then the 2026 绩效考评 of the six units, the 年度考核 of their six heads, and the
dossier evidence (任务/进度/问题/成绩清单) of four of those heads, the 2026 考核细则 of
市直单位 (targets_2026.json, published), and two key projects (重点项目) with their
milestones: one on schedule, one with an overdue milestone; the 2026 registers of
正向激励 and 效能督查 (registers.py: approved, waiting and rejected items); then a month of
visits (一线考察) before the seed day, with one unit left unvisited (demo/visits.py).
"""

import json
import random
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from survey_app.demo import talks as demo_talks
from survey_app.demo import targets_negotiation, targets_year_end, visits
from survey_app.demo.registers import seed_registers
from survey_app.extensions import db
from survey_app.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Role,
    Survey,
    SurveyKind,
    Unit,
    User,
    VerificationStatus,
)
from survey_app.models.assessment import AdjustmentKind, AssessmentPlan, ComponentSource, PlanSubjectKind
from survey_app.models.inspection import KeyProject, ProjectLevel
from survey_app.services.assessment import demo_plan, grading, plans, scoring
from survey_app.services.design import definitions
from survey_app.services.dossier import cadres, evidence
from survey_app.services.inspection import projects
from survey_app.services.platform import users
from survey_app.services.respondents import simulation
from survey_app.services.results import lifecycle
from survey_app.services.targets import systems as target_systems

DEMO_DIR = Path(__file__).resolve().parent
ADMIN_USERNAME = "admin"
#: Demo definition files, imported in this order, with the lifecycle steps each then takes
#: ("ballots": fill with simulated ballots through the real submission path).
DEMO_SURVEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("service_quality_2025.json", ("publish", "ballots", "close")),
    ("service_quality_2026.json", ("publish", "ballots")),
    ("democratic_2026.json", ("publish", "ballots")),
)
#: Seeds the simulated ballots, so every newcomer sees the same demo results.
DEMO_SEED = 2026


def seed() -> str | None:
    """Create the admin account and demo surveys once; return the new admin password.

    Does nothing (and returns None) when the database already holds any survey. When the
    admin account already exists it is kept and None is returned.
    """
    if db.session.scalar(select(func.count()).select_from(Survey)):
        return None
    admin, password = _admin_account()
    rng = random.Random(DEMO_SEED)
    for file_name, steps in DEMO_SURVEYS:
        survey = definitions.import_definition(load_demo_definition(file_name), admin)
        for action in steps:
            if action == "ballots":
                simulation.simulate_ballots(survey, None, rng)
            else:
                lifecycle.change_status(survey, action, admin)
    demo_plan.seed_demo_plan(admin)
    seed_cadre_plan(admin)
    seed_evidence(admin)
    seed_indicator_system(admin)
    targets_negotiation.seed_target_negotiation(admin)
    targets_year_end.seed_year_end(admin)
    seed_key_projects(admin)
    seed_registers(admin)
    visits.seed_visits(admin)
    demo_talks.seed_talks(admin, DEMO_TODAY)
    return password


def seed_indicator_system(admin: User) -> None:
    """The 2026 考核细则 of 市直单位 (业务实绩、自身建设、机制创新), imported and published."""
    system = target_systems.import_system(load_demo_definition("targets_2026.json"), admin, source="demo")
    target_systems.publish_system(system, admin)


def load_demo_definition(file_name: str) -> dict:
    """Return one demo definition file's data."""
    return json.loads((DEMO_DIR / file_name).read_text(encoding="utf-8"))


def _admin_account() -> tuple[User, str | None]:
    admin = users.find_user(ADMIN_USERNAME)
    if admin is not None:
        return admin, None
    password = users.generate_password()
    return users.create_user(ADMIN_USERNAME, password, Role.ADMIN, display_name="系统管理员"), password


# ---- the heads' 年度考核 and dossiers ------------------------------------------------------------

CADRE_PLAN_TITLE = "2026年度市直单位主要负责人年度考核"
#: (key, name, unit, 平时考核, 述职述廉评议) of the six heads rated in the 2026 服务质量评议.
DEMO_HEADS = (
    ("FGW01", "王建平", "市发展改革委", 93.0, 92.0),
    ("ZRZY05", "周国华", "市自然资源局", 91.5, 90.0),
    ("ZJ01", "郑晓东", "市住房城乡建设局", 90.0, 91.0),
    ("SCJG01", "林振华", "市市场监管局", 88.5, 89.5),
    ("XZSP01", "许文静", "市行政审批局", 94.0, 93.5),
    ("STHJ01", "曹明远", "市生态环境局", 87.0, 88.0),
)


def seed_cadre_plan(actor: User | None) -> AssessmentPlan | None:
    """Create the 2026 年度考核 of the six unit heads, proposed: 服务质量评议 (linked to the
    2026 survey, by key) 40%, 平时考核 40%, 述职述廉评议 20%. Call it after the ballots.
    Does nothing (None) when it exists or the survey is missing."""
    survey = db.session.scalar(
        select(Survey).where(Survey.kind == SurveyKind.SERVICE_QUALITY, Survey.year == 2026).order_by(Survey.id))
    if survey is None or db.session.scalar(select(AssessmentPlan.id).where(AssessmentPlan.title == CADRE_PLAN_TITLE)):
        return None
    plan = plans.create_plan({"title": CADRE_PLAN_TITLE, "year": 2026, "subject_kind": PlanSubjectKind.CADRE,
                              "quota_percent": 20, "bonus_cap": 3.0, "deduction_cap": 5.0}, actor)
    category = plans.add_category(plan, "市直单位主要负责人", actor)
    plans.add_component(category, {"name": "服务质量评议", "weight": 40.0, "source": ComponentSource.SURVEY,
                                   "survey_id": survey.id}, actor)
    routine = plans.add_component(category, {"name": "平时考核", "weight": 40.0,
                                             "source": ComponentSource.MANUAL}, actor)
    report = plans.add_component(category, {"name": "述职述廉评议", "weight": 20.0,
                                            "source": ComponentSource.MANUAL}, actor)
    heads = {}
    for key, name, unit, routine_score, report_score in DEMO_HEADS:
        subject = plans.add_subject(plan, {"key": key, "name": name, "unit_name": unit,
                                           "category_id": category.id}, actor)
        scoring.set_score(subject, routine, None, routine_score, actor)
        scoring.set_score(subject, report, None, report_score, actor)
        heads[key] = subject
    scoring.update_flags(heads["ZRZY05"], {"is_priority": True,
                                           "priority_reason": "重点项目：全市重大项目用地要素保障攻坚中表现突出"}, actor)
    scoring.add_adjustment(heads["SCJG01"], {"kind": AdjustmentKind.DEDUCTION, "points": 1.0,
                                             "reason": "效能督查发现窗口办件超时办结 3 件",
                                             "document": "市效能办督查通报〔2026〕7号"}, actor)
    grading.change_status(plan, "propose", actor)
    return plan


#: The demo's "today" for evidence dates, whatever the machine's clock says.
DEMO_TODAY = date(2026, 11, 24)
#: (key, kind, title, detail, date, due date, source, attachments, verification, note)
DEMO_EVIDENCE = (
    ("FGW01", EvidenceKind.TASK, "牵头推进城东综合交通枢纽项目前期工作",
     "市委常委会确定的年度重点项目，年内完成可研批复和用地预审。", date(2026, 2, 20), date(2026, 12, 31),
     EvidenceSource.DOCUMENTS, ["市委办〔2026〕3号 2026年市重点项目责任分解表"], VerificationStatus.VERIFIED,
     "与责任分解表核对一致"),
    ("FGW01", EvidenceKind.PROGRESS, "城东综合交通枢纽可研已报省发展改革委，用地预审完成",
     "节点对账：可研报告 9 月报省，用地预审 10 月批复；征迁完成 82%，略滞后于序时进度（应达 90%）。",
     date(2026, 10, 28), None, EvidenceSource.SITE_VISIT, ["考察组现场记录 KC-2026-041", "项目周报第 43 期"],
     VerificationStatus.VERIFIED, "现场查看征迁台账，数据属实"),
    ("FGW01", EvidenceKind.PROBLEM, "两个省重点项目征迁进度滞后",
     "督查反馈：城东枢纽、临港物流园征迁进度均滞后序时 10 个百分点以上。单位解释为省级审批环节延迟。",
     date(2026, 11, 6), None, EvidenceSource.INSPECTION, ["市委督查室督查通报〔2026〕9号"],
     VerificationStatus.DISPUTED, "单位称系省级审批延迟所致，与督查结论不一致，蹲点时到现场核对"),
    ("FGW01", EvidenceKind.ACHIEVEMENT, "争取中央预算内投资 3.2 亿元，居全省第二",
     "", date(2026, 9, 15), None, EvidenceSource.DOCUMENTS, ["省发展改革委通报〔2026〕21号"],
     VerificationStatus.VERIFIED, "查阅省通报原件"),
    ("FGW01", EvidenceKind.PROBLEM, "服务对象反映项目审批“中梗阻”",
     "个别谈话中 2 名企业负责人反映部分审批事项仍需多次跑腿，涉及投资项目代办服务。",
     date(2026, 11, 12), None, EvidenceSource.INTERVIEW, ["谈话记录 TH-2026-118"], VerificationStatus.PENDING, ""),
    ("ZRZY05", EvidenceKind.TASK, "化解不动产登记历史遗留信访积案",
     "年度任务：23 件信访积案年内化解 20 件以上。", date(2026, 3, 2), date(2026, 12, 20),
     EvidenceSource.DOCUMENTS, ["市信访联席会议纪要〔2026〕2号"], VerificationStatus.VERIFIED, ""),
    ("ZRZY05", EvidenceKind.PROGRESS, "信访积案已化解 15 件，8 件正在推进",
     "列席旁听局务会，听取积案化解专题汇报；剩余 8 件涉及开发商欠缴税费。", date(2026, 10, 15), None,
     EvidenceSource.MEETING, ["局务会纪要〔2026〕19号"], VerificationStatus.PENDING, ""),
    ("ZRZY05", EvidenceKind.ACHIEVEMENT, "保障 12 个市重点项目用地报批全部按期获批",
     "", date(2026, 8, 30), None, EvidenceSource.SITE_VISIT, ["用地报批台账（2026）"], VerificationStatus.VERIFIED,
     "抽查 4 个项目批文"),
    ("SCJG01", EvidenceKind.PROBLEM, "窗口办件超时办结 3 件",
     "效能督查明察暗访发现，已在年度绩效考评中扣分。", date(2026, 6, 18), None, EvidenceSource.UNANNOUNCED,
     ["市效能办督查通报〔2026〕7号"], VerificationStatus.VERIFIED, "与督查通报一致，已整改"),
    ("SCJG01", EvidenceKind.ACHIEVEMENT, "食品安全示范城市创建通过省级验收",
     "", date(2026, 10, 9), None, EvidenceSource.DOCUMENTS, ["省食安办验收意见"], VerificationStatus.PENDING, ""),
    ("XZSP01", EvidenceKind.ACHIEVEMENT, "“一件事一次办”改革经验获全省推广",
     "38 个“一件事”平均办理时限压缩 62%。", date(2026, 7, 22), None, EvidenceSource.AUDIT,
     ["市审计局审计报告〔2026〕15号", "省政务服务办简报第 27 期"], VerificationStatus.VERIFIED, "审计报告核实数据"),
    ("XZSP01", EvidenceKind.PROBLEM, "夜间延时服务群众知晓率不高",
     "巡察反馈：延时服务窗口利用率偏低，宣传不到位。", date(2026, 9, 3), None, EvidenceSource.PATROL,
     ["市委第三巡察组反馈意见"], VerificationStatus.REFUTED, "调阅窗口台账，利用率与同类城市相当，反映不属实"),
)


def seed_evidence(actor: User) -> int:
    """Record the demo's evidence for four unit heads and verify it as listed; return how
    many items were added (none when any evidence exists already)."""
    if db.session.scalar(select(func.count()).select_from(EvidenceItem)):
        return 0
    verified_at = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    for key, kind, title, detail, occurred, due, source, attachments, status, note in DEMO_EVIDENCE:
        cadre = cadres.find_cadre(key)
        item = evidence.add_evidence(cadre, {"kind": kind, "title": title, "detail": detail, "occurred_on": occurred,
                                             "due_on": due, "source": source, "attachments": attachments},
                                     actor, DEMO_TODAY)
        if status is not VerificationStatus.PENDING:
            evidence.verify_evidence(item, status, note, actor, verified_at)
    return len(DEMO_EVIDENCE)


# ---- key projects (重点项目) --------------------------------------------------------------------

#: (name, level, start, units, cadres, description, milestones: (name, planned, actual, weight)).
#: On DEMO_TODAY the hub is behind: 征迁完成 is 24 days overdue; the hall is on schedule.
DEMO_PROJECTS = (
    ("城东综合交通枢纽", ProjectLevel.PROVINCIAL, date(2026, 3, 1), ("市发展改革委", "市自然资源局"),
     ("FGW01", "ZRZY05"), "省重点项目：高铁站、长途客运和城市公交一体化换乘枢纽。",
     (("可研报告报省", date(2026, 9, 30), date(2026, 9, 26), 1.0),
      ("用地预审批复", date(2026, 10, 20), date(2026, 10, 18), 1.0),
      ("征迁完成", date(2026, 10, 31), None, 2.0),
      ("主体工程开工", date(2027, 3, 31), None, 2.0))),
    ("政务服务中心智慧大厅改造", ProjectLevel.CITY, date(2026, 3, 15), ("市行政审批局",), ("XZSP01",),
     "市重点民生项目：综合窗口、自助服务区和“一件事”专区改造。",
     (("改造方案批复", date(2026, 4, 15), date(2026, 4, 10), 1.0),
      ("设备招标完成", date(2026, 7, 31), date(2026, 7, 28), 1.0),
      ("试运行", date(2026, 11, 15), date(2026, 11, 12), 1.0),
      ("竣工验收", date(2027, 1, 31), None, 1.0))),
)


def seed_key_projects(actor: User) -> int:
    """Create the demo's key projects and their milestones; return how many (none when any
    project exists already or a unit is missing)."""
    if db.session.scalar(select(func.count()).select_from(KeyProject)):
        return 0
    for name, level, starts_on, unit_names, keys, description, milestones in DEMO_PROJECTS:
        unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.name.in_(unit_names))))
        if len(unit_ids) != len(unit_names):
            return 0
        project = projects.create_project({"name": name, "level": level, "starts_on": starts_on,
                                           "description": description, "unit_ids": unit_ids, "cadre_keys": keys},
                                          actor, None)
        for position, (milestone, planned, actual, weight) in enumerate(milestones, start=1):
            projects.add_milestone(project, {"name": milestone, "planned_on": planned, "actual_on": actual,
                                             "weight": weight, "position": position}, actor, DEMO_TODAY)
    return len(DEMO_PROJECTS)
