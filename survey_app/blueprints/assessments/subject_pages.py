"""One subject's page and its forms: scores, flags, bonus and deduction items, the
organizer's grade override and its removal, and removing the subject.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.assessment import AdjustmentForm, FlagsForm, OverrideForm, ScoreForm
from survey_app.blueprints.access import commit_or_flash, organizer_required
from survey_app.blueprints.assessments.common import (
    bp,
    confirmation_given,
    confirmation_page,
    find_component,
    find_subject,
    find_visible_subject,
    label_context,
    load_plan,
    plan_history,
    reload_plan,
    subject_url,
)
from survey_app.errors import ConfirmationRequired
from survey_app.extensions import db
from survey_app.models.assessment import (
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentSource,
    PlanSubject,
)
from survey_app.models.register import RegisterEntry
from survey_app.services.assessment import grading, plans, scoring, target_link


def _subject_forms(plan: AssessmentPlan, subject: PlanSubject, grade: str | None, **bound) -> dict:
    scores = {}
    for component in subject.category.components:
        key = f"score-{component.id}"
        if component.source is ComponentSource.MANUAL:
            form = bound.get(key) or ScoreForm(None, prefix=key)
            if key not in bound:
                row = next((s for s in subject.scores if s.component_id == component.id), None)
                form.self_score.data = row.self_score if row else None
                form.verified_score.data = row.verified_score if row else None
            scores[component.id] = form
    return {
        "scores": scores,
        "flags": bound.get("flags") or FlagsForm(None, obj=subject, prefix="flags"),
        "adjustment": bound.get("adjustment") or AdjustmentForm(None, prefix="adjustment"),
        "override": bound.get("override") or OverrideForm(None, prefix="override", grades=plan.grade_labels,
                                                          data={"grade": grade}),
    }


def _render_subject(plan: AssessmentPlan, subject: PlanSubject, status: int = 200, **bound):
    view = grading.compute_plan(plan)
    row = view.subject(subject.id)
    category = next(c for c in view.categories if c.name == row.category)
    return render_template(
        "assessments/subject.html", plan=plan, subject=subject, row=row, category=category,
        forms=_subject_forms(plan, subject, row.final_grade or row.band_grade, **bound),
        history=plan_history(plan, subject.key), AdjustmentKind=AdjustmentKind,
        synced={item.id: db.session.get(RegisterEntry, item.register_entry_id)
                for item in subject.adjustments if item.register_entry_id},
        target_breakdowns=target_link.subject_breakdowns(subject), **label_context(),
    ), status


@bp.get("/<int:plan_id>/subjects/<int:subject_id>")
@login_required
def show_subject(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    return _render_subject(plan, find_visible_subject(plan, subject_id))


def _back(plan_id: int, subject_id: int, anchor: str):
    return redirect(url_for("assessments.show_subject", plan_id=plan_id, subject_id=subject_id, _anchor=anchor))


def _retry(plan_id: int, subject_id: int, **bound):
    plan = reload_plan(plan_id)
    return _render_subject(plan, find_subject(plan, subject_id), 400, **bound)


def _post_subject_form(plan, subject, name: str, form, change, done: str, anchor: str):
    """One form on a subject's page: re-show it (400) when invalid or refused, else save,
    say `done` and go back to the page at `anchor`."""
    if not form.validate():
        return _render_subject(plan, subject, 400, **{name: form})
    if commit_or_flash(change):
        return _retry(plan.id, subject.id, **{name: form})
    flash(done, "success")
    return _back(plan.id, subject.id, anchor)


@bp.get("/<int:plan_id>/subjects/<int:subject_id>/remove")
@organizer_required
def confirm_remove_subject(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    return confirmation_page(plan, _("确认删除考核对象"), plans.removal_consequences(subject),
                             _("从方案中删除"), subject_url(plan_id, subject_id), method=True)


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/remove")
@organizer_required
def remove_subject(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    error = commit_or_flash(
        lambda: plans.remove_subject(subject, current_user, confirmed=confirmation_given())
    )
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_remove_subject", plan_id=plan_id, subject_id=subject_id))
    if error:
        return _back(plan_id, subject_id, "")
    flash(_("已删除"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="subjects"))


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/flags")
@organizer_required
def update_flags(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    form = FlagsForm(request.form, prefix="flags")
    return _post_subject_form(plan, subject, "flags", form,
                              lambda: scoring.update_flags(subject, form.service_data(), current_user),
                              _("已保存"), "flags")


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/scores/<int:component_id>")
@organizer_required
def set_score(plan_id: int, subject_id: int, component_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    component = find_component(plan, component_id)
    key = f"score-{component_id}"
    form = ScoreForm(request.form, prefix=key)
    return _post_subject_form(plan, subject, key, form,
                              lambda: scoring.set_score(subject, component, form.self_score.data,
                                                        form.verified_score.data, current_user),
                              _("已保存"), "breakdown")


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/adjustments")
@organizer_required
def add_adjustment(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    form = AdjustmentForm(request.form, prefix="adjustment")
    return _post_subject_form(plan, subject, "adjustment", form,
                              lambda: scoring.add_adjustment(subject, form.service_data(), current_user),
                              _("已添加"), "adjustments")


@bp.get("/<int:plan_id>/adjustments/<int:item_id>/remove")
@organizer_required
def confirm_remove_adjustment(plan_id: int, item_id: int):
    plan = load_plan(plan_id)
    item = db.get_or_404(Adjustment, item_id)
    subject = find_visible_subject(plan, item.subject_id)
    if item.register_entry_id is not None:
        flash(_("该加减分来自正向激励与效能督查登记，请在登记中修改后重新同步"), "error")
        return _back(plan_id, subject.id, "adjustments")
    return confirmation_page(plan, _("确认删除加减分"), plans.removal_consequences(item), _("删除"),
                             subject_url(plan_id, subject.id, "adjustments"), method=False)


@bp.post("/<int:plan_id>/adjustments/<int:item_id>/remove")
@organizer_required
def remove_adjustment(plan_id: int, item_id: int):
    plan = load_plan(plan_id)
    item = db.get_or_404(Adjustment, item_id)
    subject = find_visible_subject(plan, item.subject_id)
    error = commit_or_flash(
        lambda: scoring.remove_adjustment(item, current_user, confirmed=confirmation_given())
    )
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_remove_adjustment", plan_id=plan_id, item_id=item_id))
    if error is None:
        flash(_("已删除"), "success")
    return _back(plan_id, subject.id, "adjustments")


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/override")
@organizer_required
def override_grade(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    form = OverrideForm(request.form, prefix="override", grades=plan.grade_labels)
    if not form.validate():
        return _render_subject(plan, subject, 400, override=form)
    if commit_or_flash(lambda: grading.override_grade(subject, form.grade.data, form.reason.data, current_user)):
        plan = reload_plan(plan_id)
        return _retry(plan_id, subject_id, override=OverrideForm(request.form, prefix="override",
                                                                  grades=plan.grade_labels))
    flash(_("已调整等次"), "success")
    return _back(plan_id, subject_id, "grade")


@bp.get("/<int:plan_id>/subjects/<int:subject_id>/override/clear")
@organizer_required
def confirm_clear_override(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    return confirmation_page(plan, _("确认恢复建议等次"), grading.override_clear_consequences(subject),
                             _("恢复建议等次"), subject_url(plan_id, subject_id, "grade"), method=False)


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/override/clear")
@organizer_required
def clear_override(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = find_visible_subject(plan, subject_id)
    error = commit_or_flash(
        lambda: grading.clear_override(subject, current_user, confirmed=confirmation_given())
    )
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_clear_override", plan_id=plan_id, subject_id=subject_id))
    if error is None:
        flash(_("已恢复建议等次"), "success")
    return _back(plan_id, subject_id, "grade")
