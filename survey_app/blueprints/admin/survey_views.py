"""Survey screens: the list, creating a survey (blank or from a template), the builder
page and its settings, lifecycle steps after their confirmation, the ballot preview,
the scale preset and deleting a draft.

The URLs of these views are in the package's __init__.py (the admin URL map).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forms.questionnaire import NewSurveyForm, ScalePresetForm, SurveySettingsForm
from survey_app import labels
from survey_app.blueprints.access import commit_or_flash, load_survey, organizer_required
from survey_app.blueprints.admin.builder_page import render_builder
from survey_app.blueprints.admin.feedback import (
    confirmation_page,
    flash_domain_error,
    is_confirmed,
    needs_confirmation,
)
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.design import definitions, structure, surveys
from survey_app.services.platform import permissions, users
from survey_app.services.respondents import ballot_rules
from survey_app.services.results import lifecycle

# ---- surveys -----------------------------------------------------------------------------


@login_required
def list_surveys():
    items = surveys.list_surveys(users.visible_unit_ids(current_user))
    return render_template("admin/surveys.html", surveys=items)


def _new_survey_form(formdata=None) -> NewSurveyForm:
    templates = [("blank", _("空白问卷"))] + definitions.list_templates()
    form = NewSurveyForm(formdata=formdata, kind_labels=labels.SURVEY_KIND, templates=templates)
    if formdata is None:
        form.year.data = form.year.data or 2026
        form.is_anonymous.data = True
        form.disagreement_gap.data = 15.0
    return form


@organizer_required
def new_survey():
    form = _new_survey_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            survey = _create_survey(form)
        except DomainError as error:
            db.session.rollback()
            flash_domain_error(error)
        else:
            db.session.commit()
            flash(_created_message(survey), "success")
            return redirect(url_for("admin.edit_survey", survey_id=survey.id))
    return render_template("admin/new_survey.html", form=form), 400 if form.errors else 200


def _created_message(survey: Survey) -> str:
    """Ask only for what is missing: a template already brings its dimensions and groups."""
    missing = surveys.missing_parts(survey)
    if missing:
        return _("已创建评议活动，请继续添加%(parts)s", parts="、".join(missing))
    return _("已创建评议活动，结构已齐全：可以预览各评议主体的页面，再发布")


def _create_survey(form: NewSurveyForm) -> Survey:
    if form.template.data != "blank":
        return definitions.create_from_template(form.template.data, form.template_overrides(), current_user)
    survey = surveys.create_survey(form.service_data(), current_user, preset="competence", with_unknown=form.with_unknown.data)
    if form.scale.data == "score":
        structure.use_score_scale(survey, current_user)
    elif form.scale.data != "competence":
        structure.replace_scale(survey, form.scale.data, form.with_unknown.data, current_user)
    return survey


@login_required
def edit_survey(survey_id: int):
    survey = load_survey(survey_id)
    if not permissions.may_manage_survey(current_user, survey):  # viewers; scoped organizers in a shared survey
        return render_template("admin/survey_readonly.html", survey=survey)
    return render_builder(survey)


@organizer_required
def update_settings(survey_id: int):
    survey = load_survey(survey_id)
    form = SurveySettingsForm(request.form, prefix="settings")
    if not form.validate():
        return render_builder(survey, 400, settings=form)
    try:
        surveys.update_survey(survey, form.service_data(), current_user)
    except DomainError as error:
        db.session.rollback()
        flash_domain_error(error)
        return render_builder(db.get_or_404(Survey, survey_id), 400)
    db.session.commit()
    flash(_("已保存"), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey.id))


#: Lifecycle actions: URL word → (confirmation heading, button label).
STATUS_ACTIONS = {
    "publish": (_l("确认发布"), _l("发布并锁定结构")),
    "close": (_l("确认结束评议"), _l("结束评议并封存答卷")),
    "reopen": (_l("确认重新开放"), _l("重新开放")),
    "archive": (_l("确认归档"), _l("归档并冻结")),
}


@organizer_required
def confirm_status(survey_id: int, action: str):
    survey = load_survey(survey_id)
    if action not in STATUS_ACTIONS:
        abort(404)
    if not survey.can(action):
        flash(_("当前状态下不能执行此操作"), "error")
        return redirect(url_for("admin.edit_survey", survey_id=survey_id))
    heading, button = STATUS_ACTIONS[action]
    return confirmation_page(survey, heading, surveys.status_consequences(survey, action), request.path, button)


@organizer_required
def change_status(survey_id: int, action: str):
    survey = load_survey(survey_id)
    if action not in STATUS_ACTIONS:
        abort(404)
    error = commit_or_flash(lambda: lifecycle.change_status(survey, action, current_user, confirmed=is_confirmed()))
    if needs_confirmation(error):
        return redirect(url_for("admin.confirm_status", survey_id=survey_id, action=action))
    if error is None:
        flash(_("状态已更新：%(status)s", status=labels.SURVEY_STATUS[survey.status]), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey_id))


@organizer_required
def preview_ballot(survey_id: int, group_id: int):
    """What a respondent group's phones will show, marked 预览, before or after publishing.

    Rendered from the respondent template with `preview` on: the submit button is disabled
    and the form's action is this GET-only page, so nothing can be recorded. No code is
    involved, and the page never enters the respondents' cached ballot pages.
    """
    survey = load_survey(survey_id)
    group = next((g for g in survey.groups if g.id == group_id), None)
    if group is None:
        abort(404)
    return render_template(
        "respondent/ballot.html", preview=True, structure=ballot_rules.ballot_structure(survey, group),
        survey=survey, action=request.path, chosen={}, values={}, errors={}, idempotency_key="", started="",
        csrf=None, is_open=False, challenge=None,
    )


@organizer_required
def apply_scale_preset(survey_id: int):
    survey = load_survey(survey_id)
    form = ScalePresetForm(request.form, prefix="preset")
    if not form.validate():
        abort(400)
    if form.scale.data == "custom":
        flash(_("请选择一种预设等级"), "error")
        return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor="scale"))
    if form.scale.data == "score":
        replaced = commit_or_flash(lambda: structure.use_score_scale(survey, current_user))
    else:
        replaced = commit_or_flash(
            lambda: structure.replace_scale(survey, form.scale.data, form.with_unknown.data, current_user))
    if replaced is None:
        flash(_("评价等级已更新"), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor="scale"))


@organizer_required
def confirm_delete_survey(survey_id: int):
    survey = load_survey(survey_id)
    return confirmation_page(survey, _("确认删除草稿"), surveys.status_consequences(survey, "delete"),
                              request.path, _("永久删除"), danger=True)


@organizer_required
def delete_survey(survey_id: int):
    survey = load_survey(survey_id)
    error = commit_or_flash(lambda: surveys.delete_survey(survey, current_user, confirmed=is_confirmed()))
    if needs_confirmation(error):
        return redirect(url_for("admin.confirm_delete_survey", survey_id=survey_id))
    if error:
        return redirect(url_for("admin.edit_survey", survey_id=survey_id))
    flash(_("已删除"), "success")
    return redirect(url_for("admin.list_surveys"))
