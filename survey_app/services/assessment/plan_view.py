"""The read model of a computed assessment plan (PlanView → CategoryView → SubjectView →
PartView, AdjustmentView) and the formatting of its figures in reasons and messages
(scores to 2 decimals, shares as 40% or 1/3).

Built by `grading.compute_plan`; read by the pages, the committee exports and the dossier.
"""

from dataclasses import dataclass
from fractions import Fraction

from analytics import assessment as core
from survey_app.models.assessment import AdjustmentKind


@dataclass(frozen=True, slots=True)
class PartView:
    """One component's line of the breakdown: score × share = points."""

    component_id: int
    label: str
    weight: float
    share: float
    score: float | None
    self_score: float | None
    points: float | None
    is_linked: bool
    source_label: str


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    id: int
    kind: AdjustmentKind
    points: float
    reason: str
    document: str


@dataclass(frozen=True, slots=True)
class SubjectView:
    subject_id: int
    key: str
    name: str
    unit: str
    category: str
    parts: tuple[PartView, ...]
    base: float | None
    bonus_items: float
    bonus: float
    deduction_items: float
    deduction: float
    composite: float | None
    is_clipped: bool
    missing: tuple[str, ...]
    rank: int | None
    band_grade: str | None
    proposed_grade: str | None
    outcome: core.Outcome
    reason: str
    #: The grade that counts: the override, else the proposal; after confirmation, as signed.
    final_grade: str | None
    is_overridden: bool
    override_reason: str
    is_priority: bool
    priority_reason: str
    meets_raised_condition: bool
    raised_reason: str
    is_vetoed: bool
    veto_reason: str
    negative_share: float | None
    #: A veto holds (the organizer's, or the 民主测评 share above its threshold): never 优秀.
    is_veto_applied: bool
    adjustments: tuple[AdjustmentView, ...]
    #: After confirmation: the composite as signed, and whether a recomputation now differs.
    confirmed_composite: float | None = None
    changed_since_confirmation: bool = False

    @property
    def is_excellent_candidate(self) -> bool:
        return self.outcome in (core.Outcome.EXCELLENT, core.Outcome.TIE_PENDING)


@dataclass(frozen=True, slots=True)
class CategoryView:
    category_id: int
    name: str
    components: tuple[tuple[str, float, float], ...]  # label, weight, share
    n: int
    n_raised: int
    quota: int
    quota_formula: str
    excellent: int
    pending: int
    final_excellent: int
    subjects: tuple[SubjectView, ...]  # by rank, 缺项 last


@dataclass(frozen=True, slots=True)
class PlanView:
    plan_id: int
    categories: tuple[CategoryView, ...]
    #: What keeps the plan from being confirmed (empty: it can be).
    problems: tuple[str, ...]

    @property
    def subjects(self) -> tuple[SubjectView, ...]:
        return tuple(s for c in self.categories for s in c.subjects)

    def subject(self, subject_id: int) -> SubjectView | None:
        return next((s for s in self.subjects if s.subject_id == subject_id), None)


def score_text(value: float | None) -> str:
    """Format a score for reasons and logs: 2 decimals."""
    return "—" if value is None else f"{value:.2f}"


def trimmed_number(value: float) -> str:
    """Format a weight, points or a grade's minimum: at most 2 decimals, no trailing zeros (5, 2.5)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def share_text(share: float) -> str:
    """A share as 40% or, when it is a simple fraction such as 1/3, as that fraction."""
    if abs(share * 100 - round(share * 100)) < 1e-9:
        return f"{round(share * 100)}%"
    fraction = Fraction(share).limit_denominator(12)
    if abs(float(fraction) - share) < 1e-9:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{share * 100:.1f}%"
