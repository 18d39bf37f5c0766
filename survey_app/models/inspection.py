"""Key projects (重点项目) followed by 一线考察: their level, the units serving them (服务部门),
the cadres linked to them (挂钩干部, by subject key) and their milestones (关键节点) with
planned and actual dates, from which 序时进度 is computed (analytics/schedule.py).

A cadre has no table of their own (models/dossier.py): a project names its cadres by the
stable subject key. Access follows the project's units (services/platform/permissions.py).
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, Column, Enum, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow

if TYPE_CHECKING:
    from survey_app.models.org import Unit


class ProjectLevel(enum.Enum):
    NATIONAL = "national"  # 国家重点项目
    PROVINCIAL = "provincial"  # 省重点项目
    CITY = "city"  # 市重点项目


class ProjectStatus(enum.Enum):
    ACTIVE = "active"  # 推进中
    SUSPENDED = "suspended"  # 暂缓
    COMPLETED = "completed"  # 已建成


key_project_units = Table(
    "key_project_units",
    Base.metadata,
    Column("project_id", ForeignKey("key_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20)


class KeyProject(Base):
    """A key project and what the inspection team follows on it."""

    __tablename__ = "key_projects"
    __table_args__ = (CheckConstraint("name <> ''", name="name_required"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[ProjectLevel] = mapped_column(_enum(ProjectLevel))
    #: The day work began (local date): no milestone is planned before it.
    starts_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus), default=ProjectStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    #: 服务部门: the units serving the project; a scoped user sees the project through them.
    units: Mapped[list["Unit"]] = relationship(secondary=key_project_units, order_by="Unit.name")
    cadres: Mapped[list["ProjectCadre"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: ProjectCadre.subject_key)
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: (Milestone.position, Milestone.planned_on, Milestone.id))


class ProjectCadre(Base):
    """A cadre linked to a project (挂钩干部), by the cadre's stable subject key."""

    __tablename__ = "key_project_cadres"

    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), primary_key=True)
    #: Subject.key of a cadre (the dossier's key).
    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)

    project: Mapped[KeyProject] = relationship(back_populates="cadres")


class Milestone(Base):
    """A milestone (关键节点) of a project: planned date required, actual date once done."""

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint("name <> ''", name="name_required"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    planned_on: Mapped[date]
    #: The day it was reached (local date); None while not done.
    actual_on: Mapped[date | None]
    #: Its share of the project in 序时进度 (analytics/schedule.py).
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)

    project: Mapped[KeyProject] = relationship(back_populates="milestones")


class VisitMethod(enum.Enum):
    """The methods of 一线考察 named in the speech (part 二)."""

    SITE_SURVEY = "site_survey"  # 实地勘察
    TALKS = "talks"  # 谈话了解
    SITTING_IN = "sitting_in"  # 列席旁听
    MILESTONE_CHECK = "milestone_check"  # 节点对账
    UNANNOUNCED = "unannounced"  # 明察暗访


visit_units = Table(
    "visit_units",
    Base.metadata,
    Column("visit_id", ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True),
)


class Visit(Base):
    """One visit of the inspection team (考察纪实): a day, or several for a 蹲点调研 (with a
    daily log), at one or more units and optionally a key project.

    Dates are local (Asia/Shanghai) calendar days. Findings are dossier items
    (EvidenceItem.visit_id) and photos are stored files (VisitPhoto).
    """

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("hours IS NULL OR (hours > 0 AND hours <= 24)", name="hours_range"),
        CheckConstraint("title <> ''", name="title_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The key project visited, if any (its units are usually among the visit's units).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("key_projects.id", ondelete="RESTRICT"), index=True)
    starts_on: Mapped[date] = mapped_column(index=True)
    #: The last day; equal to starts_on for a one-day visit, later for a 蹲点.
    ends_on: Mapped[date]
    #: Length of a one-day visit in hours (时长); None for a 蹲点 (its days are its length).
    hours: Mapped[float | None]
    #: VisitMethod values (one or more).
    methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: False for 明察暗访 and other unannounced visits (不打招呼).
    announced: Mapped[bool] = mapped_column(default=True)
    #: 考察组成员, as written (names of the team members).
    team: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    units: Mapped[list["Unit"]] = relationship(secondary=visit_units, order_by="Unit.name")
    project: Mapped[KeyProject | None] = relationship()
    cadres: Mapped[list["VisitCadre"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: VisitCadre.subject_key)
    days: Mapped[list["VisitDay"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: VisitDay.day)
    photos: Mapped[list["VisitPhoto"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: VisitPhoto.id)

    @property
    def is_stay(self) -> bool:
        """A 蹲点调研: a visit over more than one day."""
        return self.ends_on > self.starts_on


class VisitCadre(Base):
    """A cadre the visit concerned, by the cadre's stable subject key."""

    __tablename__ = "visit_cadres"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)

    visit: Mapped[Visit] = relationship(back_populates="cadres")


class VisitDay(Base):
    """One day's log of a 蹲点 (全程纪实)."""

    __tablename__ = "visit_days"
    __table_args__ = (UniqueConstraint("visit_id", "day"), CheckConstraint("log <> ''", name="log_required"))

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    log: Mapped[str] = mapped_column(Text)

    visit: Mapped[Visit] = relationship(back_populates="days")


class VisitPhoto(Base):
    """A photo taken on the visit: a stored file (bytes in the file store)."""

    __tablename__ = "visit_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))
    caption: Mapped[str] = mapped_column(String(200), default="")

    visit: Mapped[Visit] = relationship(back_populates="photos")
