"""Year-end assessment plans (年度考核 / 绩效考评): categories with weighted components,
assessed subjects, their scores, bonus and deduction items, and the grade decisions.

Composites and proposed grades are never stored while a plan is open: they are computed
on every read (services/assessment/grading.py → analytics/assessment.py). Only confirmation
writes them down, in GradeDecision, as the record of what was signed.
"""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.errors import InvalidTransition
from survey_app.models.base import Base, utcnow

if TYPE_CHECKING:
    from survey_app.models.org import Unit
    from survey_app.models.survey import Survey
    from survey_app.models.target import IndicatorSystem
    from survey_app.models.user import User


class PlanSubjectKind(enum.Enum):
    UNIT = "unit"  # 单位 / 部门 (绩效考评)
    CADRE = "cadre"  # 干部 (年度考核)


class PlanStatus(enum.Enum):
    DRAFT = "draft"  # setting up: everything editable
    PROPOSED = "proposed"  # grades proposed: the method is fixed, overrides allowed
    CONFIRMED = "confirmed"  # signed: nothing changes


class ComponentSource(enum.Enum):
    SURVEY = "survey"  # a linked survey's satisfaction index
    MANUAL = "manual"  # scores entered (self-assessment and verified)
    TARGETS = "targets"  # a 考核细则's 指标考评 totals (unit plans), rescaled to 0–100


class AdjustmentKind(enum.Enum):
    BONUS = "bonus"  # 正向激励
    DEDUCTION = "deduction"  # 效能督查


#: Default grades below 优秀 and their thresholds (inclusive), best first.
DEFAULT_GRADE_BANDS = [
    {"label": "称职", "min": 70},
    {"label": "基本称职", "min": 60},
    {"label": "不称职", "min": 0},
]

#: Allowed lifecycle steps: action → (states it starts from, state it leads to).
PLAN_TRANSITIONS = {
    "propose": ((PlanStatus.DRAFT,), PlanStatus.PROPOSED),
    "withdraw": ((PlanStatus.PROPOSED,), PlanStatus.DRAFT),
    "confirm": ((PlanStatus.PROPOSED,), PlanStatus.CONFIRMED),
}


def grade_band_problems(bands: list[dict], excellent_label: str) -> list[str]:
    """Return what is wrong with grade bands (Chinese msgids; empty when they are valid):
    distinct non-empty labels other than the top grade's, thresholds falling strictly from
    at most 100 down to a last band at 0."""
    if not bands:
        return ["至少需要一个等次"]
    problems = []
    labels = [str(b.get("label", "")).strip() for b in bands]
    mins = [b.get("min") for b in bands]
    if any(not label for label in labels):
        problems.append("等次名称不能为空")
    if len(set(labels)) != len(labels) or excellent_label.strip() in labels:
        problems.append("等次名称不能重复，也不能与最高等次同名")
    if any(isinstance(m, bool) or not isinstance(m, int | float) or not 0 <= m <= 100 for m in mins):
        problems.append("分数线应为 0–100 的数字")
    elif any(a <= b for a, b in zip(mins, mins[1:], strict=False)):
        problems.append("分数线应从高到低排列，且不能相同")
    elif mins[-1] != 0:
        problems.append("最后一个等次的分数线必须是 0（兜底等次）")
    return problems


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20)


class AssessmentPlan(Base):
    """An assessment for a year over a set of units or cadres."""

    __tablename__ = "assessment_plans"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("quota_percent BETWEEN 0 AND 100", name="quota_range"),
        CheckConstraint(
            "raised_quota_percent IS NULL OR raised_quota_percent BETWEEN quota_percent AND 100",
            name="raised_quota_range",
        ),
        CheckConstraint("bonus_cap >= 0 AND bonus_cap <= 100", name="bonus_cap_range"),
        CheckConstraint("deduction_cap >= 0 AND deduction_cap <= 100", name="deduction_cap_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    subject_kind: Mapped[PlanSubjectKind] = mapped_column(_enum(PlanSubjectKind), default=PlanSubjectKind.UNIT)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), default=PlanStatus.DRAFT)
    #: 优秀 places per category: ⌊(x·regular + y·raised) / 100⌋ (docs/assessment.md).
    quota_percent: Mapped[int] = mapped_column(default=20)
    #: y: the percentage counted for subjects meeting the raised-quota conditions; None: no raise.
    raised_quota_percent: Mapped[int | None]
    excellent_label: Mapped[str] = mapped_column(String(20), default="优秀")
    #: Grades below 优秀, best first: [{"label": "称职", "min": 70}, …, {"label": …, "min": 0}].
    grade_bands: Mapped[list[dict]] = mapped_column(JSON, default=lambda: [dict(b) for b in DEFAULT_GRADE_BANDS])
    bonus_cap: Mapped[float] = mapped_column(default=5.0)
    deduction_cap: Mapped[float] = mapped_column(default=10.0)
    #: A 民主测评 whose 不称职 share above its threshold vetoes 优秀 (subjects matched by key).
    veto_survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    categories: Mapped[list["PlanCategory"]] = relationship(
        back_populates="plan", order_by="PlanCategory.position", cascade="all, delete-orphan", passive_deletes=True
    )
    subjects: Mapped[list["PlanSubject"]] = relationship(
        back_populates="plan", order_by="PlanSubject.position", cascade="all, delete-orphan", passive_deletes=True
    )
    veto_survey: Mapped["Survey | None"] = relationship()
    confirmed_by: Mapped["User | None"] = relationship()

    @property
    def grade_labels(self) -> list[str]:
        return [self.excellent_label, *(band["label"] for band in self.grade_bands)]

    @property
    def is_method_locked(self) -> bool:
        """Categories, components, weights, subjects and rules are fixed once proposed."""
        return self.status is not PlanStatus.DRAFT

    @property
    def is_confirmed(self) -> bool:
        return self.status is PlanStatus.CONFIRMED

    def can(self, action: str) -> bool:
        return action in PLAN_TRANSITIONS and self.status in PLAN_TRANSITIONS[action][0]

    def transition(self, action: str) -> None:
        """Move to the state `action` leads to, or raise InvalidTransition."""
        if not self.can(action):
            raise InvalidTransition(_("当前状态下不能执行此操作"))
        self.status = PLAN_TRANSITIONS[action][1]


class PlanCategory(Base):
    """A unit category of the plan, with its own components and weights."""

    __tablename__ = "plan_categories"
    __table_args__ = (UniqueConstraint("plan_id", "name", name="uq_plan_categories_plan_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("assessment_plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[AssessmentPlan] = relationship(back_populates="categories")
    components: Mapped[list["PlanComponent"]] = relationship(
        back_populates="category", order_by="PlanComponent.position",
        cascade="all, delete-orphan", passive_deletes=True,
    )


class PlanComponent(Base):
    """One weighted part of a category's composite (指标考评, 公众评议, 业务实绩 …)."""

    __tablename__ = "plan_components"
    __table_args__ = (
        UniqueConstraint("category_id", "name", name="uq_plan_components_category_name"),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        CheckConstraint(
            "(source = 'SURVEY' AND survey_id IS NOT NULL AND indicator_system_id IS NULL)"
            " OR (source = 'MANUAL' AND survey_id IS NULL AND indicator_system_id IS NULL)"
            " OR (source = 'TARGETS' AND survey_id IS NULL AND indicator_system_id IS NOT NULL)",
            name="source_matches_survey",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("plan_categories.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    weight: Mapped[float]
    source: Mapped[ComponentSource] = mapped_column(_enum(ComponentSource), default=ComponentSource.MANUAL)
    #: For source SURVEY: the survey whose satisfaction index is the score (units by
    #: name in unit plans, cadres by key in cadre plans). Surveys in use cannot be deleted.
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"), index=True)
    #: For source TARGETS: the published indicator system whose unit totals are the score.
    indicator_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicator_systems.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    category: Mapped[PlanCategory] = relationship(back_populates="components")
    survey: Mapped["Survey | None"] = relationship()
    indicator_system: Mapped["IndicatorSystem | None"] = relationship()


class PlanSubject(Base):
    """An assessed unit or cadre, in one category of the plan."""

    __tablename__ = "plan_subjects"
    __table_args__ = (
        UniqueConstraint("plan_id", "key", name="uq_plan_subjects_plan_key"),
        CheckConstraint("NOT is_priority OR priority_reason <> ''", name="priority_has_reason"),
        CheckConstraint("NOT meets_raised_condition OR raised_reason <> ''", name="raised_has_reason"),
        CheckConstraint("NOT is_vetoed OR veto_reason <> ''", name="veto_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("assessment_plans.id", ondelete="CASCADE"), index=True)
    #: The subject's stable key across years (a cadre's staff number, a unit's code).
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("plan_categories.id", ondelete="CASCADE"), index=True)
    #: 疫情防控、重点项目、乡村振兴、急难险重 中表现突出: put first for 优秀.
    is_priority: Mapped[bool] = mapped_column(default=False)
    priority_reason: Mapped[str] = mapped_column(String(200), default="")
    #: 省级以上综合表彰 / 文明单位 / 绩效考评优秀 …: counts at the raised quota percent.
    meets_raised_condition: Mapped[bool] = mapped_column(default=False)
    raised_reason: Mapped[str] = mapped_column(String(200), default="")
    #: A veto condition entered by the organizer: not eligible for 优秀.
    is_vetoed: Mapped[bool] = mapped_column(default=False)
    veto_reason: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[AssessmentPlan] = relationship(back_populates="subjects")
    unit: Mapped["Unit | None"] = relationship()
    category: Mapped[PlanCategory] = relationship()
    scores: Mapped[list["ComponentScore"]] = relationship(
        back_populates="subject", cascade="all, delete-orphan", passive_deletes=True
    )
    adjustments: Mapped[list["Adjustment"]] = relationship(
        back_populates="subject", order_by="Adjustment.id", cascade="all, delete-orphan", passive_deletes=True
    )
    decision: Mapped["GradeDecision | None"] = relationship(
        back_populates="subject", cascade="all, delete-orphan", passive_deletes=True
    )


class ComponentScore(Base):
    """A manual component's scores for one subject: both kept, the verified one counts."""

    __tablename__ = "component_scores"
    __table_args__ = (
        UniqueConstraint("subject_id", "component_id", name="uq_component_scores_subject_component"),
        CheckConstraint("self_score IS NULL OR self_score BETWEEN 0 AND 100", name="self_score_range"),
        CheckConstraint("verified_score IS NULL OR verified_score BETWEEN 0 AND 100", name="verified_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("plan_subjects.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("plan_components.id", ondelete="CASCADE"), index=True)
    #: 自评分: the unit's own assessment, shown beside the verified score.
    self_score: Mapped[float | None]
    #: 核验分: after the 效能办's on-site verification; this one enters the composite.
    verified_score: Mapped[float | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    subject: Mapped[PlanSubject] = relationship(back_populates="scores")
    component: Mapped[PlanComponent] = relationship()


class Adjustment(Base):
    """A 正向激励 bonus or a 效能督查 deduction, each with its reason (and document)."""

    __tablename__ = "adjustments"
    __table_args__ = (
        CheckConstraint("points > 0 AND points <= 100", name="points_range"),
        CheckConstraint("reason <> ''", name="reason_required"),
        CheckConstraint("kind <> 'DEDUCTION' OR document <> ''", name="deduction_has_document"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("plan_subjects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AdjustmentKind] = mapped_column(_enum(AdjustmentKind))
    points: Mapped[float]
    #: What was achieved (bonus) or found (deduction).
    reason: Mapped[str] = mapped_column(String(300))
    #: The document recording a deduction's finding (督查通报 文号).
    document: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The approved register item this one was synced from (services/assessment/register_sync.py):
    #: read-only in the plan, changed in the register and synced again. None: entered by hand.
    register_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_entries.id", ondelete="SET NULL"), index=True)

    subject: Mapped[PlanSubject] = relationship(back_populates="adjustments")


class GradeDecision(Base):
    """The organizer's override of a proposed grade, and at confirmation the signed record."""

    __tablename__ = "grade_decisions"
    __table_args__ = (
        UniqueConstraint("subject_id", name="uq_grade_decisions_subject_id"),
        CheckConstraint("overridden_grade IS NULL OR override_reason <> ''", name="override_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("plan_subjects.id", ondelete="CASCADE"))
    #: The organizer's grade in place of the proposal (None: the proposal stands).
    overridden_grade: Mapped[str | None] = mapped_column(String(20))
    override_reason: Mapped[str] = mapped_column(String(500), default="")
    overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    overridden_at: Mapped[datetime | None]
    #: Written at confirmation: the composite, proposal and final grade as signed.
    composite: Mapped[float | None]
    proposed_grade: Mapped[str | None] = mapped_column(String(20))
    proposed_reason: Mapped[str] = mapped_column(String(300), default="")
    final_grade: Mapped[str | None] = mapped_column(String(20))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]

    subject: Mapped[PlanSubject] = relationship(back_populates="decision")
    overridden_by: Mapped["User | None"] = relationship(foreign_keys=[overridden_by_id])
    confirmed_by: Mapped["User | None"] = relationship(foreign_keys=[confirmed_by_id])
