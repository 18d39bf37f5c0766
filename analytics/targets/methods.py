"""Methods measured against a target or a threshold: completion ratio, linear deduction, tiers.

The formulas, with worked examples, are in docs/targets.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from analytics.targets.base import (
    Basis,
    FloatArray,
    Parts,
    StepRounding,
    completion_ratio,
    refuse_negative,
    require_at_most_points,
    require_finite,
    require_non_negative,
    require_positive,
    snap,
)
from analytics.targets.errors import ParameterError
from analytics.targets.steps import Step, step

# ---- completion ratio ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompletionRatio:
    """得分 = 分值 × clamp(实际/目标, floor, cap); lower is better → 目标/实际.

    ``cap`` ≤ 1 keeps a leaf within its points (over-completion is rewarded through
    正向激励, not here); ``floor`` is a guaranteed share (0: none).
    """

    key: ClassVar[str] = "completion_ratio"

    cap: float = 1.0
    floor: float = 0.0
    lower_is_better: bool = False

    def __post_init__(self) -> None:
        require_finite("cap", self.cap)
        require_non_negative("floor", self.floor)
        if not 0 < self.cap <= 1:
            raise ParameterError("cap_out_of_range", cap=self.cap, low=0.0, high=1.0)
        if self.floor > self.cap:
            raise ParameterError("floor_above_cap", floor=self.floor, cap=self.cap)

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return True

    def check(self, points: float) -> None:
        """Accept any points (the share never exceeds 1)."""

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit."""
        refuse_negative("actual", actual)
        refuse_negative("target", target)
        ratio = completion_ratio(actual, target, self.lower_is_better)
        used = np.clip(ratio, self.floor, self.cap)
        return {"actual": actual, "target": target, "ratio": ratio, "used": used, "earned": points * used}

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return the zero-target note (if any) and the ratio step."""
        steps: list[Step] = []
        denominator = parts["actual"] if self.lower_is_better else parts["target"]
        if denominator == 0:
            steps.append(step(f"{self.key}.zero_denominator", parts["ratio"] * 100,
                              actual=parts["actual"], target=parts["target"]))
        steps.append(
            step(
                f"{self.key}.{'lower' if self.lower_is_better else 'higher'}",
                parts["earned"],
                actual=parts["actual"],
                target=parts["target"],
                rate_pct=parts["ratio"] * 100,
                used_pct=parts["used"] * 100,
                cap_pct=self.cap * 100,
                floor_pct=self.floor * 100,
                points=points,
            )
        )
        return tuple(steps)


# ---- linear deduction ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinearDeduction:
    """完成目标值得满分，每低 ``step`` 扣 ``per_step`` 分，扣到 ``floor`` 为止.

    The shortfall is measured in percent of the target (``Basis.PERCENT``) or in the
    indicator's unit (``Basis.ABSOLUTE``); when lower is better it is the excess over the
    target. 得分 = 分值 − min(steps × per_step, 分值 − floor).
    """

    key: ClassVar[str] = "linear_deduction"

    step: float
    per_step: float
    floor: float = 0.0
    basis: Basis = Basis.PERCENT
    rounding: StepRounding = StepRounding.PRORATE
    lower_is_better: bool = False

    def __post_init__(self) -> None:
        require_positive("step", self.step)
        require_positive("per_step", self.per_step)
        require_non_negative("floor", self.floor)

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return True

    def check(self, points: float) -> None:
        """Refuse a floor above the leaf's points."""
        require_at_most_points("floor", self.floor, points)

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit."""
        gap = actual - target if self.lower_is_better else target - actual
        miss = np.maximum(gap, 0.0)
        parts: Parts = {"actual": actual, "target": target}
        if self.basis is Basis.PERCENT:
            refuse_negative("actual", actual)
            refuse_negative("target", target)
            with np.errstate(divide="ignore", invalid="ignore"):
                miss = np.where(miss == 0, 0.0, miss / target * 100)
                parts["rate_pct"] = np.where(target == 0, np.where(actual > 0, np.inf, 100.0),
                                             actual / target * 100)
        steps = snap(miss / self.step)
        if self.rounding is StepRounding.STARTED:
            steps = np.ceil(steps)
        elif self.rounding is StepRounding.COMPLETED:
            steps = np.floor(steps)
        deduction = np.minimum(steps * self.per_step, points - self.floor)
        parts.update(miss=miss, steps=steps, deduction=deduction, earned=points - deduction)
        return parts

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return one step: the shortfall, the steps counted and the deduction."""
        direction = "lower" if self.lower_is_better else "higher"
        numbers = {name: parts[name] for name in ("actual", "target", "rate_pct") if name in parts}
        return (
            step(
                f"{self.key}.{self.basis.value}.{direction}",
                parts["earned"],
                **numbers,
                miss=parts["miss"],
                step=self.step,
                per_step=self.per_step,
                steps=parts["steps"],
                deduction=parts["deduction"],
                floor=self.floor,
                points=points,
            ),
        )


# ---- tiers --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    """Reaching ``threshold`` (at least it, or at most it when lower is better) earns ``points``."""

    threshold: float
    points: float


@dataclass(frozen=True, slots=True)
class Tiers:
    """Thresholds → points: the best tier reached counts, ``otherwise`` below them all.

    ``basis`` PERCENT compares the completion ratio in percent (needs a target; the ratio
    already follows the direction, so higher percent is always better); ABSOLUTE compares
    the actual value itself, at least the threshold (or at most, when lower is better).
    A better tier never earns fewer points.
    """

    key: ClassVar[str] = "tiers"

    tiers: tuple[Tier, ...]
    otherwise: float = 0.0
    basis: Basis = Basis.ABSOLUTE
    lower_is_better: bool = False

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ParameterError("no_tiers")
        for tier in self.tiers:
            require_finite("threshold", tier.threshold)
            require_non_negative("tier_points", tier.points)
        require_non_negative("otherwise", self.otherwise)
        thresholds = [tier.threshold for tier in self.tiers]
        if len(set(thresholds)) != len(thresholds):
            raise ParameterError("duplicate_threshold")
        ordered = self._ordered()
        # Worst tier first: points must not fall as the tiers get better.
        worst_first = [self.otherwise, *(tier.points for tier in ordered)]
        for worse, better in zip(worst_first, worst_first[1:], strict=False):
            if better < worse:
                raise ParameterError("tiers_not_monotone", worse_points=worse, better_points=better)

    @property
    def _higher_wins(self) -> bool:
        return self.basis is Basis.PERCENT or not self.lower_is_better

    def _ordered(self) -> tuple[Tier, ...]:
        """Return the tiers worst first."""
        return tuple(sorted(self.tiers, key=lambda tier: tier.threshold, reverse=not self._higher_wins))

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return self.basis is Basis.PERCENT

    def check(self, points: float) -> None:
        """Refuse a tier (or the fallback) worth more than the leaf."""
        require_at_most_points("tier_points", max(tier.points for tier in self.tiers), points)
        require_at_most_points("otherwise", self.otherwise, points)


    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit."""
        value = actual
        parts: Parts = {"actual": actual}
        if self.basis is Basis.PERCENT:
            refuse_negative("actual", actual)
            refuse_negative("target", target)
            value = completion_ratio(actual, target, self.lower_is_better) * 100
            parts.update(target=target, rate_pct=value)
        thresholds = np.array([tier.threshold for tier in self.tiers], dtype=np.float64)
        order = np.argsort(thresholds)
        thresholds = thresholds[order]
        tier_points = np.array([tier.points for tier in self.tiers], dtype=np.float64)[order]
        snapped = snap(value)
        if self._higher_wins:
            index = np.searchsorted(thresholds, snapped, side="right") - 1  # highest threshold ≤ value
            reached = index >= 0
        else:
            index = np.searchsorted(thresholds, snapped, side="left")  # lowest threshold ≥ value
            reached = index < thresholds.size
        safe = np.clip(index, 0, thresholds.size - 1)
        reached &= ~np.isnan(value)
        parts["threshold"] = np.where(reached, thresholds[safe], np.nan)
        parts["earned"] = np.where(reached, tier_points[safe], self.otherwise)
        return parts

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return one step: the value compared and the tier reached (or none)."""
        value = parts.get("rate_pct", parts["actual"])
        kind = f"{self.basis.value}.{'lower' if not self._higher_wins else 'higher'}"
        if math.isnan(parts["threshold"]):
            return (step(f"{self.key}.{kind}.below", parts["earned"], value=value, points=points),)
        return (
            step(f"{self.key}.{kind}", parts["earned"], value=value, threshold=parts["threshold"],
                 points=points),
        )
