"""Visits (考察纪实) pages of the inspection blueprint (/admin/inspection/visits): the list,
recording a visit on a phone in one form (photos and a first finding included), the visit
page with its photos, 蹲点 daily log and findings, and editing.

The views are registered by `blueprints/inspection.py` (its URL map at the end), so this
module needs no blueprint object. Access is decided before a view runs (READ_VISIT,
MANAGE_VISIT, services/platform/permissions.py); a photo is served only after the view
has checked it is the visit's.
"""

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.inspection import FindingForm, PhotosForm, VisitDayForm, VisitForm
from survey_app import labels
from survey_app.blueprints.access import commit_or_flash
from survey_app.blueprints.uploads import accepts_upload
from survey_app.errors import NotFound
from survey_app.extensions import db
from survey_app.models import FilePurpose, StoredFile, Unit
from survey_app.models.base import utcnow
from survey_app.models.inspection import KeyProject, Visit
from survey_app.services.dossier import cadres, findings
from survey_app.services.dossier.evidence import KIND_LABELS, SOURCE_LABELS, STATUS_LABELS
from survey_app.services.inspection import progress, visits
from survey_app.services.platform import evidence_files, permissions, users
from survey_app.services.results import cadre_records

#: Photos of the largest size one request may carry (the camera's "multiple" picks): the
#: request's body limit is this × FILES_MAX_PHOTO_BYTES + 1 MiB (49 MB; nginx's location
#: for the upload routes allows 52m).
PHOTOS_PER_POST = 6
CADRE_CHOICES_MAX = 80


def _today():
    return progress.local_today(utcnow())


def _scope():
    return users.visible_unit_ids(current_user)


def _units() -> list[Unit]:
    scope = _scope()
    units = db.session.scalars(db.select(Unit).order_by(Unit.category, Unit.name)).all()
    return [unit for unit in units if scope is None or unit.id in scope]


def _visit(visit_id: int) -> Visit:
    # `access.enforce` has already refused a visit outside the user's scope.
    return db.get_or_404(Visit, visit_id)


def _cadre_choices(unit_id: int | None, keys=()) -> list[tuple[str, str]]:
    """Cadres to tick: those of the unit (or of the user's units), and any already named."""
    cards = cadres.list_cadres(_scope(), unit_id=unit_id)[:CADRE_CHOICES_MAX]
    pairs = {card.cadre.key: f"{card.cadre.name}（{card.cadre.unit}）" for card in cards}
    names = cadre_records.latest_names([key for key in keys if key not in pairs])
    return list(pairs.items()) + [(key, names[key]) for key in keys if key in names and key not in pairs]


def _projects() -> list[KeyProject]:
    """Key projects the user reads (a visit may be to one of them)."""
    scope = _scope()
    projects = db.session.scalars(db.select(KeyProject).order_by(KeyProject.name)).all()
    return [p for p in projects if scope is None or {u.id for u in p.units} & set(scope)]


def _kinds():
    return [(kind.value, str(label)) for kind, label in KIND_LABELS.items()]


def _visit_form(formdata=None, unit_id=None, keys=(), **kwargs) -> VisitForm:
    return VisitForm(formdata, units=_units(), methods=[(v, str(label)) for v, label in labels.VISIT_METHOD.items()],
                     cadres=_cadre_choices(unit_id, keys), projects=_projects(), kinds=_kinds(), **kwargs)


def _files() -> list[tuple[bytes, str]]:
    return [(f.read(), f.filename or "") for f in request.files.getlist("photos") if f and (f.filename or "")]


def _flash_form_errors(form) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}：{message}", "error")


def _month(value: str | None) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value or "")
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    return None


def _back(visit_id: int, anchor: str = "visit"):
    return redirect(url_for("inspection.show_visit", visit_id=visit_id, _anchor=anchor))


# ---- the list ---------------------------------------------------------------------------------


def list_visits():
    month, unit_id = _month(request.args.get("month")), request.args.get("unit_id", type=int)
    found = visits.list_visits(_scope(), month, unit_id)
    return render_template("inspection/visits.html", visits=found, counts=visits.finding_counts([v.id for v in found]),
                           units=_units(), month=f"{month[0]:04d}-{month[1]:02d}" if month else "", unit_id=unit_id,
                           method_labels=labels.VISIT_METHOD)


# ---- recording and editing ------------------------------------------------------------------


def _prefill() -> tuple[dict, int | None, list[str]]:
    """Today, and the unit or project the user came from (when theirs)."""
    data, scope = {"starts_on": _today(), "announced": True}, _scope()
    unit_id = request.args.get("unit_id", type=int)
    project = db.session.get(KeyProject, request.args.get("project_id", type=int) or 0)
    keys: list[str] = []
    if project is not None and permissions.may_read_project(current_user, project):
        data["project_id"] = str(project.id)
        data["unit_ids"] = [u.id for u in project.units if scope is None or u.id in scope]
        keys = [c.subject_key for c in project.cadres]
        unit_id = unit_id or (data["unit_ids"][0] if len(data["unit_ids"]) == 1 else None)
    if unit_id is not None and (scope is None or unit_id in scope) and db.session.get(Unit, unit_id):
        data["unit_ids"] = list(dict.fromkeys([unit_id, *data.get("unit_ids", [])]))
    else:
        unit_id = None
    return data, unit_id, keys


@accepts_upload(FilePurpose.PHOTO, files=PHOTOS_PER_POST)
def new_visit():
    if request.method == "GET":
        data, unit_id, keys = _prefill()
        form = _visit_form(data=data, unit_id=unit_id, keys=keys)
        return render_template("inspection/edit_visit.html", form=form, visit=None)
    unit_ids = request.form.getlist("unit_ids", type=int)
    form = _visit_form(request.form, unit_id=unit_ids[0] if len(unit_ids) == 1 else None,
                       keys=request.form.getlist("cadre_keys"))
    files, created = _files(), []

    def record():
        visit = visits.record_visit(form.service_data(), current_user, _scope(), _today())
        created.append(visit)
        if files:
            visits.add_photos(visit, files, "", current_user, utcnow())
        finding = form.finding_data()
        if finding is not None:
            findings.add_finding(visit, finding, current_user, _today())

    if form.validate() and commit_or_flash(record) is None:
        flash(_("已记录考察"), "success")
        return _back(created[0].id)
    _flash_form_errors(form)
    if files:
        flash(_("未保存：请重新选择照片"), "error")
    return render_template("inspection/edit_visit.html", form=form, visit=None), 400


def edit_visit(visit_id: int):
    visit = _visit(visit_id)
    keys = [c.subject_key for c in visit.cadres]
    if request.method == "GET":
        form = _visit_form(obj=visit, keys=keys, data={
            "unit_ids": [u.id for u in visit.units], "methods": list(visit.methods), "cadre_keys": keys,
            "project_id": str(visit.project_id or ""), "ends_on": visit.ends_on if visit.is_stay else None})
        return render_template("inspection/edit_visit.html", form=form, visit=visit)
    form = _visit_form(request.form, keys=keys + request.form.getlist("cadre_keys"))
    if form.validate() and commit_or_flash(
            lambda: visits.update_visit(visit, form.service_data(), current_user, _scope(), _today())) is None:
        flash(_("已保存"), "success")
        return _back(visit_id)
    _flash_form_errors(form)
    return render_template("inspection/edit_visit.html", form=form, visit=_visit(visit_id)), 400


# ---- the visit page ---------------------------------------------------------------------------


def _render_visit(visit: Visit, status: int = 200, **forms):
    keys = [c.subject_key for c in visit.cadres]
    names = cadre_records.latest_names(keys)
    cadre_pairs = [(key, names.get(key, key)) for key in keys]
    found = findings.visit_findings(visit, _scope())
    dossier_keys = {key for key in keys + [f.subject_key for f in found]
                    if cadres.visible_dossier(current_user, key) is not None}
    photos = [(photo, db.session.get(StoredFile, photo.file_id)) for photo in visit.photos]
    today = _today()
    day_default = min(max(today, visit.starts_on), visit.ends_on)
    return render_template(
        "inspection/visit.html", visit=visit, cadre_pairs=cadre_pairs, findings=found, dossier_keys=dossier_keys,
        photos=photos, method_labels=labels.VISIT_METHOD, kind_labels=KIND_LABELS,
        editable=permissions.may_manage_visit(current_user, visit),
        day_form=forms.get("day_form") or VisitDayForm(data={"day": day_default}),
        photos_form=forms.get("photos_form") or PhotosForm(),
        finding_form=forms.get("finding_form") or FindingForm(
            cadres=cadre_pairs, kinds=_kinds(), sources=[(s.value, str(label)) for s, label in SOURCE_LABELS.items()]),
        status_labels=STATUS_LABELS,
    ), status


def show_visit(visit_id: int):
    return _render_visit(_visit(visit_id))


def visit_photo(visit_id: int, photo_id: int):
    visit = _visit(visit_id)
    try:
        photo = visits.get_photo(visit, photo_id)
    except NotFound:
        abort(404)
    stored = db.get_or_404(StoredFile, photo.file_id)
    try:
        return evidence_files.send_stored_file(stored)
    except NotFound:
        abort(404)


def save_visit_day(visit_id: int):
    visit = _visit(visit_id)
    form = VisitDayForm(request.form)
    if not form.validate():
        _flash_form_errors(form)
    elif commit_or_flash(lambda: visits.save_day(visit, form.day.data, form.log.data, current_user, _today())) is None:
        flash(_("已保存当天纪实"), "success")
    return _back(visit_id, "days")


@accepts_upload(FilePurpose.PHOTO, files=PHOTOS_PER_POST)
def add_visit_photos(visit_id: int):
    visit = _visit(visit_id)
    form = PhotosForm(request.form)
    if not form.validate():
        _flash_form_errors(form)
    elif commit_or_flash(lambda: visits.add_photos(visit, _files(), form.caption.data, current_user,
                                                   utcnow())) is None:
        flash(_("已添加照片"), "success")
    return _back(visit_id, "photos")


def _photo(visit: Visit, photo_id: int):
    try:
        return visits.get_photo(visit, photo_id)
    except NotFound:
        abort(404)


def confirm_remove_visit_photo(visit_id: int, photo_id: int):
    visit = _visit(visit_id)
    photo = _photo(visit, photo_id)
    back_url = url_for("inspection.show_visit", visit_id=visit_id, _anchor="photos")
    name = visits.stored_name(photo)
    return render_template("admin/confirm.html", heading=_("确认删除照片"),
                           consequences=[_("照片“%(name)s”将从考察“%(title)s”中删除。", name=name, title=visit.title),
                                         _("删除记录保留在操作日志中。")],
                           crumbs=[(_("考察纪实"), url_for("inspection.list_visits")), (visit.title, back_url)],
                           action_url=url_for("inspection.remove_visit_photo", visit_id=visit_id, photo_id=photo_id),
                           button_label=_("确认删除"), back_url=back_url, danger=True)


def remove_visit_photo(visit_id: int, photo_id: int):
    visit = _visit(visit_id)
    photo = _photo(visit, photo_id)
    confirmed = request.form.get("confirm") == "yes"
    if commit_or_flash(lambda: visits.remove_photo(photo, current_user, confirmed=confirmed)) is not None:
        return redirect(url_for("inspection.confirm_remove_visit_photo", visit_id=visit_id, photo_id=photo_id))
    flash(_("已删除照片"), "success")
    return _back(visit_id, "photos")


def add_visit_finding(visit_id: int):
    visit = _visit(visit_id)
    keys = [c.subject_key for c in visit.cadres]
    form = FindingForm(request.form, cadres=[(k, k) for k in keys], kinds=_kinds())
    if form.validate() and commit_or_flash(
            lambda: findings.add_finding(visit, form.service_data(), current_user, _today())) is None:
        flash(_("已记入干部档案，待核实"), "success")
        return _back(visit_id, "findings")
    _flash_form_errors(form)
    return _render_visit(_visit(visit_id), 400, finding_form=form)
