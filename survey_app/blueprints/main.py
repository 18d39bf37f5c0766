"""Front door: home redirect, language switch and the load balancer's health check."""

from flask import Blueprint, redirect, request, session, url_for
from sqlalchemy import text

from survey_app.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return redirect(url_for("admin.list_surveys"))


@bp.post("/locale")
def set_locale():
    session["locale"] = "en" if request.form.get("locale") == "en" else "zh_CN"
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("main.index"))


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
