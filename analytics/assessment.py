"""Year-end assessment (年度考核 / 绩效考评): composite scores, ranks within a category and
grades under the 优秀 quota.

Pure: standard library only, no I/O, no i18n. Labels (component names, grade names) come
in as arguments; reasons go out as structured data that the caller words. Every rule here
is written out, with a worked example, in docs/assessment.md.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: Scores of components are on 0–100.
SCORE_MAX = 100.0


def round2(value: float) -> float:
    """Round half up (四舍五入) to 2 decimals, ignoring float noise beyond the 9th decimal."""
    snapped = Decimal(value).quantize(Decimal("1e-9"), ROUND_HALF_UP)
    return float(snapped.quantize(Decimal("0.01"), ROUND_HALF_UP))


# ---- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Component:
    """One part of a category's composite (指标考评, 公众评议, 领导评价 …) and its weight."""

    label: str
    weight: float


@dataclass(frozen=True, slots=True)
class Category:
    """A unit category (县市区, 市直经济部门 …) with its own components and weights."""

    name: str
    components: tuple[Component, ...]


@dataclass(frozen=True, slots=True)
class GradeBand:
    """A grade below 优秀 given from `min_score` (inclusive) upwards, e.g. 称职 ≥ 70."""

    label: str
    min_score: float


@dataclass(frozen=True, slots=True)
class Rules:
    """A plan's grading rules.

    `bands` run best first and the last one starts at 0, so every composite has a band.
    The quota percentages are per category; `raised_quota_percent` (None: no raise) applies
    to the subjects that meet the plan's raised-quota conditions.
    """

    bands: tuple[GradeBand, ...]
    excellent_label: str = "优秀"
    quota_percent: float = 20
    raised_quota_percent: float | None = None
    bonus_cap: float = 5.0
    deduction_cap: float = 10.0
    #: Veto 优秀 when a subject's 不称职 share in the linked 民主测评 exceeds this (None: off).
    negative_share_threshold: float | None = None


@dataclass(frozen=True, slots=True)
class SubjectInput:
    """One assessed subject: its component scores (None: not available yet) in the order
    of its category's components, bonus and deduction items, and its flags."""

    key: str
    category: str
    scores: tuple[float | None, ...]
    bonuses: tuple[float, ...] = ()
    deductions: tuple[float, ...] = ()
    is_priority: bool = False
    meets_raised_condition: bool = False
    #: A veto entered by the organizer (its written reason stays with the caller).
    is_vetoed: bool = False
    #: Share (0–1) of 不称职 in the linked 民主测评, for the automatic veto.
    negative_share: float | None = None


# ---- outputs ----------------------------------------------------------------------------------


class Outcome(enum.Enum):
    EXCELLENT = "excellent"  # 优秀 within the quota
    GRADED = "graded"  # a band grade from the thresholds
    TIE_PENDING = "tie_pending"  # 并列待定: tied at the quota boundary, the organizer decides
    INCOMPLETE = "incomplete"  # 缺项: a component score is missing, no composite


class NotExcellent(enum.Enum):
    """Why a graded subject did not get 优秀."""

    VETOED = "vetoed"  # the organizer's veto
    NEGATIVE_SHARE = "negative_share"  # 民主测评 不称职 share above the threshold
    BELOW_MINIMUM = "below_minimum"  # composite below the best band's threshold
    QUOTA_FULL = "quota_full"  # the category's places went to others (or there are none)


@dataclass(frozen=True, slots=True)
class Part:
    """One component's share of the composite: `points` = score × weight / Σ weights."""

    label: str
    weight: float
    share: float
    score: float | None
    points: float | None


@dataclass(frozen=True, slots=True)
class Composite:
    """How a composite was formed; `value` (2 decimals) is what ranks and grades use."""

    parts: tuple[Part, ...]
    base: float | None
    bonus_items: float
    bonus: float
    deduction_items: float
    deduction: float
    unrounded: float | None
    value: float | None
    missing: tuple[str, ...]
    is_clipped: bool

    @property
    def is_complete(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class SubjectResult:
    key: str
    category: str
    composite: Composite
    rank: int | None
    band_grade: str | None
    grade: str | None
    outcome: Outcome
    not_excellent: NotExcellent | None
    is_priority: bool
    meets_raised_condition: bool
    negative_share: float | None
    #: For 并列待定: how many subjects share the boundary score, and the places left to them.
    tie_size: int = 0
    open_places: int = 0


@dataclass(frozen=True, slots=True)
class CategoryResult:
    name: str
    n: int
    n_raised: int
    quota: int
    excellent: int
    pending: int


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    subjects: tuple[SubjectResult, ...]  # in input order
    categories: tuple[CategoryResult, ...]  # in input order

    def subject(self, key: str) -> SubjectResult:
        return next(s for s in self.subjects if s.key == key)

    def category(self, name: str) -> CategoryResult:
        return next(c for c in self.categories if c.name == name)


# ---- validation -------------------------------------------------------------------------------


def _check(categories: Sequence[Category], subjects: Sequence[SubjectInput], rules: Rules) -> None:
    if not rules.bands or rules.bands[-1].min_score != 0:
        raise ValueError("the last grade band must start at 0")
    mins = [band.min_score for band in rules.bands]
    if any(a <= b for a, b in zip(mins, mins[1:], strict=False)) or mins[0] > SCORE_MAX:
        raise ValueError("grade band thresholds must fall strictly, within 0–100")
    labels = [rules.excellent_label, *(band.label for band in rules.bands)]
    if len(set(labels)) != len(labels) or not all(labels):
        raise ValueError("grade labels must be distinct and non-empty")
    raised = rules.raised_quota_percent
    if not 0 <= rules.quota_percent <= 100 or (raised is not None and not rules.quota_percent <= raised <= 100):
        raise ValueError("quota percentages must satisfy 0 ≤ x ≤ y ≤ 100")
    if rules.bonus_cap < 0 or rules.deduction_cap < 0:
        raise ValueError("caps must not be negative")
    names = [c.name for c in categories]
    if len(set(names)) != len(names):
        raise ValueError("category names must be distinct")
    by_name = {c.name: c for c in categories}
    for category in categories:
        if any(not math.isfinite(c.weight) or c.weight < 0 for c in category.components):
            raise ValueError(f"negative weight in {category.name}")
    keys = [s.key for s in subjects]
    if len(set(keys)) != len(keys):
        raise ValueError("subject keys must be distinct")
    for subject in subjects:
        if subject.category not in by_name:
            raise ValueError(f"{subject.key}: unknown category {subject.category}")
        if len(subject.scores) != len(by_name[subject.category].components):
            raise ValueError(f"{subject.key}: one score per component expected")
        if any(s is not None and not 0 <= s <= SCORE_MAX for s in subject.scores):
            raise ValueError(f"{subject.key}: scores must lie in 0–100")
        if any(not 0 <= p < math.inf for p in (*subject.bonuses, *subject.deductions)):
            raise ValueError(f"{subject.key}: bonus and deduction points must not be negative")


# ---- composite --------------------------------------------------------------------------------


def composite(category: Category, subject: SubjectInput, rules: Rules) -> Composite:
    """Combine one subject's component scores, bonus and deductions (see docs/assessment.md).

    base = Σ w·s / Σ w; composite = clip(base + min(Σ bonus, cap) − min(Σ deductions, cap),
    0, 100 + bonus cap). A missing score, or a category without weights, gives no composite.
    """
    total_weight = sum(c.weight for c in category.components)
    parts = tuple(
        Part(
            label=c.label,
            weight=c.weight,
            share=c.weight / total_weight if total_weight > 0 else 0.0,
            score=score,
            points=None if score is None or total_weight <= 0 else score * c.weight / total_weight,
        )
        for c, score in zip(category.components, subject.scores, strict=True)
    )
    missing = tuple(p.label for p in parts if p.score is None)
    bonus_items, deduction_items = sum(subject.bonuses), sum(subject.deductions)
    bonus, deduction = min(bonus_items, rules.bonus_cap), min(deduction_items, rules.deduction_cap)
    if missing or total_weight <= 0:
        base = unrounded = value = None
        clipped = False
    else:
        base = sum(p.points for p in parts if p.points is not None)
        raw = base + bonus - deduction
        unrounded = min(max(raw, 0.0), SCORE_MAX + rules.bonus_cap)
        clipped = unrounded != raw
        value = round2(unrounded)
    return Composite(parts, base, bonus_items, bonus, deduction_items, deduction, unrounded, value, missing, clipped)


def competition_ranks(values: Sequence[float | None]) -> tuple[int | None, ...]:
    """Rank descending; equal values share a rank (1, 2, 2, 4); None is unranked."""
    ascending = sorted(v for v in values if v is not None)
    # Rank = 1 + how many values are strictly greater.
    return tuple(None if v is None else 1 + len(ascending) - bisect.bisect_right(ascending, v) for v in values)


def quota(n_regular: int, n_raised: int, percent: float, raised_percent: float | None) -> int:
    """Return ⌊(x·n_regular + y·n_raised) / 100⌋, exact for decimal percentages."""
    x = Decimal(str(percent))
    y = Decimal(str(percent if raised_percent is None else raised_percent))
    return math.floor((x * n_regular + y * n_raised) / 100)


def band_of(value: float, bands: Sequence[GradeBand]) -> str:
    """Return the first (best) band whose threshold the value reaches."""
    return next(band.label for band in bands if value >= band.min_score)


# ---- grades -----------------------------------------------------------------------------------


def _veto(subject: SubjectInput, rules: Rules) -> NotExcellent | None:
    if subject.is_vetoed:
        return NotExcellent.VETOED
    threshold = rules.negative_share_threshold
    if threshold is not None and subject.negative_share is not None and subject.negative_share > threshold:
        return NotExcellent.NEGATIVE_SHARE
    return None


def _grade_category(
    category: Category, members: list[SubjectInput], rules: Rules
) -> tuple[dict[str, SubjectResult], CategoryResult]:
    composites = {s.key: composite(category, s, rules) for s in members}
    ranks = dict(zip(
        (s.key for s in members), competition_ranks([composites[s.key].value for s in members]), strict=True,
    ))
    n_raised = sum(1 for s in members if s.meets_raised_condition)
    places = quota(len(members) - n_raised, n_raised, rules.quota_percent, rules.raised_quota_percent)
    excellent_min = rules.bands[0].min_score

    # Eligible: complete, not vetoed, composite at least the best band's threshold.
    why_not: dict[str, NotExcellent | None] = {}
    eligible: list[SubjectInput] = []
    for s in members:
        value = composites[s.key].value
        if value is None:
            continue
        why_not[s.key] = _veto(s, rules) or (NotExcellent.BELOW_MINIMUM if value < excellent_min else None)
        if why_not[s.key] is None:
            eligible.append(s)

    # Priority candidates first, then by composite; equal (priority, composite) tie.
    def order(s: SubjectInput) -> tuple[bool, float]:
        return (not s.is_priority, -(composites[s.key].value or 0.0))

    outcome: dict[str, tuple[Outcome, int, int]] = {}
    placed = 0
    for _, group in itertools.groupby(sorted(eligible, key=order), key=order):
        tied = list(group)
        if placed + len(tied) <= places:
            for s in tied:
                outcome[s.key] = (Outcome.EXCELLENT, 0, 0)
            placed += len(tied)
        elif placed < places:
            for s in tied:
                outcome[s.key] = (Outcome.TIE_PENDING, len(tied), places - placed)
            placed = places
        else:
            for s in tied:
                why_not[s.key] = NotExcellent.QUOTA_FULL

    results: dict[str, SubjectResult] = {}
    for s in members:
        c = composites[s.key]
        band = band_of(c.value, rules.bands) if c.value is not None else None
        kind, tie_size, open_places = outcome.get(s.key, (Outcome.GRADED if band else Outcome.INCOMPLETE, 0, 0))
        grade = {Outcome.EXCELLENT: rules.excellent_label, Outcome.GRADED: band}.get(kind)
        results[s.key] = SubjectResult(
            key=s.key, category=s.category, composite=c, rank=ranks[s.key], band_grade=band, grade=grade,
            outcome=kind, not_excellent=why_not.get(s.key) if kind is Outcome.GRADED else None,
            is_priority=s.is_priority, meets_raised_condition=s.meets_raised_condition,
            negative_share=s.negative_share, tie_size=tie_size, open_places=open_places,
        )
    summary = CategoryResult(
        name=category.name, n=len(members), n_raised=n_raised, quota=places,
        excellent=sum(1 for r in results.values() if r.outcome is Outcome.EXCELLENT),
        pending=sum(1 for r in results.values() if r.outcome is Outcome.TIE_PENDING),
    )
    return results, summary


def assess(categories: Sequence[Category], subjects: Sequence[SubjectInput], rules: Rules) -> AssessmentResult:
    """Compute every subject's composite, rank in category and proposed grade.

    Raises ValueError on inconsistent input (unknown category, a score outside 0–100,
    negative weights or points, bands that do not fall to 0).
    """
    _check(categories, subjects, rules)
    by_key: dict[str, SubjectResult] = {}
    summaries = []
    for category in categories:
        members = [s for s in subjects if s.category == category.name]
        results, summary = _grade_category(category, members, rules)
        by_key.update(results)
        summaries.append(summary)
    return AssessmentResult(tuple(by_key[s.key] for s in subjects), tuple(summaries))
