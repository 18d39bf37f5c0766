"""Year-end assessment plans (年度考核 / 绩效考评). Organizers set up, import and decide;
viewers read and export what they can see.

Every page recomputes the plan (services.assessments.compute_plan): nothing shown is a
stale stored composite. Bad input re-renders the page with a Chinese message, status 400
(422 for a refused file, 409 for a confirmed plan), and changes nothing.
"""

from datetime import date, datetime
from io import BytesIO
from pathlib import PurePath
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.assessment import (
    AdjustmentForm,
    AdjustmentImportForm,
    BulkScoresForm,
    CategoryForm,
    ComponentForm,
    FlagsForm,
    ImportSubjectsForm,
    NewPlanForm,
    OverrideForm,
    PlanForm,
    ScoreForm,
    ScoreImportForm,
    SubjectForm,
    bands_text,
)
from survey_app.blueprints.access import commit_or_flash, keep_within_scope, organizer_required
from survey_app.errors import ConfirmationRequired, DomainError, StructureLocked
from survey_app.extensions import db
from survey_app.models import Survey, SurveyStatus
from survey_app.models.assessment import (
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentSource,
    PlanComponent,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
)
from survey_app.services.assessment import (
    committee_pdf,
    committee_workbook,
    editing,
    file_format,
    grading,
    import_templates,
    plan_import,
    plan_view,
    plans,
    scoring,
)
from survey_app.services.platform import audit, permissions, sheets, users

bp = Blueprint("assessments", __name__, url_prefix="/admin/assessments")

STATUS_LABELS = {PlanStatus.DRAFT: _l("草稿"), PlanStatus.PROPOSED: _l("已提出建议等次"),
                 PlanStatus.CONFIRMED: _l("已确认")}
KIND_LABELS = {PlanSubjectKind.UNIT: _l("单位"), PlanSubjectKind.CADRE: _l("干部")}
ACTIONS = {"propose": _l("已提出建议等次"), "withdraw": _l("已撤回建议，可以修改考核办法"),
           "confirm": _l("考核结果已确认")}


# ---- loading and helpers ----------------------------------------------------------------------


def load_plan(plan_id: int) -> AssessmentPlan:
    """Return the plan, or 404 when missing or assessing none of the user's units."""
    plan = db.get_or_404(AssessmentPlan, plan_id)
    if not permissions.may_read_plan(current_user, plan):
        abort(404)
    return plan


def _subject(plan: AssessmentPlan, subject_id: int) -> PlanSubject:
    subject = next((s for s in plan.subjects if s.id == subject_id), None)
    if subject is None:
        abort(404)
    return subject


def _component(plan: AssessmentPlan, component_id: int) -> PlanComponent:
    component = next((c for cat in plan.categories for c in cat.components if c.id == component_id), None)
    if component is None:
        abort(404)
    return component


def _linkable_surveys() -> list[Survey]:
    """Surveys with results the user may read: the choices of the plan forms."""
    query = select(Survey).where(Survey.status != SurveyStatus.DRAFT).order_by(Survey.year.desc(), Survey.id)
    return [survey for survey in db.session.scalars(query) if permissions.may_read_survey(current_user, survey)]


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS}


# ---- plan page --------------------------------------------------------------------------------


def _plan_forms(plan: AssessmentPlan, **bound) -> dict:
    surveys = _linkable_surveys()
    settings = bound.get("settings")
    if settings is None:
        settings = PlanForm(None, obj=plan, prefix="settings", surveys=surveys)
        settings.bands.data = bands_text(plan.grade_bands)
        settings.veto_survey_id.data = plan.veto_survey_id or 0
    manual = [c for cat in plan.categories for c in cat.components if c.source is ComponentSource.MANUAL]
    component_forms = {}
    for category in plan.categories:
        key = f"component-{category.id}"
        component_forms[category.id] = bound.get(key) or ComponentForm(None, prefix=key, surveys=surveys)
    return {
        "settings": settings,
        "category": bound.get("category") or CategoryForm(None, prefix="category"),
        "components": component_forms,
        "subject": bound.get("subject") or SubjectForm(None, prefix="subject", categories=plan.categories),
        "import": bound.get("import") or ImportSubjectsForm(None, prefix="import", surveys=surveys),
        "bulk": bound.get("bulk") or BulkScoresForm(None, prefix="bulk", components=manual),
    }


def _render_plan(plan: AssessmentPlan, status: int = 200, **bound):
    view = grading.scoped(grading.compute_plan(plan), plan, users.visible_unit_ids(current_user))
    return render_template(
        "assessments/plan.html", plan=plan, view=view, forms=_plan_forms(plan, **bound),
        problems=grading.proposal_problems(plan) if plan.status is PlanStatus.DRAFT else [],
        history=_history(plan), **_labels(),
    ), status


def _history(plan: AssessmentPlan, subject_key: str | None = None) -> list | None:
    """The plan's audit entries (one subject's when given); None for unit-scoped users,
    whose view must not show other units' changes."""
    if users.visible_unit_ids(current_user) is not None:
        return None
    entries = audit.recent_entries(500, editing.TARGET, plan.id)
    if subject_key is not None:
        return [e for e in entries if (e.detail or {}).get("subject") == subject_key]
    return entries[:30]


def _reloaded(plan_id: int) -> AssessmentPlan:
    return db.get_or_404(AssessmentPlan, plan_id)


@bp.get("/")
@login_required
def list_plans():
    rows = plans.list_plans(users.visible_unit_ids(current_user))
    return render_template("assessments/plans.html", plans=rows, **_labels())


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def new_plan():
    form = NewPlanForm(request.form if request.method == "POST" else None, surveys=_linkable_surveys())
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
    return _render_plan(load_plan(plan_id))


@bp.post("/<int:plan_id>/settings")
@organizer_required
def update_plan(plan_id: int):
    plan = load_plan(plan_id)
    form = PlanForm(request.form, prefix="settings", surveys=_linkable_surveys())
    if not form.validate():
        return _render_plan(plan, 400, settings=form)
    if commit_or_flash(lambda: plans.update_plan(plan, form.service_data(), current_user)):
        return _render_plan(_reloaded(plan_id), 400, settings=form)
    flash(_("已保存"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="settings"))


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def _confirmation_page(plan: AssessmentPlan, heading, consequences: list[str], button_label, back_url: str,
                       danger: bool = True, method: bool | None = None):
    """The confirmation step of an irreversible action: what it loses, then a form posting
    confirm=yes to this same URL. With `method` set, a plan that no longer allows the
    change (editing.editing_refusal) says so on its page instead."""
    refusal = None if method is None else editing.editing_refusal(plan, method=method)
    if refusal:
        flash(_(refusal), "error")
        return redirect(back_url)
    return render_template(
        "admin/confirm.html", heading=heading, consequences=consequences,
        crumbs=[(_("年度考核"), url_for("assessments.list_plans")),
                (plan.title, url_for("assessments.show_plan", plan_id=plan.id))],
        action_url=request.path, button_label=button_label, back_url=back_url, danger=danger,
    )


@bp.get("/<int:plan_id>/delete")
@organizer_required
def confirm_delete_plan(plan_id: int):
    plan = load_plan(plan_id)
    return _confirmation_page(plan, _("确认删除方案"), plans.removal_consequences(plan), _("永久删除"),
                              url_for("assessments.show_plan", plan_id=plan_id), method=True)


@bp.post("/<int:plan_id>/delete")
@organizer_required
def delete_plan(plan_id: int):
    plan = load_plan(plan_id)
    error = commit_or_flash(lambda: plans.delete_plan(plan, current_user, confirmed=_confirmed()))
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
    return _confirmation_page(plan, _("确认考核结果"), grading.confirmation_consequences(plan),
                              _("确认考核结果"), url_for("assessments.show_plan", plan_id=plan_id), danger=False)


@bp.post("/<int:plan_id>/status/<action>")
@organizer_required
def change_status(plan_id: int, action: str):
    plan = load_plan(plan_id)
    if action not in ACTIONS:
        abort(404)
    error = commit_or_flash(lambda: grading.change_status(plan, action, current_user, confirmed=_confirmed()))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_results", plan_id=plan_id))
    if error is None:
        flash(str(ACTIONS[action]), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id))


# ---- categories, components, subjects ---------------------------------------------------------


@bp.post("/<int:plan_id>/categories")
@organizer_required
def add_category(plan_id: int):
    plan = load_plan(plan_id)
    form = CategoryForm(request.form, prefix="category")
    if not form.validate():
        return _render_plan(plan, 400, category=form)
    if commit_or_flash(lambda: plans.add_category(plan, form.name.data, current_user)):
        return _render_plan(_reloaded(plan_id), 400, category=form)
    flash(_("已添加类别"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"))


def _category(plan: AssessmentPlan, category_id: int):
    return next((c for c in plan.categories if c.id == category_id), None) or abort(404)


@bp.get("/<int:plan_id>/categories/<int:category_id>/remove")
@organizer_required
def confirm_remove_category(plan_id: int, category_id: int):
    plan = load_plan(plan_id)
    return _confirmation_page(plan, _("确认删除类别"), plans.removal_consequences(_category(plan, category_id)),
                              _("删除"), url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"), method=True)


@bp.post("/<int:plan_id>/categories/<int:category_id>/remove")
@organizer_required
def remove_category(plan_id: int, category_id: int):
    plan = load_plan(plan_id)
    category = _category(plan, category_id)
    error = commit_or_flash(lambda: plans.remove_category(category, current_user, confirmed=_confirmed()))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_remove_category", plan_id=plan_id, category_id=category_id))
    if error is None:
        flash(_("已删除"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"))


@bp.post("/<int:plan_id>/categories/<int:category_id>/components")
@organizer_required
def add_component(plan_id: int, category_id: int):
    plan = load_plan(plan_id)
    category = _category(plan, category_id)
    key = f"component-{category_id}"
    form = ComponentForm(request.form, prefix=key, surveys=_linkable_surveys())
    if not form.validate():
        return _render_plan(plan, 400, **{key: form})
    if commit_or_flash(lambda: plans.add_component(category, form.service_data(), current_user)):
        return _render_plan(_reloaded(plan_id), 400, **{key: form})
    flash(_("已添加考评项目"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"))


@bp.post("/<int:plan_id>/components/<int:component_id>")
@organizer_required
def update_component(plan_id: int, component_id: int):
    plan = load_plan(plan_id)
    component = _component(plan, component_id)
    key = f"component-{component.category_id}"
    form = ComponentForm(request.form, prefix=f"edit-{component_id}", surveys=_linkable_surveys())
    if not form.validate():
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text}：{message}", "error")
        return _render_plan(plan, 400)
    if commit_or_flash(lambda: plans.update_component(component, form.service_data(), current_user)):
        return _render_plan(_reloaded(plan_id), 400)
    flash(_("已保存"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor=key))


@bp.get("/<int:plan_id>/components/<int:component_id>/remove")
@organizer_required
def confirm_remove_component(plan_id: int, component_id: int):
    plan = load_plan(plan_id)
    component = _component(plan, component_id)
    return _confirmation_page(plan, _("确认删除考评项目"), plans.removal_consequences(component), _("删除"),
                              url_for("assessments.show_plan", plan_id=plan_id, _anchor="method"), method=True)


@bp.post("/<int:plan_id>/components/<int:component_id>/remove")
@organizer_required
def remove_component(plan_id: int, component_id: int):
    plan = load_plan(plan_id)
    component = _component(plan, component_id)
    error = commit_or_flash(lambda: plans.remove_component(component, current_user, confirmed=_confirmed()))
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
        return _render_plan(plan, 400, subject=form)
    if commit_or_flash(lambda: (plans.add_subject(plan, form.service_data(), current_user),
                                keep_within_scope(plan))):
        plan = _reloaded(plan_id)
        return _render_plan(plan, 400, subject=SubjectForm(request.form, prefix="subject", categories=plan.categories))
    flash(_("已添加考核对象"), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="subjects"))


@bp.post("/<int:plan_id>/subjects/import")
@organizer_required
def import_subjects(plan_id: int):
    plan = load_plan(plan_id)
    form = ImportSubjectsForm(request.form, prefix="import", surveys=_linkable_surveys())
    if not form.validate():
        return _render_plan(plan, 400, **{"import": form})
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
        return _render_plan(plan, 400, bulk=form)
    component = _component(plan, form.component_id.data)
    stored = []
    error = commit_or_flash(lambda: stored.append(
        scoring.set_scores_in_bulk(plan, component, form.lines.data, form.field.data, current_user,
                                   unit_ids=users.visible_unit_ids(current_user))))
    if error:
        return _render_plan(_reloaded(plan_id), 400, bulk=form)
    flash(_("已录入 %(count)d 个分数", count=stored[0]), "success")
    return redirect(url_for("assessments.show_plan", plan_id=plan_id, _anchor="results"))


# ---- one subject ------------------------------------------------------------------------------


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
        forms=_subject_forms(plan, subject, row.final_grade or row.band_grade, **bound), history=_history(plan, subject.key), AdjustmentKind=AdjustmentKind,
        **_labels(),
    ), status


def _visible_subject(plan: AssessmentPlan, subject_id: int) -> PlanSubject:
    subject = _subject(plan, subject_id)
    scope = users.visible_unit_ids(current_user)
    if scope is not None and subject.unit_id not in scope:
        abort(404)
    return subject


@bp.get("/<int:plan_id>/subjects/<int:subject_id>")
@login_required
def show_subject(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    return _render_subject(plan, _visible_subject(plan, subject_id))


def _back(plan_id: int, subject_id: int, anchor: str):
    return redirect(url_for("assessments.show_subject", plan_id=plan_id, subject_id=subject_id, _anchor=anchor))


def _retry(plan_id: int, subject_id: int, **bound):
    plan = _reloaded(plan_id)
    return _render_subject(plan, _subject(plan, subject_id), 400, **bound)


def _post_subject_form(plan, subject, name: str, form, change, done: str, anchor: str):
    """One form on a subject's page: re-show it (400) when invalid or refused, else save,
    say `done` and go back to the page at `anchor`."""
    if not form.validate():
        return _render_subject(plan, subject, 400, **{name: form})
    if commit_or_flash(change):
        return _retry(plan.id, subject.id, **{name: form})
    flash(done, "success")
    return _back(plan.id, subject.id, anchor)


def _subject_url(plan_id: int, subject_id: int, anchor: str | None = None) -> str:
    return url_for("assessments.show_subject", plan_id=plan_id, subject_id=subject_id, _anchor=anchor)


@bp.get("/<int:plan_id>/subjects/<int:subject_id>/remove")
@organizer_required
def confirm_remove_subject(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = _visible_subject(plan, subject_id)
    return _confirmation_page(plan, _("确认删除考核对象"), plans.removal_consequences(subject),
                              _("从方案中删除"), _subject_url(plan_id, subject_id), method=True)


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/remove")
@organizer_required
def remove_subject(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = _visible_subject(plan, subject_id)
    error = commit_or_flash(lambda: plans.remove_subject(subject, current_user, confirmed=_confirmed()))
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
    subject = _visible_subject(plan, subject_id)
    form = FlagsForm(request.form, prefix="flags")
    return _post_subject_form(plan, subject, "flags", form,
                              lambda: scoring.update_flags(subject, form.service_data(), current_user),
                              _("已保存"), "flags")


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/scores/<int:component_id>")
@organizer_required
def set_score(plan_id: int, subject_id: int, component_id: int):
    plan = load_plan(plan_id)
    subject = _visible_subject(plan, subject_id)
    component = _component(plan, component_id)
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
    subject = _visible_subject(plan, subject_id)
    form = AdjustmentForm(request.form, prefix="adjustment")
    return _post_subject_form(plan, subject, "adjustment", form,
                              lambda: scoring.add_adjustment(subject, form.service_data(), current_user),
                              _("已添加"), "adjustments")


@bp.get("/<int:plan_id>/adjustments/<int:item_id>/remove")
@organizer_required
def confirm_remove_adjustment(plan_id: int, item_id: int):
    plan = load_plan(plan_id)
    item = db.get_or_404(Adjustment, item_id)
    subject = _visible_subject(plan, item.subject_id)
    return _confirmation_page(plan, _("确认删除加减分"), plans.removal_consequences(item), _("删除"),
                              _subject_url(plan_id, subject.id, "adjustments"), method=False)


@bp.post("/<int:plan_id>/adjustments/<int:item_id>/remove")
@organizer_required
def remove_adjustment(plan_id: int, item_id: int):
    plan = load_plan(plan_id)
    item = db.get_or_404(Adjustment, item_id)
    subject = _visible_subject(plan, item.subject_id)
    error = commit_or_flash(lambda: scoring.remove_adjustment(item, current_user, confirmed=_confirmed()))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_remove_adjustment", plan_id=plan_id, item_id=item_id))
    if error is None:
        flash(_("已删除"), "success")
    return _back(plan_id, subject.id, "adjustments")


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/override")
@organizer_required
def override_grade(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = _visible_subject(plan, subject_id)
    form = OverrideForm(request.form, prefix="override", grades=plan.grade_labels)
    if not form.validate():
        return _render_subject(plan, subject, 400, override=form)
    if commit_or_flash(lambda: grading.override_grade(subject, form.grade.data, form.reason.data, current_user)):
        plan = _reloaded(plan_id)
        return _retry(plan_id, subject_id, override=OverrideForm(request.form, prefix="override",
                                                                  grades=plan.grade_labels))
    flash(_("已调整等次"), "success")
    return _back(plan_id, subject_id, "grade")


@bp.get("/<int:plan_id>/subjects/<int:subject_id>/override/clear")
@organizer_required
def confirm_clear_override(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = _visible_subject(plan, subject_id)
    return _confirmation_page(plan, _("确认恢复建议等次"), grading.override_clear_consequences(subject),
                              _("恢复建议等次"), _subject_url(plan_id, subject_id, "grade"), method=False)


@bp.post("/<int:plan_id>/subjects/<int:subject_id>/override/clear")
@organizer_required
def clear_override(plan_id: int, subject_id: int):
    plan = load_plan(plan_id)
    subject = _visible_subject(plan, subject_id)
    error = commit_or_flash(lambda: grading.clear_override(subject, current_user, confirmed=_confirmed()))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("assessments.confirm_clear_override", plan_id=plan_id, subject_id=subject_id))
    if error is None:
        flash(_("已恢复建议等次"), "success")
    return _back(plan_id, subject_id, "grade")



# ---- Excel import (organizers) and result exports (everyone who can see the plan) -------------


def _manual_components(plan: AssessmentPlan) -> list[PlanComponent]:
    return [c for cat in plan.categories for c in cat.components if c.source is ComponentSource.MANUAL]


def _render_import(plan: AssessmentPlan, status: int = 200, errors=(), **bound):
    forms = {
        "scores": bound.get("scores")
        or ScoreImportForm(None, prefix="scores", components=_manual_components(plan)),
        "adjustments": bound.get("adjustments") or AdjustmentImportForm(None, prefix="adjustments"),
    }
    return render_template("assessments/import.html", plan=plan, forms=forms, errors=list(errors),
                           components=_manual_components(plan), **_labels()), status


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
        return None, _render_import(_reloaded(plan_id), 409)
    except DomainError as error:
        db.session.rollback()  # all or nothing
        return None, _render_import(_reloaded(plan_id), 422, getattr(error, "errors", [error.message]),
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
    component = _component(plan, component_id)
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
    component = _component(plan, form.component_id.data)
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
