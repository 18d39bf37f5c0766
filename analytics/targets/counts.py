"""Methods on counts and entered scores: count deductions, level bonuses, the judged score.

The formulas, with worked examples, are in docs/targets.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from analytics.targets.base import (
    FloatArray,
    Parts,
    refuse_negative,
    require_positive,
)
from analytics.targets.errors import InputError, ParameterError
from analytics.targets.steps import Step, step

# ---- count deductions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountDeduction:
    """发现问题一次扣 ``per_occurrence`` 分, at most ``cap`` (None: 扣完为止, the leaf's points)."""

    key: ClassVar[str] = "count_deduction"

    per_occurrence: float
    cap: float | None = None

    def __post_init__(self) -> None:
        require_positive("per_occurrence", self.per_occurrence)
        if self.cap is not None:
            require_positive("cap", self.cap)

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return False

    def check(self, points: float) -> None:
        """Accept any points (a cap above them is simply never reached)."""

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit; ``actual`` is the number of occurrences."""
        refuse_negative("count", actual)
        fractional = ~np.isnan(actual) & (actual != np.round(actual))
        if fractional.any():
            index = int(np.argmax(fractional))
            raise InputError("count_not_whole", unit=float(index), value=float(actual[index]))
        limit = points if self.cap is None else min(self.cap, points)
        raw = actual * self.per_occurrence
        deduction = np.minimum(raw, limit)
        return {"count": actual, "raw": raw, "limit": np.full_like(actual, limit), "deduction": deduction,
                "earned": points - deduction}

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return one step: occurrences × points each, capped."""
        capped = parts["raw"] > parts["limit"]
        return (
            step(
                f"{self.key}{'.capped' if capped else ''}",
                parts["earned"],
                count=parts["count"],
                per_occurrence=self.per_occurrence,
                raw=parts["raw"],
                limit=parts["limit"],
                deduction=parts["deduction"],
                points=points,
            ),
        )


# ---- level bonuses ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Level:
    """An award level (国家级, 省级, 市级 …) and the points one award at it earns."""

    name: str
    points: float


@dataclass(frozen=True, slots=True)
class LevelBonus:
    """获国家级表彰加3分、省级2分、市级1分: awards add up, at most ``cap`` and the leaf's points.

    Its ``actual`` is a units × levels matrix of award counts, in the order of ``levels``
    (``counts`` builds one row from a list of award levels).
    """

    key: ClassVar[str] = "level_bonus"

    levels: tuple[Level, ...]
    cap: float | None = None

    def __post_init__(self) -> None:
        if not self.levels:
            raise ParameterError("no_levels")
        names = [level.name for level in self.levels]
        if len(set(names)) != len(names) or not all(names):
            raise ParameterError("level_names_not_distinct")
        for level in self.levels:
            require_positive("level_points", level.points)
        if self.cap is not None:
            require_positive("cap", self.cap)

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return False

    def check(self, points: float) -> None:
        """Accept any points (the total is capped at them)."""

    def counts(self, awards: Sequence[str]) -> tuple[float, ...]:
        """Count awards by level, e.g. ("省", "市", "市") → (0, 1, 2) for levels 国家/省/市."""
        names = [level.name for level in self.levels]
        unknown = [award for award in awards if award not in names]
        if unknown:
            raise InputError("unknown_level", level=unknown[0])
        return tuple(float(awards.count(name)) for name in names)

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit from its row of counts."""
        # A plain column (a leaf with no values, or a single level) stands for every level.
        counts = actual if actual.ndim == 2 else np.repeat(actual[:, None], len(self.levels), axis=1)
        if counts.shape[1] != len(self.levels):
            raise InputError("level_columns", expected=float(len(self.levels)), got=float(counts.shape[1]))
        refuse_negative("count", counts.ravel())
        each = np.array([level.points for level in self.levels], dtype=np.float64)
        total = counts @ each
        limit = points if self.cap is None else min(self.cap, points)
        parts: Parts = {f"count_{i}": counts[:, i] for i in range(len(self.levels))}
        parts.update(total=total, limit=np.full(total.shape, limit), earned=np.minimum(total, limit))
        return parts

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return a step per level with awards, then the capped total."""
        steps = [
            step(f"{self.key}.level", parts[f"count_{i}"] * level.points, level.name,
                 count=parts[f"count_{i}"], each=level.points)
            for i, level in enumerate(self.levels)
            if parts[f"count_{i}"] > 0
        ]
        capped = parts["total"] > parts["limit"]
        steps.append(step(f"{self.key}.total{'.capped' if capped else ''}", parts["earned"],
                          total=parts["total"], limit=parts["limit"], points=points))
        return tuple(steps)


# ---- judged score -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Judged:
    """A score in 0..分值 entered by the verifier (现场核验): taken as it is, if in range."""

    key: ClassVar[str] = "judged"

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return False

    def check(self, points: float) -> None:
        """Accept any points."""

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Take every unit's judged score, refusing one outside 0..points."""
        bad = (actual < 0) | (actual > points + 1e-9)
        if bad.any():
            index = int(np.argmax(bad))
            raise InputError("judged_out_of_range", unit=float(index), value=float(actual[index]),
                             points=points)
        return {"judged": actual, "earned": np.minimum(actual, points)}

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return one step: the judged score of the points."""
        return (step(self.key, parts["earned"], judged=parts["judged"], points=points),)
