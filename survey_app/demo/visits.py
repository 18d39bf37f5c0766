"""The demo's month of 一线考察: visits in the 30 days before the day the demo is seeded
(Asia/Shanghai), across every demo unit but one (the four 市直单位 of the target-setting
demo together, on one visit) and both key projects, a four-day 蹲点
with its daily log, and findings filed in the cadres' dossiers. A round of visits reaches
each visited unit in the part of those 30 days that lies in the previous month
(`round_days`), and two follow-up visits come 6 and 3 days before the seed day. 市生态环境局 gets no visit:
the coverage page (考察覆盖) lists it as overdue once the month it missed is over.

Dates are relative to the seed day, not to the surveys' fixed DEMO_TODAY, so the coverage
page shows a month of visits whenever `make run` first loads the demo. (When the seed day
is the 31st, the 30 days lie within one month, and the unvisited unit is 本月待考察 until
that month ends.) Visits are made with the models; the recording pages are another part
of issue #16 (docs/inspection.md).
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import EvidenceKind, EvidenceSource, Unit, User, VerificationStatus
from survey_app.models.base import utcnow
from survey_app.models.inspection import KeyProject, Visit, VisitCadre, VisitDay, VisitMethod
from survey_app.services.dossier import cadres, evidence
from survey_app.services.inspection import progress
from survey_app.timezones import LOCAL_ZONE

M = VisitMethod
#: The unit left without a visit: the overdue unit of the demo.
UNVISITED_UNIT = "市生态环境局"
#: (days before the seed day (None: in the round of visits, below), length in days, title, units, project, cadres, methods, announced,
#:  team, hours, summary, findings: (key, kind, title, source, verified note or None))
DEMO_VISITS = (
    (None, 1, "城东综合交通枢纽征迁节点对账", ("市发展改革委", "市自然资源局"), "城东综合交通枢纽", ("FGW01", "ZRZY05"),
     (M.MILESTONE_CHECK, M.SITE_SURVEY), True, "市委组织部考察一组（张明、刘洋）", 4.0,
     "对照征迁台账逐户核对，征迁完成 82%，滞后序时 8 个百分点。",
     (("FGW01", EvidenceKind.PROBLEM, "征迁台账与项目周报数据不一致", EvidenceSource.SITE_VISIT, None),
      ("ZRZY05", EvidenceKind.PROBLEM, "征迁地块用地报批材料反复退改", EvidenceSource.SITE_VISIT, None))),
    (None, 1, "智慧大厅试运行现场查看", ("市行政审批局",), "政务服务中心智慧大厅改造", ("XZSP01",),
     (M.SITE_SURVEY,), True, "市委组织部考察二组（王敏、赵磊）", 3.0, "自助服务区运行平稳，群众排队时间明显缩短。",
     (("XZSP01", EvidenceKind.ACHIEVEMENT, "智慧大厅试运行平稳，自助办件占比 41%", EvidenceSource.SITE_VISIT,
       "查阅试运行台账"),)),
    (None, 4, "市场监管局蹲点调研", ("市市场监管局",), None, ("SCJG01", "SCJG02"),
     (M.TALKS, M.SITTING_IN, M.UNANNOUNCED), False, "市委组织部考察一组（张明、刘洋、陈静）", None,
     "带着效能督查反馈的问题蹲点求证，列席局务会，个别谈话 12 人次。",
     (("SCJG01", EvidenceKind.PROBLEM, "投诉举报平台超期未办结 5 件", EvidenceSource.UNANNOUNCED,
       "调取平台记录核实"),)),
    (None, 1, "市直单位目标责任落实情况走访", ("市商务局", "市交通运输局", "市水利局", "市文化和旅游局"), None, (),
     (M.SITE_SURVEY, M.TALKS), True, "市委组织部考察二组（王敏、赵磊）", 3.0,
     "走访四个市直单位，了解年度考评目标申报、分解和落实情况。", ()),
    (None, 1, "列席局务会：老旧小区改造推进", ("市住房城乡建设局",), None, ("ZJ01",), (M.SITTING_IN,), True,
     "市委组织部考察二组（王敏）", 2.5, "改造项目按计划推进，群众意见收集机制较完善。", ()),
    (6, 1, "信访积案化解情况谈话了解", ("市自然资源局",), None, ("ZRZY05",), (M.TALKS,), True,
     "市委组织部考察一组（张明）", 3.0, "与信访当事人、承办科室分别谈话。",
     (("ZRZY05", EvidenceKind.ACHIEVEMENT, "本月新化解信访积案 3 件", EvidenceSource.INTERVIEW, "与当事人核实"),)),
    (3, 1, "项目代办窗口明察暗访", ("市发展改革委",), None, ("FGW01",), (M.UNANNOUNCED,), False,
     "市委组织部考察二组（赵磊）", 1.5, "工作日中午前往投资项目代办窗口。",
     (("FGW01", EvidenceKind.PROBLEM, "代办窗口工作日午间无人值守", EvidenceSource.UNANNOUNCED, "现场拍照记录"),)),
)
STAY_LOG = ("进点座谈，调阅效能督查反馈和投诉举报台账", "列席局务会，个别谈话 7 人次", "明察暗访两个基层所窗口",
            "反馈初步情况，梳理待核实事项")


def _units(names) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.name.in_(names))))


def _finding(visit: Visit, finding, actor: User, today: date) -> None:
    key, kind, title, source, note = finding
    item = evidence.add_evidence(cadres.find_cadre(key), {"kind": kind, "title": title, "occurred_on": visit.ends_on,
                                                          "source": source}, actor, today)
    item.visit_id = visit.id
    if note:
        decided = datetime.combine(visit.ends_on, time(17), LOCAL_ZONE).astimezone(UTC)
        evidence.verify_evidence(item, VerificationStatus.VERIFIED, note, actor, decided)


def round_days(today: date, count: int) -> list[date]:
    """Days for the round of visits that reaches every visited unit once: spread over the
    part of the 30 days that lies in the month before today's (over all 30 days when they
    lie in today's month), so each unit visited has its last complete month covered."""
    window_start, first_of_month = today - timedelta(days=30), today.replace(day=1)
    if window_start < first_of_month:
        previous_end = first_of_month - timedelta(days=1)
        low, high = max(window_start, previous_end.replace(day=1)), previous_end
    else:
        low, high = window_start, today - timedelta(days=1)
    span = (high - low).days
    return [low + timedelta(days=round(i * span / max(count - 1, 1))) for i in range(count)]


def seed_visits(actor: User, today: date | None = None) -> int:
    """Record the demo's visits in the 30 days before `today` (default: today in Shanghai)
    and their findings; return how many (none when any visit exists or a unit is missing)."""
    if db.session.scalar(select(func.count()).select_from(Visit)):
        return 0
    today = today or progress.local_today(utcnow())
    rounds = iter(round_days(today, sum(1 for row in DEMO_VISITS if row[0] is None)))
    for before, days, title, unit_names, project, keys, methods, announced, team, hours, summary, found in DEMO_VISITS:
        units = _units(unit_names)
        if len(units) != len(unit_names):
            return 0
        starts_on = next(rounds) if before is None else today - timedelta(days=before)
        ends_on = min(starts_on + timedelta(days=days - 1), today - timedelta(days=1))
        visit = Visit(title=title, starts_on=starts_on, ends_on=ends_on, hours=hours,
                      methods=[m.value for m in methods], announced=announced, team=team, summary=summary,
                      recorded_by_id=actor.id, units=units,
                      project=db.session.scalar(select(KeyProject).where(KeyProject.name == project)) if project else None,
                      cadres=[VisitCadre(subject_key=key) for key in keys])
        if days > 1:
            visit.days = [VisitDay(day=starts_on + timedelta(days=i), log=log)
                          for i, log in enumerate(STAY_LOG[:(ends_on - starts_on).days + 1])]
        db.session.add(visit)
        db.session.flush()
        for finding in found:
            _finding(visit, finding, actor, today)
    db.session.flush()
    return len(DEMO_VISITS)
