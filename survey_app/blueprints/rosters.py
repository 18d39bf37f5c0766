"""Roster import from Excel: the template workbook and the upload page (organizers only)."""

import base64
import binascii
from io import BytesIO
from pathlib import PurePath

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.roster import RosterUploadForm
from survey_app.blueprints.access import keep_within_scope, load_survey, organizer_required
from survey_app.errors import DomainError, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.design import roster_format, rosters
from survey_app.services.platform import sheets

bp = Blueprint("rosters", __name__, url_prefix="/admin/rosters")


@bp.get("/template.xlsx")
@organizer_required
def download_template():
    return send_file(
        BytesIO(roster_format.build_template()),
        mimetype=sheets.XLSX_MIMETYPE,
        as_attachment=True,
        download_name="评议名册模板.xlsx",
    )


@bp.route("/<int:survey_id>/import", methods=["GET", "POST"])
@organizer_required
def import_roster(survey_id: int):
    survey = load_survey(survey_id)
    form = RosterUploadForm()
    if STEP_TWO_FIELD in request.form:  # the unit choices of a file uploaded in step one
        return _import_with_choices(survey, form)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _render(survey, form, [], status)
    upload = form.workbook.data
    return _import(survey, form, upload.read(), _base_name(upload.filename), None)


#: Step two posts the file back (base64) with a choice per near-duplicate unit name, so
#: nothing is stored between the steps and nothing is imported before the choices.
STEP_TWO_FIELD = "workbook_data"


def _import_with_choices(survey: Survey, form: RosterUploadForm):
    try:
        data = base64.b64decode(request.form.get(STEP_TWO_FIELD, ""), validate=True)
    except (binascii.Error, ValueError):
        return _render(survey, form, [_("文件内容在传输中损坏，请重新上传名册")], 422)
    filename = _base_name(request.form.get("filename"))
    choices = {key[len("unit:"):]: value for key, value in request.form.items() if key.startswith("unit:")}
    return _import(survey, form, data, filename, choices)


def _import(survey: Survey, form: RosterUploadForm, data: bytes, filename: str, choices: dict | None):
    try:
        summary = rosters.import_workbook(survey, data, current_user, filename=filename, unit_choices=choices)
        keep_within_scope(survey)
    except StructureLocked:
        db.session.rollback()
        return _render(survey, form, [], 409)  # the page's lock notice says why
    except rosters.UnitChoicesNeeded as question:
        db.session.rollback()
        pending = base64.b64encode(data).decode()
        return _render(survey, form, [], 200 if choices is None else 422, near=question.near_duplicates,
                       pending=pending, filename=filename, chosen=choices or {}, asked=choices is not None)
    except ValidationFailed as error:
        db.session.rollback()  # all or nothing: drop units or rows flushed before the error
        return _render(survey, form, error.errors, 422)
    except DomainError as error:  # the roster would put another unit's cadres in the survey
        db.session.rollback()
        return _render(survey, form, [_(error.message)], 422)
    db.session.commit()
    _flash_summary(summary)
    return redirect(url_for("admin.edit_survey", survey_id=survey.id))


def _render(survey: Survey, form: RosterUploadForm, errors: list[str], status: int, **choice_step):
    return render_template("rosters/import.html", survey=survey, form=form, errors=errors,
                           new_unit=rosters.NEW_UNIT, **choice_step), status


def _base_name(filename: str | None) -> str:
    # Some browsers send the client's full path; the audit log needs only the name.
    return PurePath((filename or "").replace("\\", "/")).name[:200]


def _flash_summary(summary: rosters.ImportSummary) -> None:
    flash(
        _(
            "名册已导入。评议对象：新增 %(sc)d 个，更新 %(su)d 个，未变 %(sn)d 个；"
            "评议主体：新增 %(gc)d 个，更新 %(gu)d 个，未变 %(gn)d 个；新建单位 %(uc)d 个。",
            sc=summary.subjects_created,
            su=summary.subjects_updated,
            sn=summary.subjects_unchanged,
            gc=summary.groups_created,
            gu=summary.groups_updated,
            gn=summary.groups_unchanged,
            uc=summary.units_created,
        ),
        "success",
    )
    if summary.units_with_other_category:
        flash(
            _(
                "以下单位在系统中已有不同的单位类别，未按名册修改：%(units)s。如需修改，请联系系统管理员。",
                units="、".join(summary.units_with_other_category),
            ),
            "warning",
        )
