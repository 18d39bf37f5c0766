"""The coverage rule of 一线考察: "每月至少进点考察一次，重要节点随时进点考察".

Every unit is visited at least once in every calendar month, and a visit falls within
``window_days`` days of each of its milestones. This module computes the month × unit
calendar, the milestone checks and the overdue list from plain data.

Pure: standard library only (zoneinfo for the calendar's time zone), no I/O, no clock
reads (``today`` is an argument), no i18n. Months are calendar months in ``zone``
(Asia/Shanghai by default): a visit at 2026-03-31T17:00Z is on April 1st there. The rules
are written out, with a worked example, in docs/inspection.md.
"""

from __future__ import annotations

import calendar
import enum
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analytics.schedule import (
    InputProblem,
    InspectionInputError,
    check_distinct,
    check_milestone_dates,
    days_overdue,
)

DEFAULT_ZONE = "Asia/Shanghai"
DEFAULT_WINDOW_DAYS = 7


# ---- months -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class YearMonth:
    """A calendar month; ordered by year, then month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1–12, not {self.month}")

    @classmethod
    def of(cls, day: date) -> YearMonth:
        """Return the month a day falls in."""
        return cls(day.year, day.month)

    def first_day(self) -> date:
        """Return the month's first day."""
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        """Return the month's last day (29 February in a leap year)."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> YearMonth:
        """Return the following month, across a year's end."""
        return YearMonth(self.year + 1, 1) if self.month == 12 else YearMonth(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: YearMonth, last: YearMonth) -> Iterator[YearMonth]:
    """Yield every month from ``first`` to ``last``, both included (none if first > last)."""
    month = first
    while month <= last:
        yield month
        month = month.next()


# ---- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit (进点考察) to a unit, or a 蹲点 stay of several days.

    ``start`` and ``end`` are timezone-aware instants (UTC in the database); ``end`` None
    means a visit within one day. A visit to a project is passed once for each unit linked
    to the project.
    """

    unit: str
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class UnitMilestone:
    """A milestone (关键节点) of a project, seen from one unit linked to the project."""

    unit: str
    key: str
    planned: date | None
    actual: date | None = None


# ---- outputs ----------------------------------------------------------------------------------


class CellState(enum.StrEnum):
    """The state of one unit in one month."""

    COVERED = "covered"  # at least one visit touches the month (past or current month)
    MISSED = "missed"  # a month that is over, without a visit
    DUE = "due"  # the current month, not over yet, still without a visit
    FUTURE = "future"  # a month after today's


class MilestoneState(enum.StrEnum):
    """Whether a milestone was visited within its window, and where today stands."""

    COVERED = "covered"  # a visit touches the window
    MISSED = "missed"  # the window has closed without a visit
    OPEN = "open"  # today is inside the window, no visit yet
    UPCOMING = "upcoming"  # the window has not opened yet


@dataclass(frozen=True, slots=True)
class CoverageCell:
    """One unit in one month: the visits that touch the month and the cell's state."""

    month: YearMonth
    visits: int
    state: CellState


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit's cells, one per month of the period, in month order."""

    unit: str
    cells: tuple[CoverageCell, ...]

    @property
    def missed_months(self) -> tuple[YearMonth, ...]:
        """Return the months that are over without a visit."""
        return tuple(cell.month for cell in self.cells if cell.state is CellState.MISSED)


@dataclass(frozen=True, slots=True)
class CoverageCalendar:
    """The month × unit calendar: one row per unit, in the order the units were given."""

    months: tuple[YearMonth, ...]
    rows: tuple[UnitRow, ...]

    def cell(self, unit: str, month: YearMonth) -> CoverageCell:
        """Return one unit's cell for one month of the period."""
        row = next(row for row in self.rows if row.unit == unit)
        return row.cells[self.months.index(month)]


@dataclass(frozen=True, slots=True)
class MilestoneCheck:
    """A milestone against the rule.

    ``reference`` is the actual date once the milestone happened, else the planned date;
    the window runs from ``window_start`` to ``window_end`` (reference ± N days, both
    included). ``days_overdue`` counts days past the planned date without an actual date;
    ``days_since_window_closed`` counts days since an uncovered window closed (else 0).
    """

    unit: str
    key: str
    planned: date
    actual: date | None
    reference: date
    window_start: date
    window_end: date
    visits: int
    state: MilestoneState
    days_overdue: int
    days_since_window_closed: int


@dataclass(frozen=True, slots=True)
class UnitOverdue:
    """A unit with at least one missed month.

    ``last_visit`` is the last local day of its latest visit up to today (None: never
    visited); ``days_without_visit`` counts from that day, or from the period's first day
    for a unit never visited.
    """

    unit: str
    missed_months: tuple[YearMonth, ...]
    last_visit: date | None
    days_without_visit: int


@dataclass(frozen=True, slots=True)
class OverdueList:
    """What is overdue on ``today``.

    ``units``: units with a missed month, longest without a visit first;
    ``uncovered_milestones``: windows closed without a visit, longest closed first;
    ``open_milestones``: windows open today without a visit, closing soonest first;
    ``late_milestones``: planned date passed without an actual date, most days first.
    Ties go by unit, then key.
    """

    units: tuple[UnitOverdue, ...]
    uncovered_milestones: tuple[MilestoneCheck, ...]
    open_milestones: tuple[MilestoneCheck, ...]
    late_milestones: tuple[MilestoneCheck, ...]


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """Everything the coverage page and the 考察台账 need, computed in one call."""

    today: date
    zone: str
    window_days: int
    calendar: CoverageCalendar
    milestones: tuple[MilestoneCheck, ...]
    overdue: OverdueList


# ---- visits as local days ---------------------------------------------------------------------


def visit_days(visit: Visit, zone: ZoneInfo) -> tuple[date, date]:
    """Return the first and last local day a visit touches.

    A stay ending exactly at local midnight does not touch the day that midnight starts.
    """
    start = visit.start.astimezone(zone)
    end = (visit.end if visit.end is not None else visit.start).astimezone(zone)
    last = end.date()
    if end > start and end.time() == time(0):
        last -= timedelta(days=1)
    return start.date(), last


def _check_visit(visit: Visit, units: frozenset[str]) -> None:
    if visit.unit not in units:
        raise InspectionInputError(InputProblem.UNKNOWN_UNIT, visit.unit)
    for instant in (visit.start, visit.end):
        if instant is not None and (instant.tzinfo is None or instant.utcoffset() is None):
            raise InspectionInputError(InputProblem.NAIVE_DATETIME, visit.unit)
    if visit.end is not None and visit.end < visit.start:
        raise InspectionInputError(InputProblem.VISIT_ENDS_BEFORE_START, visit.unit)


def _local_spans(
    units: Sequence[str], visits: Sequence[Visit], zone: ZoneInfo
) -> dict[str, list[tuple[date, date]]]:
    """Check the units and visits, and return each unit's visits as (first, last) local days."""
    check_distinct(units)
    known = frozenset(units)
    spans: dict[str, list[tuple[date, date]]] = {unit: [] for unit in units}
    for visit in visits:
        _check_visit(visit, known)
        spans[visit.unit].append(visit_days(visit, zone))
    return spans


# ---- the calendar -----------------------------------------------------------------------------


def _cell_state(month: YearMonth, visits: int, current: YearMonth) -> CellState:
    if month > current:
        return CellState.FUTURE
    if visits:
        return CellState.COVERED
    return CellState.DUE if month == current else CellState.MISSED


def _calendar(
    spans: dict[str, list[tuple[date, date]]], months: tuple[YearMonth, ...], today: date
) -> CoverageCalendar:
    current = YearMonth.of(today)
    rows = []
    for unit, unit_spans in spans.items():
        counts: dict[YearMonth, int] = defaultdict(int)
        for first, last in unit_spans:
            for month in months_between(YearMonth.of(first), YearMonth.of(last)):
                counts[month] += 1  # months outside the period are counted but never shown
        cells = tuple(CoverageCell(m, counts[m], _cell_state(m, counts[m], current)) for m in months)
        rows.append(UnitRow(unit, cells))
    return CoverageCalendar(months=months, rows=tuple(rows))


def _period(first_month: YearMonth, last_month: YearMonth) -> tuple[YearMonth, ...]:
    if first_month > last_month:
        raise InspectionInputError(InputProblem.EMPTY_PERIOD, f"{first_month}–{last_month}")
    return tuple(months_between(first_month, last_month))


def coverage_calendar(
    units: Sequence[str],
    visits: Sequence[Visit],
    first_month: YearMonth,
    last_month: YearMonth,
    today: date,
    *,
    zone: str = DEFAULT_ZONE,
) -> CoverageCalendar:
    """Count each unit's visits per month of the period and give each cell its state.

    A visit counts once in every month it touches, so a 蹲点 across a month's end covers
    both months. Visits outside the period are not counted.
    """
    spans = _local_spans(units, visits, ZoneInfo(zone))
    return _calendar(spans, _period(first_month, last_month), today)


# ---- milestones -------------------------------------------------------------------------------


def _milestone_state(visits: int, window_start: date, window_end: date, today: date) -> MilestoneState:
    if visits:
        return MilestoneState.COVERED
    if today > window_end:
        return MilestoneState.MISSED
    return MilestoneState.OPEN if today >= window_start else MilestoneState.UPCOMING


def _check_milestone(
    milestone: UnitMilestone, spans: list[tuple[date, date]], today: date, window_days: int
) -> MilestoneCheck:
    planned = check_milestone_dates(milestone.key, milestone.planned, milestone.actual, today)
    reference = milestone.actual if milestone.actual is not None else planned
    window_start = reference - timedelta(days=window_days)
    window_end = reference + timedelta(days=window_days)
    visits = sum(1 for first, last in spans if first <= window_end and last >= window_start)
    state = _milestone_state(visits, window_start, window_end, today)
    closed = (today - window_end).days if state is MilestoneState.MISSED else 0
    return MilestoneCheck(
        unit=milestone.unit,
        key=milestone.key,
        planned=planned,
        actual=milestone.actual,
        reference=reference,
        window_start=window_start,
        window_end=window_end,
        visits=visits,
        state=state,
        days_overdue=days_overdue(planned, milestone.actual, today),
        days_since_window_closed=closed,
    )


def _milestone_checks(
    milestones: Sequence[UnitMilestone],
    spans: dict[str, list[tuple[date, date]]],
    today: date,
    window_days: int,
) -> tuple[MilestoneCheck, ...]:
    if window_days < 0:
        raise InspectionInputError(InputProblem.NEGATIVE_WINDOW, str(window_days))
    check_distinct(f"{m.unit}\x00{m.key}" for m in milestones)
    checks = []
    for milestone in milestones:
        if milestone.unit not in spans:
            raise InspectionInputError(InputProblem.UNKNOWN_UNIT, milestone.unit)
        checks.append(_check_milestone(milestone, spans[milestone.unit], today, window_days))
    return tuple(checks)


def check_milestones(
    units: Sequence[str],
    visits: Sequence[Visit],
    milestones: Sequence[UnitMilestone],
    today: date,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    zone: str = DEFAULT_ZONE,
) -> tuple[MilestoneCheck, ...]:
    """Check each milestone, in the order given, for a visit of its unit within its window.

    A visit (or a 蹲点) counts when any local day it touches lies within ``window_days``
    days of the milestone's reference date (actual if it happened, else planned).
    """
    spans = _local_spans(units, visits, ZoneInfo(zone))
    return _milestone_checks(milestones, spans, today, window_days)


# ---- the overdue list -------------------------------------------------------------------------


def _unit_overdue(row: UnitRow, spans: list[tuple[date, date]], today: date, since: date) -> UnitOverdue:
    ends = [min(last, today) for first, last in spans if first <= today]
    last_visit = max(ends) if ends else None
    days = (today - (last_visit or since)).days
    return UnitOverdue(row.unit, row.missed_months, last_visit, max(days, 0))


def _overdue_list(
    calendar_: CoverageCalendar,
    checks: tuple[MilestoneCheck, ...],
    spans: dict[str, list[tuple[date, date]]],
    today: date,
) -> OverdueList:
    since = calendar_.months[0].first_day()
    units = [_unit_overdue(row, spans[row.unit], today, since) for row in calendar_.rows if row.missed_months]
    units.sort(key=lambda item: (-item.days_without_visit, item.unit))

    def pick(state: MilestoneState) -> list[MilestoneCheck]:
        return [check for check in checks if check.state is state]

    uncovered = sorted(pick(MilestoneState.MISSED), key=lambda c: (-c.days_since_window_closed, c.unit, c.key))
    still_open = sorted(pick(MilestoneState.OPEN), key=lambda c: (c.window_end, c.unit, c.key))
    late = sorted((c for c in checks if c.days_overdue), key=lambda c: (-c.days_overdue, c.unit, c.key))
    return OverdueList(tuple(units), tuple(uncovered), tuple(still_open), tuple(late))


def coverage_report(
    units: Sequence[str],
    visits: Sequence[Visit],
    milestones: Sequence[UnitMilestone],
    first_month: YearMonth,
    last_month: YearMonth,
    today: date,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    zone: str = DEFAULT_ZONE,
) -> CoverageReport:
    """Compute the calendar, the milestone checks and the overdue list in one call.

    ``today`` is the local date in ``zone``. Units are keys, distinct; every visit and
    milestone must name one of them. Milestones are checked whatever their dates; the
    caller passes those of the period it shows.
    """
    spans = _local_spans(units, visits, ZoneInfo(zone))
    calendar_ = _calendar(spans, _period(first_month, last_month), today)
    checks = _milestone_checks(milestones, spans, today, window_days)
    return CoverageReport(
        today=today,
        zone=zone,
        window_days=window_days,
        calendar=calendar_,
        milestones=checks,
        overdue=_overdue_list(calendar_, checks, spans, today),
    )
