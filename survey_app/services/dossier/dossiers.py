"""The cadre dossier (干部档案 / 精准画像): one page per cadre across years.

A cadre is identified by the stable subject key (Subject.key of cadre subjects,
PlanSubject.key of cadre assessment plans); name, unit and post are those of the latest
result record: a published, closed or archived survey, or a confirmed plan. Drafts never
count, so editing a draft (or cloning a survey and moving a cadre in it) cannot move a
cadre into anyone's scope. Unit and team subjects (单位、领导班子) have no dossier: their keys are not
found here.

The dossier gathers, per year, every survey that rated the cadre (from
`reports.survey_report`, so the figures are the results pages' own and groups below their
minimum size stay 样本不足), every cadre assessment plan that assessed them (from
`grading.compute_plan`), and the evidence inspectors record (任务/进度/问题/成绩清单).

Access (services/platform/permissions.py): unscoped staff see every dossier; a unit-scoped user sees
the dossiers of cadres whose current unit is in their scope (units have no hierarchy yet,
so "the unit or above" is the unit itself or an unscoped, city-level account), and in them
only what was recorded in their units: survey results where the cadre was rated as one of
their units' cadres, plan rows of their units, evidence recorded while the cadre served in
their units. So a key reused in another unit, or a cadre who moved, shows nothing of the
other unit. Organizers and administrators within that scope record and verify evidence;
viewers read. Every view of a dossier (page,
PDF, evidence form) and every change is written to the audit log.

This module builds the dossier and keeps its view log; who the cadre is and who may see
them is `cadres`, the evidence items and their changes are `evidence`.
"""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app import labels
from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    EvidenceItem,
    EvidenceKind,
    Subject,
    SubjectKind,
    Survey,
    SurveyKind,
    SurveyStatus,
    User,
    VerificationStatus,
)
from survey_app.models.assessment import AssessmentPlan, PlanStatus, PlanSubject, PlanSubjectKind
from survey_app.services.assessment import grading, plan_view
from survey_app.services.dossier.cadres import Cadre, in_scope
from survey_app.services.dossier.evidence import EVIDENCE_TARGET, EvidenceView, evidence_view
from survey_app.services.platform import audit
from survey_app.services.results import report_models, reports

#: Audit target type of views of a dossier.
TARGET = "dossier"
#: Formats of a logged view, as the view log shows them.
VIEW_LABELS = {"page": _l("查看页面"), "pdf": _l("下载 PDF"), "evidence": _l("打开纪实修改页"),
               "brief": _l("进点前调阅页面"), "brief_pdf": _l("进点前调阅 PDF")}

PLAN_STATUS_LABELS = {PlanStatus.DRAFT: _l("草稿（测算）"), PlanStatus.PROPOSED: _l("已提出建议等次"),
                      PlanStatus.CONFIRMED: _l("已确认")}


# ---- view models ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurveyEntry:
    """The cadre's results in one survey: the report's own row, and its context."""

    survey_id: int
    title: str
    year: int
    kind: SurveyKind
    status: SurveyStatus
    row: report_models.SubjectRow
    dimension_labels: tuple[str, ...]
    option_labels: tuple[str, ...]  # every option, in the order of row.option_counts
    scored_labels: tuple[str, ...]
    scored_shares: tuple[float | None, ...]
    figures: list  # (report_models.FigureName, SubjectRow field) in the scale's own words
    survey_average: float | None
    previous_title: str | None
    ranked: int  # subjects with a rank in the survey
    ranked_in_category: int
    predecessor_name: str | None

    @property
    def kind_label(self) -> str:
        return str(labels.SURVEY_KIND[self.kind])


@dataclass(frozen=True, slots=True)
class AssessmentEntry:
    """The cadre's line of one cadre assessment plan (年度考核)."""

    plan_id: int
    title: str
    year: int
    status: PlanStatus
    excellent_label: str
    category_size: int
    quota: int
    row: plan_view.SubjectView

    @property
    def status_label(self) -> str:
        return str(PLAN_STATUS_LABELS[self.status])

    @property
    def grade(self) -> str | None:
        """The grade that counts now: as signed once confirmed, else the (overridden) proposal."""
        return self.row.final_grade



@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    surveys: tuple[SurveyEntry, ...]
    assessments: tuple[AssessmentEntry, ...]


@dataclass(frozen=True, slots=True)
class Dossier:
    cadre: Cadre
    years: tuple[YearView, ...]  # newest first
    evidence: tuple[EvidenceView, ...]  # newest first
    trend_periods: tuple[str, ...]
    trend_series: tuple[tuple[str, tuple[float | None, ...]], ...]

    @property
    def surveys(self) -> tuple[SurveyEntry, ...]:
        return tuple(s for y in self.years for s in y.surveys)

    @property
    def plans(self) -> tuple[AssessmentEntry, ...]:
        return tuple(a for y in self.years for a in y.assessments)

    @property
    def has_trend(self) -> bool:
        """Whether the trend chart has anything to draw."""
        return any(v is not None for _label, values in self.trend_series for v in values)

    @property
    def lists(self) -> tuple[tuple[EvidenceKind, tuple[EvidenceView, ...]], ...]:
        """The four lists (任务、进度、问题、成绩清单), each newest first."""
        return tuple((kind, tuple(e for e in self.evidence if e.kind is kind)) for kind in EvidenceKind)

    @property
    def to_verify(self) -> tuple[EvidenceView, ...]:
        """What is still 待核实 or 存疑, oldest first: the questions to take on a visit."""
        return tuple(sorted((e for e in self.evidence if e.is_open), key=lambda e: (e.occurred_on, e.id)))

    @property
    def status_counts(self) -> dict[VerificationStatus, int]:
        counts = Counter(e.status for e in self.evidence)
        return {status: counts.get(status, 0) for status in VerificationStatus}

    def survey(self, survey_id: int) -> SurveyEntry | None:
        return next((s for s in self.surveys if s.survey_id == survey_id), None)



# ---- the dossier ------------------------------------------------------------------------------


def _predecessor_names(keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = db.session.execute(
        select(Subject.key, Subject.name).join(Survey, Survey.id == Subject.survey_id)
        .where(Subject.key.in_(keys)).order_by(Survey.year, Survey.id)
    )
    return {key: name for key, name in rows}  # the latest name wins


def _survey_entries(key: str, unit_ids: Collection[int] | None, survey_id: int | None = None) -> list[SurveyEntry]:
    query = (select(Survey, Subject.unit_id).join(Subject, Subject.survey_id == Survey.id)
             .where(Subject.key == key, Subject.kind == SubjectKind.CADRE, Survey.status != SurveyStatus.DRAFT)
             .order_by(Survey.year, Survey.id))
    if survey_id is not None:
        query = query.where(Survey.id == survey_id)
    # A scoped user sees the surveys where this key was rated as one of their units' cadres.
    surveys = [survey for survey, unit_id in db.session.execute(query) if in_scope(unit_ids, unit_id)]
    found = []
    for survey in surveys:
        report = reports.survey_report(survey)
        row = next((r for r in report.subjects if r.key == key), None)
        if row is not None:
            found.append((survey, report, row))
    names = _predecessor_names({row.predecessor_key for _s, _r, row in found if row.predecessor_key})
    entries = []
    for survey, report, row in found:
        entries.append(SurveyEntry(
            survey_id=survey.id, title=survey.title, year=survey.year, kind=survey.kind, status=survey.status,
            row=row, dimension_labels=report.dimension_labels, option_labels=report.option_labels,
            scored_labels=report_models.scored_option_labels(report),
            scored_shares=tuple(report_models.scored_shares(report, row)) if row.option_counts else (),
            figures=report_models.figure_columns(report),
            survey_average=report.survey_average, previous_title=report.previous_title,
            ranked=sum(1 for r in report.subjects if r.rank is not None),
            ranked_in_category=sum(1 for r in report.subjects
                                   if r.rank_in_category is not None and r.category == row.category),
            predecessor_name=names.get(row.predecessor_key) if row.predecessor_key else None,
        ))
    return entries


def survey_entry(cadre: Cadre, survey_id: int, unit_ids: Collection[int] | None = None) -> SurveyEntry | None:
    """Return the cadre's results in one survey (None if it did not rate them, is a draft,
    or rated them outside `unit_ids`, the user's scope)."""
    entries = _survey_entries(cadre.key, unit_ids, survey_id)
    return entries[0] if entries else None


def _assessment_entries(key: str, unit_ids: Collection[int] | None) -> list[AssessmentEntry]:
    plans = db.session.scalars(
        select(AssessmentPlan).join(PlanSubject, PlanSubject.plan_id == AssessmentPlan.id)
        .where(PlanSubject.key == key, AssessmentPlan.subject_kind == PlanSubjectKind.CADRE)
        .order_by(AssessmentPlan.year, AssessmentPlan.id)
    ).all()
    entries = []
    for plan in plans:
        view = grading.compute_plan(plan)
        for category in view.categories:
            row = next((s for s in category.subjects if s.key == key), None)
            subject = next((s for s in plan.subjects if s.key == key), None)
            if row is not None and subject is not None and in_scope(unit_ids, subject.unit_id):
                entries.append(AssessmentEntry(
                    plan_id=plan.id, title=plan.title, year=plan.year, status=plan.status,
                    excellent_label=plan.excellent_label, category_size=category.n, quota=category.quota, row=row))
    return entries


def _evidence_views(key: str, unit_ids: Collection[int] | None) -> list[EvidenceView]:
    items = db.session.scalars(
        select(EvidenceItem).where(EvidenceItem.subject_key == key)
        .options(selectinload(EvidenceItem.unit), selectinload(EvidenceItem.recorded_by),
                 selectinload(EvidenceItem.verified_by))
        .order_by(EvidenceItem.occurred_on.desc(), EvidenceItem.id.desc())
    ).all()
    return [evidence_view(item) for item in items if in_scope(unit_ids, item.unit_id)]


def _trend(surveys: list[SurveyEntry], plans: list[AssessmentEntry]):
    """Per survey kind, the index by year (the later survey of a kind in a year counts), and
    the assessment composite by year."""
    years = sorted({s.year for s in surveys} | {a.year for a in plans})
    series: list[tuple[str, tuple[float | None, ...]]] = []
    for kind in dict.fromkeys(s.kind for s in surveys):
        by_year = {s.year: s.row.index for s in surveys if s.kind is kind}
        series.append((str(labels.SURVEY_KIND[kind]), tuple(by_year.get(y) for y in years)))
    if plans:
        by_year = {a.year: a.row.composite for a in plans}
        series.append((_("年度考核综合得分"), tuple(by_year.get(y) for y in years)))
    return tuple(str(y) for y in years), tuple(series)


def build_dossier(cadre: Cadre, unit_ids: Collection[int] | None = None) -> Dossier:
    """Gather the cadre's surveys, assessments and evidence, year by year (newest first);
    for a scoped user (`unit_ids`), only what was recorded in their units."""
    surveys, plans = _survey_entries(cadre.key, unit_ids), _assessment_entries(cadre.key, unit_ids)
    years = sorted({s.year for s in surveys} | {a.year for a in plans}, reverse=True)
    periods, series = _trend(surveys, plans)
    return Dossier(
        cadre=cadre,
        years=tuple(YearView(y, tuple(s for s in surveys if s.year == y), tuple(a for a in plans if a.year == y))
                    for y in years),
        evidence=tuple(_evidence_views(cadre.key, unit_ids)),
        trend_periods=periods,
        trend_series=series,
    )


# ---- the view log -----------------------------------------------------------------------------


def log_view(actor: User, cadre: Cadre, fmt: str = "page") -> None:
    """Record that `actor` viewed the dossier (the page, the PDF or an evidence form)."""
    if fmt not in VIEW_LABELS:
        raise ValueError(fmt)
    audit.record(actor, "dossier.view", TARGET, None, key=cadre.key, name=cadre.name, unit=cadre.unit, format=fmt)


def history(cadre: Cadre, *, views: bool, limit: int = 50) -> list[AuditEntry]:
    """Return the newest audit entries of this dossier: its views, or its evidence changes."""
    query = select(AuditEntry).where(AuditEntry.detail["key"].as_string() == cadre.key)
    if views:
        query = query.where(AuditEntry.target_type == TARGET, AuditEntry.action == "dossier.view")
    else:
        query = query.where(AuditEntry.target_type == EVIDENCE_TARGET)
    return list(db.session.scalars(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)))

