"""Survey builder and administration for organizers (viewers read only)."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from survey_app.services import surveys, users

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/surveys")
@login_required
def list_surveys():
    items = surveys.list_surveys(users.visible_unit_ids(current_user))
    return render_template("admin/surveys.html", surveys=items)


@bp.get("/users")
@login_required
def list_users():
    return render_template("admin/users.html")


@bp.get("/audit")
@login_required
def audit_log():
    return render_template("admin/audit.html")
