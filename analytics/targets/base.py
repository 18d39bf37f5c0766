"""What every scoring method shares: the Method protocol, enums, parameter checks, ratios.

A method validates its parameters on construction (``ParameterError``) and against a
leaf's points in ``check(points)``. ``compute`` scores a whole column of units at once
with numpy and returns its intermediate arrays (``parts``, ``earned`` among them);
``describe`` turns one unit's parts into steps. Rows whose actual value is NaN
(missing) may come out as NaN: ``analytics.targets.scoring`` scores them 0.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import ClassVar, Protocol

import numpy as np
import numpy.typing as npt

from analytics.targets.errors import InputError, ParameterError
from analytics.targets.steps import Step

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


def require_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ParameterError("not_finite", name=name, value=value)


def require_non_negative(name: str, value: float) -> None:
    require_finite(name, value)
    if value < 0:
        raise ParameterError("negative", name=name, value=value)


def require_positive(name: str, value: float) -> None:
    require_finite(name, value)
    if value <= 0:
        raise ParameterError("not_positive", name=name, value=value)


def require_at_most_points(name: str, value: float, points: float) -> None:
    if value > points + 1e-9:
        raise ParameterError("above_points", name=name, value=value, points=points)


def refuse_negative(name: str, values: FloatArray) -> None:
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


def snap(values: FloatArray) -> FloatArray:
    return np.round(values, SNAP_DECIMALS)
