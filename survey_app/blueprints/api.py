"""JSON API v1 for other clients: fetch a code's ballot, submit it (docs/api.md), and the
API's OpenAPI document (survey_app/schemas/openapi.json, served at /api/v1/openapi.json).

The same service functions as the phone page check and store the ballot, so both obey
one set of rules. Errors are JSON: {"error": message, "reason": ..., "errors": {...}}.
No CSRF: requests carry no cookie authority, only the code in the body.
"""

from datetime import UTC, datetime
from functools import cache
from numbers import Real
from pathlib import Path

from flask import Blueprint, current_app, request
from flask_babel import gettext as _

from survey_app.blueprints import code_guard
from survey_app.extensions import csrf, db
from survey_app.services.respondents import ballots
from survey_app.services.respondents.ballot_rules import (
    NAME_KEY,
    BallotInvalid,
    BallotStructure,
    comment_key,
    question_key,
    rating_key,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_ITEMS = 5000
OPENAPI_DOCUMENT = Path(__file__).resolve().parent.parent / "schemas" / "openapi.json"


class PayloadInvalid(Exception):
    """A request body of the wrong shape; `errors` maps JSON paths to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid payload")
        self.errors = errors


def _error(status: int, message: str, reason: str, errors: dict | None = None):
    body = {"error": message, "reason": reason}
    if errors:
        body["errors"] = errors
    return body, status


@bp.errorhandler(ballots.BallotRefused)
def refused(error: ballots.BallotRefused):
    db.session.rollback()
    return _error(error.status, error.message, error.reason)


@bp.errorhandler(BallotInvalid)
def invalid(error: BallotInvalid):
    db.session.rollback()
    return _error(422, error.message, "invalid", error.field_errors)


@bp.errorhandler(PayloadInvalid)
def malformed(error: PayloadInvalid):
    return _error(422, _("请求内容格式不正确"), "malformed", error.errors)


@bp.errorhandler(429)
def too_many(error):
    return _error(429, getattr(error, "description", "") or _("操作太频繁，请稍后再试"), "rate_limited")


@bp.errorhandler(413)
def too_large(_error_):
    return _error(413, _("请求内容太长"), "too_large")


# ---- reading the body -------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _has_invalid_text(body) -> bool:
    """Return whether any key or string in the parsed body is not encodable text.

    JSON may carry lone surrogates (\\ud800 escapes), which no database column can store. Walked
    with a stack, not recursively: the body may be nested as deep as the parser allows.
    """
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            strings = item.keys()
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            strings = (item,) if isinstance(item, str) else ()
        for text in strings:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def _body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser can follow: not a ballot either
        body = None
    if not isinstance(body, dict):
        raise PayloadInvalid({"": _("请求体必须是 JSON 对象（Content-Type: application/json）")})
    if _has_invalid_text(body):
        raise PayloadInvalid({"": _("请求内容包含无法识别的字符")})
    return body


def _string(body: dict, key: str, limit: int, errors: dict, required: bool = True) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        errors[key] = _("须为不超过 %(limit)d 个字符的字符串", limit=limit)
        return ""
    return value


def _number_text(value: Real) -> str:
    return str(value) if _is_int(value) else f"{float(value):.6f}".rstrip("0").rstrip(".")


def _rating_entry(item, path: str, errors: dict) -> tuple[str, str] | None:
    if not isinstance(item, dict) or not _is_int(item.get("subject_id")) or not _is_int(item.get("dimension_id")):
        errors[path] = _("须为含整数 subject_id 和 dimension_id 的对象")
        return None
    key = rating_key(item["subject_id"], item["dimension_id"])
    if "option_id" in item and _is_int(item["option_id"]) and "score" not in item:
        return key, str(item["option_id"])
    if "score" in item and _is_number(item["score"]) and "option_id" not in item:
        return key, _number_text(item["score"])
    errors[path] = _("须有整数 option_id 或数字 score 之一")
    return None


def _answer_values(item, path: str, errors: dict) -> tuple[str, list[str]] | None:
    if not isinstance(item, dict) or not _is_int(item.get("question_id")):
        errors[path] = _("须为含整数 question_id 的对象")
        return None
    value = item.get("value")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return question_key(item["question_id"]), value
    if isinstance(value, str):
        return question_key(item["question_id"]), [value]
    if _is_number(value):
        return question_key(item["question_id"]), [_number_text(value)]
    errors[path] = _("value 须为字符串、数字或字符串数组")
    return None


def _list(body: dict, key: str, errors: dict) -> list:
    items = body.get(key, [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        errors[key] = _("须为数组")
        return []
    return items


def _submission(body: dict) -> dict[str, list[str]]:
    """Turn the JSON body into the answer mapping the service checks."""
    errors: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for index, item in enumerate(_list(body, "ratings", errors)):
        entry = _rating_entry(item, f"ratings[{index}]", errors)
        if entry and entry[0] in values:
            errors[f"ratings[{index}]"] = _("同一评议对象的同一维度重复评价")
        elif entry:
            values[entry[0]] = [entry[1]]
    for index, item in enumerate(_list(body, "answers", errors)):
        entry = _answer_values(item, f"answers[{index}]", errors)
        if entry and entry[0] in values:
            errors[f"answers[{index}]"] = _("同一题目重复作答")
        elif entry:
            values[entry[0]] = entry[1]
    for index, item in enumerate(_list(body, "comments", errors)):
        entry = _comment_entry(item, f"comments[{index}]", errors)
        if entry and entry[0] in values:
            errors[f"comments[{index}]"] = _("同一评议对象重复填写意见")
        elif entry:
            values[entry[0]] = [entry[1]]
    name = _string(body, "respondent_name", 100, errors, required=False)
    if name:
        values[NAME_KEY] = [name]
    if errors:
        raise PayloadInvalid(errors)
    return values


def _comment_entry(item, path: str, errors: dict) -> tuple[str, str] | None:
    if not isinstance(item, dict) or not _is_int(item.get("subject_id")) or not isinstance(item.get("text"), str):
        errors[path] = _("须为含整数 subject_id 和字符串 text 的对象")
        return None
    return comment_key(item["subject_id"]), item["text"]


# ---- endpoints --------------------------------------------------------------------------


@cache
def _openapi_bytes() -> bytes:
    return OPENAPI_DOCUMENT.read_bytes()


@bp.get("/openapi.json")
def openapi_document():
    """Return the OpenAPI 3 document describing every /api/v1 endpoint."""
    return current_app.response_class(_openapi_bytes(), mimetype="application/json")


def _structure_json(structure: BallotStructure) -> dict:
    survey = structure.survey
    return {
        "survey": {
            "id": survey.id, "title": survey.title, "instructions": survey.instructions,
            "is_anonymous": survey.is_anonymous, "scale": survey.scale_kind.value,
            "excellent_cap_percent": survey.excellent_cap_percent,
            "subject_comments": survey.subject_comments,
            "top_option_id": structure.top_option.id if structure.top_allowed else None,
            "top_allowed": structure.top_allowed,
        },
        "group": {"key": structure.group.key, "name": structure.group.name},
        "subjects": [
            {"id": s.id, "name": s.name, "unit": s.unit.name if s.unit else None, "position_title": s.position_title}
            for s in structure.subjects
        ],
        "dimensions": [{"id": d.id, "name": d.name, "description": d.description} for d in structure.dimensions],
        "options": [
            {"id": o.id, "label": o.label, "score": o.score, "is_unknown": o.is_unknown} for o in structure.options
        ],
        "questions": [
            {"id": q.id, "kind": q.kind.value, "prompt": q.prompt, "is_required": q.is_required,
             "options": list(q.options),
             "show_if": {"question_id": q.show_if_question_id, "values": list(q.show_if_values)}
             if q.show_if_question_id else None}
            for q in structure.questions
        ],
    }


@bp.post("/ballot-forms")
@code_guard.guarded()
def ballot_form():
    """Return what a live code's ballot asks (the code goes in the body, not the URL)."""
    errors: dict[str, str] = {}
    code = _string(_body(), "code", 40, errors)
    if errors:
        raise PayloadInvalid(errors)
    context = ballots.open_code(code, datetime.now(UTC), code_guard.only_survey())
    return _structure_json(context.structure)


@bp.post("/ballots")
@code_guard.guarded()
def submit_ballot():
    """Burn the code and store the ballot: 201 stored, 200 already stored (a retry)."""
    body = _body()
    errors: dict[str, str] = {}
    code = _string(body, "code", 40, errors)
    key = _string(body, "idempotency_key", 64, errors)
    if errors:
        raise PayloadInvalid(errors)
    values = _submission(body)
    result = ballots.submit_with_code(code, values, key, datetime.now(UTC), only_survey=code_guard.only_survey())
    db.session.commit()
    status = 201 if result.outcome is ballots.Outcome.STORED else 200
    return {"status": result.outcome.value}, status
