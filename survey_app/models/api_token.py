"""Personal API tokens: a user's key to the read-only results API (docs/api.md)."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow
from survey_app.models.user import User

if TYPE_CHECKING:
    from survey_app.models.survey import Survey

#: The surveys a limited token may read; a token with none listed reads all its owner may.
api_token_surveys = Table(
    "api_token_surveys",
    Base.metadata,
    Column("api_token_id", ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True),
    Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True),
)


class ApiToken(Base):
    """A bearer token; it acts with its owner's role and unit scope."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The owner's label for it, e.g. "干部管理系统".
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 (hex) of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Day of the last successful use only: enough to spot a forgotten token.
    last_used_on: Mapped[date | None]
    is_revoked: Mapped[bool] = mapped_column(default=False)
    #: From this moment on the token no longer works (chosen at creation).
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()
    #: Empty: every survey the owner may read.
    surveys: Mapped[list["Survey"]] = relationship(secondary=api_token_surveys)
