"""Checking a survey definition: parsing JSON text or bytes safely and validating it against
the JSON Schema in survey_app/schemas/, each schema error told in the user's language with
its JSON location (both by platform/json_documents, under the noun 问卷定义), then the
checks a schema cannot express (duplicates, references, weights, scale roles).
definitions.py imports a definition only when this finds nothing.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_app.models import QuestionKind, ScaleKind
from survey_app.services.platform.json_documents import JsonDocument, at

PACKAGE_DIR = Path(__file__).resolve().parents[2]
SCHEMA_PATH = PACKAGE_DIR / "schemas" / "survey-definition.schema.json"
#: Lists and objects nest at most this deep (a real definition needs about 6 levels).
MAX_NESTING = 32
#: How a definition is read and its schema errors worded (NaN is refused while parsing).
DEFINITION = JsonDocument(noun=_l("问卷定义"), schema_path=SCHEMA_PATH, max_nesting=MAX_NESTING,
                          refuse_non_finite_text=True)
CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTIPLE_CHOICE.value}


def validate_definition(data: Any) -> list[str]:
    """List every problem of a definition in Chinese, each with its JSON location.

    `data` is the parsed JSON value, or the raw JSON text or bytes. Never raises: an empty
    list means the definition can be imported.
    """
    return checked_definition(data)[1]


def checked_definition(data: Any) -> tuple[Any, list[str]]:
    """Return (parsed data, problems) for any input whatsoever: the data is importable when
    the problems are none."""
    try:
        parsed, problems = DEFINITION.parse(data)
        if not problems:
            problems = _problems(parsed)
        return parsed, list(dict.fromkeys(problems))
    except Exception:  # noqa: BLE001 - garbage input must yield a message, never an exception
        return None, [at(DEFINITION.location(()), _("内容结构异常，无法检查"))]


def _problems(data: Any) -> list[str]:
    schema_errors = DEFINITION.schema_errors(data)
    problems = DEFINITION.schema_messages(schema_errors)
    if isinstance(data, dict):
        problems += DEFINITION.non_finite_problems(data)
        dirty = {error.absolute_path[0] for error in schema_errors if error.absolute_path}
        for check, sections in SEMANTIC_CHECKS:
            if not dirty & sections:
                problems += check(data)
    return problems


def definition_schema() -> dict[str, Any]:
    """Return the JSON Schema of the definition format (a copy, safe to modify)."""
    return DEFINITION.schema()


#: The schema's own "x-error" texts, listed here so that the message catalog carries them.
SCHEMA_ERROR_TEXTS = (
    _l("不能为空"),
    _l("只能使用字母、数字、下划线和连字符"),
    _l("应为带时区的 ISO 8601 时间，例如 2026-03-01T09:00:00+08:00"),
    _l("单位名称不能为空（没有单位请写 null）"),
    _l("前任编号不能为空，首尾不能有空格；没有前任请写 null"),
    _l('应为 "all"（评议全部对象）或评议对象编号的列表'),
)


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
        return [at(where, _("权重之和必须大于 0"))]
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
            problems.append(at(name, _("不是有效的时间")))
    if len(moments) == 2 and moments["closes_at"] <= moments["opens_at"]:
        problems.append(at("closes_at", _("结束时间必须晚于开始时间")))
    return problems


def _check_scale(data: dict[str, Any]) -> list[str]:
    scale = data.get("scale")
    if scale is None:
        return []
    options = scale.get("options", [])
    if scale["kind"] == ScaleKind.SCORE.value:
        return [at("scale.options", _("0–100 分制不需要选项，请留空"))] if options else []
    problems = []
    for index, option in enumerate(options):
        unknown, score = option.get("is_unknown", False), option.get("score")
        if unknown and score is not None:
            problems.append(at(f"scale.options[{index}].score", _("“不了解”选项不计分，应为 null")))
        if not unknown and score is None:
            problems.append(at(f"scale.options[{index}].score", _("计分选项需要 0–100 的分值")))
    unknown_indices = [i for i, option in enumerate(options) if option.get("is_unknown", False)]
    problems += [at(f"scale.options[{i}].is_unknown", _("只能有一个“不了解”选项")) for i in unknown_indices[1:]]
    problems += [
        at(f"scale.options[{i}].label", _("选项“%(label)s”重复", label=label))
        for i, label in _duplicates(o["label"] for o in options)
    ]
    roles = [(i, option["role"]) for i, option in enumerate(options) if option.get("role") is not None]
    problems += [at(f"scale.options[{i}].role", _("“不了解”类选项不计分，不能作为结果标记"))
                 for i, _role in roles if options[i].get("is_unknown", False)]
    problems += [at(f"scale.options[{roles[k][0]}].role", _("结果标记“%(role)s”只能用于一个选项", role=role))
                 for k, role in _duplicates(role for _i, role in roles)]
    if len(unknown_indices) == len(options):
        problems.append(at("scale.options", _("至少需要一个计分选项")))
    return problems


def _check_dimensions(data: dict[str, Any]) -> list[str]:
    dimensions = data.get("dimensions", [])
    problems = [
        at(f"dimensions[{i}].name", _("维度“%(name)s”重复", name=name))
        for i, name in _duplicates(d["name"] for d in dimensions)
    ]
    return problems + _weights_problem(dimensions, "dimensions")


def _check_subjects(data: dict[str, Any]) -> list[str]:
    subjects = data.get("subjects", [])
    problems = [
        at(f"subjects[{i}].key", _("编号“%(key)s”重复", key=key)) for i, key in _duplicates(s["key"] for s in subjects)
    ]
    categories: dict[str, tuple[int, str]] = {}
    for index, subject in enumerate(subjects):
        if subject.get("predecessor_key") == subject["key"]:
            problems.append(at(f"subjects[{index}].predecessor_key", _("前任编号不能是本人的编号")))
        unit, category = subject.get("unit"), subject.get("unit_category", "").strip()
        if category and unit is None:
            problems.append(at(f"subjects[{index}].unit_category", _("填写了单位类别，但没有填写单位")))
        if unit is None or not category:
            continue
        first = categories.setdefault(unit.strip(), (index, category))
        if first[1] != category:
            problems.append(at(f"subjects[{index}].unit_category", _(
                "单位“%(unit)s”的类别“%(category)s”与 subjects[%(first)d] 的“%(first_category)s”不一致",
                unit=unit.strip(), category=category, first=first[0], first_category=first[1],
            )))
    return problems


def _check_groups(data: dict[str, Any]) -> list[str]:
    groups = data.get("groups", [])
    known = {subject["key"] for subject in data.get("subjects", [])}
    problems = [at(f"groups[{i}].key", _("代码“%(key)s”重复", key=key))
                for i, key in _duplicates(g["key"] for g in groups)]
    problems += [at(f"groups[{i}].name", _("名称“%(name)s”重复", name=name))
                 for i, name in _duplicates(g["name"] for g in groups)]
    for index, group in enumerate(groups):
        rated = group.get("subjects", "all")
        if rated == "all":
            continue
        where = f"groups[{index}].subjects"
        problems += [
            at(f"{where}[{j}]", _("没有编号为“%(key)s”的评议对象", key=key))
            for j, key in enumerate(rated) if key not in known
        ]
        problems += [at(f"{where}[{j}]", _("编号“%(key)s”重复", key=key)) for j, key in _duplicates(rated)]
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
        return [at(where, _("只有选择题可以有选项"))] if options else []
    problems = [at(where, _("选择题至少需要两个选项"))] if len(options) < 2 else []
    return problems + [at(f"{where}[{i}]", _("选项“%(option)s”重复", option=option))
                       for i, option in _duplicates(options)]


def _show_if_problems(index: int, show_if: dict[str, Any], questions: list[dict[str, Any]]) -> list[str]:
    where, target_index = f"questions[{index}].show_if", show_if["question"]
    if target_index >= len(questions):
        return [at(f"{where}.question", _("引用的 questions[%(target)d] 不存在", target=target_index))]
    if target_index >= index:
        return [at(f"{where}.question", _("显示条件只能引用前面的题目"))]
    target = questions[target_index]
    if target["kind"] not in CHOICE_KINDS:
        return [at(f"{where}.question",
                    _("显示条件只能引用选择题，questions[%(target)d] 不是选择题", target=target_index))]
    options = target.get("options", [])
    return [
        at(f"{where}.values[{i}]", _("“%(value)s”不是 questions[%(target)d] 的选项", value=value, target=target_index))
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
