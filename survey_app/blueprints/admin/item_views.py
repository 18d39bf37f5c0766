"""Builder item screens: add, edit, remove (after confirmation) and reorder subjects,
dimensions, scale options, groups and questions; subjects pasted or edited in bulk.

The URLs of these views are in the package's __init__.py (the admin URL map).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.blueprints.access import commit_or_flash, keep_within_scope, load_survey, organizer_required
from survey_app.blueprints.admin.builder_page import (
    ITEM_KINDS,
    build_form,
    bulk_edit_form,
    bulk_form,
    load_item,
    redirect_to_added,
    render_builder,
)
from survey_app.blueprints.admin.feedback import (
    confirmation_page,
    flash_domain_error,
    is_confirmed,
    needs_confirmation,
)
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.design import structure, subject_lists, surveys

# ---- builder items -------------------------------------------------------------------------


def _call_item_service(kind: str, survey: Survey, form, item=None):
    _, _, add, update = ITEM_KINDS[kind]
    data = form.service_data()
    extra = {"subject_ids": form.subject_ids.data} if kind == "groups" else {}
    if item is None:
        return add(survey, data, current_user, **extra)
    return update(item, data, current_user, **extra)


@organizer_required
def add_item(survey_id: int, kind: str):
    survey = load_survey(survey_id)
    if kind not in ITEM_KINDS:
        abort(404)
    form = build_form(kind, survey, formdata=request.form)
    if not form.validate():
        return render_builder(survey, 400, **{kind: form})
    try:
        _call_item_service(kind, survey, form)
        keep_within_scope(survey)
    except DomainError as error:
        db.session.rollback()
        flash_domain_error(error)
        survey = db.get_or_404(Survey, survey_id)
        return render_builder(survey, 400, **{kind: build_form(kind, survey, formdata=request.form)})
    db.session.commit()
    return redirect_to_added(survey_id, kind)


@organizer_required
def add_subjects_in_bulk(survey_id: int):
    survey = load_survey(survey_id)
    form = bulk_form(request.form)
    if not form.validate():
        return render_builder(survey, 400, bulk=form)
    try:
        added = subject_lists.add_subjects_in_bulk(survey, form.lines.data, form.defaults(), current_user)
        keep_within_scope(survey)
    except DomainError as error:
        db.session.rollback()
        form.lines.errors = list(getattr(error, "errors", [error.message]))
        return render_builder(db.get_or_404(Survey, survey_id), 400, bulk=form)
    db.session.commit()
    return redirect_to_added(survey_id, "subjects", count=added)


@organizer_required
def edit_subjects_in_bulk(survey_id: int):
    survey = load_survey(survey_id)
    form = bulk_edit_form(survey, request.form)
    if not form.validate():
        return render_builder(survey, 400, bulk_edit=form)
    try:
        changed = subject_lists.edit_subjects_in_bulk(survey, form.subject_ids.data, form.changes(), current_user)
        keep_within_scope(survey)
    except DomainError as error:
        db.session.rollback()
        survey = db.get_or_404(Survey, survey_id)
        form = bulk_edit_form(survey, request.form)
        form.kind.errors = list(getattr(error, "errors", [error.message]))
        return render_builder(survey, 400, bulk_edit=form)
    db.session.commit()
    flash(_("已修改 %(count)d 个评议对象", count=changed), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor="subjects"))


@organizer_required
def edit_item(survey_id: int, kind: str, item_id: int):
    survey = load_survey(survey_id)
    item = load_item(survey, kind, item_id)
    form = build_form(kind, survey, item, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            _call_item_service(kind, survey, form, item)
            keep_within_scope(survey)
        except DomainError as error:
            db.session.rollback()
            flash_domain_error(error)
            return render_template("admin/edit_item.html", survey=db.get_or_404(Survey, survey_id), kind=kind,
                                   form=build_form(kind, survey, formdata=request.form)), 400
        db.session.commit()
        flash(_("已保存"), "success")
        return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor=kind))
    status = 400 if form.errors else 200
    return render_template("admin/edit_item.html", survey=survey, kind=kind, form=form, item=item), status


@organizer_required
def confirm_remove_item(survey_id: int, kind: str, item_id: int):
    survey = load_survey(survey_id)
    item = load_item(survey, kind, item_id)
    return confirmation_page(survey, _("确认删除"), surveys.removal_consequences(item), request.path,
                              _("删除"), back_anchor=kind, danger=True)


@organizer_required
def remove_item(survey_id: int, kind: str, item_id: int):
    survey = load_survey(survey_id)
    item = load_item(survey, kind, item_id)
    error = commit_or_flash(lambda: structure.remove_item(survey, item, current_user, confirmed=is_confirmed()))
    if needs_confirmation(error):
        return redirect(url_for("admin.confirm_remove_item", survey_id=survey_id, kind=kind, item_id=item_id))
    if error is None:
        flash(_("已删除"), "success")
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor=kind))


@organizer_required
def move_item(survey_id: int, kind: str, item_id: int, direction: str):
    survey = load_survey(survey_id)
    item = load_item(survey, kind, item_id)
    commit_or_flash(lambda: structure.move_item(survey, item, -1 if direction == "up" else 1, current_user))
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, _anchor=kind))
