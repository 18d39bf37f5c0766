"""A level-bonus leaf's year-end result as counts per level (国家 2 项、省 1 项 …): the
unit's 自评 and the verifier's 核验 give one whole number per level of the leaf's
parameters instead of a single value, and the engine's LevelBonus scores the counts
matrix (docs/targets.md, "Year-end self-assessment and verification").
"""

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.models.target import IndicatorNode

LEVEL_BONUS = "level_bonus"
#: More awards than this at one level is a typo, not a year's work.
MAX_COUNT = 1000


def is_level(node: IndicatorNode) -> bool:
    return node.method == LEVEL_BONUS


def level_names(node: IndicatorNode) -> list[str]:
    """The leaf's levels, in the order of its parameters (国家, 省, 市 …)."""
    return [str(level["name"]) for level in (node.parameters or {}).get("levels", ())]


def level_label(name: str) -> str:
    """A level as read in a sentence: 国家 → 国家级; a name already ending in 级 stays."""
    return name if name.endswith("级") else f"{name}级"


def parse_counts(texts: Sequence[str] | None, node: IndicatorNode) -> dict[str, int] | None:
    """The counts typed for `node` (one text per level, in level order); None when every
    one is blank, a blank one beside given ones counts 0. Refused: not a whole number,
    negative, above MAX_COUNT."""
    names = level_names(node)
    raw = [(text or "").strip() for text in (texts or ())]
    raw += [""] * (len(names) - len(raw))
    if not any(raw):
        return None
    counts = {}
    for name, text in zip(names, raw, strict=False):
        if not text:
            counts[name] = 0
            continue
        try:
            number = float(text)
        except ValueError:
            number = None
        level = level_label(name)
        if number is None or not number.is_integer():
            raise ValidationFailed(_("“%(name)s”的%(level)s数量“%(text)s”应为整数", name=node.name, level=level,
                                     text=text[:30]))
        if number < 0:
            raise ValidationFailed(_("“%(name)s”的%(level)s数量不能为负数", name=node.name, level=level))
        if number > MAX_COUNT:
            raise ValidationFailed(_("“%(name)s”的%(level)s数量 %(text)s 超出范围（最多 %(max)d）", name=node.name,
                                     level=level, text=text[:30], max=MAX_COUNT))
        counts[name] = int(number)
    return counts


def row(node: IndicatorNode, counts: Mapping[str, int] | None) -> list[float] | None:
    """The counts in the leaf's level order (a level not stored counts 0), for the engine."""
    if counts is None:
        return None
    return [float(counts.get(name, 0)) for name in level_names(node)]


def as_texts(counts: Mapping[str, int] | None, node: IndicatorNode) -> list[str]:
    """The counts as the form shows them, in level order ("" when not given)."""
    if counts is None:
        return [""] * len(level_names(node))
    return [str(counts.get(name, 0)) for name in level_names(node)]


def summary(counts: Mapping[str, int] | None, node: IndicatorNode) -> str:
    """"国家级 1 项、省级 2 项" (— when not given)."""
    if counts is None:
        return "—"
    return "、".join(_("%(level)s %(count)d 项", level=level_label(name), count=counts.get(name, 0)) for name in level_names(node))
