"""The audit log: every administrative change records who, what and when."""

from datetime import datetime

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, User


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


def entries_since(action: str, since: datetime, limit: int = 10):
    """Return the newest entries of one action recorded after `since` (alarms, say)."""
    query = (select(AuditEntry).where(AuditEntry.action == action, AuditEntry.created_at >= since)
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit))
    return db.session.scalars(query).all()
