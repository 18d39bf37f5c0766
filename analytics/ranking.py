"""Rankings: competition ranks (1, 2, 2, 4) by index, overall and per category."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from analytics.types import IndexResult, RankEntry, Ranking


def competition_ranks(values: Sequence[float | None], decimals: int = 2) -> tuple[int | None, ...]:
    """Rank values descending; equal values (after rounding) share a rank; None is unranked."""
    present = np.array([v is not None for v in values], dtype=np.bool_)
    rounded = np.round(
        np.array([np.nan if v is None else v for v in values], dtype=np.float64),
        decimals,
    )
    ranked = np.sort(-rounded[present])
    # Rank = 1 + how many values are strictly greater.
    ranks = np.searchsorted(ranked, -rounded, side="left") + 1
    return tuple(int(r) if ok else None for r, ok in zip(ranks.tolist(), present.tolist(), strict=True))


def rank_results(
    results: Sequence[IndexResult], decimals: int = 2
) -> tuple[tuple[IndexResult, ...], Ranking, tuple[Ranking, ...]]:
    """Fill rank_overall and rank_in_category; return them with the overall and per-category rankings."""
    overall = competition_ranks([r.index for r in results], decimals)
    in_category: list[int | None] = [None] * len(results)
    categories = sorted({r.category for r in results})
    for category in categories:
        members = [i for i, r in enumerate(results) if r.category == category]
        for member, rank in zip(
            members,
            competition_ranks([results[i].index for i in members], decimals),
            strict=True,
        ):
            in_category[member] = rank
    ranked = tuple(
        replace(r, rank_overall=overall[i], rank_in_category=in_category[i]) for i, r in enumerate(results)
    )
    by_category = tuple(
        _ranking(category, [r for r in ranked if r.category == category], in_category=True)
        for category in categories
    )
    return ranked, _ranking(None, list(ranked), in_category=False), by_category


def _ranking(category: str | None, results: list[IndexResult], *, in_category: bool) -> Ranking:
    def rank_of(result: IndexResult) -> int | None:
        return result.rank_in_category if in_category else result.rank_overall

    def order(result: IndexResult) -> tuple[bool, int, int]:
        rank = rank_of(result)
        return (rank is None, rank or 0, result.entity)

    entries = tuple(RankEntry(r.entity, r.label, r.index, rank_of(r)) for r in sorted(results, key=order))
    return Ranking(category=category, entries=entries)
