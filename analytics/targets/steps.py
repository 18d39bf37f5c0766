"""The arithmetic behind a score, as data, and a plain formatter that words it.

Analytics never calls i18n: a step names its rule (``key``) and carries the numbers it
used; the caller passes templates in the language it wants, e.g.
``{"linear_deduction.percent.higher": "完成率 {rate_pct}%，每低{step}%扣{per_step}分：{points} − {deduction} = {result}"}``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class Step:
    """One line of arithmetic: the rule's key, the numbers used and the result.

    ``label`` carries a name the rule needs verbatim (the level of an award).
    """

    key: str
    numbers: tuple[tuple[str, float], ...]
    result: float
    label: str = ""

    def number(self, name: str) -> float:
        """Return the number called ``name`` (KeyError if the step has none)."""
        for key, value in self.numbers:
            if key == name:
                return value
        raise KeyError(name)

    def as_dict(self) -> dict[str, float]:
        """Return the numbers and ``result`` as a dict."""
        return {**dict(self.numbers), "result": self.result}


@dataclass(frozen=True, slots=True)
class Score:
    """One unit's score on one leaf: ``earned`` of ``points``, with its arithmetic.

    ``missing`` is true when no actual value was given (earned is then 0).
    """

    points: float
    earned: float
    steps: tuple[Step, ...]
    missing: bool = False


def step(key: str, result: float, label: str = "", **numbers: float) -> Step:
    """Build a step from keyword numbers (floats, in the order given)."""
    return Step(key, tuple((name, float(value)) for name, value in numbers.items()), float(result), label)


def format_number(value: float, decimals: int = 2) -> str:
    """Write a number plainly: half-up rounded to ``decimals``, no trailing zeros (9.2, 10, 0.8)."""
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    # Snapping to 9 decimals first drops float noise (0.96 * 100 = 96.00000000000001).
    snapped = Decimal(repr(value)).quantize(Decimal("1e-9"), ROUND_HALF_UP)
    rounded = snapped.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = format(rounded.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def format_step(item: Step, templates: Mapping[str, str], decimals: int = 2) -> str:
    """Word one step with ``templates[item.key]`` (a str.format template)."""
    try:
        template = templates[item.key]
    except KeyError:
        raise KeyError(f"no template for step {item.key!r}") from None
    fields = {name: format_number(value, decimals) for name, value in item.as_dict().items()}
    return template.format(label=item.label, **fields)


def format_steps(
    steps: Iterable[Step], templates: Mapping[str, str], *, separator: str = "；", decimals: int = 2
) -> str:
    """Word every step and join them with ``separator``."""
    return separator.join(format_step(item, templates, decimals) for item in steps)
