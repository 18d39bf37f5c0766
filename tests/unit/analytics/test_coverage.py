"""The 一线考察 coverage rule, computed by hand: month boundaries in Asia/Shanghai (UTC+8,
no daylight saving), year changes, leap Februaries, 蹲点 stays across a month's end,
milestone windows of ±N days, the current and future months, and the overdue list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.coverage import (
    CellState,
    MilestoneState,
    UnitMilestone,
    Visit,
    YearMonth,
    check_milestones,
    coverage_calendar,
    coverage_report,
    months_between,
    visit_days,
)
from analytics.schedule import InputProblem, InspectionInputError

ZONE = ZoneInfo("Asia/Shanghai")
JAN, FEB, MAR, APR, MAY, JUN = (YearMonth(2026, m) for m in range(1, 7))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def states(calendar, unit: str) -> list[tuple[str, int, str]]:
    row = next(row for row in calendar.rows if row.unit == unit)
    return [(str(cell.month), cell.visits, cell.state.value) for cell in row.cells]


# ---- months -------------------------------------------------------------------------------------


def test_year_month_days_and_order() -> None:
    assert YearMonth(2028, 2).last_day() == date(2028, 2, 29)  # leap year
    assert YearMonth(2027, 2).last_day() == date(2027, 2, 28)
    assert YearMonth(2025, 12).next() == YearMonth(2026, 1)
    assert YearMonth(2025, 12) < YearMonth(2026, 1) < YearMonth(2026, 2)
    assert list(months_between(YearMonth(2025, 11), YearMonth(2026, 2))) == [
        YearMonth(2025, 11), YearMonth(2025, 12), YearMonth(2026, 1), YearMonth(2026, 2),
    ]
    assert str(YearMonth(2026, 3)) == "2026-03"
    with pytest.raises(ValueError):
        YearMonth(2026, 13)


# ---- the calendar -------------------------------------------------------------------------------


def test_a_utc_evening_visit_on_march_31st_is_april_1st_in_shanghai() -> None:
    visits = [Visit("A", utc(2026, 3, 31, 17))]  # 01:00 on April 1st in Shanghai
    calendar = coverage_calendar(["A"], visits, MAR, APR, date(2026, 5, 10))
    assert states(calendar, "A") == [("2026-03", 0, "missed"), ("2026-04", 1, "covered")]


def test_a_visit_a_minute_before_shanghai_midnight_stays_in_march() -> None:
    visits = [Visit("A", utc(2026, 3, 31, 15, 59))]  # 23:59 on March 31st in Shanghai
    calendar = coverage_calendar(["A"], visits, MAR, APR, date(2026, 5, 10))
    assert states(calendar, "A") == [("2026-03", 1, "covered"), ("2026-04", 0, "missed")]


def test_the_zone_decides_the_month() -> None:
    visits = [Visit("A", utc(2026, 3, 31, 17))]
    calendar = coverage_calendar(["A"], visits, MAR, APR, date(2026, 5, 10), zone="UTC")
    assert states(calendar, "A") == [("2026-03", 1, "covered"), ("2026-04", 0, "missed")]


def test_new_years_eve_in_utc_is_january_in_shanghai() -> None:
    visits = [Visit("A", utc(2025, 12, 31, 16))]  # 00:00 on 2026-01-01 in Shanghai
    calendar = coverage_calendar(["A"], visits, YearMonth(2025, 12), JAN, date(2026, 2, 1))
    assert states(calendar, "A") == [("2025-12", 0, "missed"), ("2026-01", 1, "covered")]


def test_february_29th_in_a_leap_year() -> None:
    visits = [
        Visit("A", utc(2028, 2, 29, 15)),  # 23:00 on February 29th in Shanghai
        Visit("B", utc(2028, 2, 29, 16)),  # 00:00 on March 1st in Shanghai
    ]
    calendar = coverage_calendar(["A", "B"], visits, YearMonth(2028, 2), YearMonth(2028, 3), date(2028, 4, 1))
    assert states(calendar, "A") == [("2028-02", 1, "covered"), ("2028-03", 0, "missed")]
    assert states(calendar, "B") == [("2028-02", 0, "missed"), ("2028-03", 1, "covered")]


def test_a_stay_across_a_month_end_covers_both_months_once() -> None:
    stay = Visit("A", utc(2026, 4, 28, 1), utc(2026, 5, 3, 9))  # 28 April – 3 May in Shanghai
    calendar = coverage_calendar(["A"], [stay], APR, JUN, date(2026, 6, 20))
    assert states(calendar, "A") == [
        ("2026-04", 1, "covered"), ("2026-05", 1, "covered"), ("2026-06", 0, "due"),
    ]


def test_a_stay_over_three_months_covers_the_middle_one_too() -> None:
    stay = Visit("A", utc(2026, 1, 30, 2), utc(2026, 3, 2, 2))
    calendar = coverage_calendar(["A"], [stay], JAN, MAR, date(2026, 4, 1))
    assert [cell.state for cell in calendar.rows[0].cells] == [CellState.COVERED] * 3


def test_a_stay_ending_at_local_midnight_does_not_touch_the_next_day() -> None:
    stay = Visit("A", utc(2026, 4, 28, 1), utc(2026, 4, 30, 16))  # ends 00:00 on 1 May in Shanghai
    assert visit_days(stay, ZONE) == (date(2026, 4, 28), date(2026, 4, 30))
    calendar = coverage_calendar(["A"], [stay], APR, MAY, date(2026, 6, 1))
    assert states(calendar, "A") == [("2026-04", 1, "covered"), ("2026-05", 0, "missed")]
    instant = Visit("A", utc(2026, 4, 30, 16))  # a visit at midnight itself is on 1 May
    assert visit_days(instant, ZONE) == (date(2026, 5, 1), date(2026, 5, 1))


def test_current_month_is_due_until_it_is_over_and_later_months_are_future() -> None:
    visits = [Visit("A", utc(2026, 3, 5, 2)), Visit("A", utc(2026, 3, 20, 2)), Visit("A", utc(2026, 6, 2, 2))]
    calendar = coverage_calendar(["A", "B"], visits, MAR, JUN, date(2026, 4, 30))
    # Two visits in March; April is not over on its last day; June's (recorded ahead) is still future.
    assert states(calendar, "A") == [
        ("2026-03", 2, "covered"), ("2026-04", 0, "due"), ("2026-05", 0, "future"), ("2026-06", 1, "future"),
    ]
    assert states(calendar, "B") == [
        ("2026-03", 0, "missed"), ("2026-04", 0, "due"), ("2026-05", 0, "future"), ("2026-06", 0, "future"),
    ]
    next_day = coverage_calendar(["B"], [], MAR, MAY, date(2026, 5, 1))
    assert [c.state for c in next_day.rows[0].cells] == [CellState.MISSED, CellState.MISSED, CellState.DUE]


def test_a_visit_in_the_current_month_covers_it() -> None:
    calendar = coverage_calendar(["A"], [Visit("A", utc(2026, 4, 2, 2))], APR, APR, date(2026, 4, 15))
    assert calendar.cell("A", APR).state is CellState.COVERED


def test_visits_outside_the_period_are_not_counted() -> None:
    visits = [Visit("A", utc(2026, 1, 15)), Visit("A", utc(2026, 3, 1, 2))]
    calendar = coverage_calendar(["A"], visits, FEB, FEB, date(2026, 4, 1))
    assert states(calendar, "A") == [("2026-02", 0, "missed")]


def test_empty_inputs() -> None:
    calendar = coverage_calendar([], [], JAN, MAR, date(2026, 2, 10))
    assert calendar.months == (JAN, FEB, MAR) and calendar.rows == ()
    report = coverage_report([], [], [], JAN, MAR, date(2026, 2, 10))
    assert report.milestones == ()
    assert report.overdue.units == report.overdue.uncovered_milestones == report.overdue.late_milestones == ()


# ---- milestones ---------------------------------------------------------------------------------


def milestone_check(visits, planned, actual=None, today=date(2026, 5, 1), window_days=3):
    checks = check_milestones(
        ["A", "B"], visits, [UnitMilestone("A", "m", planned, actual)], today, window_days=window_days
    )
    return checks[0]


def test_a_window_reaching_into_the_next_month_counts_a_visit_there() -> None:
    # Planned 30 March, N = 3: the window is 27 March – 2 April, both included.
    inside = milestone_check([Visit("A", utc(2026, 4, 1, 20))], date(2026, 3, 30))  # 04:00 on 2 April
    assert (inside.window_start, inside.window_end) == (date(2026, 3, 27), date(2026, 4, 2))
    assert inside.state is MilestoneState.COVERED and inside.visits == 1
    outside = milestone_check([Visit("A", utc(2026, 4, 2, 16))], date(2026, 3, 30))  # 00:00 on 3 April
    assert outside.state is MilestoneState.MISSED and outside.visits == 0
    assert outside.days_since_window_closed == 29  # 2 April → 1 May
    assert outside.days_overdue == 32  # planned 30 March, not happened by 1 May


def test_the_actual_date_moves_the_window() -> None:
    early_visit = [Visit("A", utc(2026, 3, 12, 2))]
    planned_only = milestone_check(early_visit, date(2026, 3, 10), today=date(2026, 3, 12))
    assert planned_only.state is MilestoneState.COVERED
    happened_later = milestone_check(early_visit, date(2026, 3, 10), actual=date(2026, 3, 30))
    assert happened_later.reference == date(2026, 3, 30)
    assert happened_later.state is MilestoneState.MISSED and happened_later.days_overdue == 0


def test_a_stay_overlapping_the_window_covers_the_milestone() -> None:
    stay = Visit("A", utc(2026, 3, 20, 1), utc(2026, 3, 27, 1))  # 20–27 March in Shanghai
    assert milestone_check([stay], date(2026, 3, 30)).state is MilestoneState.COVERED  # window from 27 March
    shorter = Visit("A", utc(2026, 3, 20, 1), utc(2026, 3, 26, 15))  # ends 23:00 on 26 March
    assert milestone_check([shorter], date(2026, 3, 30)).state is MilestoneState.MISSED


def test_only_the_milestones_unit_counts() -> None:
    check = milestone_check([Visit("B", utc(2026, 3, 30, 2))], date(2026, 3, 30))
    assert check.state is MilestoneState.MISSED


def test_window_states_upcoming_open_and_zero_days() -> None:
    planned = date(2026, 5, 31)
    assert milestone_check([], planned, today=date(2026, 5, 27)).state is MilestoneState.UPCOMING
    assert milestone_check([], planned, today=date(2026, 5, 28)).state is MilestoneState.OPEN
    assert milestone_check([], planned, today=date(2026, 6, 3)).state is MilestoneState.OPEN
    assert milestone_check([], planned, today=date(2026, 6, 4)).days_since_window_closed == 1
    same_day = milestone_check([Visit("A", utc(2026, 5, 30, 16))], planned, today=date(2026, 6, 1), window_days=0)
    assert same_day.state is MilestoneState.COVERED  # 00:00 on 31 May in Shanghai
    day_before = milestone_check([Visit("A", utc(2026, 5, 30, 15))], planned, today=date(2026, 6, 1), window_days=0)
    assert day_before.state is MilestoneState.MISSED


def test_overdue_days_start_the_day_after_the_planned_date() -> None:
    assert milestone_check([], date(2026, 5, 1), today=date(2026, 5, 1)).days_overdue == 0
    assert milestone_check([], date(2026, 5, 1), today=date(2026, 5, 2)).days_overdue == 1
    assert milestone_check([], date(2026, 4, 1), actual=date(2026, 4, 20)).days_overdue == 0


# ---- the report and the overdue list -------------------------------------------------------------


def test_worked_example_of_docs_inspection_md() -> None:
    units = ["交通局", "住建局", "水利局"]
    visits = [
        Visit("交通局", utc(2026, 1, 14, 2)),
        Visit("交通局", utc(2026, 2, 26, 1), utc(2026, 3, 3, 9)),  # 蹲点 26 Feb – 3 Mar
        Visit("住建局", utc(2026, 1, 31, 17)),  # 1 February in Shanghai
        Visit("住建局", utc(2026, 3, 31, 16, 30)),  # 1 April in Shanghai
    ]
    milestones = [
        UnitMilestone("交通局", "大桥合龙", date(2026, 3, 5), date(2026, 3, 6)),
        UnitMilestone("住建局", "主体封顶", date(2026, 3, 20)),
        UnitMilestone("水利局", "汛前验收", date(2026, 4, 12)),
    ]
    report = coverage_report(units, visits, milestones, JAN, MAY, date(2026, 4, 10), window_days=7)
    assert states(report.calendar, "交通局") == [
        ("2026-01", 1, "covered"), ("2026-02", 1, "covered"), ("2026-03", 1, "covered"),
        ("2026-04", 0, "due"), ("2026-05", 0, "future"),
    ]
    assert states(report.calendar, "住建局") == [
        ("2026-01", 0, "missed"), ("2026-02", 1, "covered"), ("2026-03", 0, "missed"),
        ("2026-04", 1, "covered"), ("2026-05", 0, "future"),
    ]
    assert [cell.state for cell in report.calendar.rows[2].cells] == [CellState.MISSED] * 3 + [
        CellState.DUE, CellState.FUTURE,
    ]
    bridge, roof, flood = report.milestones
    assert bridge.state is MilestoneState.COVERED and bridge.reference == date(2026, 3, 6)
    assert roof.state is MilestoneState.MISSED and roof.days_since_window_closed == 14  # window to 27 March
    assert roof.days_overdue == 21
    assert flood.state is MilestoneState.OPEN  # window 5–19 April
    overdue = report.overdue
    assert [(u.unit, u.missed_months, u.last_visit, u.days_without_visit) for u in overdue.units] == [
        ("水利局", (JAN, FEB, MAR), None, 99),  # never visited: counted from 1 January
        ("住建局", (JAN, MAR), date(2026, 4, 1), 9),
    ]
    assert overdue.uncovered_milestones == (roof,)
    assert overdue.open_milestones == (flood,)
    assert overdue.late_milestones == (roof,)


def test_overdue_lists_are_sorted_most_urgent_first() -> None:
    milestones = [
        UnitMilestone("A", "late", date(2026, 3, 1)),
        UnitMilestone("B", "later", date(2026, 2, 1)),
        UnitMilestone("A", "open-late", date(2026, 5, 12)),
        UnitMilestone("B", "open-soon", date(2026, 5, 10)),
    ]
    report = coverage_report(["A", "B"], [], milestones, MAY, MAY, date(2026, 5, 14), window_days=5)
    assert [c.key for c in report.overdue.uncovered_milestones] == ["later", "late"]
    assert [c.key for c in report.overdue.open_milestones] == ["open-soon", "open-late"]
    assert [(c.key, c.days_overdue) for c in report.overdue.late_milestones] == [
        ("later", 102), ("late", 74), ("open-soon", 4), ("open-late", 2),
    ]
    assert report.overdue.units == ()  # May is still due, not missed


def test_an_ongoing_stay_counts_as_a_visit_today() -> None:
    stay = Visit("A", utc(2026, 4, 25, 1), utc(2026, 5, 5, 9))
    report = coverage_report(["A"], [stay], [], MAR, MAY, date(2026, 5, 2))
    assert report.overdue.units[0].last_visit == date(2026, 5, 2)
    assert report.overdue.units[0].days_without_visit == 0


# ---- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "visits", "milestones", "reason"),
    [
        (["A"], [], [UnitMilestone("A", "m", None)], InputProblem.NO_PLANNED_DATE),
        (["A"], [], [UnitMilestone("A", "m", date(2026, 4, 1), date(2026, 4, 11))], InputProblem.ACTUAL_DATE_IN_FUTURE),
        (["A"], [Visit("A", datetime(2026, 4, 1, 9))], [], InputProblem.NAIVE_DATETIME),
        (["A"], [Visit("A", utc(2026, 4, 2), utc(2026, 4, 1))], [], InputProblem.VISIT_ENDS_BEFORE_START),
        (["A"], [Visit("B", utc(2026, 4, 2))], [], InputProblem.UNKNOWN_UNIT),
        (["A"], [], [UnitMilestone("B", "m", date(2026, 4, 1))], InputProblem.UNKNOWN_UNIT),
        (["A", "A"], [], [], InputProblem.DUPLICATE_KEY),
        (["A"], [], [UnitMilestone("A", "m", date(2026, 4, 1))] * 2, InputProblem.DUPLICATE_KEY),
    ],
)
def test_bad_input_is_refused_with_a_reason(units, visits, milestones, reason) -> None:
    with pytest.raises(InspectionInputError) as raised:
        coverage_report(units, visits, milestones, MAR, APR, date(2026, 4, 10))
    assert raised.value.reason is reason
    assert isinstance(raised.value, ValueError)


def test_a_milestone_without_planned_date_names_the_milestone() -> None:
    with pytest.raises(InspectionInputError) as raised:
        check_milestones(["A"], [], [UnitMilestone("A", "开工", None)], date(2026, 4, 10))
    assert raised.value.item == "开工"


def test_empty_period_and_negative_window_are_refused() -> None:
    with pytest.raises(InspectionInputError) as raised:
        coverage_calendar(["A"], [], APR, MAR, date(2026, 4, 10))
    assert raised.value.reason is InputProblem.EMPTY_PERIOD
    with pytest.raises(InspectionInputError) as raised:
        check_milestones(["A"], [], [], date(2026, 4, 10), window_days=-1)
    assert raised.value.reason is InputProblem.NEGATIVE_WINDOW


# ---- properties -----------------------------------------------------------------------------------

UNITS = ("A", "B", "C")
TODAY = date(2026, 4, 15)
visit_strategy = st.builds(
    lambda unit, start, hours: Visit(unit, start, start + timedelta(hours=hours) if hours else None),
    st.sampled_from(UNITS),
    st.datetimes(min_value=datetime(2025, 11, 1), max_value=datetime(2026, 8, 31), timezones=st.just(UTC)),
    st.integers(min_value=0, max_value=240),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(visit_strategy, max_size=12), visit_strategy)
def test_adding_a_visit_only_adds_coverage(visits, extra) -> None:
    before = coverage_calendar(UNITS, visits, YearMonth(2025, 12), JUN, TODAY)
    after = coverage_calendar(UNITS, [*visits, extra], YearMonth(2025, 12), JUN, TODAY)
    for row_before, row_after in zip(before.rows, after.rows, strict=True):
        for old, new in zip(row_before.cells, row_after.cells, strict=True):
            assert new.visits in (old.visits, old.visits + 1)
            assert new.state is old.state or (
                old.state in (CellState.MISSED, CellState.DUE) and new.state is CellState.COVERED
            )


@settings(max_examples=60, deadline=None)
@given(st.lists(visit_strategy, max_size=12), st.randoms(use_true_random=False))
def test_the_report_does_not_depend_on_the_order_of_visits(visits, random) -> None:
    milestones = [UnitMilestone("A", "m1", date(2026, 1, 31)), UnitMilestone("B", "m2", date(2026, 4, 13))]
    shuffled = list(visits)
    random.shuffle(shuffled)
    first = coverage_report(UNITS, visits, milestones, YearMonth(2025, 12), JUN, TODAY)
    second = coverage_report(UNITS, shuffled, milestones, YearMonth(2025, 12), JUN, TODAY)
    assert first == second
