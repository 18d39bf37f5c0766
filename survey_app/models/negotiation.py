"""The negotiation of a unit's targets (申报 → 审核 → 确认 → 审定): the deadlines of a
system's round of target-setting and every round a sheet went through, with the values,
difficulty coefficients and comments of each leaf at that round (docs/targets.md,
"Negotiating targets"). The sheets and their current values are models/target.py.
"""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow
from survey_app.models.target import IndicatorSystem, SheetState, TargetSheet


class RoundAction(enum.Enum):
    """What a round did to a sheet."""

    PROPOSE = "propose"  # 申报 (the unit, from 填报中 or 已退回)
    ANSWER = "answer"  # 答复 (the unit answers an adjustment with new values or comments)
    RETURN = "return"  # 退回 (the 效能办, with comments)
    ADJUST = "adjust"  # 调整 (the 效能办 changes values or difficulty coefficients)
    ACCEPT = "accept"  # 同意 (the 效能办 accepts as proposed)
    CONFIRM = "confirm"  # 确认 (the unit accepts the adjustment)
    APPROVE = "approve"  # 审定 (the 效能办 locks it)
    REOPEN = "reopen"  # 重新打开 (the 效能办 unlocks an approved sheet, with a reason)


class TargetDeadline(Base):
    """A system's round of target-setting: when it started and its two deadlines, as
    local (Asia/Shanghai) dates: the last day to 申报 and the last day to 确认."""

    __tablename__ = "target_deadlines"
    __table_args__ = (
        CheckConstraint("confirmation_due_on >= proposal_due_on", name="confirmation_after_proposal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("indicator_systems.id", ondelete="CASCADE"), unique=True)
    proposal_due_on: Mapped[date]
    confirmation_due_on: Mapped[date]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    system: Mapped[IndicatorSystem] = relationship()


class TargetRound(Base):
    """One transition of a sheet: who did what and when, the overall comment, and every
    leaf's value, difficulty and comment after it (``leaves``: {node id: {"value",
    "difficulty", "comment"}}), so each round can be compared with the one before."""

    __tablename__ = "target_rounds"
    __table_args__ = (
        UniqueConstraint("sheet_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("target_sheets.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3 … within the sheet.
    number: Mapped[int]
    action: Mapped[RoundAction] = mapped_column(Enum(RoundAction, native_enum=False, length=20))
    #: The sheet's state after this round.
    state: Mapped[SheetState] = mapped_column(Enum(SheetState, native_enum=False, length=20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The actor's name as it was (kept when the account is renamed or removed).
    actor_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
    leaves: Mapped[dict[str, Any]] = mapped_column(JSON)

    sheet: Mapped[TargetSheet] = relationship()
