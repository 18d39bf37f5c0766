"""Extra questions: choice tallies by respondent group and statistics of number answers.

Pure like the rest of the package: plain tuples and numpy arrays in, frozen dataclasses
out. Which groups may be shown is the caller's decision (their minimum sizes); these
functions count what they are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class ChoiceTally:
    """Counts of each option per group, with the respondents who answered.

    ``counts[group][option]``; ``respondents[group]`` is the number of ballots that chose
    at least one option (the denominator of a share: with multiple choice the shares of a
    group add up to more than 100 %). The total row sums the groups given.
    """

    option_labels: tuple[str, ...]
    group_labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    respondents: tuple[int, ...]
    total_counts: tuple[int, ...]
    total_respondents: int

    def shares(self, group: int | None = None) -> tuple[float | None, ...]:
        """Each option's share of the group's respondents (the total when group is None)."""
        counts = self.total_counts if group is None else self.counts[group]
        base = self.total_respondents if group is None else self.respondents[group]
        return tuple(count / base if base else None for count in counts)


def choice_tally(
    option_labels: Sequence[str],
    group_labels: Sequence[str],
    ballot: np.ndarray,
    group: np.ndarray,
    option: np.ndarray,
) -> ChoiceTally:
    """Count chosen options per group.

    One entry per chosen option: the ballot's number, its group index and the option's
    index (-1 for a value that is no longer an option, which is not counted).
    """
    n_groups, n_options = len(group_labels), len(option_labels)
    ballot, group, option = (np.asarray(a, dtype=np.int64) for a in (ballot, group, option))
    valid = (option >= 0) & (option < n_options) & (group >= 0) & (group < n_groups)
    ballot, group, option = ballot[valid], group[valid], option[valid]
    counts = np.zeros((n_groups, n_options), dtype=np.int64)
    np.add.at(counts, (group, option), 1)
    respondents = np.zeros(n_groups, dtype=np.int64)
    if len(ballot):
        # A ballot belongs to one group: count each (group, ballot) pair once.
        pairs = np.unique(np.stack([group, ballot]), axis=1)
        np.add.at(respondents, pairs[0], 1)
    return ChoiceTally(
        option_labels=tuple(option_labels),
        group_labels=tuple(group_labels),
        counts=tuple(tuple(int(c) for c in row) for row in counts),
        respondents=tuple(int(r) for r in respondents),
        total_counts=tuple(int(c) for c in counts.sum(axis=0)),
        total_respondents=int(respondents.sum()),
    )


@dataclass(frozen=True, slots=True)
class NumberSummary:
    """n, mean, median, extremes and quartiles of number answers (None when n is 0)."""

    n: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    q1: float | None
    q3: float | None


def number_summary(values: Sequence[float] | np.ndarray) -> NumberSummary:
    """Summarise number answers; quartiles by linear interpolation (numpy's default)."""
    array = np.asarray(values, dtype=np.float64)
    array = array[np.isfinite(array)]
    if not len(array):
        return NumberSummary(0, None, None, None, None, None, None)
    q1, median, q3 = (float(q) for q in np.quantile(array, [0.25, 0.5, 0.75]))
    return NumberSummary(
        n=int(len(array)),
        mean=float(array.mean()),
        median=median,
        minimum=float(array.min()),
        maximum=float(array.max()),
        q1=q1,
        q3=q3,
    )
