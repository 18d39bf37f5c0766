"""Negotiated targets (申报 → 审核 → 确认 → 审定): a unit's workspace and sheet pages (the
unit's reporter and staff of the unit: READ_UNIT_WORK / UNIT_WORK on ``unit_id``), the
效能办's review page and the start of a round (CITY_DOCUMENT), and the dashboard per system
(SIGNED_IN, rows filtered by scope). The services decide who may take which step
(services/targets/negotiation.py); the views parse the form and commit once.
"""

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.target import IndicatorSystem, TargetSheet
from survey_app.services.platform import permissions
from survey_app.services.targets import history, negotiation, setting
from survey_app.timezones import LOCAL_ZONE

bp = Blueprint("negotiation", __name__, url_prefix="/admin/targets")


def local_today() -> date:
    return datetime.now(UTC).astimezone(LOCAL_ZONE).date()


def home_url(user) -> str:
    """Where a user lands after signing in: a reporter on their unit's workspace."""
    if permissions.is_reporter(user):
        units = list(user.scoped_units)
        return (url_for("negotiation.unit_workspace", unit_id=units[0].id) if units
                else url_for("auth.change_password"))
    return url_for("admin.list_surveys")


def _sheet(system_id: int, unit_id: int, lock: bool = False) -> TargetSheet:
    sheet = negotiation.sheet_of(system_id, unit_id, lock)
    if sheet is None:
        abort(404)
    return sheet


def _ids(prefix: str) -> dict[int, str]:
    """Form fields named ``<prefix>-<node id>`` as {node id: text}."""
    found = {}
    for name, value in request.form.items():
        head, _sep, tail = name.partition("-")
        if head == prefix and tail.isdigit():
            found[int(tail)] = value
    return found


def _failed(error: DomainError) -> None:
    db.session.rollback()
    flash(error.message, "error")
    for line in getattr(error, "errors", [])[: 50]:
        if line != error.message:
            flash(line, "error")


@bp.get("/units/<int:unit_id>/")
@login_required
def unit_workspace(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    return render_template("negotiation/workspace.html", unit=unit, rows=setting.workspace(unit, local_today()))


def _page(template: str, sheet: TargetSheet, status: int = 200):
    system = db.session.get(IndicatorSystem, sheet.system_id)
    unit = db.session.get(Unit, sheet.unit_id)
    deadline = setting.deadlines_of(system)
    return render_template(
        template, system=system, unit=unit, sheet=sheet, deadline=deadline,
        rows=history.sheet_rows(sheet), rounds=list(reversed(history.rounds_of(sheet))),
        reminder=setting.reminder(sheet, deadline, local_today()),
        state_label=negotiation.STATE_LABELS[sheet.state], may_unit=negotiation.is_unit_side(current_user, unit.id),
        may_office=negotiation.is_office(current_user), limits=(negotiation.MIN_DIFFICULTY, negotiation.MAX_DIFFICULTY),
    ), status


@bp.get("/<int:system_id>/units/<int:unit_id>")
@login_required
def show_sheet(system_id: int, unit_id: int):
    return _page("negotiation/sheet.html", _sheet(system_id, unit_id))


#: The unit's steps on its sheet page: action → (the step, given the sheet, the user, now,
#: the comment and per-leaf comments; the message once done).
UNIT_STEPS = {
    "save": (lambda sheet, user, now, comment, leaves: negotiation.save_values(sheet, user, _ids("value"), now),
             _l("已保存（尚未申报）")),
    "propose": (lambda sheet, user, now, comment, leaves: negotiation.propose(sheet, user, _ids("value"), now, comment,
                                                                              leaves),
                _l("已申报，等待效能办审核")),
    "confirm": (lambda sheet, user, now, comment, leaves: negotiation.confirm(sheet, user, now, comment, _ids("value")),
                _l("已确认，等待效能办审定")),
}
#: The 效能办's steps on its review page.
OFFICE_STEPS = {
    "return": (lambda sheet, user, now, comment, leaves: negotiation.return_sheet(sheet, user, now, comment, leaves),
               _l("已退回单位修改")),
    "adjust": (lambda sheet, user, now, comment, leaves: negotiation.adjust(
        sheet, user, now, _ids("value"), _ids("difficulty"), comment, leaves), _l("已调整，等待单位确认")),
    "accept": (lambda sheet, user, now, comment, leaves: negotiation.accept(sheet, user, now, comment),
               _l("已同意申报的目标，等待审定")),
    "approve": (lambda sheet, user, now, comment, leaves: negotiation.approve(sheet, user, now, comment),
                _l("已审定，目标已锁定")),
    "reopen": (lambda sheet, user, now, comment, leaves: negotiation.reopen(sheet, user, now, comment),
               _l("已重新打开，可再次审核")),
}


def _take_step(steps: dict, system_id: int, unit_id: int, page: str):
    """Apply the posted action (one of `steps`) to the locked sheet; back to `page`."""
    sheet = _sheet(system_id, unit_id, lock=True)
    step = steps.get(request.form.get("action", ""))
    if step is None:
        abort(400)
    act, message = step
    try:
        act(sheet, current_user, datetime.now(UTC), request.form.get("comment", ""), _ids("comment"))
    except DomainError as error:
        _failed(error)
    else:
        db.session.commit()
        flash(str(message), "success")
    return redirect(url_for(page, system_id=system_id, unit_id=unit_id))


@bp.post("/<int:system_id>/units/<int:unit_id>")
@login_required
def act_on_sheet(system_id: int, unit_id: int):
    return _take_step(UNIT_STEPS, system_id, unit_id, "negotiation.show_sheet")


@bp.get("/<int:system_id>/review/<int:unit_id>")
@login_required
def review_sheet(system_id: int, unit_id: int):
    return _page("negotiation/review.html", _sheet(system_id, unit_id))


@bp.post("/<int:system_id>/review/<int:unit_id>")
@login_required
def decide_sheet(system_id: int, unit_id: int):
    return _take_step(OFFICE_STEPS, system_id, unit_id, "negotiation.review_sheet")


@bp.get("/<int:system_id>/dashboard")
@login_required
def show_dashboard(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    board = setting.dashboard(system, permissions.scope_of(current_user), local_today())
    return render_template("negotiation/dashboard.html", board=board, today=local_today(),
                           may_start=negotiation.is_office(current_user))


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


@bp.post("/<int:system_id>/setting")
@login_required
def start_setting(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    proposal, confirmation = _date("proposal_due_on"), _date("confirmation_due_on")
    try:
        if setting.deadlines_of(system) is None or request.form.get("add_units") == "yes":
            created = setting.start_setting(system, current_user, proposal, confirmation, datetime.now(UTC))
            message = _("已启动目标申报：新建 %(count)d 个单位的目标表", count=created)
        else:
            setting.set_deadlines(system, current_user, proposal, confirmation)
            message = _("已修改截止日期")
    except DomainError as error:
        _failed(error)
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("negotiation.show_dashboard", system_id=system_id))
