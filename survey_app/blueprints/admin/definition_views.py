"""Survey as code: download a survey's definition, import one, clone a survey.

The URLs of these views are in the package's __init__.py (the admin URL map).
"""

import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from survey_app.blueprints.access import keep_within_scope, load_survey, organizer_required
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.services.design import definitions

# ---- survey as code and cloning ---------------------------------------------------------------


@login_required
def export_survey(survey_id: int):
    survey = load_survey(survey_id)
    body = json.dumps(definitions.export_definition(survey), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="survey-{survey.id}.json"'
    return response


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


@organizer_required
def clone_survey(survey_id: int):
    survey = load_survey(survey_id)
    copy = definitions.clone_survey(survey, current_user)
    db.session.commit()
    flash(_("已复制为新的草稿：%(title)s", title=copy.title), "success")
    return redirect(url_for("admin.edit_survey", survey_id=copy.id))
