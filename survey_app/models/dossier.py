"""The cadre dossier's evidence (干部档案 / 精准画像): what inspectors record during 一线考察
and 蹲点调研 — the 任务、进度、问题、成绩清单 — with its source, attachment references and
whether it has been verified (核实).

A cadre has no table of their own: the dossier is everything filed under the cadre's stable
subject key (Subject.key / PlanSubject.key). Each item also keeps the unit the cadre served
in when it was recorded, for the record (时任单位); access follows the cadre's current unit
(services/dossier/dossiers.py).
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow

if TYPE_CHECKING:
    from survey_app.models.org import Unit
    from survey_app.models.user import User


class EvidenceKind(enum.Enum):
    TASK = "task"  # 任务清单: what the cadre is charged with (责任清单)
    PROGRESS = "progress"  # 进度清单: where the work stands at a node (序时进度、关键节点)
    PROBLEM = "problem"  # 问题清单: difficulties and shortcomings found
    ACHIEVEMENT = "achievement"  # 成绩清单: results, to be verified


class EvidenceSource(enum.Enum):
    SITE_VISIT = "site_visit"  # 实地查看 (实地勘察)
    INTERVIEW = "interview"  # 个别谈话 (谈话了解)
    AUDIT = "audit"  # 审计 (审计评估)
    INSPECTION = "inspection"  # 督查反馈 (督查检查)
    PATROL = "patrol"  # 巡视巡察反馈
    DOCUMENTS = "documents"  # 查阅资料
    MEETING = "meeting"  # 列席旁听
    UNANNOUNCED = "unannounced"  # 明察暗访
    OTHER = "other"  # 其他


class VerificationStatus(enum.Enum):
    PENDING = "pending"  # 待核实
    VERIFIED = "verified"  # 已核实
    DISPUTED = "disputed"  # 存疑: conflicting accounts, needs another look
    REFUTED = "refuted"  # 不属实: checked and found untrue; kept for the record


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20)


class EvidenceItem(Base):
    """One entry of a cadre's 任务/进度/问题/成绩清单."""

    __tablename__ = "evidence_items"
    __table_args__ = (
        CheckConstraint("title <> ''", name="title_required"),
        CheckConstraint("subject_key <> ''", name="subject_key_required"),
        CheckConstraint("due_on IS NULL OR due_on >= occurred_on", name="due_after_occurred"),
        CheckConstraint(
            "(status = 'PENDING' AND verified_at IS NULL) OR (status <> 'PENDING' AND verified_at IS NOT NULL)",
            name="verified_when_decided",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The cadre's stable key across years (Subject.key): the dossier this item belongs to.
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    #: The cadre's name when recorded (the dossier shows the current one).
    subject_name: Mapped[str] = mapped_column(String(100))
    #: The unit the cadre served in when the item was recorded (时任单位).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind))
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    #: The day the fact was observed or the task assigned (local date).
    occurred_on: Mapped[date]
    #: 完成时限 of a task or the node of a progress entry; optional.
    due_on: Mapped[date | None]
    source: Mapped[EvidenceSource] = mapped_column(_enum(EvidenceSource))
    #: Text references to supporting material (文号, 档案号, file paths): never uploads.
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[VerificationStatus] = mapped_column(_enum(VerificationStatus), default=VerificationStatus.PENDING)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    #: How it was checked, or why it is doubted (required for 存疑 and 不属实).
    verification_note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The visit (考察纪实) whose finding this is, if any: the item links back to it.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit | None"] = relationship()
    verified_by: Mapped["User | None"] = relationship(foreign_keys=[verified_by_id])
    recorded_by: Mapped["User | None"] = relationship(foreign_keys=[recorded_by_id])
