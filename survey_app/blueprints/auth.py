"""Sign in and out, and change one's own password.

Sign-in attempts are throttled per address (Flask-Limiter) and per account
(services/platform/login_backoff.py); sessions end on the server (survey_app/sessions.py).
"""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.auth import LoginForm, PasswordChangeForm
from survey_app import sessions
from survey_app.blueprints.negotiation import home_url
from survey_app.errors import DomainError
from survey_app.extensions import db, limiter
from survey_app.redirects import local_target
from survey_app.services.platform import audit, login_backoff, permissions, users

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None, user=None) -> str:
    user = user or current_user
    target = local_target(target)
    if target and permissions.is_reporter(user) and not target.startswith("/admin/targets/units/"):
        target = None  # a reporter reaches only their unit's pages: never a page that would refuse them
    return target or home_url(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    key = sessions.attempt_key(form.username.data)
    wait = login_backoff.seconds_refused(sessions.backoff(), key)
    if wait:
        # The same answer for every name, real or not: the counter is per typed name.
        form.password.errors.append(_("这个账号的登录失败次数过多，请 %(minutes)d 分钟后再试",
                                      minutes=(wait + 59) // 60))
        return render_template("auth/login.html", form=form), 429
    user = users.authenticate(form.username.data, form.password.data)
    if user is None:
        login_backoff.note_failure(sessions.backoff(), key)
        form.password.errors.append(_("用户名或密码错误"))
        return render_template("auth/login.html", form=form)
    login_backoff.forget(sessions.backoff(), key)
    sessions.start(user)
    audit.record(user, "user.login", "user", user.id)
    db.session.commit()
    response = redirect(_safe_next(request.args.get("next"), user))
    sessions.remember_device(response, user.username)
    return response


@bp.post("/logout")
@login_required
def logout():
    # Ends every session of the account, also a cookie copied from this browser.
    current_user.end_sessions()
    db.session.commit()
    sessions.end()
    flash(_("已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            users.change_password(current_user, form.current.data, form.new.data)
        except DomainError as error:
            db.session.rollback()
            form.new.errors.append(error.message)
        else:
            audit.record(current_user, "user.change_password", "user", current_user.id)
            db.session.commit()
            sessions.start(current_user)  # this browser stays signed in; the others end
            flash(_("密码已修改，其他设备上的登录已退出"), "success")
            return redirect(home_url(current_user))
    response = make_response(render_template("auth/password.html", form=form, min_length=users.MIN_PASSWORD_LENGTH), 400 if form.errors else 200)
    response.headers["Cache-Control"] = "no-store"
    return response
