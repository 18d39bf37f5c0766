"""序时进度 of a key project (重点项目): the share of its milestones that should be done by
today against the share that is, and the milestones that are overdue.

Pure: standard library only, no I/O, no clock reads (``today`` is an argument), no i18n.
Bad input raises :class:`InspectionInputError`, whose ``reason`` the caller words. The
rules are written out, with a worked example, in docs/inspection.md.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


class InputProblem(enum.StrEnum):
    """Why an inspection input was refused; the app turns each into a Chinese message."""

    NO_PLANNED_DATE = "no_planned_date"
    ACTUAL_DATE_IN_FUTURE = "actual_date_in_future"
    BAD_WEIGHT = "bad_weight"
    DUPLICATE_KEY = "duplicate_key"
    NAIVE_DATETIME = "naive_datetime"
    VISIT_ENDS_BEFORE_START = "visit_ends_before_start"
    UNKNOWN_UNIT = "unknown_unit"
    EMPTY_PERIOD = "empty_period"
    NEGATIVE_WINDOW = "negative_window"


class InspectionInputError(ValueError):
    """Refuse an input of the inspection rules; ``reason`` says why, ``item`` names what."""

    def __init__(self, reason: InputProblem, item: str = "") -> None:
        super().__init__(f"{reason.value}: {item}" if item else reason.value)
        self.reason = reason
        self.item = item


# ---- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Milestone:
    """One milestone (关键节点) of a project: its planned and actual dates and its weight.

    ``planned`` may be None only so that the adapter can pass what it holds; the rules
    refuse such a milestone with ``InputProblem.NO_PLANNED_DATE``.
    """

    key: str
    planned: date | None
    actual: date | None = None
    weight: float = 1.0


# ---- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverdueMilestone:
    """A milestone whose planned date has passed without an actual date."""

    key: str
    planned: date
    days_overdue: int


@dataclass(frozen=True, slots=True)
class ScheduleProgress:
    """序时进度 on ``today``; shares are weighted fractions in [0, 1].

    ``expected_share``: weight of milestones planned on or before today / all weight;
    ``actual_share``: weight of milestones with an actual date / all weight;
    ``gap`` = actual − expected (negative: behind schedule). All three are None when the
    project has no milestone or its weights add up to 0.
    """

    today: date
    total: int
    due: int
    done: int
    expected_share: float | None
    actual_share: float | None
    gap: float | None
    overdue: tuple[OverdueMilestone, ...]

    @property
    def is_behind(self) -> bool:
        """Tell whether less is done than the schedule expects by today."""
        return self.gap is not None and self.gap < 0


# ---- rules ------------------------------------------------------------------------------------


def check_milestone_dates(key: str, planned: date | None, actual: date | None, today: date) -> date:
    """Return the planned date, refusing a missing one or an actual date after today."""
    if planned is None:
        raise InspectionInputError(InputProblem.NO_PLANNED_DATE, key)
    if actual is not None and actual > today:
        raise InspectionInputError(InputProblem.ACTUAL_DATE_IN_FUTURE, key)
    return planned


def check_distinct(keys: Iterable[str]) -> None:
    """Refuse a second item with the same key."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InspectionInputError(InputProblem.DUPLICATE_KEY, key)
        seen.add(key)


def days_overdue(planned: date, actual: date | None, today: date) -> int:
    """Return how many days a milestone is overdue: 0 once done or while today ≤ planned."""
    if actual is not None or planned >= today:
        return 0
    return (today - planned).days


def schedule_progress(milestones: Sequence[Milestone], today: date) -> ScheduleProgress:
    """Compute a project's 序时进度 on ``today``.

    A milestone is due when its planned date is on or before today, done when it has an
    actual date, and overdue when its planned date is before today and it is not done.
    Overdue milestones come most overdue first (ties by key).
    """
    check_distinct(m.key for m in milestones)
    due_weight = done_weight = total_weight = 0.0
    due = done = 0
    overdue: list[OverdueMilestone] = []
    for milestone in milestones:
        planned = check_milestone_dates(milestone.key, milestone.planned, milestone.actual, today)
        if not (math.isfinite(milestone.weight) and milestone.weight >= 0):
            raise InspectionInputError(InputProblem.BAD_WEIGHT, milestone.key)
        total_weight += milestone.weight
        if planned <= today:
            due += 1
            due_weight += milestone.weight
        if milestone.actual is not None:
            done += 1
            done_weight += milestone.weight
        late = days_overdue(planned, milestone.actual, today)
        if late:
            overdue.append(OverdueMilestone(milestone.key, planned, late))
    overdue.sort(key=lambda item: (-item.days_overdue, item.key))
    expected = due_weight / total_weight if total_weight > 0 else None
    actual = done_weight / total_weight if total_weight > 0 else None
    gap = actual - expected if actual is not None and expected is not None else None
    return ScheduleProgress(
        today=today,
        total=len(milestones),
        due=due,
        done=done,
        expected_share=expected,
        actual_share=actual,
        gap=gap,
        overdue=tuple(overdue),
    )
