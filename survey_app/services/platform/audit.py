"""The audit log: every administrative change records who, what and when."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Subject, User
from survey_app.models.assessment import PlanSubject
from survey_app.services.platform import permissions

#: Target types whose entries belong to the units of the survey's or plan's subjects
#: (assessment.editing.TARGET is "assessment_plan"; importing it here would be circular).
SURVEY_TARGET, PLAN_TARGET = "survey", "assessment_plan"
#: Target types only the inspection team reads (inspection.talks.TARGET): even who viewed
#: which cadre's talk is confidential.
CONFIDENTIAL_TARGETS = ("talk",)


def record(actor: User | None, action: str, target_type: str, target_id: int | None, **detail) -> None:
    """Add an audit entry for `action` on a target; `detail` must be JSON-serialisable."""
    db.session.add(
        AuditEntry(
            user_id=actor.id if actor else None,
            username=actor.username if actor else "system",
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        )
    )


def last_change(target_type: str, target_id: int) -> int | None:
    """Return the id of the target's newest audit entry: it changes with every edit."""
    return db.session.scalar(
        select(func.max(AuditEntry.id)).where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
    )


def recent_entries(limit: int = 200, target_type: str | None = None, target_id: int | None = None):
    """Return the newest audit entries, optionally for one target."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    return db.session.scalars(query).all()


def _owned(parent_column, unit_column, unit_ids: Collection[int]):
    """Ids of the surveys (or plans) whose subjects all lie in `unit_ids`: the ones a scoped
    organizer manages (services/permissions.owns_units)."""
    inside = func.count(case((unit_column.in_(unit_ids), 1)))
    return select(parent_column).group_by(parent_column).having(func.count() == inside)


def entries_in_scope(user: User, unit_ids: Collection[int] | None, limit: int = 200):
    """Return the newest audit entries a user may read (docs/permissions.md, "Audit log"):
    every entry for a city-wide account; for a scoped organizer the entries about the
    surveys and plans their units own (all subjects in their units) and their own actions.
    Entries about shared or other units' surveys and plans, dossiers, evidence, accounts and
    tokens name other units' people: city-wide only. Entries about talks (个别谈话) are for the
    inspection team only (an administrator, or a 考察组成员 organizer: every one if city-wide,
    their own actions if scoped)."""
    if unit_ids is None:
        if permissions.is_inspection_team(user):
            return recent_entries(limit)
        query = (select(AuditEntry).where(AuditEntry.target_type.not_in(CONFIDENTIAL_TARGETS))
                 .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit))
        return db.session.scalars(query).all()
    ids = list(unit_ids)
    about_owned = or_(
        and_(AuditEntry.target_type == SURVEY_TARGET,
             AuditEntry.target_id.in_(_owned(Subject.survey_id, Subject.unit_id, ids))),
        and_(AuditEntry.target_type == PLAN_TARGET,
             AuditEntry.target_id.in_(_owned(PlanSubject.plan_id, PlanSubject.unit_id, ids))),
    )
    query = (select(AuditEntry).where(or_(about_owned, AuditEntry.user_id == user.id))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit))
    return db.session.scalars(query).all()


def entries_since(action: str, since: datetime, limit: int = 10):
    """Return the newest entries of one action recorded after `since` (alarms, say)."""
    query = (select(AuditEntry).where(AuditEntry.action == action, AuditEntry.created_at >= since)
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit))
    return db.session.scalars(query).all()
