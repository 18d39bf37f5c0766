"""Uploaded JSON documents (survey definitions, indicator systems): reading bytes or text
safely (size, encoding, duplicate keys, nesting depth), validating against a JSON Schema,
and wording every schema error in the user's language with its JSON location, under the
document's own noun ("问卷定义", "考核细则"). The checks a schema cannot express stay with
each document's own module.
"""

import copy
import json
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError


@dataclass(frozen=True)
class JsonDocument:
    """One kind of JSON document: its name, its schema, its limits and its wording."""

    #: What the document is called ("问卷定义"): the name of its root in locations and in messages.
    noun: str | LazyString
    schema_path: Path
    #: Lists and objects nest at most this deep; a deeper document is refused before validation,
    #: which would otherwise recurse through it.
    max_nesting: int
    #: The largest JSON file read, in bytes (None: no limit here).
    max_bytes: int | None = None
    #: Refuse NaN and Infinity while parsing text; otherwise they parse and
    #: non_finite_problems names where they are.
    refuse_non_finite_text: bool = False
    #: Each missing or unknown field its own message at its own location; otherwise they are
    #: listed together at their object (so a reason needs no location, as in a sheet row).
    fields_apart: bool = True
    #: Type and enumeration messages name what was found, not only what was expected.
    name_found: bool = True

    def parse(self, data: Any) -> tuple[Any, list[str]]:
        """Return (parsed data, problems) from JSON text or bytes; pass parsed data through
        (still checking its depth). Problems are whole messages; data is None when any."""
        if isinstance(data, bytes | bytearray):
            if self.max_bytes is not None and len(data) > self.max_bytes:
                return None, [_("文件过大：%(noun)s的 JSON 不能超过 %(mb)d MB", noun=self.noun,
                                mb=self.max_bytes // (1024 * 1024))]
            try:
                data = bytes(data).decode("utf-8-sig")
            except UnicodeDecodeError:
                return None, [_("文件不是 UTF-8 编码的文本")]
        if isinstance(data, str):
            try:
                data = json.loads(data, object_pairs_hook=_unique_pairs, parse_int=_whole_number,
                                  parse_constant=_reject_constant if self.refuse_non_finite_text else None)
            except RecursionError:  # nesting deeper than the interpreter's stack
                return None, [self._too_deep()]
            except json.JSONDecodeError as error:
                return None, [_("不是有效的 JSON：第 %(line)d 行第 %(column)d 列附近格式有误",
                                line=error.lineno, column=error.colno)]
            except _JsonProblem as error:
                return None, [str(error)]
        if _deeper_than(data, self.max_nesting):
            return None, [self._too_deep()]
        return data, []

    def _too_deep(self) -> str:
        return _("JSON 嵌套层数过多（超过 %(max)d 层），这不是%(noun)s", max=self.max_nesting, noun=self.noun)

    def schema(self) -> dict[str, Any]:
        """Return the document's JSON Schema (a copy, safe to modify)."""
        return copy.deepcopy(_validator(self.schema_path).schema)

    def schema_errors(self, data: Any) -> list[SchemaError]:
        """Return the schema's errors of parsed data."""
        return list(_validator(self.schema_path).iter_errors(data))

    def schema_messages(self, errors: Iterable[SchemaError]) -> list[str]:
        """Word schema errors as messages, each with its JSON location, each once (the validator
        reports a missing field once per field, each time naming all that are required)."""
        return list(dict.fromkeys(message for error in errors for message in self._messages(error)))

    def _messages(self, error: SchemaError) -> list[str]:
        path = list(error.absolute_path)
        if self.fields_apart and error.validator == "required":
            return [at(self.location([*path, name]), _("缺少必填项"))
                    for name in error.validator_value if name not in error.instance]
        if self.fields_apart and error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            return [at(self.location([*path, str(name)]), _("不认识的字段（请检查拼写）"))
                    for name in error.instance if name not in known]
        if error.validator in ("anyOf", "oneOf"):
            deeper = [e for e in error.context or () if len(e.absolute_path) > len(path)]
            if deeper:
                return self._messages(deeper[0])
        return [at(self.location(path), self.schema_reason(error))]

    def schema_reason(self, error: SchemaError) -> str:
        """Say what is wrong, without where."""
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in error.instance]
            return _("缺少必填项 %(names)s", names="、".join(missing))
        if error.validator == "additionalProperties":
            extra = [name for name in error.instance if name not in error.schema.get("properties", {})]
            return _("不认识的字段 %(names)s（请检查拼写）", names="、".join(map(str, extra)))
        if self.name_found and error.validator == "type":
            return _("应为%(expected)s，实际是%(actual)s", expected=_expected_types(error.validator_value),
                     actual=_type_of(error.instance))
        if self.name_found and error.validator == "enum":
            return _("%(value)s 不是可用的取值，应为 %(allowed)s 之一", value=_show(error.instance),
                     allowed="、".join(map(str, error.validator_value)))
        return _reason(error)

    def location(self, path: Iterable[Any]) -> str:
        """Return a JSON location such as subjects[2].key; the document's noun for its root."""
        text = ""
        for part in path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text or str(self.noun)

    def non_finite_problems(self, value: Any, path: tuple[Any, ...] = ()) -> list[str]:
        """Name every NaN or infinite number in parsed data (JSON Schema lets them pass)."""
        if isinstance(value, float) and not math.isfinite(value):
            return [at(self.location(path), _("数值无效（不能是 NaN 或无穷大）"))]
        children: Iterable[tuple[Any, Any]] = ()
        if isinstance(value, dict):
            children = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        return [message for key, child in children for message in self.non_finite_problems(child, (*path, key))]


def at(where: str, problem: str) -> str:
    """One problem at a JSON location (a path such as subjects[2].key), as one message."""
    return _("%(where)s：%(problem)s", where=where, problem=problem)


# ---- reading ---------------------------------------------------------------------------------


class _JsonProblem(ValueError):
    """Valid JSON syntax that Python's parser would accept but a document must not hold."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonProblem(_("JSON 中同一个对象里字段“%(key)s”出现了不止一次", key=key))
        result[key] = value
    return result


def _whole_number(text: str) -> int:
    # Python refuses to convert longer digit strings (a ValueError in its own English words).
    limit = sys.get_int_max_str_digits()
    if limit and len(text.lstrip("-")) > limit:
        raise _JsonProblem(_("不是有效的 JSON：整数的位数过多（最多 %(max)d 位）", max=limit))
    return int(text)


def _reject_constant(name: str) -> None:
    raise _JsonProblem(_("不是有效的 JSON：不允许 %(name)s，数值必须是有限的数字", name=name))


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (checked without recursion,
    so that neither this check nor the schema validation after it can overflow the stack)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


@cache
def _validator(schema_path: Path) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))


# ---- schema errors in the user's language ------------------------------------------------------

_TYPE_NAMES = {
    "object": _l("对象（{…}）"),
    "array": _l("列表（[…]）"),
    "string": _l("文本"),
    "integer": _l("整数"),
    "number": _l("数字"),
    "boolean": _l("布尔值（true 或 false）"),
    "null": _l("空值（null）"),
}


def _reason(error: SchemaError) -> str:
    value, custom = error.validator_value, error.schema.get("x-error")
    reasons: dict[str, Callable[[], str]] = {
        "type": lambda: _("类型不对，应为%(expected)s", expected=_expected_types(value)),
        "enum": lambda: _("不是可用的取值，应为 %(allowed)s 之一", allowed="、".join(map(str, value))),
        "const": lambda: _("应为 %(value)s", value=_show(value)),
        "minimum": lambda: _("不能小于 %(value)s", value=value),
        "exclusiveMinimum": lambda: _("必须大于 %(value)s", value=value),
        "maximum": lambda: _("不能大于 %(value)s", value=value),
        "minLength": lambda: _(custom) if custom else _("至少 %(value)s 个字符", value=value),
        "maxLength": lambda: _("不能超过 %(value)s 个字符", value=value),
        "pattern": lambda: _(custom) if custom else _("格式不正确"),
        "minItems": lambda: _("至少需要 %(value)s 项", value=value),
        "maxItems": lambda: _("最多 %(value)s 项", value=value),
    }
    return reasons.get(error.validator, lambda: _(custom) if custom else _("取值不符合要求"))()


def _expected_types(value: str | list[str]) -> str:
    names = [value] if isinstance(value, str) else value
    return _("或").join(str(_TYPE_NAMES.get(name, name)) for name in names)


def _type_of(value: Any) -> str:
    for name, kinds in (
        ("null", type(None)),
        ("boolean", bool),
        ("integer", int),
        ("number", float),
        ("string", str),
        ("array", list),
        ("object", dict),
    ):
        if isinstance(value, kinds):
            return str(_TYPE_NAMES[name])
    return type(value).__name__


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
