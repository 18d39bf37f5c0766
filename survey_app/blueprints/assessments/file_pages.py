"""Files: the Excel import page with its templates and uploads (organizers; a refused file
lists its problems with status 422, a confirmed plan answers 409), and the result exports
(.xlsx, PDF) for everyone who can see the plan, limited to their units.
"""

from datetime import date, datetime
from io import BytesIO
from pathlib import PurePath
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.assessment import AdjustmentImportForm, ScoreImportForm
from survey_app.blueprints.access import organizer_required
from survey_app.blueprints.assessments.common import bp, find_component, label_context, load_plan, reload_plan
from survey_app.errors import DomainError, StructureLocked
from survey_app.extensions import db
from survey_app.models.assessment import AssessmentPlan, ComponentSource, PlanComponent
from survey_app.services.assessment import (
    committee_pdf,
    committee_workbook,
    file_format,
    grading,
    import_templates,
    plan_import,
    plan_view,
)
from survey_app.services.platform import sheets, users


def _manual_components(plan: AssessmentPlan) -> list[PlanComponent]:
    return [c for cat in plan.categories for c in cat.components if c.source is ComponentSource.MANUAL]


def _render_import(plan: AssessmentPlan, status: int = 200, errors=(), **bound):
    forms = {
        "scores": bound.get("scores")
        or ScoreImportForm(None, prefix="scores", components=_manual_components(plan)),
        "adjustments": bound.get("adjustments") or AdjustmentImportForm(None, prefix="adjustments"),
    }
    return render_template("assessments/import.html", plan=plan, forms=forms, errors=list(errors),
                           components=_manual_components(plan), **label_context()), status


def _base_name(filename: str | None) -> str:
    # Some browsers send the client's full path; the audit log needs only the name.
    return PurePath((filename or "").replace("\\", "/")).name[:200]


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _download(data: bytes, name: str, mimetype: str) -> Response:
    response = send_file(BytesIO(data), mimetype=mimetype, download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _run_import(plan_id: int, form_key: str, form, call):
    """Run one import: commit and return None, or roll back and return the page listing the
    file's problems (422) or the lock notice (409)."""
    try:
        summary = call()
    except StructureLocked:
        db.session.rollback()
        return None, _render_import(reload_plan(plan_id), 409)
    except DomainError as error:
        db.session.rollback()  # all or nothing
        return None, _render_import(reload_plan(plan_id), 422, getattr(error, "errors", [error.message]),
                                    **{form_key: form})
    db.session.commit()
    return summary, None


@bp.get("/<int:plan_id>/import")
@organizer_required
def show_import(plan_id: int):
    return _render_import(load_plan(plan_id))


@bp.get("/<int:plan_id>/components/<int:component_id>/template.xlsx")
@organizer_required
def download_score_template(plan_id: int, component_id: int):
    plan = load_plan(plan_id)
    component = find_component(plan, component_id)
    if component.source is not ComponentSource.MANUAL:
        abort(404)
    data = import_templates.score_template(plan, component, users.visible_unit_ids(current_user))
    name = _("%(category)s-%(component)s-分数导入.xlsx", category=component.category.name,
             component=component.name)
    return _download(data, file_format.download_name(plan, name), sheets.XLSX_MIMETYPE)


@bp.get("/<int:plan_id>/adjustments/template.xlsx")
@organizer_required
def download_adjustment_template(plan_id: int):
    plan = load_plan(plan_id)
    data = import_templates.adjustment_template(plan, users.visible_unit_ids(current_user))
    return _download(data, file_format.download_name(plan, _("加减分导入.xlsx")), sheets.XLSX_MIMETYPE)


@bp.post("/<int:plan_id>/import/scores")
@organizer_required
def import_scores(plan_id: int):
    plan = load_plan(plan_id)
    form = ScoreImportForm(prefix="scores", components=_manual_components(plan))
    if not form.validate():
        return _render_import(plan, 422, scores=form)
    component = find_component(plan, form.component_id.data)
    upload = form.workbook.data
    summary, page = _run_import(plan_id, "scores", form, lambda: plan_import.import_scores(
        plan, component, upload.read(), current_user, unit_ids=users.visible_unit_ids(current_user),
        filename=_base_name(upload.filename)))
    if page is not None:
        return page
    flash(_("已导入分数：%(rows)d 行，其中 %(changed)d 个对象的分数有变化，%(unchanged)d 个不变；"
            "%(blank)d 行未填分数，未修改。", **summary.as_dict()), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="results"))


@bp.post("/<int:plan_id>/import/adjustments")
@organizer_required
def import_adjustments(plan_id: int):
    plan = load_plan(plan_id)
    form = AdjustmentImportForm(prefix="adjustments")
    if not form.validate():
        return _render_import(plan, 422, adjustments=form)
    upload = form.workbook.data
    summary, page = _run_import(plan_id, "adjustments", form, lambda: plan_import.import_adjustments(
        plan, upload.read(), current_user, unit_ids=users.visible_unit_ids(current_user),
        filename=_base_name(upload.filename)))
    if page is not None:
        return page
    flash(_("已导入正向激励 %(bonuses)d 项、效能督查 %(deductions)d 项。", **summary.as_dict()), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="results"))


def _visible_view(plan: AssessmentPlan) -> tuple[plan_view.PlanView, bool]:
    scope = users.visible_unit_ids(current_user)
    return grading.scoped(grading.compute_plan(plan), plan, scope), scope is not None


@bp.get("/<int:plan_id>/export.xlsx")
@login_required
def export_xlsx(plan_id: int):
    plan = load_plan(plan_id)
    view, is_scoped = _visible_view(plan)
    data = committee_workbook.results_workbook(plan, view, _today(), is_scoped=is_scoped)
    return _download(data, file_format.download_name(plan, _("考核结果.xlsx")), sheets.XLSX_MIMETYPE)


@bp.get("/<int:plan_id>/export.pdf")
@login_required
def export_pdf(plan_id: int):
    plan = load_plan(plan_id)
    view, is_scoped = _visible_view(plan)
    data = committee_pdf.results_pdf(plan, view, _today(), is_scoped=is_scoped)
    return _download(data, file_format.download_name(plan, _("考核结果.pdf")), "application/pdf")
