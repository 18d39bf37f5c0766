"""Results for staff: ranking, per-subject pages and charts. Viewers may read them;
unit-scoped users see only their units' subjects."""

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

from analytics import charts
from survey_app.blueprints.access import load_survey, organizer_required
from survey_app.blueprints.answers import subject_texts
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.services.dossier import cadres
from survey_app.services.platform import sheets, users
from survey_app.services.results import (
    answers,
    archive,
    exports,
    quality,
    report_models,
    report_pdfs,
    reports,
)

bp = Blueprint("reports", __name__, url_prefix="/admin/reports")

SORT_KEYS = {
    "rank": lambda row: (row.rank is None, row.rank or 0),
    "name": lambda row: row.name,
    "unit": lambda row: (row.unit, row.rank is None, row.rank or 0),
    "n": lambda row: -row.n,
}


def _visible_report(survey_id: int) -> report_models.SurveyReport:
    survey = load_survey(survey_id)
    return report_models.scoped(reports.survey_report(survey), survey, users.visible_unit_ids(current_user))


def _filtered_subjects(report: report_models.SurveyReport, group_ranks: dict[int, int | None] | None):
    category, unit = request.args.get("category", ""), request.args.get("unit", "")
    rows = [
        row for row in report.subjects
        if (not category or row.category == category) and (not unit or row.unit == unit)
    ]
    sort = request.args.get("sort", "rank")
    if sort == "rank" and group_ranks is not None:
        # A chosen group ranks by its own index, not by the combined one.
        return sorted(rows, key=lambda row: (group_ranks[row.subject_id] is None, group_ranks[row.subject_id] or 0))
    return sorted(rows, key=SORT_KEYS.get(sort, SORT_KEYS["rank"]))


def _group_filter(report: report_models.SurveyReport) -> int | None:
    group = request.args.get("group", "")
    return report.group_labels.index(group) if group in report.group_labels else None


def _seal(survey_id: int) -> archive.ArchiveSeal | None:
    """The archive checksum of a survey, with its time in the configured time zone."""
    return archive.seal_of(load_survey(survey_id), ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


@bp.get("/<int:survey_id>")
@login_required
def show_results(survey_id: int):
    report = _visible_report(survey_id)
    group_index = _group_filter(report)
    ranks = None
    if group_index is not None:
        ranks = report_models.group_ranks(reports.survey_report(load_survey(survey_id)), group_index)
    return render_template(
        "reports/results.html",
        report=report,
        seal=_seal(survey_id),
        rows=_filtered_subjects(report, ranks),
        group_index=group_index,
        group_ranks=ranks,
        figures=report_models.figure_columns(report),
        units=sorted({row.unit for row in report.subjects if row.unit}),
        args=request.args,
    )


@bp.get("/<int:survey_id>/subjects/<int:subject_id>")
@login_required
def show_subject(survey_id: int, subject_id: int):
    report = _visible_report(survey_id)
    row = next((row for row in report.subjects if row.subject_id == subject_id), None)
    if row is None:
        abort(404)
    survey = load_survey(survey_id)
    return render_template("reports/subject.html", report=report, row=row, figures=report_models.figure_columns(report),
                           trend=reports.subject_trend(survey, row.key),
                           dossier=cadres.visible_dossier(current_user, row.key),
                           **subject_texts(survey, report, subject_id))


def _chart_response(data: bytes, fmt: str) -> Response:
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    response = Response(data, mimetype=mimetype)
    # Chart wording follows the language kept in the session: pages ask with ?lang= so a
    # browser never shows a chart cached in the other language after the switch.
    response.headers["Cache-Control"] = "private, max-age=60"
    response.vary.add("Cookie")
    return response


def _chart_name(*parts) -> str:
    """Cache name of a chart: what it shows, the viewer's scope and language."""
    scope = users.visible_unit_ids(current_user)
    return "/".join(map(str, (*parts, sorted(scope) if scope else "all", get_locale())))


@bp.get("/<int:survey_id>/charts/ranking.<fmt>")
@login_required
def ranking_chart(survey_id: int, fmt: str):
    if fmt not in ("svg", "png"):
        abort(404)
    survey = load_survey(survey_id)

    def draw() -> bytes:
        rows = [row for row in _visible_report(survey_id).subjects if row.index is not None][:40]
        return charts.ranking_chart(
            [row.name for row in rows], [row.index for row in rows],
            [row.low for row in rows], [row.high for row in rows],
            title=_("满意度指数排名（含95%置信区间）"), axis_label=_("满意度指数"), fmt=fmt,
        )

    return _chart_response(reports.cached_chart(survey, _chart_name("ranking", fmt), draw), fmt)


def _draw_subject_chart(survey, report: report_models.SurveyReport, row: report_models.SubjectRow, name: str, fmt: str):
    if name == "dimensions":
        return charts.dimension_profile_chart(report.dimension_labels, row.dimensions, title=_("各维度指数"), fmt=fmt)
    if name == "groups":
        reportable = [g for g in row.groups if g.is_reportable]
        return charts.group_bars_chart(
            [g.label for g in reportable], [row.name], [[g.index for g in reportable]],
            title=_("各评议主体指数"), axis_label=_("满意度指数"), fmt=fmt)
    if name == "grades" and report.option_labels:
        return charts.grade_distribution_chart(
            [row.name], list(report_models.scored_option_labels(report)), [report_models.scored_shares(report, row)],
            title=_("评价等次分布"), fmt=fmt)
    if name == "trend":
        trend = reports.subject_trend(survey, row.key)
        return charts.trend_chart(
            [str(year) for year, _index in trend], [(row.name, [index for _year, index in trend])],
            title=_("历年满意度指数"), axis_label=_("满意度指数"), fmt=fmt)
    return None


@bp.get("/<int:survey_id>/subjects/<int:subject_id>/charts/<name>.<fmt>")
@login_required
def subject_chart(survey_id: int, subject_id: int, name: str, fmt: str):
    if fmt not in ("svg", "png") or name not in ("dimensions", "groups", "grades", "trend"):
        abort(404)
    survey = load_survey(survey_id)
    report = _visible_report(survey_id)
    row = next((row for row in report.subjects if row.subject_id == subject_id), None)
    if row is None or (name == "grades" and not report_models.scored_shares(report, row)):
        abort(404)  # no grade chart without a scale, or with no group large enough to show
    data = reports.cached_chart(
        survey, _chart_name(subject_id, name, fmt), lambda: _draw_subject_chart(survey, report, row, name, fmt))
    return _chart_response(data, fmt)


# ---- exports: Excel, PDF, raw ballots (CSV) -------------------------------------------
# Unit-scoped users export only their scope (the same `report_models.scoped` report as the
# pages). The raw-ballot CSV, its checksum and the quality page are the policy's
# CITY_SURVEY (services/platform/permissions.py): viewers and scoped users get 403 before any view.


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _download(data: bytes, name: str, mimetype: str) -> Response:
    response = send_file(BytesIO(data), mimetype=mimetype, download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _is_scoped() -> bool:
    return users.visible_unit_ids(current_user) is not None


def _answers(survey_id: int, report: report_models.SurveyReport) -> answers.AnswersView:
    """Answers and comments for the exports: masked for everyone (no originals)."""
    return answers.answers_view(load_survey(survey_id), report, users.visible_unit_ids(current_user))


@bp.get("/<int:survey_id>/export.xlsx")
@login_required
def export_xlsx(survey_id: int):
    report = _visible_report(survey_id)
    data = exports.results_workbook(report, _today(), is_scoped=_is_scoped(), archive=_seal(survey_id),
                                    answers=_answers(survey_id, report))
    return _download(data, exports.download_name(report, _("评议结果") + ".xlsx"), sheets.XLSX_MIMETYPE)


@bp.get("/<int:survey_id>/export.pdf")
@login_required
def export_pdf(survey_id: int):
    report = _visible_report(survey_id)
    data = report_pdfs.survey_pdf(report, _today(), is_scoped=_is_scoped(), archive=_seal(survey_id),
                              answers=_answers(survey_id, report))
    return _download(data, exports.download_name(report, _("评议结果") + ".pdf"), "application/pdf")


@bp.get("/<int:survey_id>/subjects/<int:subject_id>/export.pdf")
@login_required
def export_subject_pdf(survey_id: int, subject_id: int):
    report = _visible_report(survey_id)
    row = next((row for row in report.subjects if row.subject_id == subject_id), None)
    if row is None:
        abort(404)
    data = report_pdfs.subject_pdf(report, row, _today(), archive=_seal(survey_id))
    return _download(data, exports.download_name(report, f"{row.name}.pdf"), "application/pdf")


@bp.get("/<int:survey_id>/export.csv")
@login_required
def export_csv(survey_id: int):
    survey = load_survey(survey_id)
    report = reports.survey_report(survey)  # unscoped: it decides which groups are reportable
    data = exports.raw_ballots_csv(survey, report)
    return _download(data, exports.download_name(report, _("原始答卷") + ".csv"), "text/csv")


# ---- archive checksum: the sheet beside the CSV, and verification (organizers) -------------


@bp.get("/<int:survey_id>/archive-checksum.txt")
@login_required
def export_checksum(survey_id: int):
    """The checksum sheet that goes with the anonymous CSV (same access as the CSV)."""
    survey = load_survey(survey_id)
    try:
        text = archive.manifest(survey)
    except DomainError:
        abort(404)
    name = exports.download_name(reports.survey_report(survey), _("归档校验") + ".txt")
    return _download(text.encode("utf-8"), name, "text/plain")


@bp.post("/<int:survey_id>/verify-archive")
@organizer_required
def verify_archive(survey_id: int):
    survey = load_survey(survey_id)
    try:
        result = archive.verify(survey, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(_(error.message), "error")
    else:
        db.session.commit()  # the audit entry of the check
        if result.is_match:
            flash(_("校验一致：答卷自归档以来没有改动"), "success")
        else:
            flash(_("校验不一致：归档后答卷或其名称（评议主体、维度、选项）有改动，请查看操作日志"), "error")
    return redirect(url_for("reports.show_results", survey_id=survey_id, _anchor="archive"))


# ---- data quality: flagged ballots and exclusions (organizers) ------------------------------


@bp.get("/<int:survey_id>/quality")
@organizer_required
def show_quality(survey_id: int):
    survey = load_survey(survey_id)
    return render_template("reports/quality.html", survey=survey, view=quality.quality_view(survey),
                           flag_labels=quality.FLAG_LABELS)


@bp.post("/<int:survey_id>/quality/<ballot_id>")
@organizer_required
def set_exclusion(survey_id: int, ballot_id: str):
    survey = load_survey(survey_id)
    exclude = request.form.get("action") == "exclude"
    try:
        quality.set_exclusion(survey, ballot_id, exclude, request.form.get("reason", "")[:300], current_user)
    except DomainError as error:
        db.session.rollback()
        flash(_(error.message), "error")
    else:
        db.session.commit()
        flash(_("已排除该答卷，不再计入结果") if exclude else _("已恢复计入该答卷"), "success")
    return redirect(url_for("reports.show_quality", survey_id=survey_id))
