"""Confidential talks (个别谈话) of the inspection team about a cadre: with 管他的人、他管的人
and 他服务的人, about the 工作圈 and the 生活圈 (issue #16).

Only administrators and the inspection team (User.is_inspector) ever read them, within their
unit scope (services/platform/permissions.py, Need.CONFIDENTIAL and Need.TALK); every view is
an audit entry that holds neither the summary nor the person's name. A talk names the person
talked to only when the recorder chooses to: by relation only is the default.
"""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow
from survey_app.models.inspection import Visit
from survey_app.models.org import Unit


class TalkRelation(enum.Enum):
    """Who the person talked to is to the cadre."""

    SUPERIOR = "superior"  # 上级 (管他的人)
    PEER = "peer"  # 同级
    SUBORDINATE = "subordinate"  # 下级 (他管的人)
    SERVED = "served"  # 服务对象 (他服务的人)
    PRIVATE_LIFE = "private_life"  # 生活圈


class Talk(Base):
    """One talk about one cadre (by the cadre's stable subject key)."""

    __tablename__ = "talks"
    __table_args__ = (
        CheckConstraint("summary <> ''", name="summary_required"),
        CheckConstraint("subject_key <> ''", name="subject_key_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The cadre talked about (Subject.key, the dossier's key).
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    #: The cadre's name when recorded.
    subject_name: Mapped[str] = mapped_column(String(100))
    #: The cadre's unit when recorded (时任单位): a scoped inspector reads the talks of their units.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: The visit (考察纪实) during which the talk was held, if any.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"), index=True)
    held_on: Mapped[date]
    relation: Mapped[TalkRelation] = mapped_column(Enum(TalkRelation, native_enum=False, length=20))
    #: Optional: empty when recorded by relation only (the default).
    person_name: Mapped[str] = mapped_column(String(100), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit | None] = relationship()
    visit: Mapped[Visit | None] = relationship()
