"""Indicator systems (考核细则): the list, a system's tree, uploads (JSON or Excel: a refused
file lists its problems with status 422, nothing stored), downloads, publishing (locks it)
and deleting a draft. City-wide documents: every staff member reads them; unscoped
organizers and admins change them (services/platform/permissions.py, CITY_DOCUMENT).
"""

import json
from io import BytesIO
from pathlib import PurePath

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forms.targets import SystemImportForm
from survey_app.blueprints.access import commit_or_flash
from survey_app.errors import ConfirmationRequired, DomainError
from survey_app.extensions import db
from survey_app.models.target import IndicatorSystem, SystemStatus
from survey_app.services.platform import sheets
from survey_app.services.targets import systems, workbook

bp = Blueprint("targets", __name__, url_prefix="/admin/targets")

STATUS_LABELS = {SystemStatus.DRAFT: _l("草稿"), SystemStatus.PUBLISHED: _l("已发布")}
DIRECTION_LABELS = {"higher": _l("越高越好"), "lower": _l("越低越好")}


def _render_list(form: SystemImportForm | None = None, errors=(), status: int = 200):
    return render_template("targets/systems.html", summaries=systems.list_systems(), form=form or SystemImportForm(),
                           errors=list(errors), status_labels=STATUS_LABELS), status


@bp.get("/")
@login_required
def list_systems():
    return _render_list()


@bp.post("/import")
@login_required
def import_system():
    form = SystemImportForm()
    if not form.validate():
        return _render_list(form, status=422)
    upload = form.document.data
    data = upload.read()
    is_xlsx = PurePath(upload.filename or "").suffix.lower() == ".xlsx"
    try:
        system = (workbook.import_workbook(data, current_user) if is_xlsx
                  else systems.import_system(data, current_user))
    except DomainError as error:
        db.session.rollback()  # all or nothing
        return _render_list(form, getattr(error, "errors", [error.message]), 422)
    db.session.commit()
    flash(_("已导入考核细则（草稿），共 %(count)d 个指标", count=len(system.nodes)), "success")
    return redirect(url_for("targets.show_system", system_id=system.id))


@bp.get("/template.xlsx")
@login_required
def download_template():
    return _download(workbook.template_workbook(), _("考核细则模板.xlsx"), sheets.XLSX_MIMETYPE)


@bp.get("/<int:system_id>")
@login_required
def show_system(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    rows = systems.tree_rows(system)
    return render_template("targets/system.html", system=system, rows=rows, status_labels=STATUS_LABELS,
                           direction_labels=DIRECTION_LABELS,
                           leaf_points=sum(row.points for row in rows if row.is_leaf))


@bp.get("/<int:system_id>.json")
@login_required
def export_json(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    text = json.dumps(systems.export_system(system), ensure_ascii=False, indent=2) + "\n"
    return _download(text.encode("utf-8"), f"{system.title}.json", "application/json")


@bp.get("/<int:system_id>.xlsx")
@login_required
def export_xlsx(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    return _download(workbook.export_workbook(system), f"{system.title}.xlsx", sheets.XLSX_MIMETYPE)


def _download(data: bytes, name: str, mimetype: str):
    response = send_file(BytesIO(data), mimetype=mimetype, download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _confirmation(system: IndicatorSystem, heading: str, consequences: list[str], button: str, danger: bool):
    return render_template(
        "admin/confirm.html", heading=heading, consequences=consequences, action_url=request.path,
        crumbs=[(_("考核细则"), url_for("targets.list_systems")),
                (system.title, url_for("targets.show_system", system_id=system.id))],
        button_label=button, back_url=url_for("targets.show_system", system_id=system.id), danger=danger)


@bp.get("/<int:system_id>/publish")
@login_required
def confirm_publish(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    if system.is_locked:
        flash(_("考核细则已发布，不能重复发布"), "error")
        return redirect(url_for("targets.show_system", system_id=system_id))
    return _confirmation(system, _("确认发布考核细则"), systems.publication_consequences(system), _("发布"), False)


@bp.post("/<int:system_id>/publish")
@login_required
def publish_system(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    confirmed = request.form.get("confirm") == "yes"
    error = commit_or_flash(lambda: systems.publish_system(system, current_user, confirmed=confirmed))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("targets.confirm_publish", system_id=system_id))
    if error is None:
        flash(_("已发布"), "success")
    return redirect(url_for("targets.show_system", system_id=system_id))


@bp.get("/<int:system_id>/delete")
@login_required
def confirm_delete(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    if system.is_locked:
        flash(_("考核细则已发布，已锁定，不能删除"), "error")
        return redirect(url_for("targets.show_system", system_id=system_id))
    return _confirmation(system, _("确认删除考核细则"), systems.removal_consequences(system), _("永久删除"), True)


@bp.post("/<int:system_id>/delete")
@login_required
def delete_system(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    confirmed = request.form.get("confirm") == "yes"
    error = commit_or_flash(lambda: systems.delete_system(system, current_user, confirmed=confirmed))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("targets.confirm_delete", system_id=system_id))
    if error is not None:
        return redirect(url_for("targets.show_system", system_id=system_id))
    flash(_("已删除"), "success")
    return redirect(url_for("targets.list_systems"))
