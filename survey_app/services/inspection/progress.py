"""序时进度 of key projects for the pages: the adapter from the database to
`analytics.schedule.schedule_progress`, and the view models of the project list and of one
project's page. `today` is the city's local date (Asia/Shanghai), computed by
`local_today` from an instant the caller passes.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from analytics.schedule import Milestone as ScheduleMilestone
from analytics.schedule import ScheduleProgress, schedule_progress
from survey_app import labels
from survey_app.extensions import db
from survey_app.models.inspection import KeyProject, Milestone, ProjectLevel, ProjectStatus
from survey_app.services.results import cadre_records
from survey_app.timezones import LOCAL_ZONE

_LEVEL_ORDER = {ProjectLevel.NATIONAL: 0, ProjectLevel.PROVINCIAL: 1, ProjectLevel.CITY: 2}


def local_today(now: datetime) -> date:
    """Return the city's date (Asia/Shanghai) at the instant `now` (aware; naive is UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(LOCAL_ZONE).date()


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    id: int
    name: str
    planned_on: date
    actual_on: date | None
    weight: float
    position: int
    is_due: bool  # planned on or before today
    days_overdue: int  # planned before today and not done: how many days

    @property
    def is_done(self) -> bool:
        return self.actual_on is not None


@dataclass(frozen=True, slots=True)
class ProjectCard:
    """A project with its 序时进度 on `today`."""

    id: int
    name: str
    level: ProjectLevel
    status: ProjectStatus
    starts_on: date
    description: str
    units: tuple[str, ...]
    unit_ids: tuple[int, ...]
    cadres: tuple[tuple[str, str], ...]  # (key, name); name "" when no result record has the key
    progress: ScheduleProgress
    milestones: tuple[MilestoneRow, ...]

    @property
    def level_label(self) -> str:
        return str(labels.PROJECT_LEVEL[self.level])

    @property
    def status_label(self) -> str:
        return str(labels.PROJECT_STATUS[self.status])

    @property
    def expected_percent(self) -> int | None:
        """应完成: the weighted share of milestones planned by today, in whole percent."""
        return _percent(self.progress.expected_share)

    @property
    def actual_percent(self) -> int | None:
        """实际完成: the weighted share of milestones reached, in whole percent."""
        return _percent(self.progress.actual_share)

    @property
    def overdue(self) -> tuple[MilestoneRow, ...]:
        """Overdue milestones, most days first."""
        return tuple(sorted((m for m in self.milestones if m.days_overdue), key=lambda m: (-m.days_overdue, m.name)))


def _progress(milestones: Collection[Milestone], today: date) -> ScheduleProgress:
    # An actual date after `today` (entered on a later day than the one shown) is not done yet.
    return schedule_progress(
        [ScheduleMilestone(key=str(m.id), planned=m.planned_on,
                           actual=m.actual_on if m.actual_on and m.actual_on <= today else None, weight=m.weight)
         for m in milestones], today)


def project_card(project: KeyProject, today: date, names: dict[str, str] | None = None) -> ProjectCard:
    """Return one project's view model with its 序时进度 on `today`."""
    progress = _progress(project.milestones, today)
    late = {int(item.key): item.days_overdue for item in progress.overdue}
    if names is None:
        names = cadre_records.latest_names(c.subject_key for c in project.cadres)
    rows = tuple(MilestoneRow(id=m.id, name=m.name, planned_on=m.planned_on, actual_on=m.actual_on, weight=m.weight,
                              position=m.position, is_due=m.planned_on <= today, days_overdue=late.get(m.id, 0))
                 for m in project.milestones)
    return ProjectCard(
        id=project.id, name=project.name, level=project.level, status=project.status, starts_on=project.starts_on,
        description=project.description, units=tuple(u.name for u in project.units),
        unit_ids=tuple(u.id for u in project.units),
        cadres=tuple((c.subject_key, names.get(c.subject_key, "")) for c in project.cadres),
        progress=progress, milestones=rows)


def list_projects(scope: Collection[int] | None, today: date) -> list[ProjectCard]:
    """Return the projects a user may see (scope: their units, None for every unit), national
    first, then by name."""
    projects = db.session.scalars(
        select(KeyProject).options(selectinload(KeyProject.units), selectinload(KeyProject.cadres),
                                   selectinload(KeyProject.milestones))).all()
    if scope is not None:
        projects = [p for p in projects if any(unit.id in scope for unit in p.units)]
    names = cadre_records.latest_names(c.subject_key for p in projects for c in p.cadres)
    cards = [project_card(project, today, names) for project in projects]
    return sorted(cards, key=lambda card: (_LEVEL_ORDER[card.level], card.name))
