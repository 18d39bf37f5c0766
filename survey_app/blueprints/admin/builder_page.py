"""The survey builder page: the item kinds with their forms and services, the forms
filled from an item, the page rendered with all its forms, and the notice shown beside
an add form after adding.
"""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from forms.questionnaire import (
    BulkEditSubjectsForm,
    BulkSubjectsForm,
    DimensionForm,
    GroupForm,
    QuestionForm,
    ScaleOptionForm,
    ScalePresetForm,
    SubjectForm,
    SurveySettingsForm,
)
from survey_app import labels
from survey_app.extensions import db
from survey_app.models import Dimension, Question, RespondentGroup, ScaleKind, ScaleOption, Subject, Survey
from survey_app.services.design import structure, surveys
from survey_app.services.platform import audit

#: Item kinds of the builder: URL word → (model, form class, add service, update service).
ITEM_KINDS = {
    "subjects": (Subject, SubjectForm, structure.add_subject, structure.update_subject),
    "dimensions": (Dimension, DimensionForm, structure.add_dimension, structure.update_dimension),
    "options": (ScaleOption, ScaleOptionForm, structure.add_scale_option, structure.update_scale_option),
    "groups": (RespondentGroup, GroupForm, structure.add_group, structure.update_group),
    "questions": (Question, QuestionForm, structure.add_question, structure.update_question),
}


def load_item(survey: Survey, kind: str, item_id: int):
    if kind not in ITEM_KINDS:
        abort(404)
    item = db.get_or_404(ITEM_KINDS[kind][0], item_id)
    if item.survey_id != survey.id:
        abort(404)
    return item


def build_form(kind: str, survey: Survey, item=None, formdata=None):
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
    forms = {kind: bound.get(kind) or build_form(kind, survey) for kind in ITEM_KINDS}
    forms["settings"] = bound.get("settings") or _settings_form(survey)
    forms["preset"] = ScalePresetForm(formdata=None, prefix="preset", scale=surveys.active_preset(survey))
    forms["bulk"] = bound.get("bulk") or bulk_form()
    forms["bulk_edit"] = bound.get("bulk_edit") or bulk_edit_form(survey)
    return forms


def bulk_form(formdata=None) -> BulkSubjectsForm:
    return BulkSubjectsForm(formdata=formdata, prefix="bulk", kind_labels=labels.SUBJECT_KIND)


def bulk_edit_form(survey: Survey, formdata=None) -> BulkEditSubjectsForm:
    return BulkEditSubjectsForm(formdata=formdata, prefix="bulk_edit", kind_labels=labels.SUBJECT_KIND,
                                subjects=survey.subjects)


def render_builder(survey: Survey, status: int = 200, **bound):
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


def redirect_to_added(survey_id: int, kind: str, count: int = 1):
    """Back to the builder, scrolled to the notice beside the add form and the new rows:
    a flash at the top of the page would be out of view at the section's anchor."""
    return redirect(url_for("admin.edit_survey", survey_id=survey_id, added=kind, n=count, _anchor=f"{kind}-added"))


def _added_notice() -> tuple[str | None, str | None]:
    """The (kind, message) of the notice asked for by `redirect_to_added`, if any."""
    kind, count = request.args.get("added"), request.args.get("n", type=int)
    if kind not in ADDED_MESSAGES or count is None or not 0 < count <= 100_000:
        return None, None
    return kind, str(ADDED_MESSAGES[kind]) % {"n": count}
