"""The scoring-method library (评分标准): one frozen dataclass of parameters per rule.

Each method validates its parameters on construction (``ParameterError``) and against a
leaf's points in ``check(points)``. ``compute`` scores a whole column of units at once
with numpy and returns its intermediate arrays (``parts``, ``earned`` among them);
``describe`` turns one unit's parts into steps. Rows whose actual value is NaN
(missing) may come out as NaN: ``analytics.targets.scoring`` scores them 0.

The formulas, with worked examples, are in docs/targets.md.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
import numpy.typing as npt

from analytics.targets.errors import InputError, ParameterError
from analytics.targets.steps import Step, step

FloatArray = npt.NDArray[np.float64]
Parts = dict[str, FloatArray]

#: Float noise below this is ignored when counting whole steps (0.04 / 0.01 = 4.000000000000001).
SNAP_DECIMALS = 9


class Method(Protocol):
    """What every scoring method offers (see the module docstring)."""

    key: ClassVar[str]

    @property
    def needs_target(self) -> bool: ...

    def check(self, points: float) -> None: ...

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts: ...

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]: ...


class Basis(enum.Enum):
    """What a shortfall or a tier threshold is measured in."""

    #: Percent of the target (完成率 or 差距占目标的百分比).
    PERCENT = "percent"
    #: The indicator's own unit of measure (个, 亿元 …).
    ABSOLUTE = "absolute"


class StepRounding(enum.Enum):
    """How a shortfall that is not a whole number of steps is counted."""

    #: 4.5 steps deduct 4.5 × the step's points.
    PRORATE = "prorate"
    #: Every started step counts (4.5 → 5): "每低1%（不足1%按1%计）".
    STARTED = "started"
    #: Only completed steps count (4.5 → 4).
    COMPLETED = "completed"


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ParameterError("not_finite", name=name, value=value)


def _non_negative(name: str, value: float) -> None:
    _finite(name, value)
    if value < 0:
        raise ParameterError("negative", name=name, value=value)


def _positive(name: str, value: float) -> None:
    _finite(name, value)
    if value <= 0:
        raise ParameterError("not_positive", name=name, value=value)


def _at_most_points(name: str, value: float, points: float) -> None:
    if value > points + 1e-9:
        raise ParameterError("above_points", name=name, value=value, points=points)


def _refuse_negative(name: str, values: FloatArray) -> None:
    bad = values < 0  # NaN compares False, so missing values pass
    if bad.any():
        index = int(np.argmax(bad))
        raise InputError("negative_value", name=name, unit=float(index), value=float(values[index]))


def completion_ratio(actual: FloatArray, target: FloatArray, lower_is_better: bool) -> FloatArray:
    """Return actual/target (target/actual when lower is better), with zero denominators defined.

    A zero denominator gives inf when the numerator is positive (any result beats a zero
    target; no occurrences beat any positive limit) and 1 when both are zero (nothing
    asked, nothing done: met).
    """
    numerator, denominator = (target, actual) if lower_is_better else (actual, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    zero = denominator == 0
    return np.where(zero, np.where(numerator > 0, np.inf, 1.0), ratio)


def _snap(values: FloatArray) -> FloatArray:
    return np.round(values, SNAP_DECIMALS)


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
        _finite("cap", self.cap)
        _non_negative("floor", self.floor)
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
        _refuse_negative("actual", actual)
        _refuse_negative("target", target)
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
        _positive("step", self.step)
        _positive("per_step", self.per_step)
        _non_negative("floor", self.floor)

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return True

    def check(self, points: float) -> None:
        """Refuse a floor above the leaf's points."""
        _at_most_points("floor", self.floor, points)

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit."""
        gap = actual - target if self.lower_is_better else target - actual
        miss = np.maximum(gap, 0.0)
        parts: Parts = {"actual": actual, "target": target}
        if self.basis is Basis.PERCENT:
            _refuse_negative("actual", actual)
            _refuse_negative("target", target)
            with np.errstate(divide="ignore", invalid="ignore"):
                miss = np.where(miss == 0, 0.0, miss / target * 100)
                parts["rate_pct"] = np.where(target == 0, np.where(actual > 0, np.inf, 100.0),
                                             actual / target * 100)
        steps = _snap(miss / self.step)
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
            _finite("threshold", tier.threshold)
            _non_negative("tier_points", tier.points)
        _non_negative("otherwise", self.otherwise)
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
        _at_most_points("tier_points", max(tier.points for tier in self.tiers), points)
        _at_most_points("otherwise", self.otherwise, points)


    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit."""
        value = actual
        parts: Parts = {"actual": actual}
        if self.basis is Basis.PERCENT:
            _refuse_negative("actual", actual)
            _refuse_negative("target", target)
            value = completion_ratio(actual, target, self.lower_is_better) * 100
            parts.update(target=target, rate_pct=value)
        thresholds = np.array([tier.threshold for tier in self.tiers], dtype=np.float64)
        order = np.argsort(thresholds)
        thresholds = thresholds[order]
        tier_points = np.array([tier.points for tier in self.tiers], dtype=np.float64)[order]
        snapped = _snap(value)
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


# ---- count deductions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountDeduction:
    """发现问题一次扣 ``per_occurrence`` 分, at most ``cap`` (None: 扣完为止, the leaf's points)."""

    key: ClassVar[str] = "count_deduction"

    per_occurrence: float
    cap: float | None = None

    def __post_init__(self) -> None:
        _positive("per_occurrence", self.per_occurrence)
        if self.cap is not None:
            _positive("cap", self.cap)

    @property
    def needs_target(self) -> bool:
        """Whether the method reads the unit's target."""
        return False

    def check(self, points: float) -> None:
        """Accept any points (a cap above them is simply never reached)."""

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Score every unit; ``actual`` is the number of occurrences."""
        _refuse_negative("count", actual)
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
            _positive("level_points", level.points)
        if self.cap is not None:
            _positive("cap", self.cap)

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
        _refuse_negative("count", counts.ravel())
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
