"""Survey as code: export, validate and import whole survey definitions as JSON data.

A definition refers to things by their keys (subjects, groups) or list indices (questions),
never by database ids, so it can move between installations and years. Checking a
definition (the JSON Schema in survey_app/schemas/ and the checks it cannot express) is
definition_checks.py; this module exports, imports, clones and ships templates.
docs/survey-format.md describes the format for people.
"""

import copy
import enum
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

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
from survey_app.services.design import surveys
from survey_app.services.design.definition_checks import checked_definition
from survey_app.services.design.surveys import get_or_create_unit
from survey_app.services.platform import audit

FORMAT_VERSION = 1
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "survey_templates"

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
        {"label": o.label, "score": _number(o.score), "is_unknown": o.is_unknown} | ({"role": o.role} if o.role else {})
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



# ---- import -----------------------------------------------------------------------------


def import_definition(data: Any, actor: User | None) -> Survey:
    """Create a draft survey from a definition; raise ValidationFailed listing every problem.

    `data` is the parsed JSON value or the raw JSON text or bytes. Nothing is created when
    the definition has any problem.
    """
    return _import_checked(data, actor, "survey.import")


def _import_checked(data: Any, actor: User | None, action: str, **detail: Any) -> Survey:
    definition, problems = checked_definition(data)
    if problems:
        raise ValidationFailed(_("问卷定义有误"), problems)
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
    built = [
        ScaleOption(
            label=option["label"],
            is_unknown=option.get("is_unknown", False),
            score=None if option.get("is_unknown", False) else float(option["score"]),
            position=index,
            role=option.get("role"),
        )
        for index, option in enumerate(options)
    ]
    surveys.apply_preset_roles(built)
    return built


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
        raise ValidationFailed(_("年度应在 2000–2100 之间"), ["year"])
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
        raise NotFound(_("没有这个问卷模板"))
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
