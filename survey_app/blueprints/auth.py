"""Sign in and out. Sign-in attempts are throttled per address."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forms.auth import LoginForm
from survey_app.extensions import db, limiter
from survey_app.services import audit, users

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.list_surveys")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.list_surveys"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("用户名或密码错误"))
        else:
            login_user(user)
            audit.record(user, "user.login", "user", user.id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("已退出登录"), "info")
    return redirect(url_for("auth.login"))
