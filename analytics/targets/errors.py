"""Errors of the scoring engine: a machine-readable reason and the numbers behind it.

The app words them in Chinese from ``reason`` and ``values``; ``str(error)`` is an
English line for logs only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class ScoringError(ValueError):
    """A refusal with a stable ``reason`` key and the ``values`` it concerns."""

    def __init__(self, reason: str, **values: float | str) -> None:
        self.reason = reason
        self.values: Mapping[str, float | str] = MappingProxyType(dict(values))
        detail = ", ".join(f"{name}={value!r}" for name, value in values.items())
        super().__init__(f"{reason}: {detail}" if detail else reason)


class ParameterError(ScoringError):
    """A scoring method's parameter is out of range (e.g. a cap above 1, a negative step)."""


class InputError(ScoringError):
    """A unit's value cannot be scored by the method (negative target, fractional count …)."""


class TreeError(ScoringError):
    """An indicator tree does not add up; ``problems`` lists every offending node."""

    def __init__(self, problems: tuple[object, ...]) -> None:
        super().__init__("tree_invalid", count=float(len(problems)))
        self.problems = problems
