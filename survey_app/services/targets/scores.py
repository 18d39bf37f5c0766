"""Scores of an indicator system (指标考评): every approved sheet's leaves scored by their
methods and summed up the tree, with each leaf's arithmetic in words.

The adapter from the stored sheets to ``analytics.targets``: one engine pass per leaf over
the column of every unit with an approved sheet (so rank methods rank among all of them),
one matrix product for the totals. A leaf's value is, in order: the judged score (judged
leaves), the verified value, and while the sheet's 核验 is not closed the unit's own 自评
value (预估, provisional); with none it is 未填报 and scores 0. A level-bonus leaf reads counts
per level the same way (verified counts, else the unit's while provisional) and the engine's
LevelBonus scores the units × levels matrix. A unit is **final** once the
sheet's ``verified_at`` is set. Totals are ranked by competition ranking on the total rounded
to 2 decimals (1, 2, 2, 4). Nothing is stored: every read recomputes (docs/targets.md, "Scores").
"""

import math
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import select

from analytics import targets as engine
from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.target import (
    IndicatorNode,
    IndicatorSystem,
    SheetState,
    SystemStatus,
    TargetResult,
    TargetSheet,
    UnitTarget,
)
from survey_app.services.targets import level_counts, score_wording
from survey_app.services.targets.methods import build_method, describe

#: Totals are compared (ranked, tied) at this many decimals, as they are shown.
RANK_DECIMALS = 2


@dataclass(frozen=True, slots=True)
class LeafRow:
    """One unit's score on one leaf, with what it was computed from."""

    code: str
    name: str
    unit_of_measure: str
    method: str
    points: float
    target: float | None
    difficulty: float
    value: float | None
    #: "judged", "verified", "self" (预估) or "none" (未填报).
    source: str
    earned: float
    wording: str
    is_missing: bool
    is_provisional: bool


@dataclass(frozen=True, slots=True)
class NodeRow:
    """A node of the tree for one unit: its points and what the unit earned under it."""

    code: str
    name: str
    depth: int
    points: float
    earned: float
    leaf: LeafRow | None


@dataclass(frozen=True, slots=True)
class UnitScore:
    unit_id: int
    unit_name: str
    sheet_id: int
    #: 核验 closed (verified_at set): the scores are final; otherwise 预估.
    is_final: bool
    total: float
    rank: int
    #: One per 一级指标, in SystemScores.top_level order.
    subtotals: tuple[float, ...]
    rows: tuple[NodeRow, ...]
    #: Names of leaves without a value (未填报, 0 points).
    missing: tuple[str, ...]
    provisional: int
    previous_total: float | None = None
    previous_rank: int | None = None

    @property
    def leaves(self) -> tuple[LeafRow, ...]:
        return tuple(row.leaf for row in self.rows if row.leaf is not None)

    @property
    def total_change(self) -> float | None:
        return None if self.previous_total is None else round(self.total - self.previous_total, RANK_DECIMALS)

    @property
    def rank_change(self) -> int | None:
        """Places gained since last year (positive: moved up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass(frozen=True, slots=True)
class TopLevel:
    code: str
    name: str
    points: float


@dataclass(frozen=True, slots=True)
class SystemScores:
    system_id: int
    year: int
    category: str
    title: str
    points: float
    top_level: tuple[TopLevel, ...]
    #: (code, name, points) of every leaf, in tree order.
    leaves: tuple[tuple[str, str, float], ...]
    #: By rank, then unit name.
    units: tuple[UnitScore, ...]
    #: All units with an approved sheet (a scoped view keeps fewer in ``units``).
    ranked: int
    previous: "SystemScores | None" = None

    def unit(self, unit_id: int) -> UnitScore | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sheet:
    id: int
    unit_id: int
    unit_name: str
    is_final: bool


@dataclass(frozen=True, slots=True)
class _Cell:
    """A unit's target and result on one leaf, as stored."""

    target: float | None
    difficulty: float
    has_result: bool
    self_value: float | None
    verified_value: float | None
    judged_score: float | None
    self_counts: dict | None = None
    verified_counts: dict | None = None


def _approved(system: IndicatorSystem) -> tuple[list[_Sheet], dict[tuple[int, int], _Cell]]:
    """The approved sheets (by unit name) and their (sheet, leaf) cells: two queries of plain rows."""
    approved = (TargetSheet.system_id == system.id, TargetSheet.state == SheetState.APPROVED)
    sheets = [_Sheet(sheet_id, unit_id, name, verified_at is not None) for sheet_id, unit_id, name, verified_at in
              db.session.execute(select(TargetSheet.id, TargetSheet.unit_id, Unit.name, TargetSheet.verified_at)
                                 .join(Unit, Unit.id == TargetSheet.unit_id).where(*approved)
                                 .order_by(Unit.name, TargetSheet.id))]
    rows = db.session.execute(
        select(UnitTarget.sheet_id, UnitTarget.node_id, UnitTarget.value, UnitTarget.difficulty, TargetResult.id,
               TargetResult.self_value, TargetResult.verified_value, TargetResult.judged_score,
               TargetResult.self_counts, TargetResult.verified_counts)
        .join(TargetSheet, TargetSheet.id == UnitTarget.sheet_id)
        .outerjoin(TargetResult, TargetResult.target_id == UnitTarget.id).where(*approved))
    cells = {(sheet_id, node_id): _Cell(value, difficulty, result_id is not None, own, verified, judged,
                                        own_counts, verified_counts)
             for sheet_id, node_id, value, difficulty, result_id, own, verified, judged, own_counts, verified_counts
             in rows}
    return sheets, cells


def _children(system: IndicatorSystem) -> dict[int | None, list[IndicatorNode]]:
    children: dict[int | None, list[IndicatorNode]] = defaultdict(list)
    for node in system.nodes:
        children[node.parent_id].append(node)
    for nodes in children.values():
        nodes.sort(key=lambda n: n.position)
    return children


def _scoring_method(node: IndicatorNode) -> engine.Method:
    return build_method(node.method or "judged", node.parameters, node.direction.value == "lower")


def _tree(system: IndicatorSystem) -> tuple[engine.CompiledTree, dict[str, IndicatorNode]]:
    children = _children(system)
    by_code: dict[str, IndicatorNode] = {}

    def indicator(node: IndicatorNode) -> engine.Indicator:
        by_code[node.code] = node
        kids = tuple(indicator(child) for child in children.get(node.id, ()))
        return engine.Indicator(node.code, node.name, points=node.points, weight=node.weight,
                                method=None if kids else _scoring_method(node), children=kids)

    root = engine.Indicator("", system.title, points=system.points,
                            children=tuple(indicator(n) for n in children.get(None, ())))
    return engine.compile_tree(root), by_code


def _value(node: IndicatorNode, result: _Cell | None, is_final: bool) -> tuple[float | list[float] | None, str]:
    if result is None or not result.has_result:
        return None, "none"
    if level_counts.is_level(node):
        if result.verified_counts is not None:
            return level_counts.row(node, result.verified_counts), "verified"
        if not is_final and result.self_counts is not None:
            return level_counts.row(node, result.self_counts), "self"
        return None, "none"
    if node.method == "judged":
        return (result.judged_score, "judged") if result.judged_score is not None else (None, "none")
    if result.verified_value is not None:
        return result.verified_value, "verified"
    if not is_final and result.self_value is not None:
        return result.self_value, "self"
    return None, "none"


def _matrix(rows: list, n: int, node: IndicatorNode) -> np.ndarray:
    """A level-bonus leaf's counts: units × levels (also when there are no units)."""
    return np.array(rows, dtype=float).reshape(n, len(level_counts.level_names(node)))


# ---- scoring ----------------------------------------------------------------------------------


def _reason(error: engine.ScoringError) -> str:
    numbers = {k: engine.format_number(v) if isinstance(v, float) else v for k, v in error.values.items()}
    if error.reason == "judged_out_of_range":
        return _("核验评定分 %(value)s 超出 0 至 %(points)s 分", value=numbers["value"], points=numbers["points"])
    if error.reason == "difficulty_out_of_range":
        return _("难度系数 %(value)s 应大于 0 且不超过 2", value=numbers["value"])
    if error.reason == "count_not_whole":
        return _("次数应为整数")
    if error.reason == "negative_value":
        return _("数值不能为负数")
    return error.reason


def _places(totals: np.ndarray) -> list[int]:
    if totals.size == 0:
        return []
    return [int(p) for p in engine.competition_places(np.round(totals, RANK_DECIMALS), False, RANK_DECIMALS)]


def score_system(system: IndicatorSystem, *, with_previous: bool = True, wording: bool = True) -> SystemScores:
    """Score every approved sheet of the system (ValidationFailed when a stored value
    cannot be scored, e.g. a judged score above its points). Without ``wording`` the
    leaves' arithmetic is left empty (rankings, totals and the plan need none: most of
    the time of a large system goes into wording 16,000 scores)."""
    try:
        tree, by_code = _tree(system)
    except engine.ScoringError as error:  # a stored tree was checked on import: not expected
        raise ValidationFailed(_("%(where)s无法计分：%(reason)s", where=_("考核细则"), reason=_reason(error))) from error
    sheets, cells = _approved(system)
    n = len(sheets)
    inputs: dict[str, tuple[list, list[float], list[float], list[str]]] = {}
    for code, method in zip(tree.leaf_keys, tree.leaf_methods, strict=True):
        node = by_code[code]
        actual, goals, difficulty, sources = inputs[code] = ([], [], [], [])
        # A level-bonus leaf's actual is a units × levels matrix of counts (a missing row: all NaN).
        blank = [np.nan] * len(level_counts.level_names(node)) if level_counts.is_level(node) else np.nan
        for sheet in sheets:
            cell = cells.get((sheet.id, node.id))
            value, source = _value(node, cell, sheet.is_final)
            goal = None if cell is None else cell.target
            if value is not None and goal is None and method.needs_target:
                value, source = None, "no_target"
            actual.append(blank if value is None else value)
            goals.append(np.nan if goal is None else goal)
            difficulty.append(1.0 if cell is None else cell.difficulty)
            sources.append(source)
    values = {code: engine.LeafValues(_matrix(a, n, by_code[code]) if level_counts.is_level(by_code[code])
                                      else np.array(a, dtype=float), np.array(g, dtype=float), np.array(d, dtype=float))
              for code, (a, g, d, _s) in inputs.items()}
    try:
        scores = engine.score_tree(tree, n, values)
    except engine.ScoringError as error:
        node = by_code.get(str(error.values.get("leaf", "")))
        where = _("指标 %(code)s“%(name)s”", code=node.code, name=node.name) if node else _("考核细则")
        raise ValidationFailed(_("%(where)s无法计分：%(reason)s", where=where, reason=_reason(error))) from error
    totals = scores.totals[:, 0]
    places = _places(totals)
    table = score_wording.templates() if wording else None
    top_level = tuple(TopLevel(k, tree.node_labels[i], float(tree.node_points[i]))
                      for i, k in enumerate(tree.node_keys) if tree.depths[i] == 1)
    leaves = {code: (by_code[code], describe(by_code[code].method, by_code[code].parameters)) for code in tree.leaf_keys}
    columns = _Columns.of(tree)
    units = [_unit_score(tree, columns, leaves, scores, inputs, cells, table, sheets[i], i, places[i]) for i in range(n)]
    units.sort(key=lambda u: (u.rank, u.unit_name))
    result = SystemScores(system.id, system.year, system.category, system.title, float(system.points), top_level,
                          tuple((k, by_code[k].name, float(p)) for k, p in zip(tree.leaf_keys, tree.leaf_points,
                                                                                   strict=True)),
                          tuple(units), n)
    if with_previous:
        result = _with_previous(result, previous_system(system))
    return result


@dataclass(frozen=True)
class _Columns:
    """The tree's columns as plain lists, read once per system (and each unit's rows once):
    indexing numpy arrays element by element cost most of a 200 × 80 system's time."""

    node_points: list[float]
    leaf_points: list[float]
    top_level: list[int]

    @classmethod
    def of(cls, tree) -> "_Columns":
        return cls(tree.node_points.tolist(), tree.leaf_points.tolist(),
                   [j for j, depth in enumerate(tree.depths) if depth == 1])


def _unit_score(tree, columns: _Columns, leaves, scores, inputs, cells, table, sheet: _Sheet, i: int,
                rank: int) -> UnitScore:
    leaf_rows: dict[str, LeafRow] = {}
    missing, provisional = [], 0
    totals, earned, missing_row = scores.totals[i].tolist(), scores.earned[i].tolist(), scores.missing[i].tolist()
    self_template = _("预估（自评值）：%(text)s", text="\0")
    for column, code in enumerate(tree.leaf_keys):
        node, method_text = leaves[code]
        source = inputs[code][3][i]
        target = cells.get((sheet.id, node.id))
        is_missing = missing_row[column]
        if table is None:
            wording = ""
        elif source == "no_target":
            wording = _("未定目标值，不能计分：计 0 分")
        else:
            wording = score_wording.word(scores.evaluations[column].score(i).steps, table)
            if source == "self":
                wording = self_template.replace("\0", wording)
        provisional += source == "self"
        if is_missing:
            missing.append(f"{node.code} {node.name}")
        actual = inputs[code][0][i]
        if isinstance(actual, list):  # a level-bonus leaf: its value is the number of awards
            actual = math.nan if any(math.isnan(c) for c in actual) else float(sum(actual))
        leaf_rows[code] = LeafRow(
            code=code, name=node.name, unit_of_measure=node.unit_of_measure,
            method=method_text, points=columns.leaf_points[column],
            target=None if target is None else target.target, difficulty=1.0 if target is None else target.difficulty,
            value=None if math.isnan(actual) else actual, source=source if not is_missing else "none",
            earned=earned[column], wording=wording, is_missing=is_missing,
            is_provisional=source == "self")
    rows = tuple(
        NodeRow(code=key, name=tree.node_labels[j], depth=tree.depths[j], points=columns.node_points[j],
                earned=totals[j], leaf=leaf_rows.get(key))
        for j, key in enumerate(tree.node_keys) if j > 0)
    subtotals = tuple(totals[j] for j in columns.top_level)
    return UnitScore(unit_id=sheet.unit_id, unit_name=sheet.unit_name, sheet_id=sheet.id,
                     is_final=sheet.is_final, total=totals[0], rank=rank,
                     subtotals=subtotals, rows=rows, missing=tuple(missing), provisional=provisional)


# ---- previous year, scope -------------------------------------------------------------------


def system_for(year: int, category: str) -> IndicatorSystem | None:
    """The year's system of the category: the published one, else the newest draft."""
    return db.session.scalars(
        select(IndicatorSystem).where(IndicatorSystem.year == year, IndicatorSystem.category == category)
        .order_by((IndicatorSystem.status == SystemStatus.PUBLISHED).desc(), IndicatorSystem.id.desc())).first()


def previous_system(system: IndicatorSystem) -> IndicatorSystem | None:
    """The system of the same category a year earlier, if any."""
    return system_for(system.year - 1, system.category)


def _with_previous(current: SystemScores, system: IndicatorSystem | None) -> SystemScores:
    if system is None:
        return current
    try:
        before = score_system(system, with_previous=False, wording=False)
    except ValidationFailed:  # last year's values cannot be scored: no comparison, this year still shown
        return current
    by_unit = {u.unit_id: u for u in before.units}
    units = tuple(replace(u, previous_total=by_unit[u.unit_id].total, previous_rank=by_unit[u.unit_id].rank)
                  if u.unit_id in by_unit else u for u in current.units)
    return replace(current, units=units, previous=before)


def scoped(scores: SystemScores, unit_ids: frozenset[int] | set[int] | None) -> SystemScores:
    """Keep only the rows of a scoped user's units; ranks stay the ranks among all units."""
    if unit_ids is None:
        return scores
    previous = scoped(scores.previous, unit_ids) if scores.previous is not None else None
    return replace(scores, units=tuple(u for u in scores.units if u.unit_id in unit_ids), previous=previous)


def unit_totals(system: IndicatorSystem) -> dict[int, UnitScore]:
    """Unit id → its score (the assessment reads these)."""
    return {u.unit_id: u for u in score_system(system, with_previous=False).units}
