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
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app import labels
from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Subject,
    SubjectKind,
    Survey,
    SurveyKind,
    SurveyStatus,
    Unit,
    User,
    VerificationStatus,
)
from survey_app.models.assessment import AssessmentPlan, PlanStatus, PlanSubject, PlanSubjectKind
from survey_app.services.assessment import grading, plan_view
from survey_app.services.platform import audit, permissions
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.results import reports

#: Audit target types: views of a dossier, and changes to its evidence items.
TARGET, EVIDENCE_TARGET = "dossier", "evidence"
#: Formats of a logged view, as the view log shows them.
VIEW_LABELS = {"page": _l("查看页面"), "pdf": _l("下载 PDF"), "evidence": _l("打开纪实修改页")}

KIND_LABELS = {
    EvidenceKind.TASK: _l("任务清单"),
    EvidenceKind.PROGRESS: _l("进度清单"),
    EvidenceKind.PROBLEM: _l("问题清单"),
    EvidenceKind.ACHIEVEMENT: _l("成绩清单"),
}
KIND_SHORT = {
    EvidenceKind.TASK: _l("任务"),
    EvidenceKind.PROGRESS: _l("进度"),
    EvidenceKind.PROBLEM: _l("问题"),
    EvidenceKind.ACHIEVEMENT: _l("成绩"),
}
SOURCE_LABELS = {
    EvidenceSource.SITE_VISIT: _l("实地查看"),
    EvidenceSource.INTERVIEW: _l("个别谈话"),
    EvidenceSource.AUDIT: _l("审计"),
    EvidenceSource.INSPECTION: _l("督查反馈"),
    EvidenceSource.PATROL: _l("巡视巡察反馈"),
    EvidenceSource.DOCUMENTS: _l("查阅资料"),
    EvidenceSource.MEETING: _l("列席旁听"),
    EvidenceSource.UNANNOUNCED: _l("明察暗访"),
    EvidenceSource.OTHER: _l("其他"),
}
STATUS_LABELS = {
    VerificationStatus.PENDING: _l("待核实"),
    VerificationStatus.VERIFIED: _l("已核实"),
    VerificationStatus.DISPUTED: _l("存疑"),
    VerificationStatus.REFUTED: _l("不属实"),
}
PLAN_STATUS_LABELS = {PlanStatus.DRAFT: _l("草稿（测算）"), PlanStatus.PROPOSED: _l("已提出建议等次"),
                      PlanStatus.CONFIRMED: _l("已确认")}

TITLE_MAX, DETAIL_MAX, NOTE_MAX, REASON_MAX = 200, 5000, 500, 300
ATTACHMENT_MAX, ATTACHMENTS_MAX = 200, 20
EARLIEST = date(2000, 1, 1)


# ---- view models ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cadre:
    """Who the dossier is about: the latest name, unit and post under the key."""

    key: str
    name: str
    unit_id: int | None
    unit: str
    category: str
    position_title: str


@dataclass(frozen=True, slots=True)
class CadreCard:
    """One line of the dossier index."""

    cadre: Cadre
    years: tuple[int, ...]
    surveys: int
    plans: int
    evidence: int
    open_items: int  # 待核实 and 存疑


@dataclass(frozen=True, slots=True)
class SurveyEntry:
    """The cadre's results in one survey: the report's own row, and its context."""

    survey_id: int
    title: str
    year: int
    kind: SurveyKind
    status: SurveyStatus
    row: reports.SubjectRow
    dimension_labels: tuple[str, ...]
    option_labels: tuple[str, ...]  # every option, in the order of row.option_counts
    scored_labels: tuple[str, ...]
    scored_shares: tuple[float | None, ...]
    figures: list  # (reports.FigureName, SubjectRow field) in the scale's own words
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
class EvidenceView:
    id: int
    kind: EvidenceKind
    title: str
    detail: str
    occurred_on: date
    due_on: date | None
    source: EvidenceSource
    attachments: tuple[str, ...]
    status: VerificationStatus
    verified_by: str | None
    verified_at: datetime | None
    verification_note: str
    recorded_by: str
    unit: str
    created_at: datetime
    updated_at: datetime

    @property
    def kind_label(self) -> str:
        return str(KIND_SHORT[self.kind])

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_open(self) -> bool:
        return self.status in (VerificationStatus.PENDING, VerificationStatus.DISPUTED)


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


# ---- who the cadre is, and who may see them ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Record:
    """One appearance of a key: in a survey (kind "survey") or a cadre plan ("plan")."""

    key: str
    name: str
    unit_id: int | None
    position_title: str
    year: int
    order: tuple[int, int]  # later wins: (year, survey/plan id), surveys after plans in a year
    source: str
    parent_id: int
    is_result: bool  # a non-draft survey, or any cadre plan


def _survey_records(key: str | None = None) -> list[_Record]:
    query = (select(Subject.key, Subject.name, Subject.unit_id, Subject.position_title, Survey.year, Survey.id,
                    Survey.status)
             .join(Survey, Survey.id == Subject.survey_id).where(Subject.kind == SubjectKind.CADRE))
    if key is not None:
        query = query.where(Subject.key == key)
    query = query.where(Survey.status != SurveyStatus.DRAFT)  # results only: a draft moves no one
    return [_Record(k, name, unit_id, title or "", year, (year, 1, sid), "survey", sid, True)
            for k, name, unit_id, title, year, sid, _status in db.session.execute(query)]


def _plan_records(key: str | None = None) -> list[_Record]:
    query = (select(PlanSubject.key, PlanSubject.name, PlanSubject.unit_id, AssessmentPlan.year, AssessmentPlan.id)
             .join(AssessmentPlan, AssessmentPlan.id == PlanSubject.plan_id)
             .where(AssessmentPlan.subject_kind == PlanSubjectKind.CADRE,
                    AssessmentPlan.status == PlanStatus.CONFIRMED))  # results only, as surveys
    if key is not None:
        query = query.where(PlanSubject.key == key)
    return [_Record(k, name, unit_id, "", year, (year, 0, pid), "plan", pid, True)
            for k, name, unit_id, year, pid in db.session.execute(query)]


def _identity(key: str, records: list[_Record], units: Mapping[int, Unit]) -> Cadre:
    latest = max(records, key=lambda r: r.order)
    titled = [r for r in records if r.position_title]
    title = max(titled, key=lambda r: r.order).position_title if titled else ""
    unit = units.get(latest.unit_id) if latest.unit_id else None
    return Cadre(key=key, name=latest.name, unit_id=latest.unit_id, unit=unit.name if unit else "",
                 category=unit.category if unit else "", position_title=title)


def _units(ids: Iterable[int | None]) -> dict[int, Unit]:
    wanted = {i for i in ids if i}
    return {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(wanted)))} if wanted else {}


def find_cadre(key: str) -> Cadre:
    """Return the cadre filed under `key`; raise NotFound for unknown keys and for unit or
    team subjects (they have no dossier)."""
    key = (key or "").strip()
    records = _survey_records(key) + _plan_records(key) if key else []
    if not records:
        raise NotFound(_("没有找到该干部"))
    return _identity(key, records, _units(r.unit_id for r in records))


def visible_dossier(user: User, key: str) -> Cadre | None:
    """Return the cadre filed under `key` if `user` may open their dossier, else None (for
    links from other pages: no link for unit or team subjects, or outside the scope)."""
    try:
        cadre = find_cadre(key)
    except NotFound:
        return None
    return cadre if can_view(user, cadre) else None


def can_view(user: User, cadre: Cadre) -> bool:
    """Unscoped staff see every dossier; scoped users those of their units' cadres."""
    return permissions.may_read_dossier(user, cadre)


def can_edit(user: User, cadre: Cadre) -> bool:
    """Organizers and administrators who may view the dossier record and verify evidence."""
    return permissions.may_edit_dossier(user, cadre)


def _in(unit_ids: Collection[int] | None, unit_id: int | None) -> bool:
    return unit_ids is None or unit_id in unit_ids


def list_cadres(unit_ids: set[int] | None, query: str = "", unit_id: int | None = None) -> list[CadreCard]:
    """Return the cadres a user may see, by unit then key; `query` matches name or key.

    `unit_ids` is the user's scope (None: every unit), as `users.visible_unit_ids` gives it.
    """
    grouped: dict[str, list[_Record]] = defaultdict(list)
    for record in _survey_records() + _plan_records():
        grouped[record.key].append(record)
    units = _units(r.unit_id for records in grouped.values() for r in records)
    counts: dict[str, Counter] = defaultdict(Counter)
    for key, item_unit, status, n in db.session.execute(
        select(EvidenceItem.subject_key, EvidenceItem.unit_id, EvidenceItem.status, db.func.count()).group_by(
            EvidenceItem.subject_key, EvidenceItem.unit_id, EvidenceItem.status)
    ):
        if _in(unit_ids, item_unit):
            counts[key][status] += n
    needle = (query or "").strip().lower()
    cards = []
    for key, records in grouped.items():
        cadre = _identity(key, records, units)
        if unit_ids is not None and cadre.unit_id not in unit_ids:
            continue
        if unit_id and cadre.unit_id != unit_id:
            continue
        if needle and needle not in cadre.name.lower() and needle not in key.lower():
            continue
        results = [r for r in records if r.is_result and _in(unit_ids, r.unit_id)]  # counts: their units' only
        tally = counts.get(key, Counter())
        cards.append(CadreCard(
            cadre=cadre,
            years=tuple(sorted({r.year for r in results})),
            surveys=len({r.parent_id for r in results if r.source == "survey"}),
            plans=len({r.parent_id for r in results if r.source == "plan"}),
            evidence=sum(tally.values()),
            open_items=tally[VerificationStatus.PENDING] + tally[VerificationStatus.DISPUTED],
        ))
    return sorted(cards, key=lambda c: (c.cadre.unit == "", c.cadre.category, c.cadre.unit, c.cadre.key))


def visible_units(unit_ids: set[int] | None) -> list[Unit]:
    """Units a user may filter the index by: those with cadres, within the user's scope."""
    ids = {r.unit_id for r in _survey_records() + _plan_records() if r.unit_id}
    if unit_ids is not None:
        ids &= unit_ids
    return sorted(_units(ids).values(), key=lambda u: (u.category, u.name))


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
    surveys = [survey for survey, unit_id in db.session.execute(query) if _in(unit_ids, unit_id)]
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
            scored_labels=reports.scored_option_labels(report),
            scored_shares=tuple(reports.scored_shares(report, row)) if row.option_counts else (),
            figures=reports.figure_columns(report),
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
            if row is not None and subject is not None and _in(unit_ids, subject.unit_id):
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
    return [_evidence_view(item) for item in items if _in(unit_ids, item.unit_id)]


def _user_name(user: User | None) -> str:
    return (user.display_name or user.username) if user else _("（已删除的账号）")


def _evidence_view(item: EvidenceItem) -> EvidenceView:
    return EvidenceView(
        id=item.id, kind=item.kind, title=item.title, detail=item.detail, occurred_on=item.occurred_on,
        due_on=item.due_on, source=item.source, attachments=tuple(item.attachments or ()), status=item.status,
        verified_by=_user_name(item.verified_by) if item.verified_at else None, verified_at=item.verified_at,
        verification_note=item.verification_note, recorded_by=_user_name(item.recorded_by),
        unit=item.unit.name if item.unit else "", created_at=item.created_at, updated_at=item.updated_at,
    )


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


# ---- evidence ---------------------------------------------------------------------------------


def _enum_value(cls, value):
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        return None


def _attachments(value: Any) -> list[str]:
    lines = value.splitlines() if isinstance(value, str) else list(value or ())
    return list(dict.fromkeys(line.strip() for line in map(str, lines) if line.strip()))


def _has_control(text: str) -> bool:
    return any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text)


def clean_evidence(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Check an evidence item's fields; return them clean or raise ValidationFailed listing
    every problem (Chinese msgids)."""
    problems: list[str] = []
    kind = _enum_value(EvidenceKind, data.get("kind"))
    source = _enum_value(EvidenceSource, data.get("source"))
    title = str(data.get("title") or "").strip()
    detail = str(data.get("detail") or "").strip()
    occurred_on, due_on = data.get("occurred_on"), data.get("due_on") or None
    attachments = _attachments(data.get("attachments"))
    if kind is None:
        problems.append("请选择清单类别（任务、进度、问题、成绩）")
    if not title:
        problems.append("请填写事项")
    elif len(title) > TITLE_MAX:
        problems.append(_("事项不能超过 %(n)d 个字", n=TITLE_MAX))
    if len(detail) > DETAIL_MAX:
        problems.append(_("情况说明不能超过 %(n)d 个字", n=DETAIL_MAX))
    if _has_control(title) or _has_control(detail) or any(_has_control(a) for a in attachments):
        problems.append("文字中含有不可见的控制字符")
    if not isinstance(occurred_on, date):
        problems.append("请填写日期")
    elif occurred_on > today:
        problems.append("日期不能晚于今天")
    elif occurred_on < EARLIEST:
        problems.append("日期不能早于 2000 年")
    if due_on is not None and not isinstance(due_on, date):
        problems.append("完成时限不是有效日期")
    elif due_on is not None and isinstance(occurred_on, date) and due_on < occurred_on:
        problems.append("完成时限不能早于日期")
    if source is None:
        problems.append("请选择来源")
    if len(attachments) > ATTACHMENTS_MAX:
        problems.append(_("附件材料最多 %(n)d 条", n=ATTACHMENTS_MAX))
    if any(len(a) > ATTACHMENT_MAX for a in attachments):
        problems.append(_("每条附件材料不能超过 %(n)d 个字", n=ATTACHMENT_MAX))
    if problems:
        raise ValidationFailed(problems[0], problems)
    return {"kind": kind, "title": title, "detail": detail, "occurred_on": occurred_on, "due_on": due_on,
            "source": source, "attachments": attachments}


def _snapshot(item: EvidenceItem) -> dict[str, Any]:
    return {"kind": item.kind.value, "title": item.title, "detail": item.detail,
            "occurred_on": item.occurred_on.isoformat(), "due_on": item.due_on.isoformat() if item.due_on else None,
            "source": item.source.value, "attachments": list(item.attachments or ()), "status": item.status.value}


def _record(actor: User, action: str, item: EvidenceItem, **detail) -> None:
    audit.record(actor, action, EVIDENCE_TARGET, item.id, key=item.subject_key, name=item.subject_name, **detail)


def get_evidence(cadre: Cadre, evidence_id: int, unit_ids: Collection[int] | None = None) -> EvidenceItem:
    """Return one of the cadre's evidence items; raise NotFound for another cadre's, or one
    recorded outside `unit_ids` (the user's scope)."""
    item = db.session.get(EvidenceItem, evidence_id)
    if item is None or item.subject_key != cadre.key or not _in(unit_ids, item.unit_id):
        raise NotFound(_("没有找到该条记录"))
    return item


def evidence_view(item: EvidenceItem) -> EvidenceView:
    """Return the view model of one item (for its edit page)."""
    return _evidence_view(item)


def add_evidence(cadre: Cadre, data: Mapping[str, Any], actor: User, today: date) -> EvidenceItem:
    """Record an item in the cadre's dossier, 待核实, under the cadre's current unit."""
    clean = clean_evidence(data, today)
    item = EvidenceItem(subject_key=cadre.key, subject_name=cadre.name, unit_id=cadre.unit_id,
                        recorded_by_id=actor.id, status=VerificationStatus.PENDING, **clean)
    db.session.add(item)
    db.session.flush()
    _record(actor, "dossier.evidence_add", item, **_snapshot(item))
    return item


def update_evidence(item: EvidenceItem, data: Mapping[str, Any], actor: User, today: date) -> bool:
    """Change an item's content. A verified (or doubted) item whose content changes goes back
    to 待核实: the verification covered the old wording. Return whether it was reset."""
    clean = clean_evidence(data, today)
    before = _snapshot(item)
    changed = {field: value for field, value in clean.items() if getattr(item, field) != value}
    if not changed:
        return False
    for field, value in changed.items():
        setattr(item, field, value)
    reset = item.status is not VerificationStatus.PENDING
    if reset:
        item.status, item.verified_at, item.verified_by_id = VerificationStatus.PENDING, None, None
        item.verification_note = ""
    db.session.flush()
    after = _snapshot(item)
    _record(actor, "dossier.evidence_edit", item, verification_reset=reset,
            changes={field: [before[field], after[field]] for field in changed})
    return reset


def verify_evidence(item: EvidenceItem, status: Any, note: str, actor: User, now: datetime) -> None:
    """Set the verification status (待核实 undoes a decision); 存疑 and 不属实 need a note."""
    wanted = _enum_value(VerificationStatus, status)
    note = (note or "").strip()
    if wanted is None:
        raise ValidationFailed(_("请选择核实结果"))
    if wanted in (VerificationStatus.DISPUTED, VerificationStatus.REFUTED) and not note:
        raise ValidationFailed(_("存疑或不属实时，请写明核实情况"))
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("核实情况不能超过 %(n)d 个字", n=NOTE_MAX))
    before = item.status
    if wanted is VerificationStatus.PENDING:
        item.verified_at, item.verified_by_id, item.verification_note = None, None, note
    else:
        item.verified_at, item.verified_by_id, item.verification_note = now, actor.id, note
    item.status = wanted
    db.session.flush()
    _record(actor, "dossier.evidence_verify", item, status=[before.value, wanted.value], note=note)


def remove_evidence(item: EvidenceItem, reason: str, actor: User, *, confirmed: bool = True) -> None:
    """Delete an item with a stated reason; the audit entry keeps its full content. The web
    passes `confirmed` from its confirmation page."""
    require_confirmation(confirmed)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明删除原因"))
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("删除原因不能超过 %(n)d 个字", n=REASON_MAX))
    _record(actor, "dossier.evidence_remove", item, reason=reason, removed=_snapshot(item))
    db.session.delete(item)
    db.session.flush()


def removal_consequences(item: EvidenceItem) -> list[str]:
    """Say what deleting an evidence item takes from the dossier."""
    return [_("“%(title)s”（%(kind)s，%(day)s）将从 %(name)s 的档案中删除，连同 %(n)d 个附件和核实结果，"
              "不能恢复。", title=item.title, kind=KIND_LABELS[item.kind], day=item.occurred_on.isoformat(),
              name=item.subject_name, n=len(item.attachments or ())),
            _("原内容和删除原因保留在操作日志中。")]
