"""Registers of 正向激励 and 效能督查: the list with filters and per-unit totals, an item's
page with its evidence and approval, recording and editing items, and a unit's own items
read-only (its reporter's view).

Access is decided before any view runs (services/platform/permissions.py): staff read the
items of their units, organizers record and edit them for their units, city-wide organizers
and administrators approve; a unit reporter reads only `/units/<own unit>`.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.registers import EntryForm, EvidenceForm, NoteForm
from survey_app import labels
from survey_app.blueprints.access import commit_or_flash, organizer_required
from survey_app.blueprints.uploads import accepts_upload
from survey_app.errors import ConfirmationRequired, NotFound
from survey_app.extensions import db
from survey_app.models import FilePurpose, Unit
from survey_app.models.assessment import AdjustmentKind
from survey_app.models.base import utcnow
from survey_app.models.register import RegisterEntry, RegisterEvidence, RegisterSource, RegisterState
from survey_app.services.inspection import progress
from survey_app.services.platform import audit, evidence_files, users
from survey_app.services.platform.plain_values import enum_member
from survey_app.services.targets import registers

bp = Blueprint("registers", __name__, url_prefix="/admin/registers")

#: Files one upload may carry (an item holds at most registers.MAX_FILES).
FILES_PER_UPLOAD = 5


def _today():
    return progress.local_today(utcnow())


def _scope():
    return users.visible_unit_ids(current_user)


def _units():
    """The units the user may record items for (or filter by): every unit, or their own."""
    query = select(Unit).order_by(Unit.category, Unit.name)
    if _scope() is not None:
        query = query.where(Unit.id.in_(_scope()))
    return db.session.scalars(query).all()


def _entry(entry_id: int) -> RegisterEntry:
    # `access.enforce` has already refused an item outside the user's scope.
    return db.get_or_404(RegisterEntry, entry_id)


def _entry_form(formdata=None, **kwargs) -> EntryForm:
    return EntryForm(formdata, kinds=labels.ADJUSTMENT_KIND.items(), units=_units(),
                     sources=labels.REGISTER_SOURCE.items(), **kwargs)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filters() -> registers.Filters:
    return registers.Filters(
        year=_int_arg("year"), unit_id=_int_arg("unit_id"),
        kind=enum_member(AdjustmentKind, request.args.get("kind")),
        source=enum_member(RegisterSource, request.args.get("source")),
        state=enum_member(RegisterState, request.args.get("state")))


def _flash_form_errors(form) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}：{message}", "error")


def _show(entry_id: int, anchor: str = ""):
    return redirect(url_for("registers.show_entry", entry_id=entry_id, _anchor=anchor))


@bp.get("/")
@login_required
def list_entries():
    filters = _filters()
    entries = registers.list_entries(_scope(), filters)
    return render_template("registers/index.html", entries=entries, totals=registers.unit_totals(entries),
                           filters=filters, units=_units(), states=labels.REGISTER_STATE)


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def new_entry():
    if request.method == "GET":
        today = _today()
        form = _entry_form(data={"kind": request.args.get("kind", AdjustmentKind.BONUS.value),
                                 "year": str(today.year), "occurred_on": today,
                                 "source": RegisterSource.EFFICIENCY_OFFICE.value})
        return render_template("registers/edit.html", form=form, entry=None)
    form = _entry_form(request.form)
    created = []
    if form.validate() and commit_or_flash(lambda: created.append(
            registers.record_entry(form.service_data(), current_user, utcnow(), _today()))) is None:
        flash(_("已登记，待审核"), "success")
        return _show(created[0].id)
    _flash_form_errors(form)
    return render_template("registers/edit.html", form=form, entry=None), 400


@bp.get("/<int:entry_id>")
@login_required
def show_entry(entry_id: int):
    entry = _entry(entry_id)
    history = (audit.recent_entries(100, registers.REGISTER_TARGET, entry.id)
               if current_user.can_manage_surveys else None)
    return render_template("registers/entry.html", entry=entry, history=history, evidence_form=EvidenceForm(),
                           note_form=NoteForm(), max_files=registers.MAX_FILES)


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_entry(entry_id: int):
    entry = _entry(entry_id)
    if entry.is_locked:
        flash(_("该事项已审核通过，已锁定，不能修改；如需修改，请先撤回审核"), "error")
        return _show(entry_id)
    if request.method == "GET":
        form = _entry_form(obj=entry, data={"kind": entry.kind.value, "source": entry.source.value,
                                            "year": str(entry.year), "points": f"{entry.points:g}"})
        return render_template("registers/edit.html", form=form, entry=entry)
    form = _entry_form(request.form)
    if form.validate() and commit_or_flash(lambda: registers.update_entry(
            entry, form.service_data(), current_user, utcnow(), _today())) is None:
        flash(_("已保存"), "success")
        return _show(entry_id)
    _flash_form_errors(form)
    return render_template("registers/edit.html", form=form, entry=_entry(entry_id)), 400


# ---- evidence ---------------------------------------------------------------------------------


@bp.post("/<int:entry_id>/files")
@organizer_required
@accepts_upload(FilePurpose.DOCUMENT, files=FILES_PER_UPLOAD)
def add_evidence(entry_id: int):
    entry = _entry(entry_id)
    files = [f for f in request.files.getlist("files") if f.filename]
    if len(files) > FILES_PER_UPLOAD:
        flash(_("一次最多上传 %(n)d 个文件", n=FILES_PER_UPLOAD), "error")
        return _show(entry_id, "evidence")
    uploads = [(f.read(), f.filename) for f in files]
    if commit_or_flash(lambda: registers.attach_evidence(entry, uploads, current_user, utcnow())) is None:
        flash(_("已上传 %(n)d 个文件", n=len(uploads)), "success")
    return _show(entry_id, "evidence")


@bp.get("/<int:entry_id>/files/<int:file_id>")
@login_required
def download_evidence(entry_id: int, file_id: int):
    try:
        stored = registers.find_evidence(_entry(entry_id), file_id)
        return evidence_files.send_stored_file(stored)
    except NotFound:
        abort(404)


@bp.get("/<int:entry_id>/files/<int:file_id>/remove")
@organizer_required
def confirm_remove_evidence(entry_id: int, file_id: int):
    entry = _entry(entry_id)
    try:
        stored = registers.find_evidence(entry, file_id)
    except NotFound:
        abort(404)
    if entry.is_locked:
        flash(_("该事项已审核通过，已锁定，不能修改；如需修改，请先撤回审核"), "error")
        return _show(entry_id, "evidence")
    return _confirmation(entry, _("确认移除证明材料"),
                         [_("“%(name)s”将不再作为该事项的证明材料。", name=stored.original_name)], _("移除"), True)


@bp.post("/<int:entry_id>/files/<int:file_id>/remove")
@organizer_required
def remove_evidence(entry_id: int, file_id: int):
    entry = _entry(entry_id)
    confirmed = request.form.get("confirm") == "yes"
    error = commit_or_flash(lambda: registers.remove_evidence(entry, file_id, current_user, confirmed=confirmed))
    if isinstance(error, ConfirmationRequired):
        return redirect(url_for("registers.confirm_remove_evidence", entry_id=entry_id, file_id=file_id))
    if error is None:
        flash(_("已移除"), "success")
    return _show(entry_id, "evidence")


def _confirmation(entry: RegisterEntry, heading: str, consequences: list[str], button: str, danger: bool,
                  **extra):
    return render_template(
        "admin/confirm.html", heading=heading, consequences=consequences, action_url=request.path,
        crumbs=[(_("正向激励与效能督查"), url_for("registers.list_entries")),
                (entry.title, url_for("registers.show_entry", entry_id=entry.id))],
        button_label=button, back_url=url_for("registers.show_entry", entry_id=entry.id), danger=danger, **extra)


# ---- approval ---------------------------------------------------------------------------------


@bp.post("/<int:entry_id>/approve")
@organizer_required
def approve_entry(entry_id: int):
    entry = _entry(entry_id)
    form = NoteForm(request.form)
    if commit_or_flash(lambda: registers.approve_entry(entry, current_user, utcnow(), form.note.data)) is None:
        flash(_("已审核通过"), "success")
    return _show(entry_id, "decision")


@bp.post("/<int:entry_id>/reject")
@organizer_required
def reject_entry(entry_id: int):
    entry = _entry(entry_id)
    form = NoteForm(request.form)
    if commit_or_flash(lambda: registers.reject_entry(entry, current_user, utcnow(), form.note.data)) is None:
        flash(_("已退回，未通过审核"), "success")
    return _show(entry_id, "decision")


@bp.get("/<int:entry_id>/withdraw")
@organizer_required
def confirm_withdraw(entry_id: int):
    entry = _entry(entry_id)
    if entry.state is not RegisterState.APPROVED:
        flash(_("只能撤回已审核通过的事项"), "error")
        return _show(entry_id, "decision")
    return _confirmation(entry, _("确认撤回审核"), [
        _("该事项回到“待审核”，可以再修改；已同步该事项的考核方案在下次同步时将去掉它。"),
        _("撤回的理由记入操作日志。")], _("撤回审核"), True, reason_label=_("撤回的理由"), reason_max=500)


@bp.post("/<int:entry_id>/withdraw")
@organizer_required
def withdraw_approval(entry_id: int):
    entry = _entry(entry_id)
    confirmed = request.form.get("confirm") == "yes"
    error = commit_or_flash(lambda: registers.withdraw_approval(
        entry, current_user, utcnow(), request.form.get("reason"), confirmed=confirmed))
    if isinstance(error, ConfirmationRequired) or (error is not None and confirmed):
        return redirect(url_for("registers.confirm_withdraw", entry_id=entry_id))
    if error is None:
        flash(_("已撤回审核"), "success")
    return _show(entry_id, "decision")


# ---- a unit's own items (its reporter's view) ---------------------------------------------------


@bp.get("/units/<int:unit_id>")
@login_required
def unit_entries(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    entries = registers.list_entries({unit.id}, registers.Filters(year=_int_arg("year")))
    return render_template("registers/unit.html", unit=unit, entries=entries,
                           totals=registers.unit_totals(entries), year=_int_arg("year"))


@bp.get("/units/<int:unit_id>/files/<int:file_id>")
@login_required
def unit_evidence(unit_id: int, file_id: int):
    link = db.session.scalar(
        select(RegisterEvidence).join(RegisterEntry)
        .where(RegisterEntry.unit_id == unit_id, RegisterEvidence.file_id == file_id).limit(1))
    if link is None:
        abort(404)
    try:
        return evidence_files.send_stored_file(link.file)
    except NotFound:
        abort(404)
