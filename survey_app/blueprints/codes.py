"""Organizers issue and void codes, print slips, open public links, declare the networks of
on-site venues; everyone signed in may watch the live turnout.

Plain codes exist only in the download that issues them: the database keeps keyed
hashes. Losing the file means re-issuing the batch, which voids the old one.
"""

import io
import zipfile
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forms.codes import IssueCodesForm, OpenLinkForm, VenueForm, VoidCodeForm
from survey_app.blueprints import code_guard
from survey_app.blueprints.code_guard import SURGE_ACTION
from survey_app.errors import ConfirmationRequired, DomainError
from survey_app.extensions import db
from survey_app.models import CodeBatch, OpenLink, Survey, VenueNetwork
from survey_app.services.platform import audit, permissions
from survey_app.services.respondents import codes, qr, slips, venues
from survey_app.services.respondents import turnout as turnout_service

bp = Blueprint("codes", __name__, url_prefix="/admin/codes")


def _load_survey(survey_id: int, *, manage: bool) -> Survey:
    """Return the survey if the current user may see it (and manage it when asked)."""
    survey = db.get_or_404(Survey, survey_id)
    if not permissions.may_read_survey(current_user, survey):
        abort(404)
    if manage and not permissions.may_manage_survey(current_user, survey):
        abort(403)
    return survey


def _to_manage(survey_id: int):
    return redirect(url_for("codes.manage", survey_id=survey_id), 303)


def _download(issued: codes.IssuedBatch, output: str):
    """Send the freshly issued codes as PDF slips, CSV or both in a ZIP."""
    title, group = issued.survey.title, issued.group.name
    stem = f"codes-{issued.survey.id}-{issued.group.key}-batch{issued.batch.id}"
    files = {}
    if output in ("pdf", "zip"):
        files[f"{stem}.pdf"] = slips.slips_pdf(title, group, issued.codes)
    if output in ("csv", "zip"):
        files[f"{stem}.csv"] = slips.codes_csv(title, group, issued.batch.id, issued.codes)
    if output == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        files = {f"{stem}.zip": buffer.getvalue()}
    (name, data), = files.items()
    response = send_file(io.BytesIO(data), download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "no-store"  # the only copy of the plain codes
    return response


@bp.get("/<int:survey_id>")
@login_required
def manage(survey_id: int):
    survey = _load_survey(survey_id, manage=True)
    return render_template(
        "codes/manage.html",
        survey=survey,
        counts=codes.group_counts(survey),
        batches=codes.list_batches(survey),
        open_links=codes.list_open_links(survey),
        groups={g.id: g for g in survey.groups},
        issue_form=IssueCodesForm(groups=survey.groups, prefix="issue"),
        void_form=VoidCodeForm(prefix="void"),
        link_form=OpenLinkForm(groups=survey.groups, prefix="link"),
        qr=qr,
        venue_form=VenueForm(prefix="venue"),
        venue_rows=_venue_rows(survey),
        # Guessed codes name no survey, so a surge anywhere is shown on every codes page.
        guessing_alarms=audit.entries_since(SURGE_ACTION, datetime.now(UTC) - timedelta(days=1)),
    )


def _venue_rows(survey: Survey) -> list[dict]:
    """The survey's venues with their state and, during and after the window, the failed
    code entries counted from the hall."""
    now = datetime.now(UTC)
    rows = []
    for venue in venues.list_venues(survey):
        state = "open" if venue.is_open(now) else "upcoming" if now < venue.starts_at else "ended"
        failures = code_guard.venue_failures(venue) if state != "upcoming" else 0
        rows.append({"venue": venue, "state": state, "failures": failures})
    return rows


#: Slips one web request may draw: 5,000 took 52 s on a busy machine, against gunicorn's
#: 60 s timeout; bigger batches go through `flask codes issue` (no timeout) or in parts.
WEB_MAX_SLIPS = 1000


def _too_many_slips(count: int, output: str, survey_id: int) -> str | None:
    """Why this many slips cannot be drawn in one web request, or None if they can."""
    limit = current_app.config.get("WEB_MAX_SLIPS", WEB_MAX_SLIPS)
    if output in ("pdf", "zip") and count > limit:
        return _("网页一次最多生成 %(limit)d 张 PDF 纸条，以免超时丢失整批评议码。请分几批发放，"
                 "或只下载 CSV，或在服务器上用命令行发放：flask codes issue %(survey)d --group <评议主体代码> "
                 "--count %(count)d --pdf 纸条.pdf --csv 评议码.csv", limit=limit, survey=survey_id, count=count)
    return None


def _issue_and_download(issue, output: str, survey_id: int, unconfirmed: str | None = None):
    """Issue a batch, draw its files, and only then commit: a batch nobody received is
    never left live (and counted in turnout) when drawing fails or the worker is killed.
    An action that needs confirming first goes to `unconfirmed`, its confirmation page."""
    try:
        issued = issue()
        response = _download(issued, output)
    except ConfirmationRequired as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(unconfirmed or _to_manage(survey_id).location, 303)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _to_manage(survey_id)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("drawing the code slips failed; the batch was not issued")
        flash(_("生成评议码文件失败，本批评议码没有发放，请重试"), "error")
        return _to_manage(survey_id)
    db.session.commit()
    return response


@bp.post("/<int:survey_id>/issue")
@login_required
def issue_codes(survey_id: int):
    survey = _load_survey(survey_id, manage=True)
    form = IssueCodesForm(groups=survey.groups, prefix="issue")
    if not form.validate_on_submit():
        flash(_("发放失败：%(errors)s", errors="；".join(str(e) for es in form.errors.values() for e in es)), "error")
        return _to_manage(survey_id)
    refusal = _too_many_slips(form.count.data, form.output.data, survey_id)
    if refusal:
        flash(refusal, "error")
        return _to_manage(survey_id)
    group = next(g for g in survey.groups if g.id == form.group.data)
    return _issue_and_download(lambda: codes.issue_batch(survey, group, form.count.data, current_user),
                               form.output.data, survey_id)


#: Batch actions that void codes: URL word → (confirmation heading, button label).
BATCH_ACTIONS = {"void": (_l("确认作废评议码"), _l("作废未使用的码")),
                 "reissue": (_l("确认重新发放"), _l("作废并重新发放"))}


@bp.get("/batches/<int:batch_id>/void", defaults={"action": "void"})
@bp.get("/batches/<int:batch_id>/reissue", defaults={"action": "reissue"})
@login_required
def confirm_batch_action(batch_id: int, action: str):
    """The confirmation step of voiding or re-issuing a batch: how many codes it voids."""
    batch = db.get_or_404(CodeBatch, batch_id)
    survey = _load_survey(batch.survey_id, manage=True)
    if batch.is_void:
        flash(_("这一批评议码已作废"), "error")
        return _to_manage(survey.id)
    group_name = next((g.name for g in survey.groups if g.id == batch.group_id), "")
    heading, button = BATCH_ACTIONS[action]
    back_url = url_for("codes.manage", survey_id=survey.id, _anchor="batches")
    return render_template(
        "admin/confirm.html", heading=heading, button_label=button, danger=True, back_url=back_url,
        consequences=codes.void_batch_consequences(batch, group_name, reissue=action == "reissue"),
        crumbs=[(survey.title, url_for("admin.edit_survey", survey_id=survey.id)), (_("评议码与二维码"), back_url)],
        action_url=request.path, extra_fields={"output": "pdf"} if action == "reissue" else {},
    )


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


@bp.post("/batches/<int:batch_id>/void")
@login_required
def void_batch(batch_id: int):
    batch = db.get_or_404(CodeBatch, batch_id)
    _load_survey(batch.survey_id, manage=True)
    try:
        voided = codes.void_batch(batch, current_user, confirmed=_confirmed())
    except ConfirmationRequired as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("codes.confirm_batch_action", batch_id=batch_id, action="void"), 303)
    db.session.commit()
    flash(_("已作废第 %(batch)d 批中未使用的 %(n)d 个评议码", batch=batch.id, n=voided), "success")
    return _to_manage(batch.survey_id)


@bp.post("/batches/<int:batch_id>/reissue")
@login_required
def reissue_batch(batch_id: int):
    batch = db.get_or_404(CodeBatch, batch_id)
    _load_survey(batch.survey_id, manage=True)
    output = request.form.get("output", "pdf")
    output = output if output in ("pdf", "csv", "zip") else "pdf"
    refusal = _too_many_slips(batch.count, output, batch.survey_id)
    if refusal:
        flash(refusal, "error")
        return _to_manage(batch.survey_id)
    return _issue_and_download(
        lambda: codes.reissue_batch(batch, current_user, confirmed=_confirmed()), output, batch.survey_id,
        unconfirmed=url_for("codes.confirm_batch_action", batch_id=batch_id, action="reissue"))


@bp.post("/<int:survey_id>/void-code")
@login_required
def void_code(survey_id: int):
    survey = _load_survey(survey_id, manage=True)
    form = VoidCodeForm(prefix="void")
    if form.validate_on_submit():
        try:
            codes.void_code(survey, form.code.data, current_user, confirmed=_confirmed())
            db.session.commit()
            flash(_("评议码已作废"), "success")
        except DomainError as error:
            flash(error.message, "error")
    return _to_manage(survey_id)


@bp.post("/<int:survey_id>/open-links")
@login_required
def create_open_link(survey_id: int):
    survey = _load_survey(survey_id, manage=True)
    form = OpenLinkForm(groups=survey.groups, prefix="link")
    if form.validate_on_submit():
        group = next(g for g in survey.groups if g.id == form.group.data)
        codes.create_open_link(survey, group, current_user)
        db.session.commit()
        flash(_("已创建公开链接"), "success")
    return _to_manage(survey_id)


@bp.post("/open-links/<int:link_id>/toggle")
@login_required
def toggle_open_link(link_id: int):
    link = db.get_or_404(OpenLink, link_id)
    _load_survey(link.survey_id, manage=True)
    codes.set_open_link_active(link, not link.is_active, current_user)
    db.session.commit()
    return _to_manage(link.survey_id)


@bp.get("/open-links/<int:link_id>/qr.png")
@login_required
def open_link_qr(link_id: int):
    link = db.get_or_404(OpenLink, link_id)
    _load_survey(link.survey_id, manage=True)
    png = qr.qr_png(qr.open_link_url(link.token), box_size=16)
    return send_file(io.BytesIO(png), mimetype="image/png", download_name=f"open-link-{link.id}.png")


# ---- venue networks (现场测评会场网络) --------------------------------------------------------


def _to_venues(survey_id: int):
    return redirect(url_for("codes.manage", survey_id=survey_id, _anchor="venues"), 303)


@bp.post("/<int:survey_id>/venues")
@login_required
def add_venue(survey_id: int):
    survey = _load_survey(survey_id, manage=True)
    form = VenueForm(prefix="venue")
    if not form.validate_on_submit():
        flash(_("会场网络没有添加：%(errors)s", errors="；".join(str(e) for es in form.errors.values() for e in es)),
              "error")
        return _to_venues(survey_id)
    try:
        venue = venues.add_venue(survey, form.service_data(), current_user, datetime.now(UTC))
    except DomainError as error:
        db.session.rollback()
        flash(_("会场网络没有添加：%(errors)s", errors=error.message), "error")
        return _to_venues(survey_id)
    db.session.commit()
    venues.forget_cached()  # this worker applies it at once; the others within 30 s
    flash(_("已添加会场网络“%(label)s”（%(network)s）", label=venue.label, network=venue.network), "success")
    return _to_venues(survey_id)


@bp.post("/<int:survey_id>/venues/<int:venue_id>/remove")
@login_required
def remove_venue(survey_id: int, venue_id: int):
    survey = _load_survey(survey_id, manage=True)
    venue = db.get_or_404(VenueNetwork, venue_id)
    if venue.survey_id != survey.id:
        abort(404)
    venues.remove_venue(venue, current_user)
    db.session.commit()
    venues.forget_cached()
    flash(_("已删除会场网络；这个地址重新按普通规则限速"), "success")
    return _to_venues(survey_id)


# ---- live turnout -----------------------------------------------------------------------


@bp.get("/<int:survey_id>/turnout")
@login_required
def turnout(survey_id: int):
    survey = _load_survey(survey_id, manage=False)
    return render_template(
        "codes/turnout.html", survey=survey, turnout=turnout_service.survey_turnout(survey),
        updated=datetime.now(UTC),
    )


@bp.get("/<int:survey_id>/turnout.json")
@login_required
def turnout_data(survey_id: int):
    survey = _load_survey(survey_id, manage=False)
    return turnout_service.as_json(turnout_service.survey_turnout(survey))
