"""Bringing a unit plan's bonus and deduction items from the registers of 正向激励 and
效能督查: the preview of what a sync changes (a GET), and the sync itself (a POST with
confirm=yes; a bare POST lands back on the preview).
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.blueprints.access import commit_or_flash, organizer_required
from survey_app.blueprints.assessments.common import bp, confirmation_given, load_plan
from survey_app.errors import ConfirmationRequired, DomainError
from survey_app.services.assessment import register_sync


def _back(plan_id: int):
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="subjects"))


@bp.get("/<int:plan_id>/registers/sync")
@organizer_required
def preview_register_sync(plan_id: int):
    plan = load_plan(plan_id)
    try:
        preview = register_sync.preview_sync(plan)
    except DomainError as error:
        flash(_(error.message), "error")
        return _back(plan_id)
    return render_template("assessments/register_sync.html", plan=plan, preview=preview)


@bp.post("/<int:plan_id>/registers/sync")
@organizer_required
def sync_registers(plan_id: int):
    plan = load_plan(plan_id)
    done = []
    error = commit_or_flash(lambda: done.append(
        register_sync.sync_plan(plan, current_user, confirmed=confirmation_given())))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.preview_register_sync", plan_id=plan_id))
    if error is None:
        flash(_("已从登记簿同步加减分：%(n)d 处变化", n=done[0].changes), "success")
    return _back(plan_id)
