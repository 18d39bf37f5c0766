"""Checking an indicator tree in its plain form (the JSON form's dicts, which the Excel
reader also produces): every node's code and place, the engine's own tree validation
(analytics.targets.validate_tree) and method parameter checks, each problem in Chinese
with where it is. Nothing here stores anything.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analytics import targets as engine
from analytics.targets import ParameterError
from survey_app.services.targets.methods import PARAMETER_NAMES, build_method

#: Deeper trees than this are refused (real 考核细则 have three or four levels).
MAX_DEPTH = 8
#: More indicators than this in one system are refused.
MAX_NODES = 2000


@dataclass(frozen=True)
class PlacedNode:
    """A node of the plain tree with its code ("1.2.3"), depth (1 for 一级指标), JSON path
    and parent code (None under the root)."""

    code: str
    depth: int
    path: tuple[Any, ...]
    parent: str | None
    data: Mapping[str, Any]


def placed_nodes(indicators: list[Mapping[str, Any]]) -> Iterator[PlacedNode]:
    """Yield every node depth first with its code, in order."""
    stack = [(item, f"{i + 1}", 1, ("indicators", i), None) for i, item in enumerate(indicators)]
    stack.reverse()
    while stack:
        item, code, depth, path, parent = stack.pop()
        yield PlacedNode(code, depth, path, parent, item)
        children = list(item.get("children") or ())
        stack.extend((child, f"{code}.{i + 1}", depth + 1, (*path, "children", i), code)
                     for i, child in reversed(list(enumerate(children))))


# ---- reasons in Chinese ----------------------------------------------------------------------

_PARAMETER_REASONS = {
    "not_finite": _l("%(name)s 必须是有限的数字"),
    "negative": _l("%(name)s 不能为负数（现为 %(value)s）"),
    "not_positive": _l("%(name)s 必须大于 0（现为 %(value)s）"),
    "above_points": _l("%(name)s %(value)s 超过了本指标的分值 %(points)s"),
    "cap_out_of_range": _l("上限应大于 0 且不超过 1（现为 %(cap)s）"),
    "floor_above_cap": _l("保底 %(floor)s 不能高于上限 %(cap)s"),
    "no_tiers": _l("至少需要一个档位"),
    "duplicate_threshold": _l("档位门槛不能重复"),
    "tiers_not_monotone": _l("较好档位的分值（%(better_points)s）不能低于较差档位（%(worse_points)s）"),
    "no_places": _l("至少需要一个名次的分值"),
    "places_not_monotone": _l("第 %(place)s 名之后的分值（%(worse_points)s）不能高于它（%(better_points)s）"),
    "places_out_of_range": _l("计比例的名次数至少为 1（现为 %(places)s）"),
    "default_above_first": _l("其余名次得分 %(default)s 不能高于第一名分值 %(first_points)s"),
    "no_levels": _l("至少需要一个级别"),
    "level_names_not_distinct": _l("级别名称不能为空，也不能重复"),
}
_TREE_REASONS = {
    "root_needs_points": _l("总分值必须填写"),
    "points_or_weight": _l("分值和权重必须填写其中一项，且只能填一项"),
    "points_out_of_range": _l("分值必须是不小于 0 的数字"),
    "weight_out_of_range": _l("权重必须是不小于 0 的数字"),
    "method_on_parent": _l("有下级指标的指标不设计分方法（计分方法只用于末级指标）"),
    "leaf_without_method": _l("末级指标必须有计分方法"),
    "mixed_children": _l("下级指标要么都填分值，要么都填权重，不能混用"),
    "weights_do_not_add_up": _l("下级指标的权重之和为 %(sum)s，应为 1"),
    "points_do_not_add_up": _l("下级指标的分值之和为 %(sum)s，与本级分值 %(points)s 不一致"),
    "duplicate_key": _l("编号重复"),
}


def _number(value: Any) -> Any:
    return engine.format_number(float(value)) if isinstance(value, int | float) else value


def parameter_reason(reason: str, values: Mapping[str, Any]) -> str:
    """A ParameterError's reason and numbers as one Chinese sentence."""
    shown = {name: _number(value) for name, value in values.items()}
    if "name" in values:
        shown["name"] = str(PARAMETER_NAMES.get(str(values["name"]), values["name"]))
    template = _PARAMETER_REASONS.get(reason)
    try:
        return _("计分方法的参数有误：%(reason)s", reason=(template % shown) if template else reason)
    except (KeyError, TypeError, ValueError):
        return _("计分方法的参数有误：%(reason)s", reason=reason)


def tree_reason(problem: engine.TreeProblem) -> str:
    """A TreeProblem as one Chinese sentence."""
    values = dict(problem.values)
    if problem.reason == "method_parameters":
        return parameter_reason(str(values.pop("rule", "")), values)
    template = _TREE_REASONS.get(problem.reason)
    if template is None:
        return problem.reason
    return str(template) % {name: _number(value) for name, value in values.items()}


# ---- the check -------------------------------------------------------------------------------


def tree_problems(points: float, indicators: list[Mapping[str, Any]], where: Callable[[PlacedNode | None], str]) -> list[str]:
    """Every problem of a plain tree whose shapes are sound, each as "where：why"; empty
    when the tree can be stored. `where(None)` names the system itself (the root)."""
    nodes = list(placed_nodes(indicators))
    if len(nodes) > MAX_NODES:
        return [_("指标过多：一个考核细则最多 %(max)d 个指标", max=MAX_NODES)]
    deep = next((node for node in nodes if node.depth > MAX_DEPTH), None)
    if deep is not None:
        return [_at(where(deep), _("指标层级过深：最多 %(max)d 级", max=MAX_DEPTH))]
    by_code = {node.code: node for node in nodes}
    problems: list[str] = []
    methods: dict[str, engine.Method | None] = {}
    for node in nodes:
        methods[node.code], problem = _method_of(node.data)
        if problem:
            problems.append(_at(where(node), problem))
    children: dict[str | None, list[PlacedNode]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    root = engine.Indicator("", "", points=points, children=_indicators(children, None, methods))
    for problem in engine.validate_tree(root):
        problems.append(_at(where(by_code.get(problem.key)), tree_reason(problem)))
    return problems


def _at(where: str, problem: str) -> str:
    return _("%(where)s：%(problem)s", where=where, problem=problem)


def _method_of(data: Mapping[str, Any]) -> tuple[engine.Method | None, str | None]:
    """The node's method, or a stand-in and the problem when its parameters are out of
    range (so that the tree's other checks still run)."""
    key = data.get("method")
    if key is None:
        return None, None
    try:
        return build_method(key, data.get("parameters"), data.get("direction") == "lower"), None
    except ParameterError as error:
        return engine.Judged(), parameter_reason(error.reason, error.values)


def _indicators(children: Mapping[str | None, list[PlacedNode]], parent: str | None,
                methods: Mapping[str, engine.Method | None]) -> tuple[engine.Indicator, ...]:
    return tuple(
        engine.Indicator(node.code, str(node.data.get("name", "")), points=_float(node.data.get("points")),
                         weight=_float(node.data.get("weight")), method=methods[node.code],
                         children=_indicators(children, node.code, methods))
        for node in children.get(parent, ())
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
