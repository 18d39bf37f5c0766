"""The dossier's 一线考察 section: the visits concerning the cadre, the key projects they are
linked to (挂钩) with 序时进度 and overdue milestones, the verified findings of visits, and
the 相互印证 flag where visit findings and the latest evaluation disagree
(`analytics.crosscheck_fieldwork`; the thresholds are in docs/dossier.md).

The same scope as the rest of the dossier: a unit-scoped reader sees the visits to their
units (and of a joint visit only their units' names), the projects linked to their units,
and the findings recorded in their units. Talks (个别谈话) are never part of it.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from analytics.crosscheck_fieldwork import FieldFlag, Findings, FlagKind, Rating, crosscheck_fieldwork
from survey_app.extensions import db
from survey_app.models import EvidenceItem, EvidenceKind, VerificationStatus
from survey_app.models.inspection import KeyProject, ProjectCadre, Visit, VisitCadre
from survey_app.services.dossier.dossiers import Dossier, SurveyEntry
from survey_app.services.inspection import coverage, progress
from survey_app.services.inspection.ledger import length_text, methods_text, period_text

_OPEN = (VerificationStatus.PENDING, VerificationStatus.DISPUTED)


@dataclass(frozen=True, slots=True)
class VisitLine:
    id: int
    title: str
    period: str
    length: str
    units: str
    methods: str
    announced: bool
    project: str
    findings: int


@dataclass(frozen=True, slots=True)
class FindingLine:
    id: int
    kind: EvidenceKind
    title: str
    occurred_on: date
    visit_id: int
    visit_title: str


@dataclass(frozen=True, slots=True)
class Fieldwork:
    visits: tuple[VisitLine, ...]  # newest first
    projects: tuple[progress.ProjectCard, ...]
    verified: tuple[FindingLine, ...]  # verified findings of visits, newest first
    findings: Findings
    rating_source: str  # the survey the rating comes from ("" without one)
    flag: FieldFlag | None
    flag_text: str  # the flag in words, with its numbers ("" without a flag)

    @property
    def is_empty(self) -> bool:
        return not (self.visits or self.projects or self.verified or self.findings.open_problems)


def _latest(dossier: Dossier) -> SurveyEntry | None:
    rated = [s for s in dossier.surveys if s.row.index is not None]
    return max(rated, key=lambda s: (s.year, s.survey_id)) if rated else None


def _items(key: str, scope: Collection[int] | None) -> list[EvidenceItem]:
    items = db.session.scalars(select(EvidenceItem).where(EvidenceItem.subject_key == key,
                                                          EvidenceItem.visit_id.is_not(None))
                               .order_by(EvidenceItem.occurred_on.desc(), EvidenceItem.id.desc())).all()
    return [item for item in items if scope is None or item.unit_id in scope]


def _visits(key: str, item_visits: set[int], scope: Collection[int] | None) -> list[Visit]:
    linked = select(VisitCadre.visit_id).where(VisitCadre.subject_key == key)
    visits = db.session.scalars(
        select(Visit).where(or_(Visit.id.in_(linked), Visit.id.in_(item_visits or [-1])))
        .options(selectinload(Visit.units), selectinload(Visit.project).selectinload(KeyProject.units))
        .order_by(Visit.starts_on.desc(), Visit.id.desc())).all()
    return [visit for visit in visits if coverage.may_see_visit(scope, visit)]


def _projects(key: str, scope: Collection[int] | None, today: date) -> list[progress.ProjectCard]:
    found = db.session.scalars(
        select(KeyProject).join(ProjectCadre, ProjectCadre.project_id == KeyProject.id)
        .where(ProjectCadre.subject_key == key).order_by(KeyProject.name)
        .options(selectinload(KeyProject.units), selectinload(KeyProject.milestones),
                 selectinload(KeyProject.cadres))).all()
    return [progress.project_card(p, today) for p in found
            if scope is None or {u.id for u in p.units} & set(scope)]


def flag_text(flag: FieldFlag, source: str) -> str:
    """The flag in words: why, with the numbers."""
    rating, result, findings = flag.rating, flag.standing, flag.findings
    reasons = []
    if result.by_index:
        reasons.append(_("满意度指数 %(index).1f", index=rating.index))
    if result.by_rank:
        reasons.append(_("排名 %(rank)d/%(n)d（前 %(band)d 名）", rank=rating.rank, n=rating.ranked, band=result.band)
                       if flag.kind is FlagKind.WELL_RATED_WITH_PROBLEMS else
                       _("排名 %(rank)d/%(n)d（后 %(band)d 名）", rank=rating.rank, n=rating.ranked, band=result.band))
    why = "，".join(reasons)
    if flag.kind is FlagKind.WELL_RATED_WITH_PROBLEMS:
        return _("评价较好，但一线考察发现问题：%(source)s%(why)s；考察发现问题 %(n)d 项（已核实 %(verified)d 项，"
                 "待核实或存疑 %(open)d 项）。建议蹲点核实。", source=source, why=why,
                 n=findings.verified_problems + findings.open_problems, verified=findings.verified_problems,
                 open=findings.open_problems)
    return _("评价较差，但一线考察核实了成绩：%(source)s%(why)s；考察核实成绩 %(n)d 项。建议核实评价结果。",
             source=source, why=why, n=findings.verified_achievements)


def build_fieldwork(dossier: Dossier, scope: Collection[int] | None, today: date) -> Fieldwork:
    """Gather the 一线考察 section of the cadre's dossier for a reader of `scope`."""
    key = dossier.cadre.key
    items = _items(key, scope)
    visits = _visits(key, {i.visit_id for i in items if i.visit_id}, scope)
    titles = {v.id: v.title for v in visits}
    counts: dict[int, int] = {}
    for item in items:
        counts[item.visit_id] = counts.get(item.visit_id, 0) + 1
    findings = Findings(
        open_problems=sum(1 for i in items if i.kind is EvidenceKind.PROBLEM and i.status in _OPEN),
        verified_problems=sum(1 for i in items if i.kind is EvidenceKind.PROBLEM
                              and i.status is VerificationStatus.VERIFIED),
        verified_achievements=sum(1 for i in items if i.kind is EvidenceKind.ACHIEVEMENT
                                  and i.status is VerificationStatus.VERIFIED))
    latest = _latest(dossier)
    rating = Rating(latest.row.index, latest.row.rank, latest.ranked) if latest else None
    flag = crosscheck_fieldwork(rating, findings)
    source = _("%(title)s：", title=latest.title) if latest else ""
    return Fieldwork(
        visits=tuple(VisitLine(
            id=v.id, title=v.title, period=period_text(v), length=length_text(v),
            units="、".join(u.name for u in v.units if scope is None or u.id in scope),
            methods=methods_text(v.methods), announced=v.announced, project=v.project.name if v.project else "",
            findings=counts.get(v.id, 0)) for v in visits),
        projects=tuple(_projects(key, scope, today)),
        verified=tuple(FindingLine(i.id, i.kind, i.title, i.occurred_on, i.visit_id, titles.get(i.visit_id, ""))
                       for i in items if i.status is VerificationStatus.VERIFIED),
        findings=findings, rating_source=latest.title if latest else "", flag=flag,
        flag_text=flag_text(flag, source) if flag else "")
