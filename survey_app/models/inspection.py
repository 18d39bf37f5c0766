"""Key projects (重点项目) followed by 一线考察: their level, the units serving them (服务部门),
the cadres linked to them (挂钩干部, by subject key) and their milestones (关键节点) with
planned and actual dates, from which 序时进度 is computed (analytics/schedule.py).

A cadre has no table of their own (models/dossier.py): a project names its cadres by the
stable subject key. Access follows the project's units (services/platform/permissions.py).
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, Enum, ForeignKey, String, Table, Text, UniqueConstraint
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
