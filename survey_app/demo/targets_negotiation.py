"""Demo: the 2026 target-setting round of the 市直单位 system, with sheets in several states.

The demo's surveys rate units of other categories (市直经济部门 …), so four 市直单位 units are
added. The round's 申报 deadline lies five days before the seeding date and its 确认
deadline twenty days after, so the draft shows as late. One unit is approved, one adjusted
and waiting for the unit, one proposed and waiting for the 效能办, one a late draft.

Each acting unit gets a reporter account (单位填报员) whose generated password is shown
to nobody: an administrator signs in and resets it on the users page (用户 → the account
→ 重置密码) to try the reporter's pages (docs/targets.md, "Demo").
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role, Unit, User
from survey_app.models.target import IndicatorSystem, SystemStatus
from survey_app.services.platform import users
from survey_app.services.targets import negotiation, setting
from survey_app.timezones import LOCAL_ZONE

#: (unit, reporter username, what happens to its sheet)
DEMO_UNITS = (
    ("市商务局", "reporter-commerce", "approved"),
    ("市交通运输局", "reporter-transport", "adjusted"),
    ("市水利局", "reporter-water", "proposed"),
    ("市文化和旅游局", None, "draft"),
)
#: The unit's proposals for 1.1 招商引资到位资金 (亿元) and 1.2 重点项目完成数 (个).
PROPOSALS = {"市商务局": (120.0, 12.0), "市交通运输局": (35.0, 18.0), "市水利局": (8.0, 9.0)}


def seed_target_negotiation(admin: User) -> int:
    """Start the 2026 市直单位 round and move the demo units' sheets; return how many sheets."""
    system = db.session.scalar(select(IndicatorSystem).where(
        IndicatorSystem.year == 2026, IndicatorSystem.category == "市直单位",
        IndicatorSystem.status == SystemStatus.PUBLISHED))
    if system is None or setting.deadlines_of(system) is not None:
        return 0
    now = datetime.now(UTC)
    today = now.astimezone(LOCAL_ZONE).date()
    units, reporters = {}, {}
    for name, username, _state in DEMO_UNITS:
        unit = db.session.scalar(select(Unit).where(Unit.name == name))
        if unit is None:
            unit = Unit(name=name, category="市直单位")
            db.session.add(unit)
            db.session.flush()
        units[name] = unit
        if username and users.find_user(username) is None:
            reporters[name] = users.create_user(username, users.generate_password(), Role.REPORTER,
                                                display_name=f"{name}填报员", unit_ids=[unit.id])
    created = setting.start_setting(system, admin, today - timedelta(days=5), today + timedelta(days=20),
                                    now - timedelta(days=12))
    for name, _username, state in DEMO_UNITS:
        if name in reporters:
            _move(system, units[name], reporters[name], admin, state, now)
    db.session.flush()
    return created


def _move(system: IndicatorSystem, unit: Unit, reporter: User, admin: User, state: str, now: datetime) -> None:
    sheet = negotiation.sheet_of(system.id, unit.id)
    if sheet is None:
        return
    codes = {target.node.code: target.node_id for target in sheet.targets}
    invest, projects = PROPOSALS[unit.name]
    at = now - timedelta(days=10)
    negotiation.propose(sheet, reporter, {codes["1.1"]: invest, codes["1.2"]: projects}, at,
                        "按上年实绩和今年重点任务测算")
    if state == "proposed":
        return
    negotiation.adjust(sheet, admin, at + timedelta(days=2), {codes["1.1"]: invest * 1.1},
                       {codes["1.1"]: 1.1}, "招商任务按全市目标分解上调 10%，难度系数相应调高",
                       {codes["1.1"]: "全市招商目标增长 10%"})
    if state == "adjusted":
        return
    negotiation.confirm(sheet, reporter, at + timedelta(days=3), "同意调整")
    negotiation.approve(sheet, admin, at + timedelta(days=4))
