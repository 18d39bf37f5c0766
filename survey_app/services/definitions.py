"""Survey as code: export, validate and import whole survey definitions as JSON data.

A definition refers to things by their keys (subjects, groups) or list indices (questions),
never by database ids, so it can move between installations and years. The JSON Schema
in survey_app/schemas/ is the single description of the format's shape; this module adds
the checks a schema cannot express (duplicates, references, weights). docs/survey-format.md
describes the format for people.
"""

import copy
import enum
import json
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    Dimension,
    Question,
    QuestionKind,
    RespondentGroup,
    ScaleKind,
    ScaleOption,
    Subject,
    SubjectKind,
    Survey,
    SurveyKind,
    SurveyStatus,
    User,
)
from survey_app.services import audit
from survey_app.services.surveys import get_or_create_unit

FORMAT_VERSION = 1
PACKAGE_DIR = Path(__file__).resolve().parent.parent
SCHEMA_PATH = PACKAGE_DIR / "schemas" / "survey-definition.schema.json"
TEMPLATE_DIR = PACKAGE_DIR / "survey_templates"

#: Shipped templates: file stem in survey_templates/ → label shown when creating a survey.
TEMPLATES: dict[str, str] = {
    "democratic": "民主测评（领导班子和领导干部）",
    "service_quality": "服务质量评议",
    "key_project": "重点项目评议",
    "special_duty": "专项工作评议：述责述廉",
    "special_selection": "专项工作评议：一报告两评议",
    "public": "公众评议",
    "leader": "领导评价（记名，0–100 分）",
}

#: Times are written in Beijing time for the organizers; any offset is accepted on import.
BEIJING = timezone(timedelta(hours=8))
RULE_FIELDS = (
    "excellent_cap_percent", "trim_extremes", "disagreement_gap", "negative_share_threshold", "subject_comments",
)
CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTIPLE_CHOICE.value}
ROOT = "问卷定义"
UNREADABLE = f"{ROOT}：内容结构异常，无法检查"


# ---- export -----------------------------------------------------------------------------


def export_definition(survey: Survey) -> dict[str, Any]:
    """Return the survey's whole definition as JSON-able data (keys and indices, no ids)."""
    return {
        "format_version": FORMAT_VERSION,
        "kind": survey.kind.value,
        "year": survey.year,
        "title": survey.title,
        "instructions": survey.instructions or "",
        "opens_at": _iso(survey.opens_at),
        "closes_at": _iso(survey.closes_at),
        "is_anonymous": survey.is_anonymous,
        "scale": _export_scale(survey),
        "rules": {name: _number(getattr(survey, name)) for name in RULE_FIELDS},
        "dimensions": [_export_dimension(d) for d in _in_order(survey.dimensions)],
        "subjects": [_export_subject(s) for s in _in_order(survey.subjects)],
        "groups": [_export_group(g) for g in _in_order(survey.groups)],
        "questions": _export_questions(_in_order(survey.questions)),
    }


def _in_order(items: Iterable[Any]) -> list[Any]:
    return sorted(items, key=lambda item: item.position)


def _number(value: Any) -> Any:
    """Write 100.0 as 100 so files read naturally; other values pass unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; stored values are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def _export_scale(survey: Survey) -> dict[str, Any]:
    options = [
        {"label": o.label, "score": _number(o.score), "is_unknown": o.is_unknown}
        for o in _in_order(survey.scale_options)
    ]
    return {"kind": survey.scale_kind.value, "options": options}


def _export_dimension(dimension: Dimension) -> dict[str, Any]:
    return {
        "name": dimension.name,
        "description": dimension.description or "",
        "weight": _number(dimension.weight),
    }


def _export_subject(subject: Subject) -> dict[str, Any]:
    return {
        "key": subject.key,
        "name": subject.name,
        "kind": subject.kind.value,
        "unit": subject.unit.name if subject.unit else None,
        "unit_category": subject.unit.category if subject.unit else "",
        "position_title": subject.position_title or "",
        "predecessor_key": subject.predecessor_key,
    }


def _export_group(group: RespondentGroup) -> dict[str, Any]:
    rated = "all" if group.rates_all_subjects else [s.key for s in _in_order(group.rated_subjects)]
    return {
        "key": group.key,
        "name": group.name,
        "weight": _number(group.weight),
        "min_size": group.min_size,
        "expected_count": group.expected_count,
        "subjects": rated,
    }


def _export_questions(questions: list[Question]) -> list[dict[str, Any]]:
    index_of = {id(q): index for index, q in enumerate(questions)}
    return [_export_question(q, index_of) for q in questions]


def _export_question(question: Question, index_of: dict[int, int]) -> dict[str, Any]:
    target = question.show_if_question
    show_if = None
    if target is not None and id(target) in index_of:
        show_if = {"question": index_of[id(target)], "values": list(question.show_if_values or [])}
    return {
        "kind": question.kind.value,
        "prompt": question.prompt,
        "required": question.is_required,
        "options": list(question.options or []),
        "show_if": show_if,
    }


# ---- parsing and validation ------------------------------------------------------------


def validate_definition(data: Any) -> list[str]:
    """List every problem of a definition in Chinese, each with its JSON location.

    `data` is the parsed JSON value, or the raw JSON text or bytes. Never raises: an empty
    list means the definition can be imported.
    """
    return _checked(data)[1]


class _JsonProblem(ValueError):
    """Valid JSON syntax that Python's parser would accept but a definition must not hold."""


def _checked(data: Any) -> tuple[Any, list[str]]:
    """Return (parsed data, problems) for any input whatsoever."""
    try:
        parsed, problems = _parse(data)
        if not problems:
            problems = _problems(parsed)
        return parsed, list(dict.fromkeys(problems))
    except Exception:  # noqa: BLE001 - garbage input must yield a message, never an exception
        return None, [UNREADABLE]


def _parse(data: Any) -> tuple[Any, list[str]]:
    """Parse JSON text or bytes; pass already parsed data through."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, ["文件不是 UTF-8 编码的文本"]
    if not isinstance(data, str):
        return data, []
    try:
        return json.loads(data, object_pairs_hook=_unique_pairs, parse_constant=_reject_constant), []
    except json.JSONDecodeError as error:
        return None, [f"不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列附近格式有误"]
    except _JsonProblem as error:
        return None, [str(error)]


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonProblem(f"JSON 中同一个对象里字段“{key}”出现了不止一次")
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise _JsonProblem(f"不是有效的 JSON：不允许 {name}，数值必须是有限的数字")


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


# ---- schema errors in Chinese ----------------------------------------------------------

_TYPE_NAMES = {
    "object": "对象（{…}）",
    "array": "列表（[…]）",
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值（true 或 false）",
    "null": "空值（null）",
}


def _location(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or ROOT


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
            return _TYPE_NAMES[name]
    return type(value).__name__


def _schema_messages(error: SchemaError) -> list[str]:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        instance = error.instance
        return [
            f"{_location([*path, name])}：缺少必填项"
            for name in error.validator_value
            if name not in instance
        ]
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        return [
            f"{_location([*path, str(name)])}：不认识的字段（请检查拼写）"
            for name in error.instance
            if name not in known
        ]
    if kind in ("anyOf", "oneOf"):
        deeper = [e for e in error.context or () if len(e.absolute_path) > len(path)]
        if deeper:
            return _schema_messages(deeper[0])
    return [f"{_location(path)}：{_reason(error)}"]


def _reason(error: SchemaError) -> str:
    value, custom = error.validator_value, error.schema.get("x-error")
    reasons: dict[str, Callable[[], str]] = {
        "type": lambda: f"应为{_expected_types(value)}，实际是{_type_of(error.instance)}",
        "enum": lambda: f"{_show(error.instance)} 不是可用的取值，应为 {'、'.join(map(str, value))} 之一",
        "const": lambda: f"应为 {_show(value)}",
        "minimum": lambda: f"不能小于 {value}",
        "maximum": lambda: f"不能大于 {value}",
        "minLength": lambda: custom or f"至少 {value} 个字符",
        "maxLength": lambda: f"不能超过 {value} 个字符",
        "pattern": lambda: custom or "格式不正确",
        "minItems": lambda: f"至少需要 {value} 项",
    }
    return reasons.get(error.validator, lambda: custom or "取值不符合要求")()


def _expected_types(value: str | list[str]) -> str:
    names = [value] if isinstance(value, str) else value
    return "或".join(_TYPE_NAMES.get(name, name) for name in names)


def _non_finite_numbers(value: Any, path: list[Any]) -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{_location(path)}：数值无效（不能是 NaN 或无穷大）"]
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
        return [f"{where}：权重之和必须大于 0"]
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
            problems.append(f"{name}：不是有效的时间")
    if len(moments) == 2 and moments["closes_at"] <= moments["opens_at"]:
        problems.append("closes_at：结束时间必须晚于开始时间")
    return problems


def _check_scale(data: dict[str, Any]) -> list[str]:
    scale = data.get("scale")
    if scale is None:
        return []
    options = scale.get("options", [])
    if scale["kind"] == ScaleKind.SCORE.value:
        return ["scale.options：0–100 分制不需要选项，请留空"] if options else []
    problems = []
    for index, option in enumerate(options):
        unknown, score = option.get("is_unknown", False), option.get("score")
        if unknown and score is not None:
            problems.append(f"scale.options[{index}].score：“不了解”选项不计分，应为 null")
        if not unknown and score is None:
            problems.append(f"scale.options[{index}].score：计分选项需要 0–100 的分值")
    unknown_indices = [i for i, option in enumerate(options) if option.get("is_unknown", False)]
    problems += [f"scale.options[{i}].is_unknown：只能有一个“不了解”选项" for i in unknown_indices[1:]]
    problems += [
        f"scale.options[{i}].label：选项“{label}”重复"
        for i, label in _duplicates(o["label"] for o in options)
    ]
    if len(unknown_indices) == len(options):
        problems.append("scale.options：至少需要一个计分选项")
    return problems


def _check_dimensions(data: dict[str, Any]) -> list[str]:
    dimensions = data.get("dimensions", [])
    problems = [
        f"dimensions[{i}].name：维度“{name}”重复" for i, name in _duplicates(d["name"] for d in dimensions)
    ]
    return problems + _weights_problem(dimensions, "dimensions")


def _check_subjects(data: dict[str, Any]) -> list[str]:
    subjects = data.get("subjects", [])
    problems = [f"subjects[{i}].key：编号“{key}”重复" for i, key in _duplicates(s["key"] for s in subjects)]
    categories: dict[str, tuple[int, str]] = {}
    for index, subject in enumerate(subjects):
        if subject.get("predecessor_key") == subject["key"]:
            problems.append(f"subjects[{index}].predecessor_key：前任编号不能是本人的编号")
        unit, category = subject.get("unit"), subject.get("unit_category", "").strip()
        if category and unit is None:
            problems.append(f"subjects[{index}].unit_category：填写了单位类别，但没有填写单位")
        if unit is None or not category:
            continue
        first = categories.setdefault(unit.strip(), (index, category))
        if first[1] != category:
            problems.append(
                f"subjects[{index}].unit_category：单位“{unit.strip()}”的类别“{category}”"
                f"与 subjects[{first[0]}] 的“{first[1]}”不一致"
            )
    return problems


def _check_groups(data: dict[str, Any]) -> list[str]:
    groups = data.get("groups", [])
    known = {subject["key"] for subject in data.get("subjects", [])}
    problems = [f"groups[{i}].key：代码“{key}”重复" for i, key in _duplicates(g["key"] for g in groups)]
    problems += [f"groups[{i}].name：名称“{name}”重复" for i, name in _duplicates(g["name"] for g in groups)]
    for index, group in enumerate(groups):
        rated = group.get("subjects", "all")
        if rated == "all":
            continue
        where = f"groups[{index}].subjects"
        problems += [
            f"{where}[{j}]：没有编号为“{key}”的评议对象" for j, key in enumerate(rated) if key not in known
        ]
        problems += [f"{where}[{j}]：编号“{key}”重复" for j, key in _duplicates(rated)]
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
        return [f"{where}：只有选择题可以有选项"] if options else []
    problems = [f"{where}：选择题至少需要两个选项"] if len(options) < 2 else []
    return problems + [f"{where}[{i}]：选项“{option}”重复" for i, option in _duplicates(options)]


def _show_if_problems(index: int, show_if: dict[str, Any], questions: list[dict[str, Any]]) -> list[str]:
    where, target_index = f"questions[{index}].show_if", show_if["question"]
    if target_index >= len(questions):
        return [f"{where}.question：引用的 questions[{target_index}] 不存在"]
    if target_index >= index:
        return [f"{where}.question：显示条件只能引用前面的题目"]
    target = questions[target_index]
    if target["kind"] not in CHOICE_KINDS:
        return [f"{where}.question：显示条件只能引用选择题，questions[{target_index}] 不是选择题"]
    options = target.get("options", [])
    return [
        f"{where}.values[{i}]：“{value}”不是 questions[{target_index}] 的选项"
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


# ---- import -----------------------------------------------------------------------------


def import_definition(data: Any, actor: User | None) -> Survey:
    """Create a draft survey from a definition; raise ValidationFailed listing every problem.

    `data` is the parsed JSON value or the raw JSON text or bytes. Nothing is created when
    the definition has any problem.
    """
    return _import_checked(data, actor, "survey.import")


def _import_checked(data: Any, actor: User | None, action: str, **detail: Any) -> Survey:
    definition, problems = _checked(data)
    if problems:
        raise ValidationFailed("问卷定义有误", problems)
    survey = _build_survey(definition)
    db.session.flush()
    audit.record(actor, action, "survey", survey.id, title=survey.title, **detail, **_counts(survey))
    return survey


def _counts(survey: Survey) -> dict[str, int]:
    return {
        "subjects": len(survey.subjects),
        "groups": len(survey.groups),
        "questions": len(survey.questions),
    }


def _build_survey(definition: Mapping[str, Any]) -> Survey:
    """Add a new draft survey holding the whole structure of a valid definition."""
    rules = definition.get("rules", {})
    survey = Survey(
        kind=SurveyKind(definition["kind"]),
        year=int(definition["year"]),
        title=definition["title"],
        instructions=definition.get("instructions", ""),
        opens_at=_moment(definition.get("opens_at")),
        closes_at=_moment(definition.get("closes_at")),
        is_anonymous=definition.get("is_anonymous", True),
        status=SurveyStatus.DRAFT,
        scale_kind=ScaleKind(definition["scale"]["kind"]),
        excellent_cap_percent=_optional_int(rules.get("excellent_cap_percent")),
        trim_extremes=rules.get("trim_extremes", False),
        subject_comments=rules.get("subject_comments", False),
        disagreement_gap=float(rules.get("disagreement_gap", 15.0)),
        negative_share_threshold=float(rules.get("negative_share_threshold", 1 / 3)),
    )
    survey.scale_options = _build_scale_options(definition["scale"].get("options", []))
    survey.dimensions = [
        _build_dimension(index, d) for index, d in enumerate(definition.get("dimensions", []))
    ]
    survey.subjects = [_build_subject(index, s) for index, s in enumerate(definition.get("subjects", []))]
    by_key = {subject.key: subject for subject in survey.subjects}
    survey.groups = [_build_group(index, g, by_key) for index, g in enumerate(definition.get("groups", []))]
    survey.questions = _build_questions(definition.get("questions", []))
    db.session.add(survey)
    return survey


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _build_scale_options(options: list[dict[str, Any]]) -> list[ScaleOption]:
    return [
        ScaleOption(
            label=option["label"],
            is_unknown=option.get("is_unknown", False),
            score=None if option.get("is_unknown", False) else float(option["score"]),
            position=index,
        )
        for index, option in enumerate(options)
    ]


def _build_dimension(index: int, data: dict[str, Any]) -> Dimension:
    return Dimension(
        name=data["name"],
        description=data.get("description", ""),
        weight=float(data.get("weight", 1)),
        position=index,
    )


def _build_subject(index: int, data: dict[str, Any]) -> Subject:
    unit_name = data.get("unit")
    unit = get_or_create_unit(unit_name, data.get("unit_category", "")) if unit_name else None
    return Subject(
        key=data["key"],
        name=data["name"],
        kind=SubjectKind(data.get("kind", SubjectKind.CADRE.value)),
        unit=unit,
        position_title=data.get("position_title", ""),
        predecessor_key=data.get("predecessor_key"),
        position=index,
    )


def _build_group(index: int, data: dict[str, Any], subjects_by_key: dict[str, Subject]) -> RespondentGroup:
    rated = data.get("subjects", "all")
    return RespondentGroup(
        key=data["key"],
        name=data["name"],
        weight=float(data.get("weight", 1)),
        min_size=int(data.get("min_size", 3)),
        expected_count=int(data.get("expected_count", 0)),
        rates_all_subjects=rated == "all",
        rated_subjects=[] if rated == "all" else [subjects_by_key[key] for key in rated],
        position=index,
    )


def _build_questions(items: list[dict[str, Any]]) -> list[Question]:
    questions: list[Question] = []
    for index, data in enumerate(items):
        show_if = data.get("show_if")
        questions.append(
            Question(
                kind=QuestionKind(data["kind"]),
                prompt=data["prompt"],
                is_required=data.get("required", False),
                options=list(data.get("options", [])),
                show_if_question=questions[show_if["question"]] if show_if else None,
                show_if_values=list(show_if["values"]) if show_if else [],
                position=index,
            )
        )
    return questions


# ---- cloning ----------------------------------------------------------------------------


def clone_survey(
    survey: Survey, actor: User | None, *, year: int | None = None, title: str | None = None
) -> Survey:
    """Copy a survey's structure into a new draft (next year's by default); never its ballots.

    The title's year is replaced by the new year unless a title is given; opening and
    closing times are left empty for the organizer to set.
    """
    new_year = survey.year + 1 if year is None else year
    if not 2000 <= new_year <= 2100:
        raise ValidationFailed("年度应在 2000–2100 之间", ["year"])
    definition = export_definition(survey)
    definition.update(
        year=new_year, title=title or _clone_title(survey, new_year), opens_at=None, closes_at=None
    )
    copy_ = _build_survey(definition)
    copy_.cloned_from_id = survey.id
    db.session.flush()
    audit.record(actor, "survey.clone", "survey", copy_.id, source_id=survey.id, title=copy_.title)
    return copy_


def _retitle(title: str, old_year: int, new_year: int) -> str:
    return title.replace(str(old_year), str(new_year))


def _clone_title(survey: Survey, new_year: int) -> str:
    title = _retitle(survey.title, survey.year, new_year)
    return title if title != survey.title else f"{survey.title[:196]}（副本）"


# ---- templates --------------------------------------------------------------------------


def list_templates() -> list[tuple[str, str]]:
    """Return the shipped survey templates as (key, Chinese label), in display order."""
    return list(TEMPLATES.items())


def load_template(key: str) -> dict[str, Any]:
    """Return a shipped template's definition; raise NotFound for an unknown key."""
    if key not in TEMPLATES:
        raise NotFound("没有这个问卷模板")
    return json.loads((TEMPLATE_DIR / f"{key}.json").read_text(encoding="utf-8"))


def create_from_template(key: str, overrides: Mapping[str, Any], actor: User | None) -> Survey:
    """Create a draft survey from a shipped template, with some settings overridden.

    `overrides` uses the survey's field names (year, title, kind, instructions, opens_at,
    closes_at, is_anonymous, excellent_cap_percent, trim_extremes, disagreement_gap …);
    None or "" keeps the template's value. A new year also replaces the year in the title.
    """
    definition = _with_overrides(load_template(key), overrides)
    return _import_checked(definition, actor, "survey.create", template=key)


def _with_overrides(definition: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    given = {name: _plain(value) for name, value in overrides.items() if value is not None and value != ""}
    result = copy.deepcopy(definition)
    if "year" in given and "title" not in given and isinstance(given["year"], int):
        result["title"] = _retitle(result["title"], result["year"], given["year"])
    for name, value in given.items():
        if name in RULE_FIELDS:
            result.setdefault("rules", {})[name] = value
        else:
            result[name] = value
    return result


def _plain(value: Any) -> Any:
    """Turn an override given as a Python object into its JSON form."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return _iso(value)
    return value
