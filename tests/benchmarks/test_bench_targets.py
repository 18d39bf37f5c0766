"""Benchmark of the 指标考评 engine: 200 units × 80 leaf indicators scored and summed.

The baseline is a plain numpy pass over the same values (completion ratios clipped and
summed), the floor any engine with per-rule arithmetic can approach. Run
``pytest tests/benchmarks --benchmark-enable`` for timings.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from analytics.targets import (
    CompletionRatio,
    CountDeduction,
    Indicator,
    LeafValues,
    LinearDeduction,
    RankProportional,
    Tier,
    Tiers,
    compile_tree,
    score_tree,
)

UNITS = 200
FIRST, SECOND, LEAVES = 4, 4, 5  # 4 × 4 × 5 = 80 leaves
METHODS = (
    CompletionRatio(),
    LinearDeduction(step=1, per_step=0.05),
    Tiers((Tier(100, 1.25), Tier(90, 1.0), Tier(80, 0.5))),
    CountDeduction(per_occurrence=0.5),
    RankProportional(first_points=1.25, places=5),
)


@functools.lru_cache(maxsize=1)
def case() -> tuple:
    """Return the compiled tree (100 points, 1.25 a leaf) and seeded values for every leaf."""
    rng = np.random.default_rng(2026)
    second = tuple(
        Indicator(f"{a}.{b}", "", 6.25, children=tuple(
            Indicator(f"{a}.{b}.{c}", "", 1.25, method=METHODS[c]) for c in range(LEAVES)))
        for a in range(FIRST) for b in range(SECOND)
    )
    first = tuple(Indicator(str(a), "", 25, children=second[a * SECOND:(a + 1) * SECOND]) for a in range(FIRST))
    tree = compile_tree(Indicator("root", "", 100, children=first))
    actual = rng.uniform(60, 120, (UNITS, len(tree.leaf_keys)))
    counts = rng.integers(0, 4, (UNITS, len(tree.leaf_keys))).astype(np.float64)
    target = np.full((UNITS, len(tree.leaf_keys)), 100.0)
    values = {
        key: LeafValues(counts[:, j] if isinstance(method, CountDeduction) else actual[:, j], target[:, j])
        for j, (key, method) in enumerate(zip(tree.leaf_keys, tree.leaf_methods, strict=True))
    }
    return tree, values, actual, target


def test_bench_score_tree_200_units_80_leaves(benchmark: pytest.FixtureRequest) -> None:
    tree, values, _, _ = case()
    scores = benchmark(score_tree, tree, UNITS, values)
    assert scores.totals.shape == (UNITS, 1 + FIRST + FIRST * SECOND + FIRST * SECOND * LEAVES)
    assert np.all(scores.total("root") <= 100 + 1e-9)


def test_bench_plain_numpy_baseline(benchmark: pytest.FixtureRequest) -> None:
    tree, _, actual, target = case()

    def baseline() -> np.ndarray:
        earned = np.clip(actual / target, 0, 1) * tree.leaf_points
        return earned @ tree.incidence.T

    totals = benchmark(baseline)
    assert totals.shape[0] == UNITS
