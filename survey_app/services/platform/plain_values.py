"""Small checks of values typed into staff forms, shared by the services that store them."""

from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


def enum_member(cls: type[E], value: Any) -> E | None:
    """The member of `cls` that `value` is or names, or None for anything else."""
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        return None


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character other than a line break or tab.

    PostgreSQL refuses NUL in text; the other control characters are invisible in every list.
    """
    return any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text)
