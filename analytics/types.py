"""Frozen inputs and outputs of the analytics package.

Arrays held by these dataclasses are read-only views: the package never mutates
them and callers must not either (the underlying buffer stays the caller's).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_MIN_GROUP_SIZE = 5
UNKNOWN_OPTION = -1  # option index of a typed 0–100 score or of a missing option


def _read_only_column(values: npt.ArrayLike, dtype: npt.DTypeLike, name: str) -> npt.NDArray[Any]:
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 1:
        raise ValueError(f"column {name!r} must be one-dimensional")
    view = array.view()
    # A read-only view protects the frozen object without touching the caller's array.
    view.flags.writeable = False
    return view


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True, eq=False)
class AnswerColumns:
    """Hold one row per (ballot, subject, dimension) rating, column-wise.

    ``score`` is 0–100, NaN for 不了解 or unanswered; ``option`` indexes the
    survey scale, -1 for a typed score or a missing option. Ballot indices are
    dense (0..B-1) and every row of a ballot carries the ballot's group.
    """

    ballot: IntArray
    subject: IntArray
    dimension: IntArray
    group: IntArray
    score: FloatArray
    option: IntArray

    def __post_init__(self) -> None:
        columns: dict[str, npt.DTypeLike] = {
            "ballot": np.int64,
            "subject": np.int64,
            "dimension": np.int64,
            "group": np.int64,
            "score": np.float64,
            "option": np.int64,
        }
        for name, dtype in columns.items():
            object.__setattr__(self, name, _read_only_column(getattr(self, name), dtype, name))
        sizes = {getattr(self, name).shape[0] for name in columns}
        if len(sizes) != 1:
            raise ValueError("all answer columns must have the same length")

    def __len__(self) -> int:
        return int(self.ballot.shape[0])

    @property
    def n_ballots(self) -> int:
        """Return the number of ballot indices in use (max index + 1)."""
        return int(self.ballot.max()) + 1 if len(self) else 0

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, int, int, int, float | None, int]]) -> AnswerColumns:
        """Build columns from (ballot, subject, dimension, group, score, option) rows.

        Meant for tests and small inputs; adapters should build the arrays directly.
        """
        materialised = list(rows)
        if not materialised:
            return cls.empty()
        ballot, subject, dimension, group, score, option = zip(*materialised, strict=True)
        scores = [math.nan if value is None else float(value) for value in score]
        return cls(
            ballot=np.array(ballot, dtype=np.int64),
            subject=np.array(subject, dtype=np.int64),
            dimension=np.array(dimension, dtype=np.int64),
            group=np.array(group, dtype=np.int64),
            score=np.array(scores, dtype=np.float64),
            option=np.array(option, dtype=np.int64),
        )

    @classmethod
    def empty(cls) -> AnswerColumns:
        """Return a table with no rows."""
        no_ints = np.zeros(0, dtype=np.int64)
        return cls(no_ints, no_ints, no_ints, no_ints, np.zeros(0, dtype=np.float64), no_ints)


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """Describe a respondent group (上级, 同级, 下级, 服务对象, …)."""

    label: str
    weight: float = 1.0
    min_size: int = DEFAULT_MIN_GROUP_SIZE

    def __post_init__(self) -> None:
        if not (math.isfinite(self.weight) and self.weight >= 0):
            raise ValueError(f"group {self.label!r}: weight must be a finite number >= 0")
        if self.min_size < 1:
            raise ValueError(f"group {self.label!r}: min_size must be >= 1")


@dataclass(frozen=True, slots=True)
class SubjectSpec:
    """Describe a rated subject (a cadre, a team or a department)."""

    label: str
    unit: int = -1  # index into SurveySpec.units; -1 when the subject belongs to no unit
    category: str = ""
    key: str = ""  # stable key across surveys, for year-on-year comparison


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """Describe a unit whose index pools the ballots of its subjects."""

    label: str
    category: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class CategoryWeights:
    """Override group and/or dimension weights for subjects of one category."""

    category: str
    group_weights: tuple[float, ...] | None = None
    dimension_weights: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class ScaleSpec:
    """Describe the answer scale: labels, scores (None = 不了解) and rate sets.

    The index sets say which options count towards 优秀率 (``top``), 称职率
    (``passing``), 满意率 (``satisfied``) and the negative share (``negative``).
    An empty set means the rate does not apply to this scale.
    """

    labels: tuple[str, ...]
    scores: tuple[float | None, ...]
    top: frozenset[int] = frozenset()
    passing: frozenset[int] = frozenset()
    satisfied: frozenset[int] = frozenset()
    negative: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.scores):
            raise ValueError("scale labels and scores must have the same length")
        for score in self.scores:
            if score is not None and not 0.0 <= score <= 100.0:
                raise ValueError("scale scores must lie in [0, 100]")
        for name in ("top", "passing", "satisfied", "negative"):
            indices = frozenset(getattr(self, name))
            object.__setattr__(self, name, indices)
            if any(not 0 <= index < len(self.labels) for index in indices):
                raise ValueError(f"scale set {name!r} refers to a missing option")
            if any(self.scores[index] is None for index in indices):
                raise ValueError(f"scale set {name!r} must not contain an unscored option")

    @property
    def unknown(self) -> frozenset[int]:
        """Return the options that carry no score (不了解)."""
        return frozenset(i for i, score in enumerate(self.scores) if score is None)


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """Hold the survey-level analysis settings."""

    trim_extremes: bool = False
    disagreement_gap: float = 15.0
    negative_share_threshold: float = 1.0 / 3.0
    rank_decimals: int = 2
    z: float = 1.96
    straight_line_min_ratings: int = 4
    speeder_fraction: float = 1.0 / 3.0
    burst_factor: float = 3.0


@dataclass(frozen=True, slots=True)
class SurveySpec:
    """Describe a survey: dimensions, groups, subjects, units, scale and settings."""

    dimension_weights: tuple[float, ...]
    groups: tuple[GroupSpec, ...]
    subjects: tuple[SubjectSpec, ...]
    units: tuple[UnitSpec, ...] = ()
    scale: ScaleSpec | None = None
    dimension_labels: tuple[str, ...] = ()
    category_weights: tuple[CategoryWeights, ...] = ()
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)

    def __post_init__(self) -> None:
        _check_weights(self.dimension_weights, "dimension_weights")
        if self.dimension_labels and len(self.dimension_labels) != len(self.dimension_weights):
            raise ValueError("dimension_labels must match dimension_weights")
        for subject in self.subjects:
            if not -1 <= subject.unit < len(self.units):
                raise ValueError(f"subject {subject.label!r} refers to a missing unit")
        seen: set[str] = set()
        for override in self.category_weights:
            if override.category in seen:
                raise ValueError(f"category {override.category!r} has two weight overrides")
            seen.add(override.category)
            if override.group_weights is not None:
                _check_weights(override.group_weights, "group_weights", len(self.groups))
            if override.dimension_weights is not None:
                _check_weights(
                    override.dimension_weights,
                    "dimension_weights",
                    len(self.dimension_weights),
                )

    @property
    def n_dimensions(self) -> int:
        """Return the number of dimensions."""
        return len(self.dimension_weights)

    def dimension_label(self, dimension: int) -> str:
        """Return the label of a dimension, or its 1-based number when unlabelled."""
        return self.dimension_labels[dimension] if self.dimension_labels else str(dimension + 1)


def _check_weights(weights: tuple[float, ...], name: str, expected: int | None = None) -> None:
    if expected is not None and len(weights) != expected:
        raise ValueError(f"{name} must have {expected} entries")
    if any(not (math.isfinite(w) and w >= 0) for w in weights):
        raise ValueError(f"{name} must be finite numbers >= 0")


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class GradeBreakdown:
    """Count ratings per scale option; shares exclude 不了解 from the denominator.

    Counts are over subject×dimension ratings, not over ballots.
    """

    counts: tuple[int, ...]
    rated: int
    unknown: int
    shares: tuple[float | None, ...]
    top_share: float | None
    pass_share: float | None
    satisfied_share: float | None
    negative_share: float | None
    is_negative_flagged: bool


@dataclass(frozen=True, slots=True)
class GroupResult:
    """Report one respondent group for one subject or unit.

    When ``is_reportable`` is false (fewer respondents than the group's minimum
    size) every figure derived from the answers is None, so it cannot leak.
    """

    group: int
    label: str
    weight: float
    n_raw: int
    n: int
    is_reportable: bool
    index: float | None
    dimension_means: tuple[float | None, ...]
    grades: GradeBreakdown | None


@dataclass(frozen=True, slots=True)
class Interval:
    """Hold a 95% interval, clipped to [0, 100]."""

    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Report the widest gap between two reportable groups (相互印证)."""

    gap: float
    high_group: int
    low_group: int
    is_flagged: bool


@dataclass(frozen=True, slots=True)
class IndexResult:
    """Report a subject or a unit: index, uncertainty, groups, dimensions, grades."""

    entity: int
    key: str
    label: str
    category: str
    unit: int
    index: float | None
    se: float | None
    interval: Interval | None
    n_raw: int
    n: int
    groups: tuple[GroupResult, ...]
    dimensions: tuple[float | None, ...]
    grades: GradeBreakdown | None
    disagreement: Disagreement | None
    rank_overall: int | None = None
    rank_in_category: int | None = None

    @property
    def has_index(self) -> bool:
        """Tell whether an index exists (false means 样本不足)."""
        return self.index is not None


@dataclass(frozen=True, slots=True)
class RankEntry:
    """Place one subject or unit in a ranking."""

    entity: int
    label: str
    index: float | None
    rank: int | None


@dataclass(frozen=True, slots=True)
class Ranking:
    """List entries by rank; unranked entries (no index) come last."""

    category: str | None  # None for the overall ranking
    entries: tuple[RankEntry, ...]


@dataclass(frozen=True, slots=True)
class IccResult:
    """Hold the Shrout–Fleiss intraclass correlations and their mean squares."""

    icc1_1: float | None
    icc2_1: float | None
    icc3_1: float | None
    icc1_k: float | None
    icc2_k: float | None
    icc3_k: float | None
    n_targets: int
    n_raters: int
    bms: float
    wms: float
    jms: float
    ems: float


@dataclass(frozen=True, slots=True)
class Reliability:
    """Hold Cronbach's α over dimensions and the ICC over raters."""

    alpha: float | None
    alpha_cases: int
    icc: IccResult | None


@dataclass(frozen=True, slots=True)
class BallotQuality:
    """List flagged ballot indices per data-quality check, in ascending order."""

    n_ballots: int
    straight_lining: tuple[int, ...]
    speeders: tuple[int, ...]
    in_burst: tuple[int, ...]
    burst_buckets: tuple[int, ...]

    @property
    def flagged(self) -> tuple[int, ...]:
        """Return ballots with at least one flag."""
        return tuple(sorted(set(self.straight_lining) | set(self.speeders) | set(self.in_burst)))


@dataclass(frozen=True, slots=True)
class Comparison:
    """Compare one subject with last year, its predecessor, its unit and the survey."""

    entity: int
    key: str
    index: float | None
    previous: float | None
    delta_previous: float | None
    predecessor_key: str | None
    predecessor_index: float | None
    delta_predecessor: float | None
    unit_average: float | None
    delta_unit: float | None
    survey_average: float | None
    delta_survey: float | None


@dataclass(frozen=True, slots=True)
class SurveyResults:
    """Hold everything a results page needs, computed in one call."""

    subjects: tuple[IndexResult, ...]
    units: tuple[IndexResult, ...]
    subject_ranking: Ranking
    subject_rankings_by_category: tuple[Ranking, ...]
    unit_ranking: Ranking
    unit_rankings_by_category: tuple[Ranking, ...]
    survey_average: float | None
    reliability: Reliability
    comparisons: tuple[Comparison, ...]
    quality: BallotQuality
