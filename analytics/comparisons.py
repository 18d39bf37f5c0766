"""Comparisons: against last year, the predecessor in the post, the unit and the survey."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analytics.types import Comparison, IndexResult


def average_index(results: Sequence[IndexResult]) -> float | None:
    """Return the plain mean of the indices that exist, or None."""
    values = [r.index for r in results if r.index is not None]
    return sum(values) / len(values) if values else None


def compare_results(
    results: Sequence[IndexResult],
    *,
    previous: Mapping[str, float | None] | None = None,
    predecessors: Mapping[str, str] | None = None,
) -> tuple[Comparison, ...]:
    """Compare each result with its previous index, its predecessor's, its unit's and the survey's average.

    ``previous`` maps result keys to last year's index; ``predecessors`` maps a
    key to the key of whoever held the post before, looked up in ``previous``.
    The unit average is the plain mean of the indices of the subjects of the
    same unit (the subject included); the survey average that of all results.
    A delta is None when either side is.
    """
    previous = previous or {}
    predecessors = predecessors or {}
    survey_average = average_index(results)
    members: dict[int, list[IndexResult]] = {}
    for result in results:
        if result.unit >= 0:
            members.setdefault(result.unit, []).append(result)
    unit_averages = {unit: average_index(group) for unit, group in members.items()}
    comparisons = []
    for result in results:
        last_year = previous.get(result.key) if result.key else None
        predecessor_key = predecessors.get(result.key) if result.key else None
        predecessor_index = previous.get(predecessor_key) if predecessor_key else None
        unit_average = unit_averages.get(result.unit)
        comparisons.append(
            Comparison(
                entity=result.entity,
                key=result.key,
                index=result.index,
                previous=last_year,
                delta_previous=_delta(result.index, last_year),
                predecessor_key=predecessor_key,
                predecessor_index=predecessor_index,
                delta_predecessor=_delta(result.index, predecessor_index),
                unit_average=unit_average,
                delta_unit=_delta(result.index, unit_average),
                survey_average=survey_average,
                delta_survey=_delta(result.index, survey_average),
            )
        )
    return tuple(comparisons)


def _delta(value: float | None, reference: float | None) -> float | None:
    return None if value is None or reference is None else value - reference
