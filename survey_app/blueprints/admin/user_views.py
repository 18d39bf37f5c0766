"""User accounts (admins only: create, edit, reset a password) and the audit log.

The URLs of these views are in the package's __init__.py (the admin URL map).
"""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.users import UserEditForm, UserForm
from survey_app import labels, sessions
from survey_app.blueprints.access import admin_required, organizer_required
from survey_app.blueprints.admin.feedback import is_confirmed
from survey_app.errors import ConfirmationRequired, DomainError
from survey_app.extensions import db
from survey_app.models import Role, Unit, User
from survey_app.services.platform import audit, users

# ---- users and audit log -------------------------------------------------------------------


@admin_required
def list_users():
    units = list(db.session.scalars(select(Unit).order_by(Unit.category, Unit.name)))
    form = UserForm(request.form if request.method == "POST" else None, role_labels=labels.ROLE, units=units)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                user = users.create_user(
                    form.username.data, form.password.data, Role(form.role.data),
                    display_name=form.display_name.data, unit_ids=form.unit_ids.data,
                )
            except DomainError as error:
                db.session.rollback()
                form.username.errors.append(_(error.message))
                status = 400
            else:
                audit.record(current_user, "user.create", "user", user.id, username=user.username, role=user.role.value)
                db.session.commit()
                flash(_("已创建用户 %(name)s", name=user.username), "success")
                return redirect(url_for("admin.list_users"))
        else:
            status = 400
    accounts = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", form=form, accounts=accounts), status


@admin_required
def edit_user(user_id: int):
    account = db.get_or_404(User, user_id)
    units = list(db.session.scalars(select(Unit).order_by(Unit.category, Unit.name)))
    form = UserEditForm(request.form if request.method == "POST" else None, role_labels=labels.ROLE, units=units)
    if request.method == "GET":
        form.role.data, form.is_active.data = account.role.value, account.is_active_account
        form.is_inspector.data = account.is_inspector
        form.unit_ids.data = [unit.id for unit in account.scoped_units]
    elif form.validate():
        try:
            users.update_user(account, current_user, role=Role(form.role.data), unit_ids=form.unit_ids.data,
                              is_active=form.is_active.data, is_inspector=form.is_inspector.data)
        except DomainError as error:
            db.session.rollback()
            form.role.errors.append(_(error.message))
        else:
            audit.record(current_user, "user.update", "user", account.id, role=account.role.value,
                         active=account.is_active_account, units=form.unit_ids.data,
                         inspector=account.is_inspector)
            db.session.commit()
            if account.id == current_user.id:
                sessions.start(account)  # a change of one's own scope ends the other sessions only
            flash(_("已保存"), "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/user.html", account=account, form=form), 400 if form.errors else 200


@admin_required
def confirm_reset_password(user_id: int):
    account = db.get_or_404(User, user_id)
    back_url = url_for("admin.edit_user", user_id=user_id)
    return render_template("admin/confirm.html", heading=_("确认重置密码"),
                           consequences=users.reset_password_consequences(account),
                           crumbs=[(_("用户"), url_for("admin.list_users")), (account.username, back_url)],
                           action_url=request.path, button_label=_("生成新密码"), back_url=back_url, danger=True)


@admin_required
def reset_password(user_id: int):
    account = db.get_or_404(User, user_id)
    try:
        password = users.reset_password(account, confirmed=is_confirmed())
    except ConfirmationRequired as error:
        flash(error.message, "error")
        return redirect(url_for("admin.confirm_reset_password", user_id=user_id))
    audit.record(current_user, "user.reset_password", "user", account.id)
    db.session.commit()
    if account.id == current_user.id:
        sessions.start(account)  # the reset ended every session, this one too
    # Shown in this response only: never in the (signed, not encrypted) session cookie,
    # a redirect or a cache.
    response = make_response(render_template("admin/password_reset.html", account=account, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


@organizer_required
def audit_log():
    return render_template("admin/audit.html",
                           entries=audit.entries_in_scope(current_user, users.visible_unit_ids(current_user), 500))
