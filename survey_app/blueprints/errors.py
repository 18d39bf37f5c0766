"""Error pages in the user's language; the 500 handler rolls the session back."""

from flask import Blueprint, render_template, request
from flask_wtf.csrf import CSRFError

from survey_app.extensions import db

bp = Blueprint("errors", __name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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
def method_not_allowed(_error):
    return _page(405, "不支持此操作")


@bp.app_errorhandler(413)
def too_large(_error):
    return _page(413, "上传的文件太大")


@bp.app_errorhandler(429)
def too_many(_error):
    return _page(429, "尝试次数过多，请稍后再试")


@bp.app_errorhandler(500)
def server_error(_error):
    db.session.rollback()
    return _page(500, "服务器出错，请稍后再试；已提交的内容不会丢失")
