"""Indicator systems (考核细则): per year and unit category, a tree of indicators of any
depth (一级 / 二级 / 三级指标 …) whose leaves carry a scoring method of analytics.targets.

A system is a draft while it is worked on and locked once published: nothing of a
published system changes (services/targets/systems.py refuses). The tree is stored as
rows with a parent and a position; the root is the system itself (its ``points``, 总分值).
"""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, utcnow


class SystemStatus(enum.Enum):
    DRAFT = "draft"  # 草稿: editable, replaceable
    PUBLISHED = "published"  # 已发布: locked


class Direction(enum.Enum):
    HIGHER = "higher"  # 越高越好 (正向指标)
    LOWER = "lower"  # 越低越好 (逆向指标: 事故数、投诉数 …)


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20)


class IndicatorSystem(Base):
    __tablename__ = "indicator_systems"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("points > 0", name="points_positive"),
        CheckConstraint("title <> ''", name="title_required"),
        CheckConstraint("category <> ''", name="category_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    #: The unit category it applies to (the values of Unit.category: 市直单位, 县（市、区） …).
    category: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    #: 总分值: the root's points, which the 一级指标 add up to (or share by weight).
    points: Mapped[float]
    status: Mapped[SystemStatus] = mapped_column(_enum(SystemStatus), default=SystemStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    nodes: Mapped[list["IndicatorNode"]] = relationship(
        back_populates="system", cascade="all, delete-orphan", passive_deletes=True,
        order_by="IndicatorNode.id",
    )

    @property
    def is_locked(self) -> bool:
        return self.status is SystemStatus.PUBLISHED


class IndicatorNode(Base):
    __tablename__ = "indicator_nodes"
    __table_args__ = (
        UniqueConstraint("system_id", "code"),
        CheckConstraint("(points IS NULL) <> (weight IS NULL)", name="points_or_weight"),
        CheckConstraint("points IS NULL OR points >= 0", name="points_non_negative"),
        CheckConstraint("weight IS NULL OR (weight >= 0 AND weight <= 1)", name="weight_range"),
        CheckConstraint("name <> ''", name="name_required"),
        CheckConstraint("position >= 0", name="position_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("indicator_systems.id", ondelete="CASCADE"), index=True)
    #: None for a 一级指标 (its parent is the system itself).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_nodes.id", ondelete="CASCADE"), index=True)
    #: Order among its siblings, from 0.
    position: Mapped[int] = mapped_column(default=0)
    #: "1.2.3": the positions (from 1) down the tree; the node's key for scoring.
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    #: 分值, or None when the node has a weight (a share of its parent's points).
    points: Mapped[float | None]
    weight: Mapped[float | None]
    #: 计量单位 (亿元, 个, %, 次 …); empty when none.
    unit_of_measure: Mapped[str] = mapped_column(String(30), default="")
    direction: Mapped[Direction] = mapped_column(_enum(Direction), default=Direction.HIGHER)
    #: 评分标准 as written in the 考核细则 ("完成目标值得满分，每低1%扣0.2分，扣完为止").
    criteria: Mapped[str] = mapped_column(Text, default="")
    #: 数据采集: what the unit supplies and where it comes from.
    data_note: Mapped[str] = mapped_column(Text, default="")
    #: A leaf's scoring method key (services/targets/methods.METHODS); None on a parent.
    method: Mapped[str | None] = mapped_column(String(30))
    #: The method's parameters (docs/targets.md, "JSON form"); None on a parent.
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    system: Mapped[IndicatorSystem] = relationship(back_populates="nodes")
