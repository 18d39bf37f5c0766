"""Staff accounts (administrators, organizers, viewers), their unit scopes and the audit log."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, Column, Enum, ForeignKey, Index, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, Role, utcnow

user_unit_scopes = Table(
    "user_unit_scopes",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)

if TYPE_CHECKING:
    from survey_app.models.org import Unit



class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    #: Bumped whenever every session of the account must end (logout, password change or
    #: reset, role, scope or activation change). Sessions carry the version they were signed
    #: in with, so a copied cookie dies with it (docs/operations.md, "Sessions").
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A member of the inspection team (考察组成员): with an organizer's or administrator's
    #: role, reads and records confidential talks (个别谈话) within the account's unit scope.
    is_inspector: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Units this user is limited to; empty means every unit.
    scoped_units: Mapped[list["Unit"]] = relationship(secondary=user_unit_scopes)

    def get_id(self) -> str:
        """Flask-Login's session identifier: the id and the session version ("7:3")."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Make every existing session of this account invalid at its next request."""
        self.session_version = (self.session_version or 1) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.is_active_account

    @property
    def can_manage_surveys(self) -> bool:
        return self.role in (Role.ADMIN, Role.ORGANIZER)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class AuditEntry(Base):
    """One administrative change: who did what to which object, and when."""

    __tablename__ = "audit_entries"
    #: A target's last change (`audit.last_change`) is read on every ballot page and report.
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Kept apart from user_id so the entry survives the account's deletion.
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
