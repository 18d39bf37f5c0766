"""Survey builder and administration. Organizers design surveys; viewers only read."""

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.questionnaire import (
    BulkEditSubjectsForm,
    BulkSubjectsForm,
    DimensionForm,
    GroupForm,
    NewSurveyForm,
    QuestionForm,
    ScaleOptionForm,
    ScalePresetForm,
    SubjectForm,
    SurveySettingsForm,
)
from forms.users import UserEditForm, UserForm
from survey_app import labels, sessions
from survey_app.blueprints.access import (
    admin_required,
    commit_or_flash,
    keep_within_scope,
    load_survey,
    organizer_required,
)
from survey_app.errors import ConfirmationRequired, DomainError
from survey_app.extensions import db
from survey_app.models import (
    Dimension,
    Question,
    RespondentGroup,
    Role,
    ScaleKind,
    ScaleOption,
    Subject,
    Survey,
    Unit,
    User,
)
from survey_app.services.design import definitions, structure, subject_lists, surveys
from survey_app.services.platform import audit, permissions, users
from survey_app.services.respondents import ballot_rules
from survey_app.services.results import lifecycle

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Item kinds of the builder: URL word → (model, form class, add service, update service).
ITEM_KINDS = {
    "subjects": (Subject, SubjectForm, structure.add_subject, structure.update_subject),
    "dimensions": (Dimension, DimensionForm, structure.add_dimension, structure.update_dimension),
    "options": (ScaleOption, ScaleOptionForm, structure.add_scale_option, structure.update_scale_option),
    "groups": (RespondentGroup, GroupForm, structure.add_group, structure.update_group),
    "questions": (Question, QuestionForm, structure.add_question, structure.update_question),
}


def _load_item(survey: Survey, kind: str, item_id: int):
    if kind not in ITEM_KINDS:
        abort(404)
    item = db.get_or_404(ITEM_KINDS[kind][0], item_id)
    if item.survey_id != survey.id:
        abort(404)
    return item


def _build_form(kind: str, survey: Survey, item=None, formdata=None):
    form_class = ITEM_KINDS[kind][1]
    context = {
        "subjects": {"kind_labels": labels.SUBJECT_KIND},
        "groups": {"subjects": survey.subjects},
        "questions": {
            "kind_labels": labels.QUESTION_KIND,
            "earlier_questions": [q for q in survey.questions if item is None or q.position < item.position],
        },
    }.get(kind, {})
    form = form_class(formdata=formdata, obj=item, prefix=kind, **context)
    if item is not None and formdata is None:
        _fill_derived_fields(form, kind, item)
    return form


def _fill_derived_fields(form, kind: str, item) -> None:
    """Fill the form fields that do not map 1:1 to model attributes."""
    if kind == "subjects":
        form.kind.data = item.kind.value
        form.unit_name.data = item.unit.name if item.unit else ""
        form.unit_category.data = item.unit.category if item.unit else ""
    elif kind == "groups":
        form.subject_ids.data = [s.id for s in item.rated_subjects]
    elif kind == "questions":
        form.kind.data = item.kind.value
        form.options_text.data = "\n".join(item.options)
        form.show_if_question_id.data = item.show_if_question_id or 0
        form.show_if_values_text.data = ", ".join(item.show_if_values)


def _settings_form(survey: Survey) -> SurveySettingsForm:
    form = SurveySettingsForm(formdata=None, obj=survey, prefix="settings")
    form.show_local_times()
    return form


def _builder_forms(survey: Survey, **bound) -> dict:
    forms = {kind: bound.get(kind) or _build_form(kind, survey) for kind in ITEM_KINDS}
    forms["settings"] = bound.get("settings") or _settings_form(survey)
    forms["preset"] = ScalePresetForm(formdata=None, prefix="preset", scale=surveys.active_preset(survey))
    forms["bulk"] = bound.get("bulk") or _bulk_form()
    forms["bulk_edit"] = bound.get("bulk_edit") or _bulk_edit_form(survey)
    return forms


def _bulk_form(formdata=None) -> BulkSubjectsForm:
    return BulkSubjectsForm(formdata=formdata, prefix="bulk", kind_labels=labels.SUBJECT_KIND)


def _bulk_edit_form(survey: Survey, formdata=None) -> BulkEditSubjectsForm:
    return BulkEditSubjectsForm(formdata=formdata, prefix="bulk_edit", kind_labels=labels.SUBJECT_KIND,
                                subjects=survey.subjects)


def _render_builder(survey: Survey, status: int = 200, **bound):
    added_kind, added_message = _added_notice() if status == 200 else (None, None)
    return (
        render_template(
            "admin/survey.html",
            survey=survey,
            added_kind=added_kind,
            added_message=added_message,
            forms=_builder_forms(survey, **bound),
            problems=surveys.publication_problems(survey),
            history=audit.recent_entries(20, "survey", survey.id),
            ScaleKind=ScaleKind,
        ),
        status,
    )


#: The notice shown beside the add form after items of each kind were added.
ADDED_MESSAGES = {
    "subjects": _l("已添加 %(n)d 个评议对象，见上表末尾"),
    "dimensions": _l("已添加 %(n)d 个评价维度，见上表末尾"),
    "options": _l("已添加 %(n)d 个选项，见上表末尾"),
    "groups": _l("已添加 %(n)d 个评议主体，见上表末尾"),
    "questions": _l("已添加 %(n)d 道题目，见上表末尾"),
}


def _added(survey_id: int, kind: str, count: int = 1):
    """Back to the builder, scrolled to the notice beside the add form and the new rows:
    a flash at the top of the page would be out of view at the section's anchor."""
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, added=kind, n=count, _anchor=f"{kind}-added"))


def _added_notice() -> tuple[str | None, str | None]:
    """The (kind, message) of the notice asked for by `_added`'s redirect, if any."""
    kind, count = request.args.get("added"), request.args.get("n", type=int)
    if kind not in ADDED_MESSAGES or count is None or not 0 < count <= 100_000:
        return None, None
    return kind, str(ADDED_MESSAGES[kind]) % {"n": count}


def _flash_domain_error(error: DomainError) -> None:
    for message in getattr(error, "errors", [error.message]):
        flash(_(message), "error")


# ---- surveys -----------------------------------------------------------------------------


@bp.get("/surveys")
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


@bp.route("/surveys/new", methods=["GET", "POST"])
@organizer_required
def new_survey():
    form = _new_survey_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            survey = _create_survey(form)
        except DomainError as error:
            db.session.rollback()
            _flash_domain_error(error)
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


@bp.get("/surveys/<int:survey_id>")
@login_required
def edit_survey(survey_id: int):
    survey = load_survey(survey_id)
    if not permissions.may_manage_survey(current_user, survey):  # viewers; scoped organizers in a shared survey
        return render_template("admin/survey_readonly.html", survey=survey)
    return _render_builder(survey)


@bp.post("/surveys/<int:survey_id>/settings")
@organizer_required
def update_settings(survey_id: int):
    survey = load_survey(survey_id)
    form = SurveySettingsForm(request.form, prefix="settings")
    if not form.validate():
        return _render_builder(survey, 400, settings=form)
    try:
        surveys.update_survey(survey, form.service_data(), current_user)
    except DomainError as error:
        db.session.rollback()
        _flash_domain_error(error)
        return _render_builder(db.get_or_404(Survey, survey_id), 400)
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


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def _confirmation_page(survey: Survey, heading, consequences: list[str], action_url: str, button_label,
                       back_anchor: str = "lifecycle", danger: bool = False):
    back_url = url_for("admin.edit_survey", survey_id=survey.id, _anchor=back_anchor)
    crumbs = [(_("评议活动"), url_for("admin.list_surveys")), (survey.title, back_url)]
    return render_template("admin/confirm.html", heading=heading, consequences=consequences, crumbs=crumbs,
                           action_url=action_url, button_label=button_label, back_url=back_url, danger=danger)


def _unconfirmed(error: DomainError | None) -> bool:
    return isinstance(error, ConfirmationRequired)


@bp.get("/surveys/<int:survey_id>/status/<action>")
@organizer_required
def confirm_status(survey_id: int, action: str):
    survey = load_survey(survey_id)
    if action not in STATUS_ACTIONS:
        abort(404)
    if not survey.can(action):
        flash(_("当前状态下不能执行此操作"), "error")
        return redirect(url_for("admin.edit_survey", survey_id=survey_id))
    heading, button = STATUS_ACTIONS[action]
    return _confirmation_page(survey, heading, surveys.status_consequences(survey, action), request.path, button)


@bp.post("/surveys/<int:survey_id>/status/<action>")
@organizer_required
def change_status(survey_id: int, action: str):
    survey = load_survey(survey_id)
    if action not in STATUS_ACTIONS:
        abort(404)
    error = commit_or_flash(lambda: lifecycle.change_status(survey, action, current_user, confirmed=_confirmed()))
    if _unconfirmed(error):
        return redirect(url_for("admin.confirm_status", survey_id=survey_id, action=action))
    if error is None:
        flash(_("状态已更新：%(status)s", status=labels.SURVEY_STATUS[survey.status]), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey_id))


@bp.get("/surveys/<int:survey_id>/preview/<int:group_id>")
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


@bp.post("/surveys/<int:survey_id>/scale")
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


@bp.get("/surveys/<int:survey_id>/delete")
@organizer_required
def confirm_delete_survey(survey_id: int):
    survey = load_survey(survey_id)
    return _confirmation_page(survey, _("确认删除草稿"), surveys.status_consequences(survey, "delete"),
                              request.path, _("永久删除"), danger=True)


@bp.post("/surveys/<int:survey_id>/delete")
@organizer_required
def delete_survey(survey_id: int):
    survey = load_survey(survey_id)
    error = commit_or_flash(lambda: surveys.delete_survey(survey, current_user, confirmed=_confirmed()))
    if _unconfirmed(error):
        return redirect(url_for("admin.confirm_delete_survey", survey_id=survey_id))
    if error:
        return redirect(url_for("admin.edit_survey", survey_id=survey_id))
    flash(_("已删除"), "success")
    return redirect(url_for("admin.list_surveys"))


# ---- builder items -------------------------------------------------------------------------


def _call_item_service(kind: str, survey: Survey, form, item=None):
    _, _, add, update = ITEM_KINDS[kind]
    data = form.service_data()
    extra = {"subject_ids": form.subject_ids.data} if kind == "groups" else {}
    if item is None:
        return add(survey, data, current_user, **extra)
    return update(item, data, current_user, **extra)


@bp.post("/surveys/<int:survey_id>/<kind>/add")
@organizer_required
def add_item(survey_id: int, kind: str):
    survey = load_survey(survey_id)
    if kind not in ITEM_KINDS:
        abort(404)
    form = _build_form(kind, survey, formdata=request.form)
    if not form.validate():
        return _render_builder(survey, 400, **{kind: form})
    try:
        _call_item_service(kind, survey, form)
        keep_within_scope(survey)
    except DomainError as error:
        db.session.rollback()
        _flash_domain_error(error)
        survey = db.get_or_404(Survey, survey_id)
        return _render_builder(survey, 400, **{kind: _build_form(kind, survey, formdata=request.form)})
    db.session.commit()
    return _added(survey_id, kind)


@bp.post("/surveys/<int:survey_id>/subjects/bulk")
@organizer_required
def add_subjects_in_bulk(survey_id: int):
    survey = load_survey(survey_id)
    form = _bulk_form(request.form)
    if not form.validate():
        return _render_builder(survey, 400, bulk=form)
    try:
        added = subject_lists.add_subjects_in_bulk(survey, form.lines.data, form.defaults(), current_user)
        keep_within_scope(survey)
    except DomainError as error:
        db.session.rollback()
        form.lines.errors = list(getattr(error, "errors", [error.message]))
        return _render_builder(db.get_or_404(Survey, survey_id), 400, bulk=form)
    db.session.commit()
    return _added(survey_id, "subjects", count=added)


@bp.post("/surveys/<int:survey_id>/subjects/bulk-edit")
@organizer_required
def edit_subjects_in_bulk(survey_id: int):
    survey = load_survey(survey_id)
    form = _bulk_edit_form(survey, request.form)
    if not form.validate():
        return _render_builder(survey, 400, bulk_edit=form)
    try:
        changed = subject_lists.edit_subjects_in_bulk(survey, form.subject_ids.data, form.changes(), current_user)
        keep_within_scope(survey)
    except DomainError as error:
        db.session.rollback()
        survey = db.get_or_404(Survey, survey_id)
        form = _bulk_edit_form(survey, request.form)
        form.kind.errors = list(getattr(error, "errors", [error.message]))
        return _render_builder(survey, 400, bulk_edit=form)
    db.session.commit()
    flash(_("已修改 %(count)d 个评议对象", count=changed), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor="subjects"))


@bp.route("/surveys/<int:survey_id>/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_item(survey_id: int, kind: str, item_id: int):
    survey = load_survey(survey_id)
    item = _load_item(survey, kind, item_id)
    form = _build_form(kind, survey, item, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            _call_item_service(kind, survey, form, item)
            keep_within_scope(survey)
        except DomainError as error:
            db.session.rollback()
            _flash_domain_error(error)
            return render_template("admin/edit_item.html", survey=db.get_or_404(Survey, survey_id), kind=kind,
                                   form=_build_form(kind, survey, formdata=request.form)), 400
        db.session.commit()
        flash(_("已保存"), "success")
        return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor=kind))
    status = 400 if form.errors else 200
    return render_template("admin/edit_item.html", survey=survey, kind=kind, form=form, item=item), status


@bp.get("/surveys/<int:survey_id>/<kind>/<int:item_id>/remove")
@organizer_required
def confirm_remove_item(survey_id: int, kind: str, item_id: int):
    survey = load_survey(survey_id)
    item = _load_item(survey, kind, item_id)
    return _confirmation_page(survey, _("确认删除"), surveys.removal_consequences(item), request.path,
                              _("删除"), back_anchor=kind, danger=True)


@bp.post("/surveys/<int:survey_id>/<kind>/<int:item_id>/remove")
@organizer_required
def remove_item(survey_id: int, kind: str, item_id: int):
    survey = load_survey(survey_id)
    item = _load_item(survey, kind, item_id)
    error = commit_or_flash(lambda: structure.remove_item(survey, item, current_user, confirmed=_confirmed()))
    if _unconfirmed(error):
        return redirect(url_for("admin.confirm_remove_item", survey_id=survey_id, kind=kind, item_id=item_id))
    if error is None:
        flash(_("已删除"), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor=kind))


@bp.post("/surveys/<int:survey_id>/<kind>/<int:item_id>/move/<direction>")
@organizer_required
def move_item(survey_id: int, kind: str, item_id: int, direction: str):
    survey = load_survey(survey_id)
    item = _load_item(survey, kind, item_id)
    commit_or_flash(lambda: structure.move_item(survey, item, -1 if direction == "up" else 1, current_user))
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor=kind))


# ---- survey as code and cloning ---------------------------------------------------------------


@bp.get("/surveys/<int:survey_id>/definition.json")
@login_required
def export_survey(survey_id: int):
    survey = load_survey(survey_id)
    body = json.dumps(definitions.export_definition(survey), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="survey-{survey.id}.json"'
    return response


@bp.route("/surveys/import", methods=["GET", "POST"])
@organizer_required
def import_survey():
    errors = []
    if request.method == "POST":
        upload = request.files.get("definition")
        data, errors = _read_json_upload(upload)
        if not errors:
            try:
                survey = definitions.import_definition(data, current_user)
                if survey.subjects:  # one without subjects is city-wide, as a new survey
                    keep_within_scope(survey)
            except DomainError as error:
                db.session.rollback()
                errors = getattr(error, "errors", [error.message])
            else:
                db.session.commit()
                flash(_("已导入问卷定义"), "success")
                return redirect(url_for("admin.edit_survey", survey_id=survey.id))
    return render_template("admin/import_survey.html", errors=errors), 400 if errors else 200


def _read_json_upload(upload) -> tuple[bytes | None, list[str]]:
    # The bytes go to definitions.import_definition, which parses them and explains every
    # problem (encoding, syntax, nesting too deep for the stack) without raising.
    if upload is None or not upload.filename:
        return None, [_("请选择要导入的 JSON 文件")]
    return upload.read(), []


@bp.post("/surveys/<int:survey_id>/clone")
@organizer_required
def clone_survey(survey_id: int):
    survey = load_survey(survey_id)
    copy = definitions.clone_survey(survey, current_user)
    db.session.commit()
    flash(_("已复制为新的草稿：%(title)s", title=copy.title), "success")
    return redirect(url_for("admin.edit_survey", survey_id=copy.id))


# ---- users and audit log -------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def list_users():
    units = list(db.session.scalars(select(Unit).order_by(Unit.category, Unit.name)))
    form = UserForm(request.form if request.method == "POST" else None, role_labels=labels.ROLE, units=units)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                user = users.create_user(
                    form.username.data, form.password.data, Role(form.role.data),
                    display_name=form.display_name.data, unit_ids=form.unit_ids.data,
                )
            except DomainError as error:
                db.session.rollback()
                form.username.errors.append(_(error.message))
                status = 400
            else:
                audit.record(current_user, "user.create", "user", user.id, username=user.username, role=user.role.value)
                db.session.commit()
                flash(_("已创建用户 %(name)s", name=user.username), "success")
                return redirect(url_for("admin.list_users"))
        else:
            status = 400
    accounts = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", form=form, accounts=accounts), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    account = db.get_or_404(User, user_id)
    units = list(db.session.scalars(select(Unit).order_by(Unit.category, Unit.name)))
    form = UserEditForm(request.form if request.method == "POST" else None, role_labels=labels.ROLE, units=units)
    if request.method == "GET":
        form.role.data, form.is_active.data = account.role.value, account.is_active_account
        form.unit_ids.data = [unit.id for unit in account.scoped_units]
    elif form.validate():
        try:
            users.update_user(account, current_user, role=Role(form.role.data), unit_ids=form.unit_ids.data,
                              is_active=form.is_active.data)
        except DomainError as error:
            db.session.rollback()
            form.role.errors.append(_(error.message))
        else:
            audit.record(current_user, "user.update", "user", account.id, role=account.role.value,
                         active=account.is_active_account, units=form.unit_ids.data)
            db.session.commit()
            if account.id == current_user.id:
                sessions.start(account)  # a change of one's own scope ends the other sessions only
            flash(_("已保存"), "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/user.html", account=account, form=form), 400 if form.errors else 200


@bp.get("/users/<int:user_id>/password")
@admin_required
def confirm_reset_password(user_id: int):
    account = db.get_or_404(User, user_id)
    back_url = url_for("admin.edit_user", user_id=user_id)
    return render_template("admin/confirm.html", heading=_("确认重置密码"),
                           consequences=users.reset_password_consequences(account),
                           crumbs=[(_("用户"), url_for("admin.list_users")), (account.username, back_url)],
                           action_url=request.path, button_label=_("生成新密码"), back_url=back_url, danger=True)


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    account = db.get_or_404(User, user_id)
    try:
        password = users.reset_password(account, confirmed=_confirmed())
    except ConfirmationRequired as error:
        flash(error.message, "error")
        return redirect(url_for("admin.confirm_reset_password", user_id=user_id))
    audit.record(current_user, "user.reset_password", "user", account.id)
    db.session.commit()
    if account.id == current_user.id:
        sessions.start(account)  # the reset ended every session, this one too
    # Shown in this response only: never in the (signed, not encrypted) session cookie,
    # a redirect or a cache.
    response = make_response(render_template("admin/password_reset.html", account=account, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/audit")
@organizer_required
def audit_log():
    return render_template("admin/audit.html",
                           entries=audit.entries_in_scope(current_user, users.visible_unit_ids(current_user), 500))
