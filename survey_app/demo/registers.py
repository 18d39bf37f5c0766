"""The demo's 2026 registers of 正向激励 and 效能督查: bonus and deduction items for the six
units of the 2026 服务质量评议, approved, waiting and rejected, recorded and decided through
the same service an organizer uses (called by `survey_app.demo.seed`)."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import RegisterEntry, Unit, User
from survey_app.services.targets import registers

#: The demo's "today" and the time of its decisions, whatever the machine's clock says.
DEMO_TODAY = date(2026, 11, 24)
DEMO_NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
#: (unit, kind, source, date, title, points, document, finding, decision, note)
DEMO_ITEMS = (
    ("市发展改革委", "bonus", "commendation", date(2026, 9, 15), "争取中央预算内投资额居全省前列", 2.0,
     "省发展改革委通报〔2026〕21号", "", "approve", ""),
    ("市行政审批局", "bonus", "commendation", date(2026, 6, 30), "“一件事一次办”改革经验获全省推广", 1.5,
     "省政府办公厅简报〔2026〕15号", "", "approve", ""),
    ("市市场监管局", "deduction", "efficiency_office", date(2026, 8, 12), "窗口办件超时办结", 1.0,
     "市效能办督查通报〔2026〕7号", "明察暗访发现登记窗口 3 件企业变更登记超过承诺时限办结，未告知办理进度。", "approve", ""),
    ("市生态环境局", "deduction", "party_office", date(2026, 10, 9), "环保督察反馈问题整改进度滞后", 2.0,
     "市委督查室督查通报〔2026〕12号", "省环保督察反馈的 5 个问题中 2 个未按期完成整改，整改台账与现场不符。", "approve", ""),
    ("市自然资源局", "deduction", "government_office", date(2026, 11, 18), "不动产登记窗口群众排队时间长", 0.5,
     "市政府督查室督查通报〔2026〕5号", "暗访 3 次，高峰时段平均等候超过 90 分钟，预约号源未按承诺投放。", None, ""),
    ("市住房城乡建设局", "bonus", "other", date(2026, 7, 20), "老旧小区改造获市长批示肯定", 1.0,
     "市长批示（2026年7月20日）", "", "reject", "批示为一般性肯定，不属于考核细则规定的加分情形"),
)


def seed_registers(actor: User) -> int:
    """Record the demo's items and decide them as listed; return how many were recorded
    (none when any item exists already or the units are missing)."""
    if db.session.scalar(select(func.count()).select_from(RegisterEntry)):
        return 0
    units = {unit.name: unit.id for unit in db.session.scalars(select(Unit))}
    recorded = 0
    for unit, kind, source, day, title, points, document, finding, decision, note in DEMO_ITEMS:
        if unit not in units:
            continue
        entry = registers.record_entry({"year": 2026, "occurred_on": day, "unit_id": units[unit], "kind": kind,
                                        "source": source, "title": title, "points": points, "document": document,
                                        "finding": finding}, actor, DEMO_NOW, DEMO_TODAY)
        if decision == "approve":
            registers.approve_entry(entry, actor, DEMO_NOW)
        elif decision == "reject":
            registers.reject_entry(entry, actor, DEMO_NOW, note)
        recorded += 1
    return recorded
