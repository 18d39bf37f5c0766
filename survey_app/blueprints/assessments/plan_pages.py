"""The plan list and a plan's page: creating a plan, its settings, deleting it, and the
status steps (propose, withdraw, confirm with its confirmation page).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forms.assessment import (
    BulkScoresForm,
    CategoryForm,
    ComponentForm,
    ImportSubjectsForm,
    NewPlanForm,
    PlanForm,
    SubjectForm,
    bands_text,
)
from survey_app.blueprints.access import commit_or_flash, organizer_required
from survey_app.blueprints.assessments.common import (
    bp,
    confirmation_given,
    confirmation_page,
    label_context,
    linkable_surveys,
    linkable_systems,
    load_plan,
    plan_history,
    reload_plan,
)
from survey_app.errors import ConfirmationRequired
from survey_app.models.assessment import AssessmentPlan, ComponentSource, PlanStatus
from survey_app.services.assessment import grading, plans
from survey_app.services.platform import users

ACTIONS = {"propose": _l("已提出建议等次"), "withdraw": _l("已撤回建议，可以修改考核办法"),
           "confirm": _l("考核结果已确认")}


def _plan_forms(plan: AssessmentPlan, **bound) -> dict:
    surveys = linkable_surveys()
    settings = bound.get("settings")
    if settings is None:
        settings = PlanForm(None, obj=plan, prefix="settings", surveys=surveys)
        settings.bands.data = bands_text(plan.grade_bands)
        settings.veto_survey_id.data = plan.veto_survey_id or 0
    manual = [c for cat in plan.categories for c in cat.components if c.source is ComponentSource.MANUAL]
    component_forms = {}
    for category in plan.categories:
        key = f"component-{category.id}"
        component_forms[category.id] = bound.get(key) or ComponentForm(None, prefix=key, surveys=surveys, systems=linkable_systems())
    return {
        "settings": settings,
        "category": bound.get("category") or CategoryForm(None, prefix="category"),
        "components": component_forms,
        "subject": bound.get("subject") or SubjectForm(None, prefix="subject", categories=plan.categories),
        "import": bound.get("import") or ImportSubjectsForm(None, prefix="import", surveys=surveys),
        "bulk": bound.get("bulk") or BulkScoresForm(None, prefix="bulk", components=manual),
    }


def render_plan(plan: AssessmentPlan, status: int = 200, **bound):
    """Render the plan's page, recomputed and scoped to the user's units; `bound` holds the
    forms to show as posted (with their errors)."""
    view = grading.scoped(grading.compute_plan(plan), plan, users.visible_unit_ids(current_user))
    return render_template(
        "assessments/plan.html", plan=plan, view=view, forms=_plan_forms(plan, **bound),
        problems=grading.proposal_problems(plan) if plan.status is PlanStatus.DRAFT else [],
        history=plan_history(plan), **label_context(),
    ), status


@bp.get("/")
@login_required
def list_plans():
    rows = plans.list_plans(users.visible_unit_ids(current_user))
    return render_template("assessments/plans.html", plans=rows, **label_context())


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def new_plan():
    form = NewPlanForm(request.form if request.method == "POST" else None, surveys=linkable_surveys())
    if request.method == "GET":
        form.year.data = 2026
    elif form.validate():
        created = []
        if commit_or_flash(lambda: created.append(plans.create_plan(form.service_data(), current_user))) is None:
            flash(_("已创建考核方案，请继续添加类别、考评项目和考核对象"), "success")
            return redirect(url_for("assessments.show_plan", plan_id=created[0].id))
    return render_template("assessments/new_plan.html", form=form), 400 if request.method == "POST" else 200


@bp.get("/<int:plan_id>")
@login_required
def show_plan(plan_id: int):
    return render_plan(load_plan(plan_id))


@bp.post("/<int:plan_id>/settings")
@organizer_required
def update_plan(plan_id: int):
    plan = load_plan(plan_id)
    form = PlanForm(request.form, prefix="settings", surveys=linkable_surveys())
    if not form.validate():
        return render_plan(plan, 400, settings=form)
    if commit_or_flash(lambda: plans.update_plan(plan, form.service_data(), current_user)):
        return render_plan(reload_plan(plan_id), 400, settings=form)
    flash(_("已保存"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="settings"))


@bp.get("/<int:plan_id>/delete")
@organizer_required
def confirm_delete_plan(plan_id: int):
    plan = load_plan(plan_id)
    return confirmation_page(plan, _("确认删除方案"), plans.removal_consequences(plan), _("永久删除"),
                             url_for("assessments.show_plan", plan_id=plan_id), method=True)


@bp.post("/<int:plan_id>/delete")
@organizer_required
def delete_plan(plan_id: int):
    plan = load_plan(plan_id)
    error = commit_or_flash(lambda: plans.delete_plan(plan, current_user, confirmed=confirmation_given()))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_delete_plan", plan_id=plan_id))
    if error:
        return redirect(url_for("assessments.show_plan", plan_id=plan_id))
    flash(_("已删除"), "success")
    return redirect(url_for("assessments.list_plans"))


@bp.get("/<int:plan_id>/status/confirm")
@organizer_required
def confirm_results(plan_id: int):
    """The confirmation step of 确认考核结果: what it signs and locks, then a form to do it."""
    plan = load_plan(plan_id)
    if not plan.can("confirm"):
        flash(_("当前状态下不能执行此操作"), "error")
        return redirect(url_for("assessments.show_plan", plan_id=plan_id))
    return confirmation_page(plan, _("确认考核结果"), grading.confirmation_consequences(plan),
                             _("确认考核结果"), url_for("assessments.show_plan", plan_id=plan_id), danger=False)


@bp.post("/<int:plan_id>/status/<action>")
@organizer_required
def change_status(plan_id: int, action: str):
    plan = load_plan(plan_id)
    if action not in ACTIONS:
        abort(404)
    error = commit_or_flash(
        lambda: grading.change_status(plan, action, current_user, confirmed=confirmation_given())
    )
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_results", plan_id=plan_id))
    if error is None:
        flash(str(ACTIONS[action]), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id))
