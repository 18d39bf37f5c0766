"""Registers of 正向激励 (bonus points for creative, effective work) and 效能督查 (deductions
for problems found by 市委督查室, 市政府督查室 and the 效能办): one row per item, per unit and
year, with its evidence files and its approval.

An item is recorded, then approved or rejected by a city-wide organizer; an approved item
is locked (services/targets/registers.py refuses any change until the approval is
withdrawn, with a reason). Approved items of a year feed unit assessment plans as their
bonus and deduction items (services/assessment/register_sync.py).
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.assessment import AdjustmentKind
from survey_app.models.base import Base, utcnow

if TYPE_CHECKING:
    from survey_app.models.org import Unit
    from survey_app.models.stored_file import StoredFile
    from survey_app.models.user import User

#: The most points one item may add or deduct (a plan caps the sums: bonus_cap, deduction_cap).
MAX_ENTRY_POINTS = 10


class RegisterSource(enum.Enum):
    """Who found the problem or gave the commendation."""

    PARTY_OFFICE = "party_office"  # 市委督查室
    GOVERNMENT_OFFICE = "government_office"  # 市政府督查室
    EFFICIENCY_OFFICE = "efficiency_office"  # 效能办
    COMMENDATION = "commendation"  # 上级表彰
    OTHER = "other"  # 其他


class RegisterState(enum.Enum):
    RECORDED = "recorded"  # 待审核
    APPROVED = "approved"  # 已审核通过: locked, counts in plans
    REJECTED = "rejected"  # 未通过: editing it records it again


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20)


class RegisterEntry(Base):
    __tablename__ = "register_entries"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint(f"points > 0 AND points <= {MAX_ENTRY_POINTS}", name="points_range"),
        CheckConstraint("title <> ''", name="title_required"),
        CheckConstraint("document <> ''", name="document_required"),
        CheckConstraint("kind <> 'DEDUCTION' OR finding <> ''", name="deduction_has_finding"),
        CheckConstraint("state = 'RECORDED' OR decided_at IS NOT NULL", name="decision_recorded"),
        CheckConstraint("state <> 'REJECTED' OR decision_note <> ''", name="rejection_has_note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The assessment year the item counts for.
    year: Mapped[int] = mapped_column(index=True)
    #: The local date of the finding or the commendation.
    occurred_on: Mapped[date]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[AdjustmentKind] = mapped_column(_enum(AdjustmentKind))
    source: Mapped[RegisterSource] = mapped_column(_enum(RegisterSource))
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[float]
    #: A deduction's 督查通报文号; a bonus's basis (表彰文件 or 批示).
    document: Mapped[str] = mapped_column(String(200))
    #: 督查发现: what was found (a deduction's, required); empty for a bonus.
    finding: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[RegisterState] = mapped_column(_enum(RegisterState), default=RegisterState.RECORDED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit"] = relationship()
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])
    recorded_by: Mapped["User | None"] = relationship(foreign_keys=[recorded_by_id])
    evidence: Mapped[list["RegisterEvidence"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", passive_deletes=True, order_by="RegisterEvidence.id")

    @property
    def is_locked(self) -> bool:
        return self.state is RegisterState.APPROVED


class RegisterEvidence(Base):
    """A file attached to a register item (通报、表彰文件、批示的扫描件): a stored file."""

    __tablename__ = "register_evidence"
    __table_args__ = (UniqueConstraint("entry_id", "file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("register_entries.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))

    entry: Mapped[RegisterEntry] = relationship(back_populates="evidence")
    file: Mapped["StoredFile"] = relationship()
