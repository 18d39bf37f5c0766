"""Properties of the scoring engine, checked with hypothesis on random methods, values and trees."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.targets import (
    Basis,
    CompletionRatio,
    CountDeduction,
    Indicator,
    Judged,
    LeafValues,
    LinearDeduction,
    Method,
    RankPoints,
    RankProportional,
    StepRounding,
    Tier,
    Tiers,
    compile_tree,
    evaluate,
    score_one,
    score_population,
    score_tree,
)

FAST = settings(max_examples=60, deadline=None)
SLACK = 1e-9
counter = itertools.count()

points_st = st.floats(0.5, 100)
value_st = st.one_of(st.none(), st.floats(0, 500))
fraction_st = st.floats(0, 1)


@st.composite
def method_for(draw: st.DrawFn, points: float) -> Method:
    """A random method whose parameters fit a leaf worth ``points``."""
    kind = draw(st.sampled_from(["completion", "linear", "tiers", "count", "judged", "rank", "proportional"]))
    lower = draw(st.booleans())
    if kind == "completion":
        cap = draw(st.floats(0.05, 1))
        return CompletionRatio(cap=cap, floor=draw(fraction_st) * cap, lower_is_better=lower)
    if kind == "linear":
        return LinearDeduction(step=draw(st.floats(0.1, 10)), per_step=draw(st.floats(0.01, 5)),
                               floor=draw(fraction_st) * points, basis=draw(st.sampled_from(Basis)),
                               rounding=draw(st.sampled_from(StepRounding)), lower_is_better=lower)
    if kind == "tiers":
        thresholds = draw(st.lists(st.floats(0, 300), min_size=1, max_size=4, unique=True))
        shares = sorted(draw(st.lists(fraction_st, min_size=len(thresholds) + 1, max_size=len(thresholds) + 1)))
        ordered = sorted(thresholds, reverse=lower)  # worst first
        return Tiers(tuple(Tier(t, s * points) for t, s in zip(ordered, shares[1:], strict=True)),
                     otherwise=shares[0] * points, lower_is_better=lower)
    if kind == "count":
        cap = draw(st.one_of(st.none(), st.floats(0.1, 200)))
        return CountDeduction(per_occurrence=draw(st.floats(0.1, 20)), cap=cap)
    if kind == "judged":
        return Judged()
    if kind == "rank":
        shares = sorted(draw(st.lists(fraction_st, min_size=2, max_size=6)), reverse=True)
        return RankPoints(tuple(s * points for s in shares[:-1]), default=shares[-1] * points,
                          lower_is_better=lower)
    first = draw(st.floats(0.1, 1)) * points
    return RankProportional(first, places=draw(st.one_of(st.none(), st.integers(1, 6))),
                            default=draw(fraction_st) * first, lower_is_better=lower)


def values_for(draw: st.DrawFn, method: Method, points: float, n: int) -> list[float | None]:
    if isinstance(method, Judged):
        return draw(st.lists(st.one_of(st.none(), st.floats(0, 1).map(lambda f: f * points)),
                             min_size=n, max_size=n))
    if isinstance(method, CountDeduction):
        return draw(st.lists(st.one_of(st.none(), st.integers(0, 30).map(float)), min_size=n, max_size=n))
    return draw(st.lists(value_st, min_size=n, max_size=n))


@st.composite
def leaf_case(draw: st.DrawFn) -> tuple[Method, float, list[float | None], list[float], list[float]]:
    points = draw(points_st)
    method = draw(method_for(points))
    n = draw(st.integers(0, 12))
    actual = values_for(draw, method, points, n)
    target = draw(st.lists(st.floats(0, 500), min_size=n, max_size=n))
    difficulty = draw(st.lists(st.floats(0.5, 2), min_size=n, max_size=n))
    return method, points, actual, target, difficulty


def column(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


@FAST
@given(leaf_case())
def test_scores_lie_between_zero_and_points(case: tuple) -> None:
    method, points, actual, target, difficulty = case
    evaluation = evaluate(method, points, column(actual), target, difficulty)
    assert np.all(evaluation.earned >= 0)
    assert np.all(evaluation.earned <= points + SLACK)
    assert np.all(evaluation.earned[evaluation.missing] == 0)


@FAST
@given(leaf_case())
def test_one_unit_explained_equals_the_vectorised_pass(case: tuple) -> None:
    method, points, actual, target, difficulty = case
    if isinstance(method, RankPoints | RankProportional):
        return  # a population method scored alone is first; covered by the rank tests
    evaluation = evaluate(method, points, column(actual), target, difficulty)
    for unit, value in enumerate(actual):
        single = score_one(method, points, value, target[unit], difficulty[unit])
        assert single.earned == evaluation.earned[unit]
        assert single.missing == (value is None)
        assert single.steps[-1].result == single.earned


@FAST
@given(st.data())
def test_rank_methods_are_invariant_to_the_order_of_input(data: st.DataObject) -> None:
    points = data.draw(points_st)
    method = data.draw(method_for(points).filter(lambda m: isinstance(m, RankPoints | RankProportional)))
    values = data.draw(st.lists(st.one_of(st.none(), st.integers(0, 8).map(float), st.floats(0, 100)),
                                max_size=12))
    order = data.draw(st.permutations(range(len(values))))
    straight = score_population(method, points, values)
    shuffled = score_population(method, points, [values[i] for i in order])
    assert [shuffled[k].earned for k in range(len(order))] == [straight[i].earned for i in order]


@st.composite
def tree_st(draw: st.DrawFn) -> Indicator:
    """A random sound tree of depth ≤ 3: children split their parent's points, or weights."""

    def node(points: float, weight: float | None, depth: int) -> Indicator:
        key = f"n{next(counter)}"
        own = None if weight is not None else points
        if depth >= 3 or draw(st.booleans()) and depth > 0:
            return Indicator(key, key, own, weight, method=draw(method_for(points)))
        n = draw(st.integers(1, 4))
        raw = draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n))
        shares = [r / sum(raw) for r in raw]
        by_weight = draw(st.booleans())
        if by_weight:
            shares[-1] = 1 - sum(shares[:-1])
            children = tuple(node(points * s, s, depth + 1) for s in shares)
        else:
            parts = [points * s for s in shares[:-1]]
            parts.append(points - sum(parts))
            children = tuple(node(p, None, depth + 1) for p in parts)
        return Indicator(key, key, own, weight, children=children)

    return node(draw(st.floats(1, 100)), None, 0)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_trees_total_never_exceeds_its_points(data: st.DataObject) -> None:
    tree = compile_tree(data.draw(tree_st()))
    n = data.draw(st.integers(1, 8))
    values = {}
    for key, method, points in zip(tree.leaf_keys, tree.leaf_methods, tree.leaf_points, strict=True):
        actual = column(values_for(data.draw, method, float(points), n))
        target = data.draw(st.lists(st.floats(0, 500), min_size=n, max_size=n))
        difficulty = data.draw(st.lists(st.floats(0.5, 2), min_size=n, max_size=n))
        values[key] = LeafValues(actual, target, difficulty)
    scores = score_tree(tree, n, values)
    assert np.all(scores.totals <= tree.node_points + 1e-6)
    assert np.all(scores.totals >= 0)
    # Each parent's total is the sum of its children's; the root's is the sum of all leaves.
    for index in range(len(tree.node_keys)):
        children = [child for child, parent in enumerate(tree.parents) if parent == index]
        if children:
            assert np.allclose(scores.totals[:, index], scores.totals[:, children].sum(axis=1))
    assert np.allclose(scores.totals[:, 0], scores.earned.sum(axis=1))
