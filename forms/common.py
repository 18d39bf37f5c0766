"""Helpers shared by the form modules."""

from wtforms import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into the SelectChoice objects WTForms 3.3 expects."""
    return [SelectChoice(value, label) for value, label in pairs]
