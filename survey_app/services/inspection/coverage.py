"""The coverage rule of 一线考察 on the database: the adapter from Visit, unit and milestone
rows to `analytics.coverage`, the unit scope, and the view models of the coverage page and
the 考察台账 (docs/inspection.md, "Coverage").

- **Units**: the units in the user's scope (every unit for a city-wide account), optionally
  one category. A visit counts for each of its units and for each unit of its key project.
- **Months**: a year (or a span of months), clipped to start no earlier than the month the
  inspection log began: `INSPECTION_COVERAGE_SINCE` ("YYYY-MM") when configured, else the
  month of the earliest visit on record. Months before it were never tracked, so they are
  not "missed".
- **Milestones**: each milestone of a key project the user may read, planned or reached in
  the period (or planned before it and still not reached: it is late now), needs a visit to one of its project's units, or to the project itself, within
  N days (`INSPECTION_WINDOW_DAYS`, default `analytics.coverage.DEFAULT_WINDOW_DAYS`). The
  milestone is the project's: every visit to the project's units counts, also those of a
  unit outside a scoped user's units (only the state is shown, not those visits).

Dates are local (Asia/Shanghai); `today` is passed in (`progress.local_today`).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from analytics.coverage import (
    DEFAULT_WINDOW_DAYS,
    CellState,
    CoverageReport,
    MilestoneCheck,
    MilestoneState,
    UnitMilestone,
    UnitOverdue,
    YearMonth,
    coverage_report,
)
from analytics.coverage import Visit as CoverageVisit
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.inspection import KeyProject, Milestone, Visit
from survey_app.timezones import LOCAL_ZONE

CELL_LABELS = {CellState.COVERED: _l("已覆盖"), CellState.MISSED: _l("未覆盖"), CellState.DUE: _l("本月待考察"),
               CellState.FUTURE: _l("未到")}
MILESTONE_LABELS = {MilestoneState.COVERED: _l("已考察"), MilestoneState.MISSED: _l("节点前后未考察"),
                    MilestoneState.OPEN: _l("考察窗口期内"), MilestoneState.UPCOMING: _l("窗口未开始")}
_PROJECT = "project:"  # the key of a project's own row in the milestone check


def window_days(config) -> int:
    """N: days before and after a milestone in which a visit counts (app config)."""
    value = config.get("INSPECTION_WINDOW_DAYS", DEFAULT_WINDOW_DAYS)
    return DEFAULT_WINDOW_DAYS if value is None else int(value)


def parse_month(text: str | None) -> YearMonth | None:
    """Read "YYYY-MM"; None for empty or malformed text."""
    try:
        year, month = (int(part) for part in (text or "").strip().split("-"))
        return YearMonth(year, month)
    except ValueError:
        return None


def log_start(configured: str | None = None) -> YearMonth | None:
    """The month the inspection log began: the configured one, else the earliest visit's."""
    if parse_month(configured):
        return parse_month(configured)
    first = db.session.scalar(select(func.min(Visit.starts_on)))
    return YearMonth.of(first) if first else None


# ---- loading ----------------------------------------------------------------------------------


def scoped_units(scope: Collection[int] | None, category: str | None = None) -> list[Unit]:
    """The units a user sees on the page, by category then name."""
    query = select(Unit).order_by(Unit.category, Unit.name)
    if scope is not None:
        query = query.where(Unit.id.in_(scope or [-1]))
    if category:
        query = query.where(Unit.category == category)
    return list(db.session.scalars(query))


def categories(scope: Collection[int] | None) -> list[str]:
    """The unit categories a user may filter by."""
    return sorted({unit.category for unit in scoped_units(scope) if unit.category})


def visits_between(first: date, last: date) -> list[Visit]:
    """Every visit touching the local days first..last, oldest first, with units and project."""
    return list(db.session.scalars(
        select(Visit).where(Visit.starts_on <= last, Visit.ends_on >= first)
        .options(selectinload(Visit.units), selectinload(Visit.cadres),
                 selectinload(Visit.project).selectinload(KeyProject.units))
        .order_by(Visit.starts_on, Visit.id)))


def visit_unit_ids(visit: Visit) -> set[int]:
    """The units a visit counts for: its own, and its project's."""
    return {u.id for u in visit.units} | ({u.id for u in visit.project.units} if visit.project else set())


def may_see_visit(scope: Collection[int] | None, visit: Visit) -> bool:
    """A visit belongs to its units: a scoped user sees it when one of them is theirs."""
    return scope is None or bool(visit_unit_ids(visit) & set(scope))


def _instants(visit: Visit) -> tuple[datetime, datetime]:
    """A visit's local days as instants: from the first day's local midnight to the midnight
    after the last day (which the rule does not count as a day touched)."""
    start = datetime.combine(visit.starts_on, time(0), LOCAL_ZONE)
    return start, datetime.combine(visit.ends_on + timedelta(days=1), time(0), LOCAL_ZONE)


# ---- the view model ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    month: YearMonth
    visits: int
    state: CellState

    @property
    def label(self) -> str:
        return str(CELL_LABELS[self.state])


@dataclass(frozen=True, slots=True)
class UnitLine:
    unit_id: int
    name: str
    category: str
    cells: tuple[Cell, ...]

    @property
    def missed(self) -> int:
        return sum(1 for cell in self.cells if cell.state is CellState.MISSED)


@dataclass(frozen=True, slots=True)
class OverdueUnit:
    name: str
    category: str
    missed_months: tuple[YearMonth, ...]
    last_visit: date | None
    days_without_visit: int


@dataclass(frozen=True, slots=True)
class MilestoneLine:
    project_id: int
    project: str
    milestone: str
    check: MilestoneCheck

    @property
    def label(self) -> str:
        return str(MILESTONE_LABELS[self.check.state])


@dataclass(frozen=True, slots=True)
class Coverage:
    """The coverage page: calendar, overdue units and milestones, for one period."""

    today: date
    window_days: int
    first_month: YearMonth | None  # None: nothing tracked in the period
    last_month: YearMonth | None
    months: tuple[YearMonth, ...]
    lines: tuple[UnitLine, ...]
    overdue_units: tuple[OverdueUnit, ...]
    milestones: tuple[MilestoneLine, ...]  # every milestone checked, by project and date
    uncovered: tuple[MilestoneLine, ...]  # window closed without a visit, longest closed first
    open: tuple[MilestoneLine, ...]  # window open today without a visit, closing soonest first
    late: tuple[MilestoneLine, ...]  # planned date passed without an actual date, most days first
    visits: tuple[Visit, ...]  # the visits of the period the user may see, oldest first


def _milestones(scope: Collection[int] | None, first: date, last: date, today: date) -> list[tuple[KeyProject, Milestone]]:
    projects = db.session.scalars(select(KeyProject).options(
        selectinload(KeyProject.units), selectinload(KeyProject.milestones))).all()
    found = []
    for project in projects:
        if scope is not None and not {u.id for u in project.units} & set(scope):
            continue
        for milestone in project.milestones:
            actual = milestone.actual_on if milestone.actual_on and milestone.actual_on <= today else None
            # In the period, or planned before it and still not reached (overdue now).
            if first <= (actual or milestone.planned_on) <= last or first <= milestone.planned_on <= last or (
                    actual is None and milestone.planned_on < first):
                found.append((project, milestone))
    return found


def _empty(today: date, n: int) -> Coverage:
    return Coverage(today=today, window_days=n, first_month=None, last_month=None, months=(), lines=(),
                    overdue_units=(), milestones=(), uncovered=(), open=(), late=(), visits=())


def build_coverage(scope: Collection[int] | None, first_month: YearMonth, last_month: YearMonth, today: date, *,
                   n: int = DEFAULT_WINDOW_DAYS, since: YearMonth | None = None,
                   category: str | None = None) -> Coverage:
    """Compute the calendar of the units in `scope` (None: every unit) for the months
    first..last (clipped to start at `since`, the month the log began), the overdue units
    and the milestone checks with N = `n`."""
    if since is not None and since > first_month:
        first_month = since
    if since is None or first_month > last_month:
        return _empty(today, n)
    units = scoped_units(scope, category)
    first, last = first_month.first_day(), last_month.last_day()
    # Milestone windows reach N days beyond the period.
    visits = visits_between(first - timedelta(days=n), last + timedelta(days=n))
    pairs = _milestones(scope, first, last, today)
    unit_keys = [str(u.id) for u in units]
    known = set(unit_keys)
    projects = {project.id: project for project, _m in pairs}
    inputs = []
    for visit in visits:
        start, end = _instants(visit)
        ids = visit_unit_ids(visit)
        inputs += [CoverageVisit(str(i), start, end) for i in sorted(ids) if str(i) in known]
        for project in projects.values():
            if visit.project_id == project.id or ids & {u.id for u in project.units}:
                inputs.append(CoverageVisit(f"{_PROJECT}{project.id}", start, end))
    names = {(f"{_PROJECT}{p.id}", str(m.id)): (p, m) for p, m in pairs}
    milestones = [UnitMilestone(f"{_PROJECT}{p.id}", str(m.id), m.planned_on,
                                m.actual_on if m.actual_on and m.actual_on <= today else None) for p, m in pairs]
    report = coverage_report([*unit_keys, *(f"{_PROJECT}{i}" for i in projects)], inputs, milestones,
                             first_month, last_month, today, window_days=n)
    return _view(report, units, names, [v for v in visits if first <= v.ends_on and v.starts_on <= last
                                        and may_see_visit(scope, v)])


def _line(names, check: MilestoneCheck) -> MilestoneLine:
    project, milestone = names[(check.unit, check.key)]
    return MilestoneLine(project.id, project.name, milestone.name, check)


def _view(report: CoverageReport, units: list[Unit], names, visits: list[Visit]) -> Coverage:
    by_key = {str(u.id): u for u in units}
    lines = tuple(UnitLine(by_key[row.unit].id, by_key[row.unit].name, by_key[row.unit].category,
                           tuple(Cell(c.month, c.visits, c.state) for c in row.cells))
                  for row in report.calendar.rows if row.unit in by_key)

    def unit(item: UnitOverdue) -> OverdueUnit:
        found = by_key[item.unit]
        return OverdueUnit(found.name, found.category, item.missed_months, item.last_visit, item.days_without_visit)

    checks = sorted(report.milestones, key=lambda c: (names[(c.unit, c.key)][0].name, c.planned, c.key))
    return Coverage(
        today=report.today, window_days=report.window_days, first_month=report.calendar.months[0],
        last_month=report.calendar.months[-1], months=report.calendar.months, lines=lines,
        overdue_units=tuple(unit(u) for u in report.overdue.units if u.unit in by_key),
        milestones=tuple(_line(names, c) for c in checks),
        # A window that closed before the period (before the log began) was not tracked.
        uncovered=tuple(_line(names, c) for c in report.overdue.uncovered_milestones
                        if c.window_end >= report.calendar.months[0].first_day()),
        open=tuple(_line(names, c) for c in report.overdue.open_milestones),
        late=tuple(_line(names, c) for c in report.overdue.late_milestones),
        visits=tuple(visits))

