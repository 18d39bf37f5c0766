"""Front door: home redirect, language switch and the load balancer's health check."""

import logging

from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey_app.blueprints.negotiation import home_url
from survey_app.extensions import db
from survey_app.redirects import local_target

bp = Blueprint("main", __name__)

log = logging.getLogger(__name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))  # a unit reporter: their unit's workspace
    return redirect(url_for("admin.list_surveys"))


@bp.post("/locale")
def set_locale():
    session["locale"] = "en" if request.form.get("locale") == "en" else "zh_CN"
    return redirect(local_target(request.form.get("next")) or url_for("main.index"))


@bp.get("/healthz")
def healthz():
    """200 when the database answers `SELECT 1`, 503 when it does not (take this server out)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        # The error's class only: its text may hold the database address or a statement.
        log.warning("health check: database unreachable (%s)", type(error).__name__)
        return {"status": "unavailable", "database": "unreachable"}, 503, {"Cache-Control": "no-store"}
    return {"status": "ok", "database": "ok"}, 200, {"Cache-Control": "no-store"}
