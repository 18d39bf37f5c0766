"""The library of scoring methods as stored: a key, its parameters as JSON, its name and a
description in words; built into analytics.targets methods (which check their ranges).

The direction (higher or lower is better) is the indicator's, not a parameter: it is
passed to the methods that read it.
"""

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analytics import targets as engine
from analytics.targets import Basis, StepRounding

#: Method key → its name in the 考核细则 (the sheet's 计分方法 column).
METHOD_NAMES = {
    "completion_ratio": _l("完成率计分"),
    "linear_deduction": _l("按差距扣分"),
    "tiers": _l("分档计分"),
    "rank_points": _l("按名次赋分"),
    "rank_proportional": _l("按第一名比例计分"),
    "count_deduction": _l("按次扣分"),
    "level_bonus": _l("按级别加分"),
    "judged": _l("核验评定"),
}
METHOD_KEYS = tuple(METHOD_NAMES)
#: Parameters' names in words, for messages.
PARAMETER_NAMES = {
    "cap": _l("上限"), "floor": _l("保底"), "step": _l("步长"), "per_step": _l("每步扣分"),
    "threshold": _l("档位门槛"), "tier_points": _l("档位分值"), "otherwise": _l("未达档得分"),
    "place_points": _l("名次分值"), "first_points": _l("第一名分值"), "default": _l("其余名次得分"),
    "per_occurrence": _l("每次扣分"), "level_points": _l("级别分值"), "places": _l("计比例的名次数"),
}


def _tiers(params: Mapping[str, Any]) -> tuple[engine.Tier, ...]:
    return tuple(engine.Tier(float(t["threshold"]), float(t["points"])) for t in params.get("tiers", ()))


def _levels(params: Mapping[str, Any]) -> tuple[engine.Level, ...]:
    return tuple(engine.Level(str(level["name"]), float(level["points"])) for level in params.get("levels", ()))


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


_BUILDERS: dict[str, Callable[[Mapping[str, Any], bool], engine.Method]] = {
    "completion_ratio": lambda p, lower: engine.CompletionRatio(
        cap=float(p.get("cap", 1)), floor=float(p.get("floor", 0)), lower_is_better=lower),
    "linear_deduction": lambda p, lower: engine.LinearDeduction(
        step=float(p["step"]), per_step=float(p["per_step"]), floor=float(p.get("floor", 0)),
        basis=Basis(p.get("basis", "percent")), rounding=StepRounding(p.get("rounding", "prorate")),
        lower_is_better=lower),
    "tiers": lambda p, lower: engine.Tiers(
        tiers=_tiers(p), otherwise=float(p.get("otherwise", 0)), basis=Basis(p.get("basis", "absolute")),
        lower_is_better=lower),
    "rank_points": lambda p, lower: engine.RankPoints(
        points_by_place=tuple(float(x) for x in p["points_by_place"]), default=float(p.get("default", 0)),
        lower_is_better=lower),
    "rank_proportional": lambda p, lower: engine.RankProportional(
        first_points=float(p["first_points"]), places=p.get("places"), default=float(p.get("default", 0)),
        lower_is_better=lower),
    "count_deduction": lambda p, _lower: engine.CountDeduction(
        per_occurrence=float(p["per_occurrence"]), cap=_optional(p.get("cap"))),
    "level_bonus": lambda p, _lower: engine.LevelBonus(levels=_levels(p), cap=_optional(p.get("cap"))),
    "judged": lambda _p, _lower: engine.Judged(),
}


def build_method(key: str, params: Mapping[str, Any] | None, lower_is_better: bool) -> engine.Method:
    """Build the engine's method; raise ParameterError when a parameter is out of range
    (the shapes are the schema's: a caller checks them first)."""
    return _BUILDERS[key](params or {}, lower_is_better)


def _num(value: Any) -> str:
    return engine.format_number(float(value))


def _describe_tiers(params: Mapping[str, Any]) -> str:
    unit = "%" if params.get("basis") == "percent" else ""
    parts = [f"{_num(t['threshold'])}{unit}→{_num(t['points'])}" for t in params.get("tiers", ())]
    return _("分档：%(tiers)s，其余 %(otherwise)s 分", tiers="、".join(parts), otherwise=_num(params.get("otherwise", 0)))


_DESCRIPTIONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "completion_ratio": lambda p: _("分值 × 完成率，封顶 %(cap)s%%，保底 %(floor)s%%",
                                    cap=_num(float(p.get("cap", 1)) * 100), floor=_num(float(p.get("floor", 0)) * 100)),
    "linear_deduction": lambda p: _("每差 %(step)s%(unit)s 扣 %(per)s 分，扣至 %(floor)s 分为止",
                                    step=_num(p["step"]), per=_num(p["per_step"]), floor=_num(p.get("floor", 0)),
                                    unit="%" if p.get("basis", "percent") == "percent" else _("（计量单位）")),
    "tiers": _describe_tiers,
    "rank_points": lambda p: _("第 1 名起依次得 %(points)s 分，其余 %(default)s 分",
                               points="、".join(_num(x) for x in p["points_by_place"]), default=_num(p.get("default", 0))),
    "rank_proportional": lambda p: _("第 1 名得 %(first)s 分，其余按与第 1 名的比例得分", first=_num(p["first_points"])),
    "count_deduction": lambda p: (_("每次扣 %(per)s 分，最多扣 %(cap)s 分", per=_num(p["per_occurrence"]), cap=_num(p["cap"]))
                                  if p.get("cap") is not None else _("每次扣 %(per)s 分，扣完为止", per=_num(p["per_occurrence"]))),
    "level_bonus": lambda p: _("%(levels)s，累计最多 %(cap)s 分", cap=_num(p["cap"]) if p.get("cap") is not None
                               else _("分值"), levels="、".join(
        f"{level['name']} {_num(level['points'])}" for level in p.get("levels", ()))),
    "judged": lambda _p: _("核验时在 0 至分值之间评定"),
}


def describe(key: str | None, params: Mapping[str, Any] | None) -> str:
    """The method and its parameters in words (empty for a parent)."""
    if key is None:
        return ""
    try:
        return f"{METHOD_NAMES[key]}：{_DESCRIPTIONS[key](params or {})}"
    except (KeyError, TypeError, ValueError):
        return str(METHOD_NAMES.get(key, key))
