"""Results API v1: a survey's results as JSON for other systems (docs/api.md).

Authentication is a personal API token only (`Authorization: Bearer <token>`): session
cookies are not looked at, so no CSRF is needed and a browser session cannot be used to
read the API. An expired token is 401; a token limited to some surveys gets 403 for the
others. The token acts with its owner's role and unit scope: a survey outside the
scope is 404, and a scoped owner sees only the subjects and units of his units. Errors are
JSON: {"error": message}.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

from survey_app.extensions import csrf, db
from survey_app.models import ApiToken, Survey
from survey_app.services.platform import api_tokens, permissions, users
from survey_app.services.platform.permissions import Decision
from survey_app.services.results import answer_exports, answers, exports, report_models, reports

bp = Blueprint("results_api", __name__, url_prefix="/api/v1/surveys")
csrf.exempt(bp)

#: Ids are 32-bit in every database we run on; a larger one names no survey (and SQLite
#: cannot even bind one above 2**63).
MAX_ID = 2**31 - 1


def _error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pingyi"'
    return response


def _today():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _bearer_token() -> ApiToken | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return api_tokens.authenticate(token.strip(), _today())


@bp.get("/<int:survey_id>/results")
def survey_results(survey_id: int):
    token = _bearer_token()
    if token is None:
        return _error(401, _("缺少有效的 API 令牌：请在请求头中提供 Authorization: Bearer 令牌"))
    owner = token.user
    db.session.commit()  # the token's day of last use
    survey = db.session.get(Survey, survey_id) if survey_id <= MAX_ID else None
    if survey is None or permissions.decide(owner, permissions.Need.READ_SURVEY, survey) is not Decision.ALLOW:
        return _error(404, _("没有这个问卷，或不在您的权限范围内"))
    if not api_tokens.may_read(token, survey):
        return _error(403, _("这个令牌只能读取创建时选定的问卷"))
    scope = users.visible_unit_ids(owner)
    report = report_models.scoped(reports.survey_report(survey), survey, scope)
    body = exports.results_json(report)
    body["answers"] = answer_exports.answers_json(answers.answers_view(survey, report, scope))
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
