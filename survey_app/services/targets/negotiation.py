"""The negotiation of a unit's targets (docs/targets.md, "Negotiating targets"): pure
transitions of a TargetSheet through its SheetState, each one recorded as a TargetRound
and audited.

    填报中 DRAFT ──申报──▶ 已申报 PROPOSED ──退回──▶ 已退回 RETURNED ──申报──▶ PROPOSED
                           PROPOSED ──调整──▶ 已调整 ADJUSTED ──确认──▶ 已确认 CONFIRMED
                                               ADJUSTED ──答复──▶ PROPOSED
                           PROPOSED ──同意──▶ CONFIRMED ──审定──▶ 已审定 APPROVED (locked)
                           APPROVED ──重新打开（说明理由）──▶ PROPOSED

Two parties: **the unit** (its reporter, or an organizer scoped to the unit) saves values,
proposes, answers and confirms; **the 效能办** (an unscoped organizer or an administrator)
returns, adjusts, accepts, approves and reopens. Neither may act for the other. Every
refusal raises a DomainError with a Chinese message before anything changes. A value for
a leaf whose method needs no target is refused, not ignored: the form offers no input for
it, so one arriving is a mistake worth naming.
"""

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey_app.errors import InvalidTransition, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.negotiation import RoundAction, TargetRound
from survey_app.models.target import IndicatorNode, SheetState, TargetSheet, UnitTarget
from survey_app.services.platform import audit, permissions
from survey_app.services.targets import methods

TARGET = "target_sheet"
#: The difficulty coefficients the 效能办 may set (难度系数; analytics caps the score at the points).
MIN_DIFFICULTY, MAX_DIFFICULTY = 0.5, 2.0
MAX_COMMENT = 2000

STATE_LABELS = {
    SheetState.DRAFT: _l("填报中"), SheetState.PROPOSED: _l("已申报"), SheetState.RETURNED: _l("已退回"),
    SheetState.ADJUSTED: _l("已调整"), SheetState.CONFIRMED: _l("已确认"), SheetState.APPROVED: _l("已审定"),
}
ACTION_LABELS = {
    RoundAction.PROPOSE: _l("申报"), RoundAction.ANSWER: _l("答复"), RoundAction.RETURN: _l("退回"),
    RoundAction.ADJUST: _l("调整"), RoundAction.ACCEPT: _l("同意"), RoundAction.CONFIRM: _l("确认"),
    RoundAction.APPROVE: _l("审定"), RoundAction.REOPEN: _l("重新打开"),
}
#: From which states each action may be taken, and the state it leads to.
TRANSITIONS: dict[RoundAction, tuple[frozenset[SheetState], SheetState]] = {
    RoundAction.PROPOSE: (frozenset({SheetState.DRAFT, SheetState.RETURNED}), SheetState.PROPOSED),
    RoundAction.ANSWER: (frozenset({SheetState.ADJUSTED}), SheetState.PROPOSED),
    RoundAction.RETURN: (frozenset({SheetState.PROPOSED}), SheetState.RETURNED),
    RoundAction.ADJUST: (frozenset({SheetState.PROPOSED}), SheetState.ADJUSTED),
    RoundAction.ACCEPT: (frozenset({SheetState.PROPOSED}), SheetState.CONFIRMED),
    RoundAction.CONFIRM: (frozenset({SheetState.ADJUSTED}), SheetState.CONFIRMED),
    RoundAction.APPROVE: (frozenset({SheetState.CONFIRMED}), SheetState.APPROVED),
    RoundAction.REOPEN: (frozenset({SheetState.APPROVED}), SheetState.PROPOSED),
}
UNIT_ACTIONS = frozenset({RoundAction.PROPOSE, RoundAction.ANSWER, RoundAction.CONFIRM})
#: States in which the unit may save values without handing them in.
EDITABLE = frozenset({SheetState.DRAFT, SheetState.RETURNED})


# ---- who acts --------------------------------------------------------------------------------


def is_office(user: User) -> bool:
    """The 效能办: an unscoped organizer or an administrator."""
    return permissions.is_organizer(user) and permissions.scope_of(user) is None


def is_unit_side(user: User, unit_id: int) -> bool:
    """The unit: its reporter, or an organizer scoped to it (never a city-wide account)."""
    scope = permissions.scope_of(user)
    return (permissions.is_reporter(user) or permissions.is_organizer(user)) and scope is not None and unit_id in scope


def _check_side(sheet: TargetSheet, actor: User, unit_side: bool) -> None:
    if unit_side and not is_unit_side(actor, sheet.unit_id):
        raise InvalidTransition(_("申报、答复和确认目标由本单位办理（单位填报员或本单位的组织人员），效能办不能代为操作"))
    if not unit_side and not is_office(actor):
        raise InvalidTransition(_("审核、审定目标由效能办办理（全市范围的组织人员或管理员）"))


def _check_state(sheet: TargetSheet, action: RoundAction) -> None:
    if sheet.is_locked and action is not RoundAction.REOPEN:
        raise StructureLocked(_("目标已审定，不能再修改"))
    allowed, _next = TRANSITIONS[action]
    if sheet.state not in allowed:
        raise InvalidTransition(_("目标当前为“%(state)s”，不能%(action)s",
                                  state=STATE_LABELS[sheet.state], action=ACTION_LABELS[action]))


# ---- values ----------------------------------------------------------------------------------


def needs_target(node: IndicatorNode) -> bool:
    """Whether the leaf's scoring method reads a 目标值."""
    return methods.build_method(node.method or "judged", node.parameters,
                                node.direction.value == "lower").needs_target


def leaf_name(node: IndicatorNode) -> str:
    return _("指标 %(code)s“%(name)s”", code=node.code, name=node.name)


def _number(raw: Any) -> float | None | str:
    """A float, None for blank, or the problem's reason key."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).strip().replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        return "not_number"
    return value if math.isfinite(value) else "not_number"


def _read_values(sheet: TargetSheet, raw: Mapping[int, Any] | None, problems: list[str]) -> dict[int, float | None]:
    """The new values by node id, checked: numbers ≥ 0, only for leaves that need one."""
    rows = {target.node_id: target for target in sheet.targets}
    values: dict[int, float | None] = {}
    for node_id, given in (raw or {}).items():
        target = rows.get(node_id)
        if target is None:
            problems.append(_("指标 #%(id)s 不在本考核细则中", id=node_id))
            continue
        value = _number(given)
        where = leaf_name(target.node)
        if value == "not_number":
            problems.append(_("%(leaf)s：目标值应为数字", leaf=where))
        elif value is not None and value < 0:
            problems.append(_("%(leaf)s：目标值不能为负数", leaf=where))
        elif value is not None and not needs_target(target.node):
            problems.append(_("%(leaf)s：本指标的计分方法不需要目标值，请留空", leaf=where))
        else:
            values[node_id] = value  # type: ignore[assignment]
    return values


def _read_difficulties(sheet: TargetSheet, raw: Mapping[int, Any] | None, problems: list[str]) -> dict[int, float]:
    rows = {target.node_id: target for target in sheet.targets}
    difficulties: dict[int, float] = {}
    for node_id, given in (raw or {}).items():
        target = rows.get(node_id)
        if target is None:
            problems.append(_("指标 #%(id)s 不在本考核细则中", id=node_id))
            continue
        value = _number(given)
        if value is None:
            continue  # blank: unchanged
        if value == "not_number" or not MIN_DIFFICULTY <= value <= MAX_DIFFICULTY:  # type: ignore[operator]
            problems.append(_("%(leaf)s：难度系数应为 %(low)s 到 %(high)s 之间的数字", leaf=leaf_name(target.node),
                              low=MIN_DIFFICULTY, high=MAX_DIFFICULTY))
        else:
            difficulties[node_id] = value  # type: ignore[assignment]
    return difficulties


def _read_comments(sheet: TargetSheet, comment: str | None, leaf_comments: Mapping[int, str] | None,
                   problems: list[str]) -> tuple[str, dict[int, str]]:
    known = {target.node_id for target in sheet.targets}
    text = (comment or "").strip()
    leaves = {node_id: str(value).strip() for node_id, value in (leaf_comments or {}).items()
              if node_id in known and str(value or "").strip()}
    if len(text) > MAX_COMMENT or any(len(value) > MAX_COMMENT for value in leaves.values()):
        problems.append(_("意见不能超过 %(count)d 个字", count=MAX_COMMENT))
    return text, leaves


def _missing(sheet: TargetSheet, values: Mapping[int, float | None]) -> list[str]:
    """The leaves that need a target and would have none."""
    return [_("%(leaf)s：请填写目标值", leaf=leaf_name(target.node)) for target in sheet.targets
            if needs_target(target.node) and values.get(target.node_id, target.value) is None]


def _raise(problems: list[str], heading: str) -> None:
    if problems:
        raise ValidationFailed(heading, problems)


# ---- the transitions -------------------------------------------------------------------------


def save_values(sheet: TargetSheet, actor: User, values: Mapping[int, Any], now: datetime) -> int:
    """Keep the unit's values without handing them in (填报中 or 已退回); return how many changed."""
    _check_side(sheet, actor, unit_side=True)
    if sheet.is_locked:
        raise StructureLocked(_("目标已审定，不能再修改"))
    if sheet.state not in EDITABLE:
        raise InvalidTransition(_("目标当前为“%(state)s”，不能修改", state=STATE_LABELS[sheet.state]))
    problems: list[str] = []
    read = _read_values(sheet, values, problems)
    _raise(problems, _("目标值有误，未保存"))
    changed = _apply(sheet, read, {})
    if changed:
        sheet.updated_at = now
        audit.record(actor, "target_sheet.save", TARGET, sheet.id, unit_id=sheet.unit_id,
                     system_id=sheet.system_id, changed=changed)
        db.session.flush()
    return changed


def propose(sheet: TargetSheet, actor: User, values: Mapping[int, Any] | None, now: datetime,
            comment: str = "", leaf_comments: Mapping[int, str] | None = None) -> TargetRound:
    """申报 (from 填报中 or 已退回), or 答复 an adjustment (from 已调整, with a comment)."""
    action = RoundAction.ANSWER if sheet.state is SheetState.ADJUSTED else RoundAction.PROPOSE
    _check_side(sheet, actor, unit_side=True)
    _check_state(sheet, action)
    problems: list[str] = []
    read = _read_values(sheet, values, problems)
    text, leaves = _read_comments(sheet, comment, leaf_comments, problems)
    _raise(problems, _("目标值有误，未申报"))
    _raise(_missing(sheet, read), _("目标值未填完，不能申报"))
    if action is RoundAction.ANSWER and not text and not leaves:
        raise ValidationFailed(_("答复效能办的调整时，请填写意见"))
    _apply(sheet, read, {})
    return _transition(sheet, actor, action, now, text, leaves)


def return_sheet(sheet: TargetSheet, actor: User, now: datetime, comment: str = "",
                 leaf_comments: Mapping[int, str] | None = None) -> TargetRound:
    """退回 the proposal with comments: the unit proposes again."""
    _check_side(sheet, actor, unit_side=False)
    _check_state(sheet, RoundAction.RETURN)
    problems: list[str] = []
    text, leaves = _read_comments(sheet, comment, leaf_comments, problems)
    _raise(problems, _("意见有误"))
    if not text and not leaves:
        raise ValidationFailed(_("退回时请填写意见"))
    return _transition(sheet, actor, RoundAction.RETURN, now, text, leaves)


def adjust(sheet: TargetSheet, actor: User, now: datetime, values: Mapping[int, Any] | None = None,
           difficulties: Mapping[int, Any] | None = None, comment: str = "",
           leaf_comments: Mapping[int, str] | None = None) -> TargetRound:
    """调整 values and/or difficulty coefficients, with comments: the unit confirms or answers."""
    _check_side(sheet, actor, unit_side=False)
    _check_state(sheet, RoundAction.ADJUST)
    problems: list[str] = []
    read = _read_values(sheet, values, problems)
    read_difficulties = _read_difficulties(sheet, difficulties, problems)
    text, leaves = _read_comments(sheet, comment, leaf_comments, problems)
    _raise(problems, _("调整有误，未保存"))
    _raise(_missing(sheet, read), _("调整后的目标值不完整"))
    rows = {target.node_id: target for target in sheet.targets}
    if not any(rows[i].value != v for i, v in read.items()) and \
            not any(rows[i].difficulty != d for i, d in read_difficulties.items()):
        raise ValidationFailed(_("没有调整任何目标值或难度系数；如无异议，请选择“同意申报”"))
    if not text and not leaves:
        raise ValidationFailed(_("调整时请填写意见，说明调整的理由"))
    _apply(sheet, read, read_difficulties)
    return _transition(sheet, actor, RoundAction.ADJUST, now, text, leaves)


def accept(sheet: TargetSheet, actor: User, now: datetime, comment: str = "") -> TargetRound:
    """同意 the proposal as it stands."""
    return _simple(sheet, actor, RoundAction.ACCEPT, now, comment, unit_side=False)


def confirm(sheet: TargetSheet, actor: User, now: datetime, comment: str = "",
            values: Mapping[int, Any] | None = None) -> TargetRound:
    """确认 the 效能办's adjustment. `values` (the page's inputs, if posted) must be the
    adjusted ones: a changed value is an answer, not a confirmation."""
    _check_side(sheet, actor, unit_side=True)
    _check_state(sheet, RoundAction.CONFIRM)
    problems: list[str] = []
    read = _read_values(sheet, values, problems)
    _raise(problems, _("目标值有误，未确认"))
    current = targets_by_node(sheet)
    if any(current[node_id].value != value for node_id, value in read.items()):
        raise ValidationFailed(_("确认时不能修改目标值；如有不同意见，请填写意见后选择“提出意见，重新申报”"))
    return _simple(sheet, actor, RoundAction.CONFIRM, now, comment, unit_side=True)


def approve(sheet: TargetSheet, actor: User, now: datetime, comment: str = "") -> TargetRound:
    """审定: lock the confirmed targets; the year-end scoring reads them."""
    _check_side(sheet, actor, unit_side=False)
    _check_state(sheet, RoundAction.APPROVE)
    _raise(_missing(sheet, {}), _("目标值不完整，不能审定"))
    round_ = _simple(sheet, actor, RoundAction.APPROVE, now, comment, unit_side=False)
    sheet.approved_at = now
    return round_


def reopen(sheet: TargetSheet, actor: User, now: datetime, reason: str) -> TargetRound:
    """重新打开 an approved sheet, with a recorded reason (back to 已申报, the 效能办's turn);
    refused once the unit has handed in its year-end 自评."""
    _check_side(sheet, actor, unit_side=False)
    _check_state(sheet, RoundAction.REOPEN)
    if sheet.self_assessed_at is not None:
        raise InvalidTransition(_("单位已提交年度自评，目标不能再重新打开"))
    if not (reason or "").strip():
        raise ValidationFailed(_("重新打开已审定的目标时，请说明理由"))
    round_ = _simple(sheet, actor, RoundAction.REOPEN, now, reason, unit_side=False)
    sheet.approved_at = None
    return round_


def _simple(sheet: TargetSheet, actor: User, action: RoundAction, now: datetime, comment: str,
            unit_side: bool) -> TargetRound:
    _check_side(sheet, actor, unit_side=unit_side)
    _check_state(sheet, action)
    problems: list[str] = []
    text, _leaves = _read_comments(sheet, comment, None, problems)
    _raise(problems, _("意见有误"))
    return _transition(sheet, actor, action, now, text, {})


def _apply(sheet: TargetSheet, values: Mapping[int, float | None], difficulties: Mapping[int, float]) -> int:
    changed = 0
    for target in sheet.targets:
        if target.node_id in values and target.value != values[target.node_id]:
            target.value = values[target.node_id]
            changed += 1
        if target.node_id in difficulties and target.difficulty != difficulties[target.node_id]:
            target.difficulty = difficulties[target.node_id]
            changed += 1
    return changed


def _transition(sheet: TargetSheet, actor: User, action: RoundAction, now: datetime, comment: str,
                leaf_comments: Mapping[int, str]) -> TargetRound:
    previous = sheet.state
    sheet.state = TRANSITIONS[action][1]
    sheet.updated_at = now
    number = (db.session.scalar(select(func.max(TargetRound.number)).where(TargetRound.sheet_id == sheet.id)) or 0) + 1
    round_ = TargetRound(
        sheet_id=sheet.id, number=number, action=action, state=sheet.state, actor_id=actor.id,
        actor_name=actor.display_name or actor.username, created_at=now, comment=comment,
        leaves={str(target.node_id): {"value": target.value, "difficulty": target.difficulty,
                                      "comment": leaf_comments.get(target.node_id, "")}
                for target in sheet.targets})
    db.session.add(round_)
    audit.record(actor, f"target_sheet.{action.value}", TARGET, sheet.id, unit_id=sheet.unit_id,
                 system_id=sheet.system_id, round=number, state_before=previous.value, state_after=sheet.state.value,
                 comment=comment)
    db.session.flush()
    return round_


def sheet_of(system_id: int, unit_id: int, lock: bool = False) -> TargetSheet | None:
    """The unit's sheet under the system, or None. With `lock`, the row is locked until the
    transaction ends (PostgreSQL), so two steps taken at once on one sheet run one after
    the other: the second sees the first's state and is refused if it no longer fits."""
    query = select(TargetSheet).where(TargetSheet.system_id == system_id, TargetSheet.unit_id == unit_id)
    return db.session.scalar(query.with_for_update() if lock else query)


def targets_by_node(sheet: TargetSheet) -> dict[int, UnitTarget]:
    return {target.node_id: target for target in sheet.targets}
