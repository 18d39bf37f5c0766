"""The pre-visit brief (进点前调阅): for a cadre or a unit, one page assembled from what
Pingyi holds — last year's assessment and grade, the 民主测评 and 服务质量评议 indices by
year, open problems and unverified items, earlier visits' findings, 巡视巡察反馈 items,
overdue milestones of their key projects — ending with the questions to verify on site
("带着问题去蹲点求证"), each tied to the fact that prompted it (`brief_questions`).

The figures are the dossier's own (`dossiers.build_dossier` for a cadre; the same
`reports.survey_report` rows and `grading.compute_plan` views for a unit), filtered by the
reader's scope like the dossier. Confidential talks (个别谈话) are never part of a brief,
whoever reads it: the brief and its PDF may be passed round the whole team.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app import labels
from survey_app.extensions import db
from survey_app.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    KeyProject,
    ProjectCadre,
    Subject,
    SubjectKind,
    Survey,
    SurveyKind,
    SurveyStatus,
    Unit,
    VerificationStatus,
    Visit,
)
from survey_app.models.assessment import AssessmentPlan, PlanStatus, PlanSubject, PlanSubjectKind
from survey_app.models.inspection import key_project_units
from survey_app.services.assessment import grading
from survey_app.services.dossier import brief_questions, dossiers
from survey_app.services.dossier.brief_questions import ItemLine, OverdueLine, Question, Signal
from survey_app.services.dossier.cadres import Cadre, in_scope
from survey_app.services.dossier.evidence import KIND_SHORT, SOURCE_LABELS, STATUS_LABELS
from survey_app.services.inspection import progress
from survey_app.services.platform import audit
from survey_app.services.results import reports

#: The survey kinds whose trend the brief shows (issue #16).
TREND_KINDS = (SurveyKind.DEMOCRATIC, SurveyKind.SERVICE_QUALITY)


@dataclass(frozen=True, slots=True)
class AssessmentLine:
    """Last year's assessment: the latest confirmed plan of that year holding the subject."""

    title: str
    year: int
    composite: float | None
    rank: int | None
    category_size: int
    grade: str | None


@dataclass(frozen=True, slots=True)
class SurveyPoint:
    """One survey's result in a trend: the later survey of a kind in a year counts."""

    year: int
    title: str
    index: float | None
    row: object  # report_models.SubjectRow
    dimension_labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrendLine:
    kind: SurveyKind
    points: tuple[SurveyPoint, ...]  # oldest first

    @property
    def kind_label(self) -> str:
        return str(labels.SURVEY_KIND[self.kind])

    @property
    def change(self) -> float | None:
        """The latest year's index minus the year before's (None without two figures)."""
        if len(self.points) < 2 or self.points[-1].index is None or self.points[-2].index is None:
            return None
        return self.points[-1].index - self.points[-2].index


@dataclass(frozen=True, slots=True)
class Brief:
    """Everything on the brief's page and in its PDF, in order."""

    kind: str  # "cadre" or "unit"
    name: str
    key: str  # the cadre's key, or "" for a unit
    unit: str
    position_title: str
    today: date
    previous_year: int
    assessment: AssessmentLine | None
    trends: tuple[TrendLine, ...]
    signals: tuple[Signal, ...]  # disagreements, low dimensions, drops
    open_problems: tuple[ItemLine, ...]
    unverified: tuple[ItemLine, ...]
    findings: tuple[ItemLine, ...]
    patrol: tuple[ItemLine, ...]
    overdue: tuple[OverdueLine, ...]
    questions: tuple[Question, ...]


# ---- pieces -----------------------------------------------------------------------------------


def _item_line(item: EvidenceItem, who: str, visits: dict[int, Visit]) -> ItemLine:
    visit = visits.get(item.visit_id) if item.visit_id else None
    return ItemLine(id=item.id, subject=who, kind=item.kind, status=item.status, source=item.source,
                    title=item.title, detail=item.detail, occurred_on=item.occurred_on, note=item.verification_note,
                    kind_label=str(KIND_SHORT[item.kind]), status_label=str(STATUS_LABELS[item.status]),
                    source_label=str(SOURCE_LABELS[item.source]),
                    visit=f"{visit.starts_on.isoformat()} {visit.title}" if visit else "")


def _evidence_sections(items: list[EvidenceItem], with_names: bool):
    """Sort evidence into the brief's four sections (an item may be in several)."""
    wanted = {i.visit_id for i in items if i.visit_id}
    visits = {v.id: v for v in db.session.scalars(select(Visit).where(Visit.id.in_(wanted)))} if wanted else {}
    lines = [_item_line(i, i.subject_name if with_names else "", visits) for i in
             sorted(items, key=lambda i: (i.occurred_on, i.id))]
    open_states = (VerificationStatus.PENDING, VerificationStatus.DISPUTED)
    return (
        tuple(line for line in lines if line.kind is EvidenceKind.PROBLEM and line.status is not VerificationStatus.REFUTED),
        tuple(line for line in lines if line.status in open_states),
        tuple(line for line in lines if line.visit),
        tuple(line for line in lines if line.source is EvidenceSource.PATROL
              and line.status is not VerificationStatus.REFUTED),
    )


def _trends(points_by_kind: dict[SurveyKind, list[SurveyPoint]]) -> tuple[TrendLine, ...]:
    trends = []
    for kind in TREND_KINDS:
        by_year: dict[int, SurveyPoint] = {}
        for point in points_by_kind.get(kind, []):  # in (year, id) order: the later survey of a year wins
            by_year[point.year] = point
        if by_year:
            trends.append(TrendLine(kind, tuple(by_year[y] for y in sorted(by_year))))
    return tuple(trends)


def _overdue(projects: list[KeyProject], today: date) -> tuple[OverdueLine, ...]:
    lines = []
    for project in sorted(projects, key=lambda p: p.name):
        card = progress.project_card(project, today, names={})
        lines += [OverdueLine(project=card.name, milestone=m.name, planned_on=m.planned_on, days=m.days_overdue)
                  for m in card.overdue]
    return tuple(sorted(lines, key=lambda line: (-line.days, line.project, line.milestone)))


def _visible_projects(query, unit_ids: Collection[int] | None) -> list[KeyProject]:
    projects = db.session.scalars(query.options(selectinload(KeyProject.units),
                                                selectinload(KeyProject.milestones))).unique().all()
    return [p for p in projects if unit_ids is None or any(u.id in unit_ids for u in p.units)]


def _assemble(kind: str, name: str, key: str, unit: str, title: str, today: date, assessment, points_by_kind,
              items: list[EvidenceItem], projects: list[KeyProject], with_names: bool) -> Brief:
    trends = _trends(points_by_kind)
    problems, unverified, findings, patrol = _evidence_sections(items, with_names)
    overdue = _overdue(projects, today)
    signals = brief_questions.signals(trends)
    return Brief(kind=kind, name=name, key=key, unit=unit, position_title=title, today=today,
                 previous_year=today.year - 1, assessment=assessment, trends=trends, signals=signals,
                 open_problems=problems, unverified=unverified, findings=findings, patrol=patrol, overdue=overdue,
                 questions=brief_questions.questions(signals, problems + unverified + patrol, overdue))


# ---- a cadre ----------------------------------------------------------------------------------


def cadre_brief(cadre: Cadre, unit_ids: Collection[int] | None, today: date) -> Brief:
    """The brief on a cadre, from their dossier as `unit_ids` (the reader's scope) sees it."""
    dossier = dossiers.build_dossier(cadre, unit_ids)
    confirmed = [a for a in dossier.plans if a.status is PlanStatus.CONFIRMED and a.year == today.year - 1]
    latest = max(confirmed, key=lambda a: a.plan_id) if confirmed else None
    assessment = AssessmentLine(latest.title, latest.year, latest.row.composite, latest.row.rank,
                                latest.category_size, latest.grade) if latest else None
    points: dict[SurveyKind, list[SurveyPoint]] = {}
    for entry in sorted(dossier.surveys, key=lambda s: (s.year, s.survey_id)):
        points.setdefault(entry.kind, []).append(
            SurveyPoint(entry.year, entry.title, entry.row.index, entry.row, entry.dimension_labels))
    items = [i for i in db.session.scalars(select(EvidenceItem).where(EvidenceItem.subject_key == cadre.key))
             if in_scope(unit_ids, i.unit_id)]
    projects = _visible_projects(
        select(KeyProject).join(ProjectCadre).where(ProjectCadre.subject_key == cadre.key), unit_ids)
    return _assemble("cadre", cadre.name, cadre.key, cadre.unit, cadre.position_title, today, assessment, points,
                     items, projects, with_names=False)


# ---- a unit -----------------------------------------------------------------------------------


def _unit_assessment(unit: Unit, year: int) -> AssessmentLine | None:
    plans = db.session.scalars(
        select(AssessmentPlan).join(PlanSubject, PlanSubject.plan_id == AssessmentPlan.id)
        .where(PlanSubject.unit_id == unit.id, AssessmentPlan.subject_kind == PlanSubjectKind.UNIT,
               AssessmentPlan.status == PlanStatus.CONFIRMED, AssessmentPlan.year == year)
        .order_by(AssessmentPlan.id.desc())).unique().all()
    for plan in plans:
        subject_ids = {s.id for s in plan.subjects if s.unit_id == unit.id}
        for category in grading.compute_plan(plan).categories:
            row = next((s for s in category.subjects if s.subject_id in subject_ids), None)
            if row is not None:
                return AssessmentLine(plan.title, plan.year, row.composite, row.rank, category.n, row.final_grade)
    return None


def _unit_points(unit: Unit) -> dict[SurveyKind, list[SurveyPoint]]:
    rows = db.session.execute(
        select(Survey, Subject.key).join(Subject, Subject.survey_id == Survey.id)
        .where(Subject.unit_id == unit.id, Subject.kind == SubjectKind.UNIT, Survey.status != SurveyStatus.DRAFT,
               Survey.kind.in_(TREND_KINDS))
        .order_by(Survey.year, Survey.id)).all()
    points: dict[SurveyKind, list[SurveyPoint]] = {}
    for survey, key in rows:
        report = reports.survey_report(survey)
        row = next((r for r in report.subjects if r.key == key), None)
        if row is not None:
            points.setdefault(survey.kind, []).append(
                SurveyPoint(survey.year, survey.title, row.index, row, report.dimension_labels))
    return points


def unit_brief(unit: Unit, today: date) -> Brief:
    """The brief on a unit: its own results, and the evidence recorded about its cadres
    while they served there (each line names the cadre)."""
    items = list(db.session.scalars(select(EvidenceItem).where(EvidenceItem.unit_id == unit.id)))
    projects = _visible_projects(
        select(KeyProject).join(key_project_units).where(key_project_units.c.unit_id == unit.id), None)
    return _assemble("unit", unit.name, "", unit.name, unit.category or "", today,
                     _unit_assessment(unit, today.year - 1), _unit_points(unit), items, projects, with_names=True)


def log_unit_view(actor, unit: Unit, fmt: str) -> None:
    """Record that `actor` read a unit's brief (page or PDF)."""
    audit.record(actor, "brief.view", "unit", unit.id, name=unit.name, format=fmt)


def subtitle(brief: Brief) -> str:
    parts = (brief.unit if brief.kind == "cadre" else "", brief.position_title,
             _("编号 %(key)s", key=brief.key) if brief.key else "")
    return "｜".join(p for p in parts if p)
