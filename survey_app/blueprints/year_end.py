"""A unit's work on its approved targets during and after the year: quarterly progress,
the year-end 自评 with evidence files (the unit: UNIT_WORK on the URL's unit), and the
效能办's 现场核验 (CITY_DOCUMENT). Every URL names the unit and the sheet; a sheet or file of
another unit answers 404 (docs/targets.md, "Progress" and "Year-end self-assessment and
verification").
"""

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from survey_app.blueprints.access import commit_or_flash, may
from survey_app.blueprints.uploads import accepts_upload
from survey_app.errors import ConfirmationRequired, DomainError, NotFound
from survey_app.extensions import db
from survey_app.models import FilePurpose, Unit
from survey_app.models.target import SheetState, TargetSheet, VerificationWay
from survey_app.services.platform import evidence_files, permissions
from survey_app.services.targets import level_counts, progress, verification, year_end
from survey_app.services.targets.progress import ProgressEntry
from survey_app.services.targets.verification import VerifyEntry
from survey_app.services.targets.year_end import SelfEntry
from survey_app.timezones import LOCAL_ZONE

bp = Blueprint("year_end", __name__, url_prefix="/admin")
#: Every page of one unit's work lives under this path (the policy decides on its unit_id).
UNIT = "/units/<int:unit_id>/year-end"

#: Files one save of the 自评 may carry (the request body limit follows from it).
UPLOAD_FILES = 5
WAY_LABELS = {VerificationWay.ON_SITE: _l("现场核验"), VerificationWay.DOCUMENTS: _l("材料审核"),
              VerificationWay.DATA: _l("数据比对"), VerificationWay.INTERVIEW: _l("座谈走访")}


def _sheet(unit_id: int, sheet_id: int) -> TargetSheet:
    """The sheet named, only if it is this unit's and approved (404 otherwise)."""
    sheet = db.session.get(TargetSheet, sheet_id)
    if sheet is None or sheet.unit_id != unit_id or sheet.state is not SheetState.APPROVED:
        abort(404)
    return sheet


def _now() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """The city's date: a 核验 date may not be later."""
    return datetime.now(LOCAL_ZONE).date()


def _back(endpoint: str, sheet: TargetSheet, **extra):
    return redirect(url_for(endpoint, unit_id=sheet.unit_id, sheet_id=sheet.id, **extra))


def _counts(target) -> list[str] | None:
    """A level-bonus leaf's counts as posted (count-<target>-<level index>), else None."""
    if not level_counts.is_level(target.node):
        return None
    return [request.form.get(f"count-{target.id}-{i}", "") for i in range(len(level_counts.level_names(target.node)))]


def _crumbs(sheet: TargetSheet) -> list:
    unit = db.session.get(Unit, sheet.unit_id)
    return [(unit.name, url_for("year_end.list_sheets", unit_id=sheet.unit_id)),
            (sheet.system.title, url_for("year_end.show_self_assessment", unit_id=sheet.unit_id, sheet_id=sheet.id))]


def _confirm(sheet: TargetSheet, heading: str, consequences: list[str], button: str, back: str, danger=False,
             reason_label=None):
    return render_template("admin/confirm.html", heading=heading, consequences=consequences, action_url=request.path,
                           crumbs=_crumbs(sheet), button_label=button, back_url=back, danger=danger,
                           reason_label=reason_label)


def _refused_at_start(guard, sheet: TargetSheet, back: str):
    """The redirect back with the guard's message when the step cannot start, else None."""
    try:
        guard(sheet)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    return None


def _confirmed(act, again: str, back: str, done: str):
    """Run a step posted from its confirmation page: back to that page when the form did
    not confirm, else to `back` with `done` (or the refusal's message, flashed)."""
    error = commit_or_flash(lambda: act(request.form.get("confirm") == "yes"))
    if isinstance(error, ConfirmationRequired):
        return redirect(again)
    if error is None:
        flash(done, "success")
    return redirect(back)


def _with_reason(sheet: TargetSheet, page: tuple[str, str, str, str], act, done: str):
    """A 效能办 step that asks why (reopen 核验, return a 自评): GET shows its page (heading,
    consequence, button, the reason's label), POST does it with the reason typed."""
    back = url_for("year_end.show_verification", unit_id=sheet.unit_id, sheet_id=sheet.id)
    if request.method == "GET":
        heading, consequence, button, reason_label = page
        return _confirm(sheet, heading, [consequence], button, back, reason_label=reason_label)
    if commit_or_flash(lambda: act(request.form.get("reason", ""))) is None:
        flash(done, "success")
    return redirect(back)


@bp.get("/year-end/")
@login_required
def overview():
    """Every approved sheet the user's scope holds, with where its 自评 and 核验 stand."""
    return render_template("targets/year_end_overview.html",
                           rows=year_end.approved_sheets(permissions.scope_of(current_user)))


@bp.get(UNIT + "/")
@login_required
def list_sheets(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    return render_template("targets/unit_sheets.html", unit=unit, sheets=year_end.sheets_of_unit(unit_id))


# ---- progress ------------------------------------------------------------------------------


@bp.get(UNIT + "/<int:sheet_id>/progress")
@login_required
def show_progress(unit_id: int, sheet_id: int):
    sheet = _sheet(unit_id, sheet_id)
    return render_template("targets/progress.html", sheet=sheet, rows=progress.progress_rows(sheet),
                           quarters=progress.QUARTERS, crumbs=_crumbs(sheet),
                           editable=sheet.self_assessed_at is None)


@bp.route(UNIT + "/<int:sheet_id>/progress/<int:quarter>", methods=["GET", "POST"])
@login_required
def edit_progress(unit_id: int, sheet_id: int, quarter: int):
    sheet = _sheet(unit_id, sheet_id)
    if quarter not in progress.QUARTERS:
        abort(404)
    if request.method == "POST":
        entries = {target.id: ProgressEntry(request.form.get(f"value-{target.id}", ""),
                                            request.form.get(f"account-{target.id}", ""))
                   for target in sheet.targets if f"value-{target.id}" in request.form}
        if commit_or_flash(lambda: progress.save_progress(sheet, quarter, entries, current_user, _now())) is None:
            flash(_("已保存第 %(quarter)d 季度进度", quarter=quarter), "success")
            return _back("year_end.show_progress", sheet)
        return render_template("targets/progress_form.html", sheet=sheet, quarter=quarter, crumbs=_crumbs(sheet),
                               rows=progress.progress_rows(sheet), form=request.form), 422
    if sheet.self_assessed_at is not None:
        flash(_("年终自评已提交，季度进度已锁定"), "error")
        return _back("year_end.show_progress", sheet)
    return render_template("targets/progress_form.html", sheet=sheet, quarter=quarter, crumbs=_crumbs(sheet),
                           rows=progress.progress_rows(sheet), form=None)


# ---- the 自评 ------------------------------------------------------------------------------


def _render_self(sheet: TargetSheet, form=None, status: int = 200):
    results = [target.result for target in sheet.targets if target.result is not None]
    return render_template("targets/self_assessment.html", sheet=sheet, targets=year_end.leaves(sheet),
                           files=year_end.evidence_names(results), crumbs=_crumbs(sheet), form=form,
                           value_methods=year_end.VALUE_METHODS, way_labels=WAY_LABELS, levels=level_counts,
                           editable=sheet.self_assessed_at is None and may("year_end.save_self_assessment",
                                                                           unit_id=sheet.unit_id, sheet_id=sheet.id),
                           upload_files=UPLOAD_FILES,
                           max_mb=evidence_files.size_limit(FilePurpose.DOCUMENT) // (1024 * 1024)), status


@bp.get(UNIT + "/<int:sheet_id>/self-assessment")
@login_required
def show_self_assessment(unit_id: int, sheet_id: int):
    return _render_self(_sheet(unit_id, sheet_id))


@bp.post(UNIT + "/<int:sheet_id>/self-assessment")
@login_required
@accepts_upload(FilePurpose.DOCUMENT, files=UPLOAD_FILES)
def save_self_assessment(unit_id: int, sheet_id: int):
    sheet = _sheet(unit_id, sheet_id)
    entries = {}
    for target in sheet.targets:
        uploads = [upload for upload in request.files.getlist(f"evidence-{target.id}") if upload.filename]
        if f"value-{target.id}" in request.form or f"count-{target.id}-0" in request.form or uploads:
            entries[target.id] = SelfEntry(request.form.get(f"value-{target.id}", ""),
                                           request.form.get(f"note-{target.id}", ""),
                                           [(upload.read(), upload.filename) for upload in uploads], _counts(target))
    if sum(len(entry.files) for entry in entries.values()) > UPLOAD_FILES:
        flash(_("一次最多上传 %(count)d 个文件，请分几次保存", count=UPLOAD_FILES), "error")
        return _render_self(sheet, request.form, 422)
    if commit_or_flash(lambda: year_end.save_self_assessment(sheet, entries, current_user, _now())) is None:
        flash(_("已保存年终自评"), "success")
        return _back("year_end.show_self_assessment", sheet)
    return _render_self(sheet, request.form, 422)


@bp.route(UNIT + "/<int:sheet_id>/hand-in", methods=["GET", "POST"])
@login_required
def hand_in(unit_id: int, sheet_id: int):
    sheet = _sheet(unit_id, sheet_id)
    back = url_for("year_end.show_self_assessment", unit_id=unit_id, sheet_id=sheet_id)
    if request.method == "GET":
        return (_refused_at_start(year_end.require_self_open, sheet, back)
                or _confirm(sheet, _("确认提交年终自评"), year_end.hand_in_consequences(sheet), _("提交"), back))
    return _confirmed(lambda confirmed: year_end.hand_in(sheet, current_user, _now(), confirmed=confirmed),
                      url_for("year_end.hand_in", unit_id=unit_id, sheet_id=sheet_id), back, _("年终自评已提交"))


@bp.get(UNIT + "/<int:sheet_id>/evidence/<int:file_id>")
@login_required
def download_evidence(unit_id: int, sheet_id: int, file_id: int):
    sheet = _sheet(unit_id, sheet_id)
    try:
        stored = year_end.stored_file_of(year_end.find_evidence(sheet, file_id))
        return evidence_files.send_stored_file(stored, as_attachment=request.args.get("download") == "1")
    except NotFound:
        abort(404)


@bp.route(UNIT + "/<int:sheet_id>/evidence/<int:file_id>/remove", methods=["GET", "POST"])
@login_required
def remove_evidence(unit_id: int, sheet_id: int, file_id: int):
    sheet = _sheet(unit_id, sheet_id)
    back = url_for("year_end.show_self_assessment", unit_id=unit_id, sheet_id=sheet_id)
    try:
        evidence = year_end.find_evidence(sheet, file_id)
    except NotFound:
        abort(404)
    if request.method == "GET":
        stored = year_end.stored_file_of(evidence)
        return _confirm(sheet, _("确认删除证明材料"),
                        [_("删除“%(leaf)s”的证明材料“%(file)s”", leaf=evidence.result.target.node.name,
                           file=stored.original_name)], _("删除"), back, danger=True)
    return _confirmed(lambda confirmed: year_end.remove_evidence(sheet, evidence, current_user, confirmed=confirmed),
                      url_for("year_end.remove_evidence", unit_id=unit_id, sheet_id=sheet_id, file_id=file_id), back,
                      _("已删除证明材料"))


# ---- 现场核验 (the 效能办) ------------------------------------------------------------------


def _render_verification(sheet: TargetSheet, form=None, status: int = 200):
    results = [target.result for target in sheet.targets if target.result is not None]
    return render_template("targets/verification.html", sheet=sheet, targets=year_end.leaves(sheet),
                           points=verification.leaf_points(sheet), files=year_end.evidence_names(results),
                           crumbs=_crumbs(sheet), form=form, way_labels=WAY_LABELS, judged=year_end.JUDGED,
                           levels=level_counts, prefill_counts=verification.prefill_counts,
                           today=local_today().isoformat(),
                           editable=sheet.self_assessed_at is not None and sheet.verified_at is None), status


@bp.get(UNIT + "/<int:sheet_id>/verification")
@login_required
def show_verification(unit_id: int, sheet_id: int):
    return _render_verification(_sheet(unit_id, sheet_id))


@bp.post(UNIT + "/<int:sheet_id>/verification")
@login_required
def save_verification(unit_id: int, sheet_id: int):
    sheet = _sheet(unit_id, sheet_id)
    form = request.form
    entries = {target.id: VerifyEntry(*(form.get(f"{name}-{target.id}", "") for name in
                                        ("value", "judged", "note", "date", "way")), counts=_counts(target))
               for target in sheet.targets if f"date-{target.id}" in form}
    if commit_or_flash(lambda: verification.save_verification(sheet, entries, current_user, local_today())) is None:
        flash(_("已保存核验结果"), "success")
        return _back("year_end.show_verification", sheet)
    return _render_verification(sheet, form, 422)


@bp.route(UNIT + "/<int:sheet_id>/verification/close", methods=["GET", "POST"])
@login_required
def close_verification(unit_id: int, sheet_id: int):
    sheet = _sheet(unit_id, sheet_id)
    back = url_for("year_end.show_verification", unit_id=unit_id, sheet_id=sheet_id)
    if request.method == "GET":
        return (_refused_at_start(verification.require_verification_open, sheet, back)
                or _confirm(sheet, _("确认结束现场核验"), verification.close_consequences(sheet), _("结束核验"), back))
    return _confirmed(
        lambda confirmed: verification.close_verification(sheet, current_user, _now(), confirmed=confirmed),
        url_for("year_end.close_verification", unit_id=unit_id, sheet_id=sheet_id), back, _("现场核验已结束"))


@bp.route(UNIT + "/<int:sheet_id>/verification/reopen", methods=["GET", "POST"])
@login_required
def reopen_verification(unit_id: int, sheet_id: int):
    sheet = _sheet(unit_id, sheet_id)
    page = (_("重新打开现场核验"), _("核验值可以再修改，修改前的结果和原因记入操作日志"), _("重新打开"), _("原因"))
    return _with_reason(sheet, page, lambda reason: verification.reopen_verification(sheet, reason, current_user),
                        _("已重新打开现场核验"))


@bp.route(UNIT + "/<int:sheet_id>/return", methods=["GET", "POST"])
@login_required
def return_self_assessment(unit_id: int, sheet_id: int):
    sheet = _sheet(unit_id, sheet_id)
    page = (_("退回年终自评"), _("单位可以再修改自评和季度进度，之后重新提交"), _("退回"), _("退回原因"))
    return _with_reason(sheet, page, lambda reason: year_end.return_self_assessment(sheet, reason, current_user),
                        _("已退回年终自评"))
