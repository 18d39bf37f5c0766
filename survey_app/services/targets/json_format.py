"""The JSON form of an indicator system: parsing it safely, validating it against
survey_app/schemas/indicator-system.schema.json, then the tree checks (checking.py);
every problem in Chinese with its JSON location, all at once.
"""

import copy
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from survey_app.services.targets.checking import PlacedNode, tree_problems

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "indicator-system.schema.json"
#: Lists and objects nest at most this deep before validation (a tree of MAX_DEPTH levels
#: needs about 2 × 8 + 4); deeper input is refused before the validator recurses into it.
MAX_NESTING = 40
#: The largest JSON text read (a 2,000-indicator system is well under 2 MB).
MAX_BYTES = 4 * 1024 * 1024


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def system_schema() -> dict[str, Any]:
    """The JSON Schema of the format (a copy)."""
    return copy.deepcopy(_validator().schema)


def checked_system(data: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """Return (parsed data, problems) for any input (JSON text, bytes or parsed data): the
    data may be stored when there is no problem. Never raises."""
    try:
        parsed, problems = _parse(data)
        if problems:
            return None, problems
        problems = [_message(error) for error in schema_errors(parsed)]
        problems += _non_finite(parsed, [])
        if not problems:
            problems = tree_problems(float(parsed["points"]), parsed["indicators"], _where)
        return parsed, list(dict.fromkeys(problems))
    except Exception:  # noqa: BLE001 - garbage input must yield a message, never an exception
        return None, [_("内容结构异常，无法检查")]


def _parse(data: Any) -> tuple[Any, list[str]]:
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_BYTES:
            return None, [_("文件过大：考核细则的 JSON 不能超过 %(mb)d MB", mb=MAX_BYTES // (1024 * 1024))]
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, [_("文件不是 UTF-8 编码的文本")]
    if isinstance(data, str):
        try:
            data = json.loads(data, object_pairs_hook=_unique_pairs)
        except RecursionError:
            return None, [_too_deep()]
        except json.JSONDecodeError as error:
            return None, [_("不是有效的 JSON：第 %(line)d 行第 %(column)d 列附近格式有误",
                            line=error.lineno, column=error.colno)]
        except ValueError as error:
            return None, [str(error)]
    if _deeper_than(data, MAX_NESTING):
        return None, [_too_deep()]
    return data, []


def _too_deep() -> str:
    return _("JSON 嵌套层数过多（超过 %(max)d 层），这不是考核细则", max=MAX_NESTING)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("JSON 中同一个对象里字段“%(key)s”出现了不止一次", key=key))
        result[key] = value
    return result


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def _location(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _("考核细则")


def _where(node: PlacedNode | None) -> str:
    if node is None:
        return _("考核细则（总分值）")
    return _("%(path)s（指标 %(code)s“%(name)s”）", path=_location(node.path), code=node.code,
             name=node.data.get("name", ""))


def schema_errors(data: Any) -> list[SchemaError]:
    """The schema's errors of parsed data (the Excel reader words them by row)."""
    return list(_validator().iter_errors(data))


def _message(error: SchemaError) -> str:
    return _("%(where)s：%(problem)s", where=_location(error.absolute_path), problem=schema_reason(error))


def schema_reason(error: SchemaError) -> str:
    """What is wrong, without where (in Chinese)."""
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return _("缺少必填项 %(names)s", names="、".join(missing))
    if error.validator == "additionalProperties":
        extra = [name for name in error.instance if name not in error.schema.get("properties", {})]
        return _("不认识的字段 %(names)s（请检查拼写）", names="、".join(extra))
    return _reason(error)


_TYPE_NAMES = {"object": _l("对象（{…}）"), "array": _l("列表（[…]）"), "string": _l("文本"), "integer": _l("整数"),
               "number": _l("数字"), "boolean": _l("布尔值"), "null": _l("空值（null）")}


def _reason(error: SchemaError) -> str:
    value = error.validator_value
    reasons = {
        "type": lambda: _("类型不对，应为%(expected)s", expected=_("或").join(
            str(_TYPE_NAMES.get(name, name)) for name in ([value] if isinstance(value, str) else value))),
        "enum": lambda: _("不是可用的取值，应为 %(allowed)s 之一", allowed="、".join(map(str, value))),
        "const": lambda: _("应为 %(value)s", value=value),
        "minimum": lambda: _("不能小于 %(value)s", value=value),
        "exclusiveMinimum": lambda: _("必须大于 %(value)s", value=value),
        "maximum": lambda: _("不能大于 %(value)s", value=value),
        "maxLength": lambda: _("不能超过 %(value)s 个字符", value=value),
        "minItems": lambda: _("至少需要 %(value)s 项", value=value),
        "maxItems": lambda: _("最多 %(value)s 项", value=value),
    }
    if error.validator in reasons:
        return reasons[error.validator]()
    return _("不能为空") if error.schema.get("x-error") else _("取值不符合要求")


def _non_finite(value: Any, path: list[Any]) -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [_("%(where)s：数值无效（不能是 NaN 或无穷大）", where=_location(path))]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [message for key, child in items for message in _non_finite(child, [*path, key])]
