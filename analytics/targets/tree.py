"""Indicator trees (一级/二级/三级指标): validation, and scores summed up the tree.

A node carries ``points`` (分值) or a ``weight`` (share of its parent's points); the
children of one parent use one or the other. Pointed children must add up to their
parent's points within ``TOLERANCE``; weighted children's weights must sum to 1 within it.
Leaves carry a scoring method; parents never do.

``score_tree`` scores every leaf for every unit (one numpy pass per leaf) and sums leaf
scores into every node's total with one matrix product (units × leaves @ leaves × nodes).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from analytics.targets.base import FloatArray, Method
from analytics.targets.errors import InputError, ParameterError, TreeError
from analytics.targets.scoring import LeafEvaluation, evaluate
from analytics.targets.steps import Score

TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Indicator:
    """A node of the tree: a leaf when it has no children (then it needs a ``method``)."""

    key: str
    label: str
    points: float | None = None
    weight: float | None = None
    method: Method | None = None
    children: tuple[Indicator, ...] = ()


@dataclass(frozen=True, slots=True)
class TreeProblem:
    """One node that does not add up or is ill-formed: its key, a reason key and numbers."""

    key: str
    reason: str
    values: tuple[tuple[str, float | str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Resolved:
    node: Indicator
    points: float
    parent: int | None
    depth: int


def _walk(root: Indicator) -> Iterator[_Resolved]:
    """Yield nodes depth first (root first) with their effective points and parent index."""
    stack: list[tuple[Indicator, float | None, int | None, int]] = [(root, None, None, 0)]
    index = 0
    while stack:
        node, parent_points, parent, depth = stack.pop()
        if node.points is not None or parent_points is None:
            points = node.points if node.points is not None else math.nan
        else:
            points = parent_points * (node.weight if node.weight is not None else math.nan)
        yield _Resolved(node, points, parent, depth)
        mine = index
        index += 1
        stack.extend((child, points, mine, depth + 1) for child in reversed(node.children))


def _node_problems(item: _Resolved, is_root: bool) -> list[TreeProblem]:
    node, problems = item.node, []
    if is_root and node.points is None:
        problems.append(TreeProblem(node.key, "root_needs_points"))
    elif not is_root and (node.points is None) == (node.weight is None):
        problems.append(TreeProblem(node.key, "points_or_weight"))
    for name in ("points", "weight"):
        value = getattr(node, name)
        if value is not None and not (math.isfinite(value) and value >= 0):
            problems.append(TreeProblem(node.key, f"{name}_out_of_range", ((name, float(value)),)))
    if node.children and node.method is not None:
        problems.append(TreeProblem(node.key, "method_on_parent"))
    if not node.children and node.method is None:
        problems.append(TreeProblem(node.key, "leaf_without_method"))
    if node.method is not None and math.isfinite(item.points):
        try:
            node.method.check(item.points)
        except ParameterError as error:
            problems.append(TreeProblem(node.key, "method_parameters",
                                        (("rule", error.reason), *error.values.items())))
    return problems


def _children_problems(node: Indicator) -> list[TreeProblem]:
    if not node.children:
        return []
    weighted = [child.weight is not None for child in node.children]
    if any(weighted) and not all(weighted):
        return [TreeProblem(node.key, "mixed_children")]
    if all(weighted):
        total = math.fsum(child.weight or 0.0 for child in node.children)
        if abs(total - 1) > TOLERANCE:
            return [TreeProblem(node.key, "weights_do_not_add_up", (("sum", total),))]
        return []
    total = math.fsum(child.points or 0.0 for child in node.children)
    if node.points is not None and abs(total - node.points) > TOLERANCE:
        return [TreeProblem(node.key, "points_do_not_add_up", (("points", node.points), ("sum", total)))]
    return []


def validate_tree(root: Indicator) -> tuple[TreeProblem, ...]:
    """List every problem of the tree (empty when it is sound)."""
    problems: list[TreeProblem] = []
    seen: set[str] = set()
    for item in _walk(root):
        if item.node.key in seen:
            problems.append(TreeProblem(item.node.key, "duplicate_key"))
        seen.add(item.node.key)
        problems.extend(_node_problems(item, item.parent is None))
        problems.extend(_children_problems(item.node))
    return tuple(problems)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledTree:
    """A sound tree flattened for scoring: nodes depth first, leaves in that order.

    ``incidence[n, l]`` is 1 when leaf ``l`` lies under node ``n`` (itself included).
    """

    root: Indicator
    node_keys: tuple[str, ...]
    node_labels: tuple[str, ...]
    node_points: FloatArray
    parents: tuple[int | None, ...]
    depths: tuple[int, ...]
    leaf_keys: tuple[str, ...]
    leaf_methods: tuple[Method, ...]
    leaf_points: FloatArray
    incidence: FloatArray = field(repr=False)


def compile_tree(root: Indicator) -> CompiledTree:
    """Validate and flatten a tree; raise TreeError listing every problem."""
    problems = validate_tree(root)
    if problems:
        raise TreeError(problems)
    resolved = list(_walk(root))
    leaves = [i for i, item in enumerate(resolved) if not item.node.children]
    incidence = np.zeros((len(resolved), len(leaves)))
    for column, leaf in enumerate(leaves):
        node: int | None = leaf
        while node is not None:  # climb to the root: depth × leaves steps, once per tree
            incidence[node, column] = 1.0
            node = resolved[node].parent
    return CompiledTree(
        root=root,
        node_keys=tuple(item.node.key for item in resolved),
        node_labels=tuple(item.node.label for item in resolved),
        node_points=np.array([item.points for item in resolved]),
        parents=tuple(item.parent for item in resolved),
        depths=tuple(item.depth for item in resolved),
        leaf_keys=tuple(resolved[i].node.key for i in leaves),
        leaf_methods=tuple(resolved[i].node.method for i in leaves if resolved[i].node.method is not None),
        leaf_points=np.array([resolved[i].points for i in leaves]),
        incidence=incidence,
    )


@dataclass(frozen=True, slots=True, eq=False)
class LeafValues:
    """One leaf's values for every unit: actual (NaN missing; counts matrix for LevelBonus),
    target (for the methods that read it) and difficulty coefficients (default 1)."""

    actual: npt.ArrayLike
    target: npt.ArrayLike | None = None
    difficulty: npt.ArrayLike | None = None


@dataclass(frozen=True, slots=True, eq=False)
class TreeScores:
    """Every unit's score on every leaf and every node's total.

    ``earned`` and ``missing`` are units × leaves, ``totals`` units × nodes (column 0 is
    the root), in the order of ``tree.leaf_keys`` and ``tree.node_keys``.
    """

    tree: CompiledTree
    earned: FloatArray
    missing: npt.NDArray[np.bool_]
    totals: FloatArray
    evaluations: tuple[LeafEvaluation, ...] = field(repr=False)

    def explain(self, unit: int, leaf_key: str) -> Score:
        """Return one unit's score on one leaf with its steps."""
        return self.evaluations[self.tree.leaf_keys.index(leaf_key)].score(unit)

    def total(self, node_key: str) -> FloatArray:
        """Return every unit's total under a node (the node's own points at most)."""
        return self.totals[:, self.tree.node_keys.index(node_key)]


def score_tree(tree: CompiledTree, n_units: int, values: Mapping[str, LeafValues]) -> TreeScores:
    """Score ``n_units`` units on every leaf and sum up the tree.

    A leaf absent from ``values`` is missing for every unit (0 points, a missing step).
    """
    unknown = sorted(set(values) - set(tree.leaf_keys))
    if unknown:
        raise InputError("unknown_leaf", key=unknown[0])
    absent = LeafValues(np.full(n_units, np.nan))
    evaluations = []
    for key, method, points in zip(tree.leaf_keys, tree.leaf_methods, tree.leaf_points, strict=True):
        given = values.get(key, absent)
        try:
            evaluation = evaluate(method, float(points), given.actual, given.target, given.difficulty)
            if evaluation.earned.shape[0] != n_units:
                raise InputError("length_mismatch", name="actual", expected=float(n_units),
                                 got=float(evaluation.earned.shape[0]))
            evaluations.append(evaluation)
        except (InputError, ParameterError) as error:
            # Name the leaf so the caller can point at the right row.
            raise type(error)(error.reason, leaf=key, **error.values) from error
    earned = np.column_stack([e.earned for e in evaluations]) if evaluations else np.zeros((n_units, 0))
    missing = np.column_stack([e.missing for e in evaluations]) if evaluations else np.zeros((n_units, 0), bool)
    totals = earned @ tree.incidence.T
    for array in (earned, missing, totals):
        array.flags.writeable = False
    return TreeScores(tree, earned, missing, totals, tuple(evaluations))
