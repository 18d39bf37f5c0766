"""Joining translated pieces with the punctuation of the user's language.

Chinese text joins list items with "、", clauses with "；", a label and its value with "："
and a note with full-width parentheses; English needs ", ", "; ", ": " and " (…)". Code
that builds a sentence from pieces uses these rather than writing the Chinese marks.
"""

from collections.abc import Iterable

from flask_babel import gettext as _


def listing(items: Iterable[str]) -> str:
    """Items of a list: 甲、乙、丙 / A, B, C."""
    return _("、").join(items)


def clauses(items: Iterable[str]) -> str:
    """Independent clauses: 甲；乙 / A; B."""
    return _("；").join(items)


def labelled(label: str, value: str) -> str:
    """A label and its value: 标签：值 / Label: value."""
    return _("%(label)s：%(value)s", label=label, value=value)


def noted(text: str, note: str) -> str:
    """Text with a note in parentheses: 文字（注）/ Text (note)."""
    return _("%(text)s（%(note)s）", text=text, note=note)
