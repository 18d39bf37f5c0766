"""A round of target-setting for a published system: starting it (a sheet per unit of the
system's category, a target per leaf), its deadlines (申报 and 确认, local dates), the
reminders a unit sees, the 效能办's dashboard and a unit's workspace (docs/targets.md,
"Negotiating targets"). `today` is always passed in: the city's local date.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import InvalidTransition, ValidationFailed
from survey_app.extensions import db
from survey_app.models import Unit, User
from survey_app.models.negotiation import TargetDeadline, TargetRound
from survey_app.models.target import IndicatorSystem, SheetState, SystemStatus, TargetSheet, UnitTarget
from survey_app.services.platform import audit
from survey_app.services.targets import systems
from survey_app.services.targets.negotiation import STATE_LABELS, is_office

#: Whose turn each state is, and which deadline applies to it.
UNIT_TURN = frozenset({SheetState.DRAFT, SheetState.RETURNED, SheetState.ADJUSTED})
PROPOSAL_STATES = frozenset({SheetState.DRAFT, SheetState.RETURNED})


def deadlines_of(system: IndicatorSystem) -> TargetDeadline | None:
    return db.session.scalar(select(TargetDeadline).where(TargetDeadline.system_id == system.id))


def _check_dates(proposal_due_on: date | None, confirmation_due_on: date | None) -> None:
    if proposal_due_on is None or confirmation_due_on is None:
        raise ValidationFailed(_("请填写申报截止日期和确认截止日期"))
    if confirmation_due_on < proposal_due_on:
        raise ValidationFailed(_("确认截止日期不能早于申报截止日期"))


def start_setting(system: IndicatorSystem, actor: User, proposal_due_on: date | None,
                  confirmation_due_on: date | None, now: datetime) -> int:
    """Start (or extend) the round: a sheet for every unit of the system's category that has
    none yet, a target per leaf (no value, difficulty 1); set the deadlines. Return how
    many sheets were created. A unit added to the category later gets its sheet by
    starting again."""
    if not is_office(actor):
        raise InvalidTransition(_("审核、审定目标由效能办办理（全市范围的组织人员或管理员）"))
    if system.status is not SystemStatus.PUBLISHED:
        raise InvalidTransition(_("考核细则发布后才能启动目标申报"))
    _check_dates(proposal_due_on, confirmation_due_on)
    units = db.session.scalars(select(Unit).where(Unit.category == system.category).order_by(Unit.name)).all()
    if not units:
        raise ValidationFailed(_("没有类别为“%(category)s”的单位，无法启动目标申报", category=system.category))
    deadline = deadlines_of(system)
    if deadline is None:
        deadline = TargetDeadline(system_id=system.id, proposal_due_on=proposal_due_on,
                                  confirmation_due_on=confirmation_due_on, started_by_id=actor.id, started_at=now)
        db.session.add(deadline)
    else:
        deadline.proposal_due_on, deadline.confirmation_due_on = proposal_due_on, confirmation_due_on
    have = set(db.session.scalars(select(TargetSheet.unit_id).where(TargetSheet.system_id == system.id)))
    leaves = [row.node for row in systems.tree_rows(system) if row.is_leaf]
    created = [unit for unit in units if unit.id not in have]
    for unit in created:
        sheet = TargetSheet(system_id=system.id, unit_id=unit.id, state=SheetState.DRAFT, created_at=now, updated_at=now)
        sheet.targets = [UnitTarget(node_id=node.id, value=None, difficulty=1.0) for node in leaves]
        db.session.add(sheet)
    audit.record(actor, "target_setting.start", "indicator_system", system.id, title=system.title,
                 sheets=len(created), proposal_due_on=proposal_due_on.isoformat(),  # type: ignore[union-attr]
                 confirmation_due_on=confirmation_due_on.isoformat())  # type: ignore[union-attr]
    db.session.flush()
    return len(created)


def set_deadlines(system: IndicatorSystem, actor: User, proposal_due_on: date | None,
                  confirmation_due_on: date | None) -> TargetDeadline:
    """Change the round's deadlines (audited, with the old dates)."""
    if not is_office(actor):
        raise InvalidTransition(_("审核、审定目标由效能办办理（全市范围的组织人员或管理员）"))
    deadline = deadlines_of(system)
    if deadline is None:
        raise InvalidTransition(_("目标申报尚未启动"))
    _check_dates(proposal_due_on, confirmation_due_on)
    before = (deadline.proposal_due_on.isoformat(), deadline.confirmation_due_on.isoformat())
    deadline.proposal_due_on, deadline.confirmation_due_on = proposal_due_on, confirmation_due_on  # type: ignore[assignment]
    audit.record(actor, "target_setting.deadlines", "indicator_system", system.id, title=system.title,
                 due_dates_before=list(before), proposal_due_on=proposal_due_on.isoformat(),  # type: ignore[union-attr]
                 confirmation_due_on=confirmation_due_on.isoformat())  # type: ignore[union-attr]
    db.session.flush()
    return deadline


# ---- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """Where a sheet stands against its deadline: what is due, by whom, when."""

    task: str  # 申报目标 / 确认调整后的目标 / 等待效能办审核 …
    unit_turn: bool
    due_on: date | None
    days: int | None  # days left (0: due today), negative when late; None without a deadline

    @property
    def is_late(self) -> bool:
        return self.days is not None and self.days < 0

    @property
    def text(self) -> str:
        if self.days is None:
            return ""
        proposal = self.task_kind == "proposal"
        if self.days < 0:
            return (_("已超过申报截止日期 %(days)d 天", days=-self.days) if proposal
                    else _("已超过确认截止日期 %(days)d 天", days=-self.days))
        if self.days == 0:
            return _("今天是申报截止日期") if proposal else _("今天是确认截止日期")
        return (_("距申报截止日期还有 %(days)d 天", days=self.days) if proposal
                else _("距确认截止日期还有 %(days)d 天", days=self.days))

    task_kind: str = "proposal"


def reminder(sheet: TargetSheet, deadline: TargetDeadline | None, today: date) -> Reminder:
    """The sheet's next step and its deadline as of `today` (local date): the 申报 deadline
    while the unit has not proposed (填报中, 已退回), the 确认 deadline after that until
    审定; none once approved."""
    state = sheet.state
    if state is SheetState.APPROVED:
        return Reminder(_("已审定"), False, None, None)
    kind = "proposal" if state in PROPOSAL_STATES else "confirmation"
    task = {SheetState.DRAFT: _("填报并申报目标"), SheetState.RETURNED: _("按退回意见修改后重新申报"),
            SheetState.ADJUSTED: _("确认效能办调整后的目标，或提出意见"),
            SheetState.PROPOSED: _("等待效能办审核"), SheetState.CONFIRMED: _("等待效能办审定")}[state]
    if deadline is None:
        return Reminder(task, state in UNIT_TURN, None, None, kind)
    due = deadline.proposal_due_on if kind == "proposal" else deadline.confirmation_due_on
    return Reminder(task, state in UNIT_TURN, due, (due - today).days, kind)


# ---- the dashboard and the workspace ---------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    sheet: TargetSheet
    unit: Unit
    state_label: str
    last_action: TargetRound | None
    reminder: Reminder


def _last_rounds(sheet_ids: list[int]) -> dict[int, TargetRound]:
    rounds: dict[int, TargetRound] = {}
    if sheet_ids:
        for round_ in db.session.scalars(select(TargetRound).where(TargetRound.sheet_id.in_(sheet_ids))
                                         .order_by(TargetRound.number)):
            rounds[round_.sheet_id] = round_
    return rounds


def _rows(sheets: list[tuple[TargetSheet, Unit]], deadline_of: Any, today: date) -> list[SheetRow]:
    last = _last_rounds([sheet.id for sheet, _unit in sheets])
    return [SheetRow(sheet, unit, str(STATE_LABELS[sheet.state]), last.get(sheet.id),
                     reminder(sheet, deadline_of(sheet), today)) for sheet, unit in sheets]


@dataclass(frozen=True)
class Dashboard:
    system: IndicatorSystem
    deadline: TargetDeadline | None
    rows: list[SheetRow]
    counts: list[tuple[SheetState, str, int]]
    late: int


def dashboard(system: IndicatorSystem, scope: frozenset[int] | None, today: date) -> Dashboard:
    """Every unit's sheet under the system (only `scope`'s units when scoped), its state,
    last action, days to or over its deadline, and the counts per state."""
    query = (select(TargetSheet, Unit).join(Unit, Unit.id == TargetSheet.unit_id)
             .where(TargetSheet.system_id == system.id).order_by(Unit.name))
    if scope is not None:
        query = query.where(TargetSheet.unit_id.in_(scope))
    deadline = deadlines_of(system)
    rows = _rows([(sheet, unit) for sheet, unit in db.session.execute(query)], lambda _sheet: deadline, today)
    tally = Counter(row.sheet.state for row in rows)
    counts = [(state, str(STATE_LABELS[state]), tally.get(state, 0)) for state in SheetState]
    return Dashboard(system, deadline, rows, counts, sum(1 for row in rows if row.reminder.is_late))


def workspace(unit: Unit, today: date) -> list[SheetRow]:
    """The unit's sheets across systems, newest year first, each with what is due."""
    pairs = db.session.execute(
        select(TargetSheet, IndicatorSystem).join(IndicatorSystem, IndicatorSystem.id == TargetSheet.system_id)
        .where(TargetSheet.unit_id == unit.id).order_by(IndicatorSystem.year.desc(), IndicatorSystem.id)).all()
    deadlines = {d.system_id: d for d in db.session.scalars(
        select(TargetDeadline).where(TargetDeadline.system_id.in_([system.id for _sheet, system in pairs])))}
    return _rows([(sheet, unit) for sheet, _system in pairs], lambda sheet: deadlines.get(sheet.system_id), today)
