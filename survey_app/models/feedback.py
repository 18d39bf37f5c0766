"""What staff do with respondents' free text: redactions (manual masks) and the
rectification loop (转办 → 答复 → 整改).

Both refer to exactly one text: an open-question answer or a per-subject comment. Neither
adds anything that links a text to a person or a code: they name the text, never its ballot
(the text's own row does, as before), and their times are the staff's, not the respondent's.
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow

if TYPE_CHECKING:
    from survey_app.models.org import Unit

#: Exactly one of answer_id and comment_id is set.
_ONE_TEXT = "(answer_id IS NULL) <> (comment_id IS NULL)"


class FollowupStatus(enum.Enum):
    FORWARDED = "forwarded"  # 已转办
    REPLIED = "replied"  # 已答复
    RECTIFIED = "rectified"  # 已整改
    DECLINED = "declined"  # 不予采纳


class TextRedaction(Base):
    """Fragments staff masked by hand in one text; the text itself is never changed.

    The fragments are matched in the text as shown (after automatic masking), so masking
    reveals nothing about what the automatic masks hide (services/results/redaction.py).
    """

    __tablename__ = "text_redactions"
    __table_args__ = (CheckConstraint(_ONE_TEXT, name="one_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[str | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    comment_id: Mapped[str | None] = mapped_column(
        ForeignKey("subject_comments.id", ondelete="CASCADE"), unique=True)
    #: Masked fragments, in the order they were added.
    fragments: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Followup(Base):
    """A text sent (转办) to a unit to answer and fix, tracked to closure."""

    __tablename__ = "followups"
    __table_args__ = (
        CheckConstraint(_ONE_TEXT, name="one_text"),
        CheckConstraint("status <> 'DECLINED' OR decline_reason <> ''", name="reason_when_declined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[str | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    comment_id: Mapped[str | None] = mapped_column(
        ForeignKey("subject_comments.id", ondelete="CASCADE"), unique=True)
    #: The commented subject's key (stable across years), so the cadre's dossier finds it.
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    #: The unit the item is sent to (承办单位).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    due_on: Mapped[date]
    status: Mapped[FollowupStatus] = mapped_column(
        Enum(FollowupStatus, native_enum=False, length=20), default=FollowupStatus.FORWARDED)
    #: The unit's reply (答复), recorded by staff.
    reply_text: Mapped[str] = mapped_column(Text, default="")
    #: Why the item was not taken up (不予采纳); required for that status.
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit"] = relationship()
