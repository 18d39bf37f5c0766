"""Checking a survey definition: parsing JSON text or bytes safely, validating it against
the JSON Schema in survey_app/schemas/, telling each schema error in the user's language
with its JSON location, and the checks a schema cannot express (duplicates, references,
weights, scale roles). definitions.py imports a definition only when this finds nothing.
"""

import copy
import json
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from survey_app.models import QuestionKind, ScaleKind

#: Lists and objects nest at most this deep (a real definition needs about 6 levels); a
#: deeper file is refused before validation, which would otherwise recurse through it.
MAX_NESTING = 32
PACKAGE_DIR = Path(__file__).resolve().parents[2]
SCHEMA_PATH = PACKAGE_DIR / "schemas" / "survey-definition.schema.json"
CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTIPLE_CHOICE.value}


def validate_definition(data: Any) -> list[str]:
    """List every problem of a definition in Chinese, each with its JSON location.

    `data` is the parsed JSON value, or the raw JSON text or bytes. Never raises: an empty
    list means the definition can be imported.
    """
    return checked_definition(data)[1]


class _JsonProblem(ValueError):
    """Valid JSON syntax that Python's parser would accept but a definition must not hold."""


def checked_definition(data: Any) -> tuple[Any, list[str]]:
    """Return (parsed data, problems) for any input whatsoever: the data is importable when
    the problems are none."""
    try:
        parsed, problems = _parse(data)
        if not problems:
            problems = _problems(parsed)
        return parsed, list(dict.fromkeys(problems))
    except Exception:  # noqa: BLE001 - garbage input must yield a message, never an exception
        return None, [_at(_root(), _("内容结构异常，无法检查"))]


def _parse(data: Any) -> tuple[Any, list[str]]:
    """Parse JSON text or bytes; pass already parsed data through."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, [_("文件不是 UTF-8 编码的文本")]
    if not isinstance(data, str):
        return (None, [_too_deep()]) if _deeper_than(data, MAX_NESTING) else (data, [])
    try:
        parsed = json.loads(data, object_pairs_hook=_unique_pairs, parse_constant=_reject_constant)
    except RecursionError:  # nesting deeper than the interpreter's stack
        return None, [_too_deep()]
    except json.JSONDecodeError as error:
        return None, [_("不是有效的 JSON：第 %(line)d 行第 %(column)d 列附近格式有误", line=error.lineno, column=error.colno)]
    except _JsonProblem as error:
        return None, [str(error)]
    return (None, [_too_deep()]) if _deeper_than(parsed, MAX_NESTING) else (parsed, [])


def _too_deep() -> str:
    return _("JSON 嵌套层数过多（超过 %(max)d 层），这不是问卷定义", max=MAX_NESTING)


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


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonProblem(_("JSON 中同一个对象里字段“%(key)s”出现了不止一次", key=key))
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise _JsonProblem(_("不是有效的 JSON：不允许 %(name)s，数值必须是有限的数字", name=name))


def _problems(data: Any) -> list[str]:
    schema_errors = list(_validator().iter_errors(data))
    problems = [message for error in schema_errors for message in _schema_messages(error)]
    if isinstance(data, dict):
        problems += _non_finite_numbers(data, [])
        dirty = {error.absolute_path[0] for error in schema_errors if error.absolute_path}
        for check, sections in SEMANTIC_CHECKS:
            if not dirty & sections:
                problems += check(data)
    return problems


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def definition_schema() -> dict[str, Any]:
    """Return the JSON Schema of the definition format (a copy, safe to modify)."""
    return copy.deepcopy(_validator().schema)


# ---- schema errors in the user's language ------------------------------------------------


def _root() -> str:
    return _("问卷定义")


#: The schema's own "x-error" texts, listed here so that the message catalog carries them.
SCHEMA_ERROR_TEXTS = (
    _l("不能为空"),
    _l("只能使用字母、数字、下划线和连字符"),
    _l("应为带时区的 ISO 8601 时间，例如 2026-03-01T09:00:00+08:00"),
    _l("单位名称不能为空（没有单位请写 null）"),
    _l("前任编号不能为空，首尾不能有空格；没有前任请写 null"),
    _l('应为 "all"（评议全部对象）或评议对象编号的列表'),
)


def _at(where: str, problem: str) -> str:
    """One problem at a JSON location (a path such as subjects[2].key), as one message."""
    return _("%(where)s：%(problem)s", where=where, problem=problem)


_TYPE_NAMES = {
    "object": _l("对象（{…}）"),
    "array": _l("列表（[…]）"),
    "string": _l("文本"),
    "integer": _l("整数"),
    "number": _l("数字"),
    "boolean": _l("布尔值（true 或 false）"),
    "null": _l("空值（null）"),
}


def _location(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _root()


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


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


def _schema_messages(error: SchemaError) -> list[str]:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        instance = error.instance
        return [
            _at(_location([*path, name]), _("缺少必填项"))
            for name in error.validator_value
            if name not in instance
        ]
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        return [
            _at(_location([*path, str(name)]), _("不认识的字段（请检查拼写）"))
            for name in error.instance
            if name not in known
        ]
    if kind in ("anyOf", "oneOf"):
        deeper = [e for e in error.context or () if len(e.absolute_path) > len(path)]
        if deeper:
            return _schema_messages(deeper[0])
    return [_at(_location(path), _reason(error))]


def _reason(error: SchemaError) -> str:
    value, custom = error.validator_value, error.schema.get("x-error")
    reasons: dict[str, Callable[[], str]] = {
        "type": lambda: _("应为%(expected)s，实际是%(actual)s", expected=_expected_types(value),
                          actual=_type_of(error.instance)),
        "enum": lambda: _("%(value)s 不是可用的取值，应为 %(allowed)s 之一", value=_show(error.instance),
                          allowed="、".join(map(str, value))),
        "const": lambda: _("应为 %(value)s", value=_show(value)),
        "minimum": lambda: _("不能小于 %(value)s", value=value),
        "maximum": lambda: _("不能大于 %(value)s", value=value),
        "minLength": lambda: _(custom) if custom else _("至少 %(value)s 个字符", value=value),
        "maxLength": lambda: _("不能超过 %(value)s 个字符", value=value),
        "pattern": lambda: _(custom) if custom else _("格式不正确"),
        "minItems": lambda: _("至少需要 %(value)s 项", value=value),
    }
    return reasons.get(error.validator, lambda: _(custom) if custom else _("取值不符合要求"))()


def _expected_types(value: str | list[str]) -> str:
    names = [value] if isinstance(value, str) else value
    return _("或").join(str(_TYPE_NAMES.get(name, name)) for name in names)


def _non_finite_numbers(value: Any, path: list[Any]) -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [_at(_location(path), _("数值无效（不能是 NaN 或无穷大）"))]
    children: Iterable[tuple[Any, Any]] = ()
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    return [message for key, child in children for message in _non_finite_numbers(child, [*path, key])]


# ---- semantic checks (run on sections whose shape passed the schema) --------------------


def _duplicates(values: Iterable[Any]) -> list[tuple[int, Any]]:
    """Return (index, value) of every value already seen earlier in the sequence."""
    seen: set[Any] = set()
    repeated = []
    for index, value in enumerate(values):
        if value in seen:
            repeated.append((index, value))
        seen.add(value)
    return repeated


def _weights_problem(items: list[dict[str, Any]], where: str) -> list[str]:
    if items and sum(item.get("weight", 1) for item in items) <= 0:
        return [_at(where, _("权重之和必须大于 0"))]
    return []


def _check_moments(data: dict[str, Any]) -> list[str]:
    problems, moments = [], {}
    for name in ("opens_at", "closes_at"):
        text = data.get(name)
        if text is None:
            continue
        try:
            moments[name] = datetime.fromisoformat(text)
        except ValueError:
            problems.append(_at(name, _("不是有效的时间")))
    if len(moments) == 2 and moments["closes_at"] <= moments["opens_at"]:
        problems.append(_at("closes_at", _("结束时间必须晚于开始时间")))
    return problems


def _check_scale(data: dict[str, Any]) -> list[str]:
    scale = data.get("scale")
    if scale is None:
        return []
    options = scale.get("options", [])
    if scale["kind"] == ScaleKind.SCORE.value:
        return [_at("scale.options", _("0–100 分制不需要选项，请留空"))] if options else []
    problems = []
    for index, option in enumerate(options):
        unknown, score = option.get("is_unknown", False), option.get("score")
        if unknown and score is not None:
            problems.append(_at(f"scale.options[{index}].score", _("“不了解”选项不计分，应为 null")))
        if not unknown and score is None:
            problems.append(_at(f"scale.options[{index}].score", _("计分选项需要 0–100 的分值")))
    unknown_indices = [i for i, option in enumerate(options) if option.get("is_unknown", False)]
    problems += [_at(f"scale.options[{i}].is_unknown", _("只能有一个“不了解”选项")) for i in unknown_indices[1:]]
    problems += [
        _at(f"scale.options[{i}].label", _("选项“%(label)s”重复", label=label))
        for i, label in _duplicates(o["label"] for o in options)
    ]
    roles = [(i, option["role"]) for i, option in enumerate(options) if option.get("role") is not None]
    problems += [_at(f"scale.options[{i}].role", _("“不了解”类选项不计分，不能作为结果标记"))
                 for i, _role in roles if options[i].get("is_unknown", False)]
    problems += [_at(f"scale.options[{roles[k][0]}].role", _("结果标记“%(role)s”只能用于一个选项", role=role))
                 for k, role in _duplicates(role for _i, role in roles)]
    if len(unknown_indices) == len(options):
        problems.append(_at("scale.options", _("至少需要一个计分选项")))
    return problems


def _check_dimensions(data: dict[str, Any]) -> list[str]:
    dimensions = data.get("dimensions", [])
    problems = [
        _at(f"dimensions[{i}].name", _("维度“%(name)s”重复", name=name))
        for i, name in _duplicates(d["name"] for d in dimensions)
    ]
    return problems + _weights_problem(dimensions, "dimensions")


def _check_subjects(data: dict[str, Any]) -> list[str]:
    subjects = data.get("subjects", [])
    problems = [
        _at(f"subjects[{i}].key", _("编号“%(key)s”重复", key=key)) for i, key in _duplicates(s["key"] for s in subjects)
    ]
    categories: dict[str, tuple[int, str]] = {}
    for index, subject in enumerate(subjects):
        if subject.get("predecessor_key") == subject["key"]:
            problems.append(_at(f"subjects[{index}].predecessor_key", _("前任编号不能是本人的编号")))
        unit, category = subject.get("unit"), subject.get("unit_category", "").strip()
        if category and unit is None:
            problems.append(_at(f"subjects[{index}].unit_category", _("填写了单位类别，但没有填写单位")))
        if unit is None or not category:
            continue
        first = categories.setdefault(unit.strip(), (index, category))
        if first[1] != category:
            problems.append(_at(f"subjects[{index}].unit_category", _(
                "单位“%(unit)s”的类别“%(category)s”与 subjects[%(first)d] 的“%(first_category)s”不一致",
                unit=unit.strip(), category=category, first=first[0], first_category=first[1],
            )))
    return problems


def _check_groups(data: dict[str, Any]) -> list[str]:
    groups = data.get("groups", [])
    known = {subject["key"] for subject in data.get("subjects", [])}
    problems = [_at(f"groups[{i}].key", _("代码“%(key)s”重复", key=key))
                for i, key in _duplicates(g["key"] for g in groups)]
    problems += [_at(f"groups[{i}].name", _("名称“%(name)s”重复", name=name))
                 for i, name in _duplicates(g["name"] for g in groups)]
    for index, group in enumerate(groups):
        rated = group.get("subjects", "all")
        if rated == "all":
            continue
        where = f"groups[{index}].subjects"
        problems += [
            _at(f"{where}[{j}]", _("没有编号为“%(key)s”的评议对象", key=key))
            for j, key in enumerate(rated) if key not in known
        ]
        problems += [_at(f"{where}[{j}]", _("编号“%(key)s”重复", key=key)) for j, key in _duplicates(rated)]
    return problems + _weights_problem(groups, "groups")


def _check_questions(data: dict[str, Any]) -> list[str]:
    questions = data.get("questions", [])
    problems = []
    for index, question in enumerate(questions):
        problems += _question_options_problems(index, question)
        if question.get("show_if") is not None:
            problems += _show_if_problems(index, question["show_if"], questions)
    return problems


def _question_options_problems(index: int, question: dict[str, Any]) -> list[str]:
    options, where = question.get("options", []), f"questions[{index}].options"
    if question["kind"] not in CHOICE_KINDS:
        return [_at(where, _("只有选择题可以有选项"))] if options else []
    problems = [_at(where, _("选择题至少需要两个选项"))] if len(options) < 2 else []
    return problems + [_at(f"{where}[{i}]", _("选项“%(option)s”重复", option=option))
                       for i, option in _duplicates(options)]


def _show_if_problems(index: int, show_if: dict[str, Any], questions: list[dict[str, Any]]) -> list[str]:
    where, target_index = f"questions[{index}].show_if", show_if["question"]
    if target_index >= len(questions):
        return [_at(f"{where}.question", _("引用的 questions[%(target)d] 不存在", target=target_index))]
    if target_index >= index:
        return [_at(f"{where}.question", _("显示条件只能引用前面的题目"))]
    target = questions[target_index]
    if target["kind"] not in CHOICE_KINDS:
        return [_at(f"{where}.question",
                    _("显示条件只能引用选择题，questions[%(target)d] 不是选择题", target=target_index))]
    options = target.get("options", [])
    return [
        _at(f"{where}.values[{i}]", _("“%(value)s”不是 questions[%(target)d] 的选项", value=value, target=target_index))
        for i, value in enumerate(show_if["values"])
        if value not in options
    ]


#: Each check with the top-level sections it reads: it runs only when they passed the schema.
SEMANTIC_CHECKS: tuple[tuple[Callable[[dict[str, Any]], list[str]], set[str]], ...] = (
    (_check_moments, {"opens_at", "closes_at"}),
    (_check_scale, {"scale"}),
    (_check_dimensions, {"dimensions"}),
    (_check_subjects, {"subjects"}),
    (_check_groups, {"groups", "subjects"}),
    (_check_questions, {"questions"}),
)
