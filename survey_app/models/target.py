"""Indicator systems (考核细则): per year and unit category, a tree of indicators of any
depth (一级 / 二级 / 三级指标 …) whose leaves carry a scoring method of analytics.targets.

A system is a draft while it is worked on and locked once published: nothing of a
published system changes (services/targets/systems.py refuses). The tree is stored as
rows with a parent and a position; the root is the system itself (its ``points``, 总分值).
"""

import enum
from datetime import date, datetime
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


class SheetState(enum.Enum):
    """Where a unit's targets for one system stand in the negotiation (docs/targets.md,
    "Negotiating targets"): 申报 → 审核 → 确认 → 审定."""

    DRAFT = "draft"  # 填报中: the unit has not proposed yet
    PROPOSED = "proposed"  # 已申报: waiting for the 效能办's review
    RETURNED = "returned"  # 已退回: the 效能办 sent it back with comments; the unit proposes again
    ADJUSTED = "adjusted"  # 已调整: the 效能办 changed values; the unit confirms or answers
    CONFIRMED = "confirmed"  # 已确认: the unit accepted; waiting for 审定
    APPROVED = "approved"  # 已审定: locked; the year-end scoring uses these values


class TargetSheet(Base):
    """One unit's targets (目标值) under one published indicator system: the object the
    negotiation moves through its states, holding one UnitTarget per leaf."""

    __tablename__ = "target_sheets"
    __table_args__ = (UniqueConstraint("system_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("indicator_systems.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    state: Mapped[SheetState] = mapped_column(_enum(SheetState), default=SheetState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None]
    #: When the unit handed in its year-end 自评 (then its values are the verifier's to check).
    self_assessed_at: Mapped[datetime | None]
    #: When the 效能办 closed 现场核验: the verified values are final and the sheet scores.
    verified_at: Mapped[datetime | None]

    system: Mapped[IndicatorSystem] = relationship()
    targets: Mapped[list["UnitTarget"]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", passive_deletes=True,
        order_by="UnitTarget.node_id",
    )

    @property
    def is_locked(self) -> bool:
        return self.state is SheetState.APPROVED


class UnitTarget(Base):
    """A unit's 目标值 for one leaf indicator, and its difficulty coefficient (难度系数)."""

    __tablename__ = "unit_targets"
    __table_args__ = (
        UniqueConstraint("sheet_id", "node_id"),
        CheckConstraint("difficulty > 0", name="difficulty_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("target_sheets.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("indicator_nodes.id", ondelete="CASCADE"), index=True)
    #: The current 目标值 in the leaf's unit of measure; None while not filled in (a leaf
    #: scored by rank, count, level or judgement may need none).
    value: Mapped[float | None]
    #: 难度系数, set by the 效能办 in 审核 (analytics/targets: capped at the leaf's points).
    difficulty: Mapped[float] = mapped_column(default=1.0)

    sheet: Mapped[TargetSheet] = relationship(back_populates="targets")
    node: Mapped[IndicatorNode] = relationship()
    result: Mapped["TargetResult | None"] = relationship(
        back_populates="target", cascade="all, delete-orphan", passive_deletes=True)
    progress: Mapped[list["TargetProgress"]] = relationship(
        back_populates="target", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TargetProgress.quarter")


class VerificationWay(enum.Enum):
    """How the 效能办 checked a value (现场核验的方式)."""

    ON_SITE = "on_site"  # 现场核验
    DOCUMENTS = "documents"  # 材料审核
    DATA = "data"  # 数据比对 (统计部门、业务系统的数据)
    INTERVIEW = "interview"  # 座谈走访


class TargetResult(Base):
    """A leaf's year-end result for one unit: the unit's 自评 (actual value, explanation,
    evidence files) and the verifier's 核验 (verified value, note, date and way).

    Scoring uses the verified value; a judged leaf (method "judged") uses `judged_score`; a
    level-bonus leaf (method "level_bonus") uses counts per level instead of a value
    (`self_counts` / `verified_counts`: the leaf's level name → number of awards).
    """

    __tablename__ = "target_results"
    __table_args__ = (CheckConstraint("judged_score IS NULL OR judged_score >= 0", name="judged_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("unit_targets.id", ondelete="CASCADE"), unique=True)
    #: 自评: the actual value the unit reports, in the leaf's unit of measure.
    self_value: Mapped[float | None]
    self_note: Mapped[str] = mapped_column(Text, default="")
    #: 自评 of a level-bonus leaf: level name (国家 / 省 / 市 …) → number of awards.
    self_counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    #: 核验: the value the 效能办 verified; None while not verified.
    verified_value: Mapped[float | None]
    #: 核验 of a level-bonus leaf: level name → verified number of awards.
    verified_counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    #: A judged leaf's score within 0..分值, given by the verifier.
    judged_score: Mapped[float | None]
    verification_note: Mapped[str] = mapped_column(Text, default="")
    verified_on: Mapped[date | None]
    verification_way: Mapped[VerificationWay | None] = mapped_column(_enum(VerificationWay))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    target: Mapped[UnitTarget] = relationship(back_populates="result")
    evidence: Mapped[list["TargetEvidence"]] = relationship(
        back_populates="result", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TargetEvidence.id")


class TargetEvidence(Base):
    """A file the unit attached to a leaf's 自评 (证明材料): a stored file."""

    __tablename__ = "target_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("target_results.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))

    result: Mapped[TargetResult] = relationship(back_populates="evidence")


class TargetProgress(Base):
    """Progress during the year (optional, per quarter): the value reached so far and a
    short account; it feeds the 进度清单 of the unit's leaders' dossiers."""

    __tablename__ = "target_progress"
    __table_args__ = (
        UniqueConstraint("target_id", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("unit_targets.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[int]
    value: Mapped[float | None]
    account: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)

    target: Mapped[UnitTarget] = relationship(back_populates="progress")
