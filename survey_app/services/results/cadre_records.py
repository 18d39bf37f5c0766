"""A cadre's result records: every appearance of a cadre's subject key in a survey that is
not a draft or in a confirmed cadre plan (a draft moves no one). The dossier names a cadre
by the latest of them, and key projects check their linked cadres against them, so both
read this one rule.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Subject, SubjectKind, Survey, SurveyStatus
from survey_app.models.assessment import AssessmentPlan, PlanStatus, PlanSubject, PlanSubjectKind


@dataclass(frozen=True, slots=True)
class CadreRecord:
    """One appearance of a key: in a survey (source "survey") or a cadre plan ("plan")."""

    key: str
    name: str
    unit_id: int | None
    position_title: str
    year: int
    order: tuple[int, int, int]  # later wins: (year, 1 survey / 0 plan, its id): surveys after plans in a year
    source: str
    parent_id: int


def survey_records(keys: Collection[str] | None = None) -> list[CadreRecord]:
    """Cadre subjects of surveys that are not drafts, all or those under `keys`."""
    query = (select(Subject.key, Subject.name, Subject.unit_id, Subject.position_title, Survey.year, Survey.id)
             .join(Survey, Survey.id == Subject.survey_id)
             .where(Subject.kind == SubjectKind.CADRE, Survey.status != SurveyStatus.DRAFT))
    if keys is not None:
        query = query.where(Subject.key.in_(keys))
    return [CadreRecord(k, name, unit_id, title or "", year, (year, 1, sid), "survey", sid)
            for k, name, unit_id, title, year, sid in db.session.execute(query)]


def plan_records(keys: Collection[str] | None = None) -> list[CadreRecord]:
    """Subjects of confirmed cadre plans, all or those under `keys`."""
    query = (select(PlanSubject.key, PlanSubject.name, PlanSubject.unit_id, AssessmentPlan.year, AssessmentPlan.id)
             .join(AssessmentPlan, AssessmentPlan.id == PlanSubject.plan_id)
             .where(AssessmentPlan.subject_kind == PlanSubjectKind.CADRE,
                    AssessmentPlan.status == PlanStatus.CONFIRMED))
    if keys is not None:
        query = query.where(PlanSubject.key.in_(keys))
    return [CadreRecord(k, name, unit_id, "", year, (year, 0, pid), "plan", pid)
            for k, name, unit_id, year, pid in db.session.execute(query)]


def latest_names(keys: Iterable[str]) -> dict[str, str]:
    """The latest name under each of `keys` that is a cadre's (keys of no cadre are absent)."""
    wanted = {key for key in keys if key}
    if not wanted:
        return {}
    latest: dict[str, CadreRecord] = {}
    for record in survey_records(wanted) + plan_records(wanted):
        if record.key not in latest or record.order > latest[record.key].order:
            latest[record.key] = record
    return {key: record.name for key, record in latest.items()}
