"""Score one leaf for a column of units: missing values, the method, the difficulty.

``evaluate`` is the vectorised pass (one call per leaf, numpy over the units);
``LeafEvaluation.score(i)`` writes one unit's arithmetic as steps only when asked.
``score_one`` and ``score_population`` are conveniences for a single unit and for a
population given as a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from analytics.targets.base import FloatArray, Method, Parts
from analytics.targets.errors import InputError, ParameterError
from analytics.targets.steps import Score, Step, step

#: A difficulty coefficient (难度系数) must lie in (0, MAX_DIFFICULTY].
MAX_DIFFICULTY = 2.0
MISSING_STEP = "missing"
DIFFICULTY_STEP = "difficulty"


def check_points(points: float) -> None:
    """Refuse a leaf's points that are negative or not finite."""
    if not (np.isfinite(points) and points >= 0):
        raise ParameterError("points_out_of_range", points=float(points))


def check_difficulty(coefficients: FloatArray) -> None:
    """Refuse a coefficient outside (0, MAX_DIFFICULTY] (NaN included)."""
    bad = ~((coefficients > 0) & (coefficients <= MAX_DIFFICULTY))
    if bad.any():
        index = int(np.argmax(bad.ravel()))
        raise ParameterError("difficulty_out_of_range", value=float(coefficients.ravel()[index]),
                             low=0.0, high=MAX_DIFFICULTY)


def _column(values: npt.ArrayLike | None, n_units: int, name: str) -> FloatArray:
    if values is None:
        return np.full(n_units, np.nan)
    array = np.asarray(values, dtype=np.float64)
    if array.shape[0] != n_units:
        raise InputError("length_mismatch", name=name, expected=float(n_units), got=float(array.shape[0]))
    return array


@dataclass(frozen=True, slots=True, eq=False)
class LeafEvaluation:
    """One leaf scored for every unit: ``earned`` (after difficulty) and the parts behind it."""

    method: Method
    points: float
    earned: FloatArray
    missing: npt.NDArray[np.bool_]
    parts: Parts = field(repr=False)

    def score(self, unit: int) -> Score:
        """Return unit ``unit``'s score with its steps."""
        if self.missing[unit]:
            return Score(self.points, 0.0, (step(MISSING_STEP, 0.0, points=self.points),), missing=True)
        at = {name: float(values[unit]) for name, values in self.parts.items()}
        steps: list[Step] = list(self.method.describe(self.points, at))
        if at["coefficient"] != 1:
            raw = at["earned"] * at["coefficient"]
            key = f"{DIFFICULTY_STEP}.capped" if raw > self.points else DIFFICULTY_STEP
            steps.append(step(key, at["final"], earned=at["earned"], coefficient=at["coefficient"],
                              raw=raw, points=self.points))
        return Score(self.points, float(self.earned[unit]), tuple(steps))

    def scores(self) -> tuple[Score, ...]:
        """Return every unit's score, in unit order."""
        return tuple(self.score(unit) for unit in range(self.earned.shape[0]))


def evaluate(
    method: Method,
    points: float,
    actual: npt.ArrayLike,
    target: npt.ArrayLike | None = None,
    difficulty: npt.ArrayLike | None = None,
) -> LeafEvaluation:
    """Score a leaf worth ``points`` for every unit at once.

    ``actual`` has one value per unit (NaN: missing, scored 0); LevelBonus takes a
    units × levels matrix of counts. ``target`` is needed by methods that read it; a
    missing target is refused. ``difficulty`` (one coefficient per unit, default 1)
    multiplies the earned points, and the result is capped at ``points``.
    """
    check_points(points)
    method.check(points)
    values = np.asarray(actual, dtype=np.float64)
    if values.ndim == 0:
        raise InputError("not_a_column", name="actual")
    n_units = values.shape[0]
    targets = _column(target, n_units, "target")
    # A LevelBonus row is missing only when every count is.
    missing = np.isnan(values) if values.ndim == 1 else np.isnan(values).all(axis=tuple(range(1, values.ndim)))
    if method.needs_target:
        absent = ~missing & np.isnan(targets)
        if absent.any():
            raise InputError("target_missing", unit=float(np.argmax(absent)))
    coefficients = _column(difficulty, n_units, "difficulty") if difficulty is not None else np.ones(n_units)
    check_difficulty(coefficients)
    # Tiny or zero denominators give infinite ratios on purpose; every method clips them.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        parts = method.compute(points, values, targets)
    earned = np.where(missing, 0.0, parts["earned"])
    final = np.where(missing, 0.0, np.minimum(earned * coefficients, points))
    parts = {**parts, "earned": earned, "coefficient": coefficients, "final": final}
    for array in (final, missing):
        array.flags.writeable = False  # the evaluation is frozen; so are its columns
    return LeafEvaluation(method, float(points), final, missing, parts)


def score_one(
    method: Method,
    points: float,
    actual: float | Sequence[float] | None,
    target: float | None = None,
    difficulty: float = 1.0,
) -> Score:
    """Score one unit (None: missing). A rank method ranks it alone (first place)."""
    if actual is None:
        row: list[object] = [np.nan]
    elif isinstance(actual, Sequence):
        row = [list(actual)]
    else:
        row = [actual]
    evaluation = evaluate(method, points, row, [np.nan if target is None else target], [difficulty])
    return evaluation.score(0)


def score_population(
    method: Method,
    points: float,
    actuals: Sequence[float | None],
    targets: Sequence[float | None] | None = None,
) -> tuple[Score, ...]:
    """Score a population of units (a rank method ranks them together); None is missing."""
    values = [np.nan if value is None else value for value in actuals]
    target_column = None if targets is None else [np.nan if value is None else value for value in targets]
    if not values:
        return ()
    return evaluate(method, points, values, target_column).scores()
