"""Rank methods: they score a whole population of units at once.

Places are competition ranks (1, 2, 2, 4): units whose values are equal after rounding
to ``decimals`` share a place, and the next place skips. A unit without a value is not
ranked and scores 0 (``analytics.targets.scoring`` adds the missing step).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from analytics.targets.base import (
    FloatArray,
    Parts,
    require_at_most_points,
    require_non_negative,
    require_positive,
)
from analytics.targets.errors import InputError, ParameterError
from analytics.targets.steps import Step, step

#: Values equal to this many decimals tie (float noise from sums must not split a tie).
RANK_DECIMALS = 6


def competition_places(values: FloatArray, lower_is_better: bool, decimals: int = RANK_DECIMALS) -> FloatArray:
    """Return each value's place (1 = best; ties share, next place skips), NaN for NaN values."""
    rounded = np.round(values, decimals)
    keys = rounded if lower_is_better else -rounded
    present = ~np.isnan(keys)
    ordered = np.sort(keys[present])
    # Place = 1 + how many values are strictly better.
    places = np.searchsorted(ordered, keys, side="left").astype(np.float64) + 1
    return np.where(present, places, np.nan)


def _ties(places: FloatArray) -> FloatArray:
    """Return how many units share each unit's place (NaN for unranked units)."""
    present = ~np.isnan(places)
    shared, counts = np.unique(places[present], return_counts=True)
    ties = np.full(places.shape, np.nan)
    ties[present] = counts[np.searchsorted(shared, places[present])]
    return ties


@dataclass(frozen=True, slots=True)
class RankPoints:
    """在全市排名1–5名的依次赋予60、57、54、51、48分: places 1..k get their listed points,
    the others ``default``. Tied units share the place and its points."""

    key: ClassVar[str] = "rank_points"

    points_by_place: tuple[float, ...]
    default: float = 0.0
    lower_is_better: bool = False
    decimals: int = RANK_DECIMALS

    def __post_init__(self) -> None:
        if not self.points_by_place:
            raise ParameterError("no_places")
        for value in (*self.points_by_place, self.default):
            require_non_negative("place_points", value)
        listed = (*self.points_by_place, self.default)
        for place, (better, worse) in enumerate(zip(listed, listed[1:], strict=False), start=1):
            if worse > better:
                raise ParameterError("places_not_monotone", place=float(place), better_points=better,
                                     worse_points=worse)

    @property
    def needs_target(self) -> bool:
        """Rank methods read no target."""
        return False

    def check(self, points: float) -> None:
        """Refuse a first place worth more than the leaf."""
        require_at_most_points("place_points", self.points_by_place[0], points)

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Rank the population and give each place its points."""
        places = competition_places(actual, self.lower_is_better, self.decimals)
        table = np.array(self.points_by_place, dtype=np.float64)
        listed = places <= table.size  # False for NaN
        index = np.clip(np.nan_to_num(places, nan=1.0).astype(np.int64) - 1, 0, table.size - 1)
        earned = np.where(listed, table[index], self.default)
        return {"value": actual, "place": places, "tied": _ties(places),
                "listed": listed.astype(np.float64), "earned": earned}

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return one step: the place (shared or not) and its points."""
        suffix = ".tied" if parts["tied"] > 1 else ""
        if not parts["listed"]:
            return (step(f"{self.key}.beyond", parts["earned"], value=parts["value"], place=parts["place"],
                         places=float(len(self.points_by_place)), default=self.default),)
        return (step(f"{self.key}.place{suffix}", parts["earned"], value=parts["value"], place=parts["place"],
                     tied=parts["tied"], points=points),)


@dataclass(frozen=True, slots=True)
class RankProportional:
    """第1名得 ``first_points`` 分，第2–``places``名按第1名的比例得分, the others ``default``.

    得分 = first_points × 值/第1名的值 (第1名的值/值 when lower is better). Values must
    not be negative. ``places`` None: every ranked unit scores in proportion.
    """

    key: ClassVar[str] = "rank_proportional"

    first_points: float
    places: int | None = None
    default: float = 0.0
    lower_is_better: bool = False
    decimals: int = RANK_DECIMALS

    def __post_init__(self) -> None:
        require_positive("first_points", self.first_points)
        require_non_negative("default", self.default)
        if self.places is not None and self.places < 1:
            raise ParameterError("places_out_of_range", places=float(self.places))
        if self.default > self.first_points:
            raise ParameterError("default_above_first", default=self.default, first_points=self.first_points)

    @property
    def needs_target(self) -> bool:
        """Rank methods read no target."""
        return False

    def check(self, points: float) -> None:
        """Refuse a first place worth more than the leaf."""
        require_at_most_points("first_points", self.first_points, points)

    def compute(self, points: float, actual: FloatArray, target: FloatArray) -> Parts:
        """Rank the population and score each unit against the first place's value."""
        if (actual < 0).any():
            index = int(np.argmax(actual < 0))
            raise InputError("negative_value", name="value", unit=float(index), value=float(actual[index]))
        rounded = np.round(actual, self.decimals)
        places = competition_places(actual, self.lower_is_better, self.decimals)
        present = ~np.isnan(rounded)
        first = np.nan
        if present.any():
            first = float(rounded[present].min() if self.lower_is_better else rounded[present].max())
        numerator, denominator = (first, rounded) if self.lower_is_better else (rounded, first)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(places == 1, 1.0, numerator / denominator)
        within = places <= (self.places if self.places is not None else np.inf)
        earned = np.where(within, self.first_points * share, self.default)
        return {"value": rounded, "place": places, "tied": _ties(places), "first_value": np.full_like(rounded, first),
                "share": share, "within": within.astype(np.float64), "earned": earned}

    def describe(self, points: float, parts: Mapping[str, float]) -> tuple[Step, ...]:
        """Return one step: first place, proportional share, or beyond the scored places."""
        common = {"value": parts["value"], "place": parts["place"], "tied": parts["tied"]}
        if not parts["within"]:
            return (step(f"{self.key}.beyond", parts["earned"], **common,
                         places=float(self.places or 0), default=self.default),)
        if parts["place"] == 1:
            return (step(f"{self.key}.first", parts["earned"], **common, first_points=self.first_points),)
        direction = "lower" if self.lower_is_better else "higher"
        return (step(f"{self.key}.{direction}", parts["earned"], **common, first_value=parts["first_value"],
                     share_pct=parts["share"] * 100, first_points=self.first_points),)
