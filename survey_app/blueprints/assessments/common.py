"""What the assessment pages share: loading a plan and its parts within the user's scope
(404 otherwise), the status labels, the audit history shown, and the confirmation step of
an irreversible action.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Survey, SurveyStatus
from survey_app.models.assessment import (
    AssessmentPlan,
    PlanComponent,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
)
from survey_app.models.target import IndicatorSystem, SystemStatus
from survey_app.services.assessment import editing
from survey_app.services.platform import audit, permissions, users

bp = Blueprint("assessments", __name__, url_prefix="/admin/assessments")

STATUS_LABELS = {PlanStatus.DRAFT: _l("草稿"), PlanStatus.PROPOSED: _l("已提出建议等次"),
                 PlanStatus.CONFIRMED: _l("已确认")}
KIND_LABELS = {PlanSubjectKind.UNIT: _l("单位"), PlanSubjectKind.CADRE: _l("干部")}


def load_plan(plan_id: int) -> AssessmentPlan:
    """Return the plan, or 404 when missing or assessing none of the user's units."""
    plan = db.get_or_404(AssessmentPlan, plan_id)
    if not permissions.may_read_plan(current_user, plan):
        abort(404)
    return plan


def find_subject(plan: AssessmentPlan, subject_id: int) -> PlanSubject:
    """Return the plan's subject, or 404."""
    subject = next((s for s in plan.subjects if s.id == subject_id), None)
    if subject is None:
        abort(404)
    return subject


def find_component(plan: AssessmentPlan, component_id: int) -> PlanComponent:
    """Return a component of the plan, or 404."""
    component = next((c for cat in plan.categories for c in cat.components if c.id == component_id), None)
    if component is None:
        abort(404)
    return component


def linkable_surveys() -> list[Survey]:
    """Surveys with results the user may read: the choices of the plan forms."""
    query = select(Survey).where(Survey.status != SurveyStatus.DRAFT).order_by(Survey.year.desc(), Survey.id)
    return [survey for survey in db.session.scalars(query) if permissions.may_read_survey(current_user, survey)]


def linkable_systems() -> list[IndicatorSystem]:
    """Published indicator systems: the choices of a TARGETS component (city-wide documents)."""
    return list(db.session.scalars(select(IndicatorSystem).where(IndicatorSystem.status == SystemStatus.PUBLISHED)
                                   .order_by(IndicatorSystem.year.desc(), IndicatorSystem.category)))


def label_context() -> dict:
    """The status and kind labels the plan templates show."""
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS}


def plan_history(plan: AssessmentPlan, subject_key: str | None = None) -> list | None:
    """The plan's audit entries (one subject's when given); None for unit-scoped users,
    whose view must not show other units' changes."""
    if users.visible_unit_ids(current_user) is not None:
        return None
    entries = audit.recent_entries(500, editing.TARGET, plan.id)
    if subject_key is not None:
        return [e for e in entries if (e.detail or {}).get("subject") == subject_key]
    return entries[:30]


def reload_plan(plan_id: int) -> AssessmentPlan:
    """Load the plan afresh after a refused change rolled the session back (the view has
    already checked access with load_plan), or 404."""
    return db.get_or_404(AssessmentPlan, plan_id)


def confirmation_given() -> bool:
    """Whether the posted form confirms the irreversible action (confirm=yes)."""
    return request.form.get("confirm") == "yes"


def confirmation_page(plan: AssessmentPlan, heading, consequences: list[str], button_label, back_url: str,
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


def find_category(plan: AssessmentPlan, category_id: int):
    """Return a category of the plan, or 404."""
    return next((c for c in plan.categories if c.id == category_id), None) or abort(404)


def find_visible_subject(plan: AssessmentPlan, subject_id: int) -> PlanSubject:
    """Return the plan's subject, or 404 when missing or outside the user's units."""
    subject = find_subject(plan, subject_id)
    scope = users.visible_unit_ids(current_user)
    if scope is not None and subject.unit_id not in scope:
        abort(404)
    return subject


def subject_url(plan_id: int, subject_id: int, anchor: str | None = None) -> str:
    """The URL of a subject's page (at `anchor` when given)."""
    return url_for("assessments.show_subject", plan_id=plan_id, subject_id=subject_id, _anchor=anchor)
