"""序时进度 of a key project, computed by hand: expected against actual share, weights,
overdue milestones, and the refusal of a milestone without a planned date.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.schedule import (
    InputProblem,
    InspectionInputError,
    Milestone,
    OverdueMilestone,
    schedule_progress,
)

TODAY = date(2026, 4, 20)

# The worked example of docs/inspection.md: total weight 5.
PROJECT = (
    Milestone("征地拆迁", date(2026, 1, 31), date(2026, 1, 28)),  # due, done
    Milestone("桩基完成", date(2026, 3, 15), None, weight=2),  # due, not done: 36 days overdue
    Milestone("主体封顶", date(2026, 4, 30), date(2026, 4, 10)),  # not due yet, done early
    Milestone("竣工验收", date(2026, 6, 30)),  # not due
)


def test_weighted_progress_by_hand() -> None:
    progress = schedule_progress(PROJECT, TODAY)
    assert (progress.total, progress.due, progress.done) == (4, 2, 2)
    assert progress.expected_share == pytest.approx(3 / 5)  # (1 + 2) / 5
    assert progress.actual_share == pytest.approx(2 / 5)  # (1 + 1) / 5
    assert progress.gap == pytest.approx(-1 / 5)
    assert progress.is_behind
    assert progress.overdue == (OverdueMilestone("桩基完成", date(2026, 3, 15), 36),)


def test_equal_weights_count_milestones() -> None:
    unweighted = [Milestone(m.key, m.planned, m.actual) for m in PROJECT]
    progress = schedule_progress(unweighted, TODAY)
    assert progress.expected_share == pytest.approx(2 / 4)
    assert progress.actual_share == pytest.approx(2 / 4)
    assert progress.gap == pytest.approx(0.0)
    assert not progress.is_behind


def test_all_done() -> None:
    done = [Milestone(m.key, m.planned, date(2026, 4, 1), m.weight) for m in PROJECT]
    progress = schedule_progress(done, TODAY)
    assert progress.actual_share == pytest.approx(1.0)
    assert progress.expected_share == pytest.approx(3 / 5)
    assert progress.gap == pytest.approx(2 / 5)
    assert progress.overdue == ()


def test_none_due_yet() -> None:
    later = [Milestone("a", date(2026, 5, 1)), Milestone("b", date(2026, 6, 1), date(2026, 4, 19))]
    progress = schedule_progress(later, TODAY)
    assert progress.due == 0
    assert progress.expected_share == 0.0
    assert progress.actual_share == pytest.approx(0.5)  # ahead of schedule
    assert progress.overdue == ()


def test_a_milestone_planned_today_is_due_but_not_overdue() -> None:
    progress = schedule_progress([Milestone("a", TODAY)], TODAY)
    assert progress.expected_share == 1.0 and progress.overdue == ()
    tomorrow = schedule_progress([Milestone("a", TODAY)], TODAY + timedelta(days=1))
    assert tomorrow.overdue == (OverdueMilestone("a", TODAY, 1),)


def test_overdue_counts_and_order() -> None:
    milestones = [
        Milestone("b", date(2026, 4, 10)),  # 10 days
        Milestone("c", date(2025, 12, 31)),  # 110 days, across the year's end
        Milestone("a", date(2026, 4, 10)),  # 10 days, tie broken by key
        Milestone("d", date(2026, 2, 1), date(2026, 4, 19)),  # late but done: not overdue
    ]
    progress = schedule_progress(milestones, TODAY)
    assert [(o.key, o.days_overdue) for o in progress.overdue] == [("c", 110), ("a", 10), ("b", 10)]


def test_no_milestones_or_no_weight_gives_no_shares() -> None:
    for milestones in ([], [Milestone("a", date(2026, 1, 1), weight=0)]):
        progress = schedule_progress(milestones, TODAY)
        assert progress.expected_share is progress.actual_share is progress.gap is None
        assert not progress.is_behind


def test_zero_weight_milestone_counts_in_totals_not_in_shares() -> None:
    progress = schedule_progress([Milestone("a", date(2026, 1, 1), weight=0), Milestone("b", date(2026, 12, 1))], TODAY)
    assert (progress.total, progress.due) == (2, 1)
    assert progress.expected_share == 0.0
    assert [o.key for o in progress.overdue] == ["a"]  # still overdue, whatever its weight


def test_a_milestone_without_planned_date_is_refused_with_a_reason() -> None:
    with pytest.raises(InspectionInputError) as raised:
        schedule_progress([*PROJECT, Milestone("验收备案", None)], TODAY)
    assert isinstance(raised.value, ValueError)
    assert raised.value.reason is InputProblem.NO_PLANNED_DATE
    assert raised.value.item == "验收备案"


@pytest.mark.parametrize(
    ("milestones", "reason"),
    [
        ([Milestone("a", TODAY, TODAY + timedelta(days=1))], InputProblem.ACTUAL_DATE_IN_FUTURE),
        ([Milestone("a", TODAY, weight=-1)], InputProblem.BAD_WEIGHT),
        ([Milestone("a", TODAY, weight=math.nan)], InputProblem.BAD_WEIGHT),
        ([Milestone("a", TODAY), Milestone("a", TODAY)], InputProblem.DUPLICATE_KEY),
    ],
)
def test_bad_milestones_are_refused(milestones, reason) -> None:
    with pytest.raises(InspectionInputError) as raised:
        schedule_progress(milestones, TODAY)
    assert raised.value.reason is reason


milestone_lists = st.lists(
    st.builds(
        Milestone,
        key=st.text(min_size=1, max_size=3),
        planned=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
        actual=st.none(),
        weight=st.floats(min_value=0, max_value=10),
    ),
    max_size=8,
    unique_by=lambda m: m.key,
)


@settings(max_examples=80, deadline=None)
@given(milestone_lists, st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 400))
def test_expected_share_never_falls_as_time_passes(milestones, today, days) -> None:
    earlier = schedule_progress(milestones, today)
    later = schedule_progress(milestones, today + timedelta(days=days))
    if earlier.expected_share is None:
        assert later.expected_share is None
        return
    assert 0.0 <= earlier.expected_share <= later.expected_share + 1e-12 <= 1.0 + 1e-12
    assert len(later.overdue) >= len(earlier.overdue)
