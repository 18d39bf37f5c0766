"""Error pages in the user's language; the 500 handler rolls the session back.

A database that cannot answer (restarting, unreachable, connection cut, SQLite's write
lock held past the busy timeout, disk full, read-only) is not a bug: it answers 503 with
"try again", as JSON under /api/, on a page without database access elsewhere. The
respondent blueprint has its own page for it, which keeps the posted answers.
"""

from contextlib import suppress

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, InternalError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from survey_app.errors import StorageUnavailable
from survey_app.extensions import db

bp = Blueprint("errors", __name__)

#: Database failures that a later retry can overcome; each answers 503, never 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, InternalError, PoolTimeout)
#: Seconds a client should wait before retrying (sent as Retry-After).
RETRY_AFTER = 5


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def database_trouble(error: Exception) -> None:
    """Roll the failed transaction back and log the cause for the operator.

    Logs the route's rule and the driver's message only: never the path (it may carry a
    one-time code) nor the statement's parameters (a ballot's answers, a code's hash).
    """
    with suppress(SQLAlchemyError):  # the connection is gone; the session is removed at teardown
        db.session.rollback()
    cause = getattr(error, "orig", None) or error
    message = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else ""
    rule = request.url_rule.rule if request.url_rule else "-"
    current_app.logger.error(
        "database unavailable on %s %s: %s: %s", request.method, rule, type(cause).__name__, message
    )


def _page(status: int, message: str):
    if _wants_json():
        return {"error": message}, status
    return render_template("errors/error.html", status=status, message=message), status


@bp.app_errorhandler(400)
def bad_request(_error):
    return _page(400, "请求无效")


@bp.app_errorhandler(CSRFError)
def csrf_failed(_error):
    return _page(400, "页面已过期，请刷新后重试")


@bp.app_errorhandler(403)
def forbidden(_error):
    return _page(403, "没有权限访问此页面")


@bp.app_errorhandler(404)
def not_found(_error):
    return _page(404, "页面不存在")


@bp.app_errorhandler(405)
def method_not_allowed(error):
    body, status = _page(405, "不支持此操作")
    # RFC 9110: a 405 names the methods the resource does allow.
    return body, status, {"Allow": ", ".join(sorted(getattr(error, "valid_methods", None) or ()))}


@bp.app_errorhandler(413)
def too_large(_error):
    return _page(413, "上传的文件太大")


@bp.app_errorhandler(429)
def too_many(_error):
    return _page(429, "尝试次数过多，请稍后再试")


@bp.app_errorhandler(500)
def server_error(_error):
    with suppress(SQLAlchemyError):
        db.session.rollback()
    return _page(500, "服务器出错，请稍后再试；已提交的内容不会丢失")


def render_offline(template: str, **context) -> str:
    """Render `template` without context processors: Flask-Login's would load the signed-in
    user from the database that just failed. The template gets `request` and the globals."""
    return current_app.jinja_env.get_template(template).render(request=request, **context)


def database_unavailable(error):
    database_trouble(error)
    headers = {"Retry-After": str(RETRY_AFTER)}
    message = _("系统暂时无法访问数据库，请稍后重试")
    if _wants_json():
        return {"error": message, "reason": "unavailable"}, 503, headers
    return render_offline("errors/unavailable.html", message=message), 503, headers


@bp.app_errorhandler(StorageUnavailable)
def storage_unavailable(error: StorageUnavailable):
    """The file store (S3 down, disk full) is a fault of the deployment: 503 and "try again",
    with the store's message; the cause is logged by the store (services/platform/file_store.py)."""
    with suppress(SQLAlchemyError):
        db.session.rollback()
    body, status = _page(503, error.message)
    return body, status, {"Retry-After": str(RETRY_AFTER)}


for _exception in DATABASE_UNAVAILABLE:
    bp.app_errorhandler(_exception)(database_unavailable)
