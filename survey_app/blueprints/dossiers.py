"""Cadre dossiers (干部档案): the index, one page per cadre, its PDF and charts, and the
evidence inspectors record. Viewers read; organizers and administrators also record,
edit, verify and remove evidence. A dossier outside the user's unit scope is 404 and its
viewing is not logged; every view that is served is (services.dossier.dossiers.log_view).
"""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.dossier import EvidenceForm, RemoveForm, VerifyForm
from survey_app.blueprints.access import commit_or_flash, organizer_required
from survey_app.errors import NotFound
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.models.base import utcnow
from survey_app.services.dossier import cadres, dossier_pdf, dossiers, evidence, fieldwork, unit_progress
from survey_app.services.inspection import talks
from survey_app.services.platform import permissions, users
from survey_app.services.results import followups, reports

bp = Blueprint("dossiers", __name__, url_prefix="/admin/dossiers")

PAGE_SIZE = 50
CHARTS = ("dimensions", "groups")


# ---- loading and helpers ----------------------------------------------------------------------


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def load_cadre(key: str) -> cadres.Cadre:
    """Return the cadre, or 404 when unknown, not a cadre, or outside the user's scope."""
    try:
        cadre = cadres.find_cadre(key)
    except NotFound:
        abort(404)
    if not cadres.can_view(current_user, cadre):
        abort(404)
    return cadre


def _editable_cadre(key: str) -> cadres.Cadre:
    cadre = load_cadre(key)
    if not cadres.can_edit(current_user, cadre):
        abort(403)
    return cadre


def _evidence(cadre: cadres.Cadre, evidence_id: int):
    try:
        return evidence.get_evidence(cadre, evidence_id, users.visible_unit_ids(current_user))
    except NotFound:
        abort(404)


def _evidence_form(formdata=None, **kwargs) -> EvidenceForm:
    return EvidenceForm(formdata, kinds=evidence.KIND_LABELS.items(), sources=evidence.SOURCE_LABELS.items(), **kwargs)


def _verify_form(formdata=None, **kwargs) -> VerifyForm:
    return VerifyForm(formdata, statuses=evidence.STATUS_LABELS.items(), **kwargs)


def _labels() -> dict:
    return {"kind_labels": evidence.KIND_LABELS, "source_labels": evidence.SOURCE_LABELS,
            "status_labels": evidence.STATUS_LABELS, "view_labels": dossiers.VIEW_LABELS}


def _render_dossier(cadre: cadres.Cadre, status: int = 200, **bound):
    """Render the page and log the view (a page re-shown after bad input is a view too)."""
    dossier = dossiers.build_dossier(cadre, users.visible_unit_ids(current_user))
    editable = cadres.can_edit(current_user, cadre)
    is_staff = current_user.can_manage_surveys and users.visible_unit_ids(current_user) is None
    dossiers.log_view(current_user, cadre, "page")
    db.session.commit()
    form = bound.get("evidence") or _evidence_form(data={"occurred_on": _today()})
    return render_template(
        "dossiers/dossier.html", dossier=dossier, cadre=cadre, editable=editable, form=form,
        verify_form=_verify_form(), remove_form=RemoveForm(),
        views=dossiers.history(cadre, views=True, limit=20) if is_staff else None,
        changes=dossiers.history(cadre, views=False, limit=30) if is_staff else None,
        followups=followups.for_subject_key(cadre.key, users.visible_unit_ids(current_user), _today()),
        fieldwork=fieldwork.build_fieldwork(dossier, users.visible_unit_ids(current_user), _today()),
        unit_progress=unit_progress.unit_progress(cadre, users.visible_unit_ids(current_user)),
        # the inspection team sees how many talks there are, and a link; nobody else learns of them
        talk_count=talks.count_about(cadre.key, users.visible_unit_ids(current_user))
        if permissions.is_inspection_team(current_user) else None,
        **_labels(),
    ), status


def _back(key: str, anchor: str = "evidence"):
    return redirect(url_for("dossiers.show_dossier", key=key, _anchor=anchor))


# ---- index and pages --------------------------------------------------------------------------


@bp.get("/")
@login_required
def list_dossiers():
    scope = users.visible_unit_ids(current_user)
    query = request.args.get("q", "").strip()[:100]
    unit_id = request.args.get("unit", type=int)
    cards = cadres.list_cadres(scope, query, unit_id)
    page = max(request.args.get("page", 1, type=int), 1)
    pages = max((len(cards) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    return render_template(
        "dossiers/index.html", cards=cards[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], total=len(cards),
        page=page, pages=pages, query=query, unit_id=unit_id, units=cadres.visible_units(scope),
    )


@bp.get("/<key>")
@login_required
def show_dossier(key: str):
    return _render_dossier(load_cadre(key))


@bp.get("/<key>/dossier.pdf")
@login_required
def export_pdf(key: str):
    cadre = load_cadre(key)
    dossier = dossiers.build_dossier(cadre, users.visible_unit_ids(current_user))
    field = fieldwork.build_fieldwork(dossier, users.visible_unit_ids(current_user), _today())
    progress = unit_progress.unit_progress(cadre, users.visible_unit_ids(current_user))
    data = dossier_pdf.dossier_pdf(dossier, _today(), current_user.display_name or current_user.username, field,
                                   progress)
    dossiers.log_view(current_user, cadre, "pdf")
    db.session.commit()
    name = _("%(name)s-干部档案-%(date)s.pdf", name=cadre.name, date=_today().isoformat())
    response = send_file(BytesIO(data), mimetype="application/pdf", download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _chart_response(data: bytes | None, fmt: str) -> Response:
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/svg+xml" if fmt == "svg" else "image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<key>/charts/trend.<fmt>")
@login_required
def trend_chart(key: str, fmt: str):
    if fmt not in ("svg", "png"):
        abort(404)
    dossier = dossiers.build_dossier(load_cadre(key), users.visible_unit_ids(current_user))
    return _chart_response(dossier_pdf.trend_chart(dossier, fmt), fmt)


@bp.get("/<key>/surveys/<int:survey_id>/charts/<name>.<fmt>")
@login_required
def survey_chart(key: str, survey_id: int, name: str, fmt: str):
    if fmt not in ("svg", "png") or name not in CHARTS:
        abort(404)
    cadre = load_cadre(key)
    entry = dossiers.survey_entry(cadre, survey_id, users.visible_unit_ids(current_user))
    if entry is None:
        abort(404)
    survey = db.session.get(Survey, survey_id)
    chart_name = "/".join(("dossier", cadre.key, name, fmt, str(get_locale())))
    return _chart_response(reports.cached_chart(survey, chart_name, lambda: dossier_pdf.survey_chart(entry, name, fmt)),
                           fmt)


# ---- evidence ---------------------------------------------------------------------------------


@bp.post("/<key>/evidence")
@organizer_required
def add_evidence(key: str):
    cadre = _editable_cadre(key)
    form = _evidence_form(request.form)
    if not form.validate():
        return _render_dossier(cadre, 400, evidence=form)
    if commit_or_flash(lambda: evidence.add_evidence(cadre, form.service_data(), current_user, _today())):
        return _render_dossier(cadre, 400, evidence=form)
    flash(_("已记入档案，待核实"), "success")
    return _back(key)


@bp.route("/<key>/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_evidence(key: str, evidence_id: int):
    cadre = _editable_cadre(key)
    item = _evidence(cadre, evidence_id)
    if request.method == "POST":
        form = _evidence_form(request.form)
        reset = []
        if form.validate() and commit_or_flash(
                lambda: reset.append(evidence.update_evidence(item, form.service_data(), current_user, _today()))) is None:
            flash(_("已保存；内容有改动，核实结果已撤销，请重新核实") if reset and reset[0] else _("已保存"), "success")
            return _back(key, f"evidence-{evidence_id}")
        item = _evidence(cadre, evidence_id)
        status = 400
    else:
        form = _evidence_form(obj=item, data={"attachments": "\n".join(item.attachments or ()),
                                              "kind": item.kind.value, "source": item.source.value})
        status = 200
    dossiers.log_view(current_user, cadre, "evidence")
    db.session.commit()
    return render_template("dossiers/edit_evidence.html", cadre=cadre, item=evidence.evidence_view(item), form=form,
                           **_labels()), status


@bp.post("/<key>/evidence/<int:evidence_id>/verify")
@organizer_required
def verify_evidence(key: str, evidence_id: int):
    cadre = _editable_cadre(key)
    item = _evidence(cadre, evidence_id)
    form = _verify_form(request.form)
    if not form.validate():
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text}：{message}", "error")
    elif commit_or_flash(
            lambda: evidence.verify_evidence(item, form.status.data, form.note.data, current_user, utcnow())) is None:
        flash(_("已记录核实结果"), "success")
    return _back(key, f"evidence-{evidence_id}")


@bp.get("/<key>/evidence/<int:evidence_id>/remove")
@organizer_required
def confirm_remove_evidence(key: str, evidence_id: int):
    cadre = _editable_cadre(key)
    item = _evidence(cadre, evidence_id)
    back_url = url_for("dossiers.show_dossier", key=key, _anchor=f"evidence-{evidence_id}")
    return render_template("admin/confirm.html", heading=_("确认删除记录"),
                           consequences=evidence.removal_consequences(item),
                           crumbs=[(_("干部档案"), url_for("dossiers.list_dossiers")), (cadre.name, back_url)],
                           action_url=request.path, button_label=_("确认删除"), back_url=back_url, danger=True,
                           reason_label=_("删除原因"), reason_max=evidence.REASON_MAX)


@bp.post("/<key>/evidence/<int:evidence_id>/remove")
@organizer_required
def remove_evidence(key: str, evidence_id: int):
    cadre = _editable_cadre(key)
    item = _evidence(cadre, evidence_id)
    confirmed = request.form.get("confirm") == "yes"
    form = RemoveForm(request.form)
    if confirmed and not form.validate():
        for message in form.reason.errors:
            flash(str(message), "error")
        return redirect(url_for("dossiers.confirm_remove_evidence", key=key, evidence_id=evidence_id))
    error = commit_or_flash(lambda: evidence.remove_evidence(item, form.reason.data, current_user, confirmed=confirmed))
    if error is not None:  # unconfirmed, or the reason refused: back on the confirmation page
        return redirect(url_for("dossiers.confirm_remove_evidence", key=key, evidence_id=evidence_id))
    flash(_("已删除；原内容保留在操作日志中"), "success")
    return _back(key)
