"""The negotiation's state machine, transition by transition, every refusal included (nothing
changes on a refusal); starting a round; reminders by date (today passed in)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.errors import InvalidTransition, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, Unit
from survey_app.models.negotiation import RoundAction, TargetDeadline, TargetRound
from survey_app.models.target import SheetState, TargetSheet
from survey_app.services.targets import history, negotiation, setting
from tests.app.negotiation_helpers import (
    CONFIRMATION_DUE,
    NOW,
    PROPOSAL_DUE,
    build_world,
    db_snapshot,
    sheet,
    system,
    user,
)


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def _refused(error_type, call, message: str | None = None):
    db.session.commit()  # what the test did so far stays; the refusal must change nothing
    before = db_snapshot()
    with pytest.raises(error_type) as caught:
        call()
    db.session.rollback()
    assert db_snapshot() == before
    if message:
        assert message in caught.value.message or message in getattr(caught.value, "errors", [])
    return caught.value


def _propose(world, sheet_, invest=100, projects=10):
    return negotiation.propose(sheet_, user("reporter-a"), {world.leaf_invest: invest, world.leaf_projects: projects},
                               NOW)


def test_starting_makes_a_sheet_per_unit_of_the_category_with_a_blank_target_per_leaf(app, world):
    with app.app_context():
        sheets = db.session.scalars(select(TargetSheet)).all()
        assert sorted(s.unit_id for s in sheets) == sorted([world.unit_a, world.unit_b])
        for s in sheets:
            assert s.state is SheetState.DRAFT and len(s.targets) == 6
            assert all(t.value is None and t.difficulty == 1.0 for t in s.targets)
        # A unit added to the category later gets its sheet by starting again; existing sheets stay.
        db.session.add(Unit(name="市水利局", category="市直单位"))
        db.session.flush()
        assert setting.start_setting(system(world), user("office"), PROPOSAL_DUE, CONFIRMATION_DUE, NOW) == 1
        assert db.session.scalar(select(func.count()).select_from(TargetSheet)) == 3


def test_starting_is_refused_to_units_and_with_bad_dates(app, world):
    with app.app_context():
        _refused(InvalidTransition, lambda: setting.start_setting(system(world), user("organizer-a"), PROPOSAL_DUE,
                                                                  CONFIRMATION_DUE, NOW))
        _refused(ValidationFailed, lambda: setting.set_deadlines(system(world), user("office"), CONFIRMATION_DUE,
                                                                 PROPOSAL_DUE), "确认截止日期不能早于申报截止日期")
        _refused(ValidationFailed, lambda: setting.set_deadlines(system(world), user("office"), None, PROPOSAL_DUE))
        setting.set_deadlines(system(world), user("office"), date(2026, 4, 1), date(2026, 5, 1))
        db.session.commit()
        deadline = db.session.scalars(select(TargetDeadline)).one()
        assert deadline.proposal_due_on == date(2026, 4, 1)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "target_setting.deadlines")) == 1


def test_save_then_propose_records_a_round(app, world):
    with app.app_context():
        s = sheet(world, world.unit_a)
        assert negotiation.save_values(s, user("reporter-a"), {world.leaf_invest: "12.5"}, NOW) == 1
        assert s.state is SheetState.DRAFT
        db.session.commit()
        _refused(ValidationFailed, lambda: _propose(world, s, projects=""), "目标值未填完，不能申报")
        round_ = _propose(world, s)
        db.session.commit()
        assert s.state is SheetState.PROPOSED and round_.number == 1 and round_.action is RoundAction.PROPOSE
        assert round_.leaves[str(world.leaf_invest)]["value"] == 100.0
        assert round_.actor_name == "商务局填报员"


@pytest.mark.parametrize(("raw", "message"), [
    ("abc", "目标值应为数字"), ("-3", "目标值不能为负数"), ("nan", "目标值应为数字"), ("1e999", "目标值应为数字"),
])
def test_a_bad_value_is_refused_and_nothing_changes(app, world, raw, message):
    with app.app_context():
        s = sheet(world, world.unit_a)
        error = _refused(ValidationFailed, lambda: _propose(world, s, invest=raw))
        assert any(message in line and "招商引资到位资金" in line for line in error.errors)
        _refused(ValidationFailed, lambda: negotiation.save_values(s, user("reporter-a"), {world.leaf_invest: raw}, NOW))


def test_a_value_for_a_leaf_that_needs_none_is_refused(app, world):
    with app.app_context():
        s = sheet(world, world.unit_a)
        error = _refused(ValidationFailed, lambda: negotiation.propose(
            s, user("reporter-a"), {world.leaf_invest: 1, world.leaf_projects: 2, world.leaf_judged: 5}, NOW))
        assert any("党建工作" in line and "不需要目标值" in line for line in error.errors)
        # blank is fine
        negotiation.propose(s, user("reporter-a"), {world.leaf_invest: 1, world.leaf_projects: 2,
                                                    world.leaf_judged: ""}, NOW)


def test_return_and_propose_again(app, world):
    with app.app_context():
        s = sheet(world, world.unit_a)
        _propose(world, s)
        _refused(ValidationFailed, lambda: negotiation.return_sheet(s, user("office"), NOW), "退回时请填写意见")
        db.session.commit()
        negotiation.return_sheet(s, user("office"), NOW, leaf_comments={world.leaf_invest: "偏低，请按增长 8% 申报"})
        assert s.state is SheetState.RETURNED
        assert history.latest_comments(s) == {world.leaf_invest: "偏低，请按增长 8% 申报"}
        negotiation.save_values(s, user("reporter-a"), {world.leaf_invest: 108}, NOW)
        round_ = _propose(world, s, invest=108)
        assert s.state is SheetState.PROPOSED and round_.number == 3


def test_adjust_then_confirm_then_approve_then_locked(app, world):
    with app.app_context():
        s = sheet(world, world.unit_a)
        _propose(world, s)
        office = user("office")
        _refused(ValidationFailed, lambda: negotiation.adjust(s, office, NOW, {world.leaf_invest: 100}, comment="x"),
                 "没有调整任何目标值或难度系数")
        _refused(ValidationFailed, lambda: negotiation.adjust(s, office, NOW, {world.leaf_invest: 120}),
                 "调整时请填写意见")
        _refused(ValidationFailed, lambda: negotiation.adjust(s, office, NOW, difficulties={world.leaf_invest: 5},
                                                              comment="x"))
        _refused(ValidationFailed, lambda: negotiation.adjust(s, office, NOW, {world.leaf_projects: ""}, comment="x"),
                 "调整后的目标值不完整")
        negotiation.adjust(s, office, NOW, {world.leaf_invest: 120}, {world.leaf_invest: "1.2"}, "按全市任务分解")
        assert s.state is SheetState.ADJUSTED
        target = negotiation.targets_by_node(s)[world.leaf_invest]
        assert (target.value, target.difficulty) == (120, 1.2)
        # the unit may not save over the adjustment; it confirms or answers
        _refused(InvalidTransition, lambda: negotiation.save_values(s, user("reporter-a"), {world.leaf_invest: 1}, NOW))
        _refused(ValidationFailed, lambda: negotiation.confirm(s, user("reporter-a"), NOW, "",
                                                               {world.leaf_invest: "110"}), "确认时不能修改目标值")
        negotiation.confirm(s, user("reporter-a"), NOW, "", {world.leaf_invest: "120", world.leaf_projects: "10"})
        assert s.state is SheetState.CONFIRMED
        later = NOW + timedelta(days=1)
        negotiation.approve(s, office, later)
        db.session.commit()
        assert s.state is SheetState.APPROVED and s.approved_at is not None and s.is_locked
        for call in (lambda: _propose(world, s), lambda: negotiation.confirm(s, user("reporter-a"), NOW),
                     lambda: negotiation.save_values(s, user("reporter-a"), {world.leaf_invest: 1}, NOW),
                     lambda: negotiation.adjust(s, office, NOW, {world.leaf_invest: 1}, comment="x"),
                     lambda: negotiation.accept(s, office, NOW), lambda: negotiation.approve(s, office, NOW),
                     lambda: negotiation.return_sheet(s, office, NOW, "x")):
            _refused(StructureLocked, call, "目标已审定，不能再修改")
        views = history.rounds_of(s)
        assert [v.round.action for v in views] == [RoundAction.PROPOSE, RoundAction.ADJUST, RoundAction.CONFIRM,
                                                   RoundAction.APPROVE]
        change = next(c for c in views[1].changes if c.node.id == world.leaf_invest)
        assert (change.old_value, change.new_value, change.old_difficulty, change.new_difficulty) == (100, 120, 1, 1.2)
        assert views[2].changes == []


def test_answer_an_adjustment_needs_a_comment(app, world):
    with app.app_context():
        s = sheet(world, world.unit_a)
        _propose(world, s)
        negotiation.adjust(s, user("office"), NOW, {world.leaf_invest: 150}, comment="提高")
        _refused(ValidationFailed, lambda: negotiation.propose(s, user("reporter-a"), {world.leaf_invest: 130}, NOW),
                 "请填写意见")
        round_ = negotiation.propose(s, user("reporter-a"), {world.leaf_invest: 130}, NOW, "150 无法完成")
        assert round_.action is RoundAction.ANSWER and s.state is SheetState.PROPOSED
        negotiation.accept(s, user("office"), NOW)
        assert s.state is SheetState.CONFIRMED


def test_wrong_state_and_wrong_side_are_refused(app, world):
    with app.app_context():
        s = sheet(world, world.unit_a)
        office, reporter = user("office"), user("reporter-a")
        _refused(InvalidTransition, lambda: negotiation.confirm(s, reporter, NOW), "目标当前为“填报中”，不能确认")
        _refused(InvalidTransition, lambda: negotiation.accept(s, office, NOW), "不能同意")
        _refused(InvalidTransition, lambda: negotiation.approve(s, office, NOW), "不能审定")
        _refused(InvalidTransition, lambda: negotiation.reopen(s, office, NOW, "x"))
        # the 效能办 (and an admin) cannot act for the unit; another unit's people neither
        for name in ("office", "admin", "reporter-b", "organizer-b", "viewer"):
            _refused(InvalidTransition, lambda n=name: _propose_as(world, s, n), "本单位办理")
        _propose(world, s)
        _refused(InvalidTransition, lambda: _propose(world, s), "目标当前为“已申报”，不能申报")
        # the unit (reporter or scoped organizer) cannot act as the 效能办
        for name in ("reporter-a", "organizer-a", "viewer"):
            for call in (lambda n=name: negotiation.accept(s, user(n), NOW),
                         lambda n=name: negotiation.return_sheet(s, user(n), NOW, "x"),
                         lambda n=name: negotiation.adjust(s, user(n), NOW, {world.leaf_invest: 1}, comment="x")):
                _refused(InvalidTransition, call, "由效能办办理")
        negotiation.accept(s, office, NOW)
        _refused(InvalidTransition, lambda: negotiation.approve(s, user("organizer-a"), NOW))
        # a scoped organizer of the unit acts as the unit
        s_b = sheet(world, world.unit_b)
        negotiation.propose(s_b, user("organizer-b"), {world.leaf_invest: 1, world.leaf_projects: 2}, NOW)
        assert s_b.state is SheetState.PROPOSED


def _propose_as(world, s, name):
    return negotiation.propose(s, user(name), {world.leaf_invest: 1, world.leaf_projects: 2}, NOW)


def test_reopen_needs_a_reason_and_is_refused_after_the_self_assessment(app, world):
    with app.app_context():
        s = sheet(world, world.unit_a)
        office = user("office")
        _propose(world, s)
        negotiation.accept(s, office, NOW)
        negotiation.approve(s, office, NOW)
        _refused(ValidationFailed, lambda: negotiation.reopen(s, office, NOW, " "), "请说明理由")
        _refused(InvalidTransition, lambda: negotiation.reopen(s, user("reporter-a"), NOW, "x"))
        negotiation.reopen(s, office, NOW, "市政府调整了招商任务")
        assert s.state is SheetState.PROPOSED and s.approved_at is None
        negotiation.accept(s, office, NOW)
        negotiation.approve(s, office, NOW)
        s.self_assessed_at = NOW
        db.session.commit()
        _refused(InvalidTransition, lambda: negotiation.reopen(s, office, NOW, "x"), "已提交年度自评")
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "target_sheet")).all()
        assert actions.count("target_sheet.reopen") == 1 and actions.count("target_sheet.approve") == 2
        assert db.session.scalar(select(func.max(TargetRound.number))) == 6


# ---- reminders -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "days", "text", "late"), [
    (date(2026, 3, 28), 3, "距申报截止日期还有 3 天", False),
    (date(2026, 3, 31), 0, "今天是申报截止日期", False),  # the deadline day itself is not late
    (date(2026, 4, 1), -1, "已超过申报截止日期 1 天", True),  # across the month end
    (date(2026, 4, 3), -3, "已超过申报截止日期 3 天", True),
    (date(2026, 2, 28), 31, "距申报截止日期还有 31 天", False),
])
def test_reminder_of_a_draft_by_date(app, world, today, days, text, late):
    with app.test_request_context():
        s = sheet(world, world.unit_a)
        deadline = setting.deadlines_of(system(world))
        found = setting.reminder(s, deadline, today)
        assert (found.days, found.text, found.is_late, found.unit_turn) == (days, text, late, True)
        assert found.due_on == PROPOSAL_DUE


def test_reminders_follow_the_state_and_the_dashboard_flags_late_units(app, world):
    with app.test_request_context():
        s = sheet(world, world.unit_a)
        deadline = setting.deadlines_of(system(world))
        _propose(world, s)
        waiting = setting.reminder(s, deadline, date(2026, 4, 10))
        assert not waiting.unit_turn and waiting.due_on == CONFIRMATION_DUE and not waiting.is_late
        negotiation.adjust(s, user("office"), NOW, {world.leaf_invest: 150}, comment="提高")
        due = setting.reminder(s, deadline, date(2026, 5, 1))
        assert due.unit_turn and due.text == "已超过确认截止日期 1 天"
        board = setting.dashboard(system(world), None, date(2026, 4, 3))
        states = {row.unit.id: (row.sheet.state, row.reminder.is_late) for row in board.rows}
        assert states == {world.unit_a: (SheetState.ADJUSTED, False), world.unit_b: (SheetState.DRAFT, True)}
        assert board.late == 1
        assert dict((state, count) for state, _label, count in board.counts)[SheetState.DRAFT] == 1
        scoped = setting.dashboard(system(world), frozenset({world.unit_a}), date(2026, 4, 3))
        assert [row.unit.id for row in scoped.rows] == [world.unit_a] and scoped.late == 0
        negotiation.confirm(s, user("reporter-a"), NOW)
        negotiation.approve(s, user("office"), NOW)
        assert setting.reminder(s, deadline, date(2027, 1, 1)).due_on is None

