"""The forms of a plan's page that shape its method and fill it: categories, components,
subjects (added or imported from a survey) and pasted scores; an invalid or refused form
re-renders the plan page with status 400.
"""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.assessment import BulkScoresForm, CategoryForm, ComponentForm, ImportSubjectsForm, SubjectForm
from survey_app.blueprints.access import commit_or_flash, keep_within_scope, organizer_required
from survey_app.blueprints.assessments.common import (
    bp,
    confirmation_given,
    confirmation_page,
    find_category,
    find_component,
    linkable_surveys,
    linkable_systems,
    load_plan,
    reload_plan,
)
from survey_app.blueprints.assessments.plan_pages import render_plan
from survey_app.errors import ConfirmationRequired
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.models.assessment import ComponentSource
from survey_app.services.assessment import plans, scoring
from survey_app.services.platform import users


@bp.post("/<int:plan_id>/categories")
@organizer_required
def add_category(plan_id: int):
    plan = load_plan(plan_id)
    form = CategoryForm(request.form, prefix="category")
    if not form.validate():
        return render_plan(plan, 400, category=form)
    if commit_or_flash(lambda: plans.add_category(plan, form.name.data, current_user)):
        return render_plan(reload_plan(plan_id), 400, category=form)
    flash(_("已添加类别"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"))


@bp.get("/<int:plan_id>/categories/<int:category_id>/remove")
@organizer_required
def confirm_remove_category(plan_id: int, category_id: int):
    plan = load_plan(plan_id)
    return confirmation_page(plan, _("确认删除类别"), plans.removal_consequences(find_category(plan, category_id)),
                             _("删除"), url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"), method=True)


@bp.post("/<int:plan_id>/categories/<int:category_id>/remove")
@organizer_required
def remove_category(plan_id: int, category_id: int):
    plan = load_plan(plan_id)
    category = find_category(plan, category_id)
    error = commit_or_flash(
        lambda: plans.remove_category(category, current_user, confirmed=confirmation_given())
    )
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_remove_category", plan_id=plan_id, category_id=category_id))
    if error is None:
        flash(_("已删除"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"))


@bp.post("/<int:plan_id>/categories/<int:category_id>/components")
@organizer_required
def add_component(plan_id: int, category_id: int):
    plan = load_plan(plan_id)
    category = find_category(plan, category_id)
    key = f"component-{category_id}"
    form = ComponentForm(request.form, prefix=key, surveys=linkable_surveys(), systems=linkable_systems())
    if not form.validate():
        return render_plan(plan, 400, **{key: form})
    if commit_or_flash(lambda: plans.add_component(category, form.service_data(), current_user)):
        return render_plan(reload_plan(plan_id), 400, **{key: form})
    flash(_("已添加考评项目"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"))


@bp.post("/<int:plan_id>/components/<int:component_id>")
@organizer_required
def update_component(plan_id: int, component_id: int):
    plan = load_plan(plan_id)
    component = find_component(plan, component_id)
    key = f"component-{component.category_id}"
    form = ComponentForm(request.form, prefix=f"edit-{component_id}", surveys=linkable_surveys(), systems=linkable_systems())
    if not form.validate():
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text}：{message}", "error")
        return render_plan(plan, 400)
    if commit_or_flash(lambda: plans.update_component(component, form.service_data(), current_user)):
        return render_plan(reload_plan(plan_id), 400)
    flash(_("已保存"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor=key))


@bp.get("/<int:plan_id>/components/<int:component_id>/remove")
@organizer_required
def confirm_remove_component(plan_id: int, component_id: int):
    plan = load_plan(plan_id)
    component = find_component(plan, component_id)
    return confirmation_page(plan, _("确认删除考评项目"), plans.removal_consequences(component), _("删除"),
                             url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"), method=True)


@bp.post("/<int:plan_id>/components/<int:component_id>/remove")
@organizer_required
def remove_component(plan_id: int, component_id: int):
    plan = load_plan(plan_id)
    component = find_component(plan, component_id)
    error = commit_or_flash(
        lambda: plans.remove_component(component, current_user, confirmed=confirmation_given())
    )
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_remove_component", plan_id=plan_id, component_id=component_id))
    if error is None:
        flash(_("已删除"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"))


@bp.post("/<int:plan_id>/subjects")
@organizer_required
def add_subject(plan_id: int):
    plan = load_plan(plan_id)
    form = SubjectForm(request.form, prefix="subject", categories=plan.categories)
    if not form.validate():
        return render_plan(plan, 400, subject=form)
    if commit_or_flash(lambda: (plans.add_subject(plan, form.service_data(), current_user),
                                keep_within_scope(plan))):
        plan = reload_plan(plan_id)
        return render_plan(plan, 400, subject=SubjectForm(request.form, prefix="subject", categories=plan.categories))
    flash(_("已添加考核对象"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="subjects"))


@bp.post("/<int:plan_id>/subjects/import")
@organizer_required
def import_subjects(plan_id: int):
    plan = load_plan(plan_id)
    form = ImportSubjectsForm(request.form, prefix="import", surveys=linkable_surveys())
    if not form.validate():
        return render_plan(plan, 400, **{"import": form})
    survey = db.session.get(Survey, form.survey_id.data)
    added = []
    if commit_or_flash(lambda: (added.append(plans.import_subjects(plan, survey, current_user)),
                                keep_within_scope(plan))) is None:
        flash(_("已导入 %(count)d 个考核对象", count=added[0]), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="subjects"))


@bp.post("/<int:plan_id>/scores/bulk")
@organizer_required
def bulk_scores(plan_id: int):
    plan = load_plan(plan_id)
    manual = [c for cat in plan.categories for c in cat.components if c.source is ComponentSource.MANUAL]
    form = BulkScoresForm(request.form, prefix="bulk", components=manual)
    if not form.validate():
        return render_plan(plan, 400, bulk=form)
    component = find_component(plan, form.component_id.data)
    stored = []
    error = commit_or_flash(lambda: stored.append(
        scoring.set_scores_in_bulk(plan, component, form.lines.data, form.field.data, current_user,
                                   unit_ids=users.visible_unit_ids(current_user))))
    if error:
        return render_plan(reload_plan(plan_id), 400, bulk=form)
    flash(_("已录入 %(count)d 个分数", count=stored[0]), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="results"))
