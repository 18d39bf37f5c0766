"""Personal API tokens: a user's key to the read-only results API (docs/api.md)."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow
from survey_app.models.user import User


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

    user: Mapped[User] = relationship()
