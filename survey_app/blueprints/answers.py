"""意见与答案: what respondents chose and wrote beyond the ratings, for staff, with the
masking of personal data and the rectification loop (转办). Scoped like the results
(services/results/answers.py says what a unit-scoped user sees).

Who may do what: every signed-in staff user reads (within the unit scope); organizers and
administrators mask text and send and track items (within the scope); only administrators
see originals and undo masks.
"""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from analytics.charts import choice_shares_chart
from survey_app.blueprints.access import admin_required, commit_or_flash, load_survey, organizer_required
from survey_app.errors import NotFound
from survey_app.extensions import db
from survey_app.models import Answer, SubjectComment
from survey_app.services.platform import users
from survey_app.services.results import answer_exports, answers, followups, redaction, report_models, reports

bp = Blueprint("answers", __name__, url_prefix="/admin/answers")


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _scope() -> set[int] | None:
    return users.visible_unit_ids(current_user)


def _view(survey_id: int, query: str = "", with_originals: bool = False) -> answers.AnswersView:
    survey = load_survey(survey_id)
    report = report_models.scoped(reports.survey_report(survey), survey, _scope())
    return answers.answers_view(survey, report, _scope(), query=query, with_originals=with_originals)


def _shown_text(survey_id: int, kind: str, text_id: str) -> Answer | SubjectComment:
    """The answer or comment, only if this user is shown it (else 404: a withheld or
    out-of-scope text must not even be probed)."""
    if kind not in ("answer", "comment") or _view(survey_id).find(kind, text_id) is None:
        abort(404)
    return db.get_or_404(Answer if kind == "answer" else SubjectComment, text_id)


def _back(survey_id: int, anchor: str = ""):
    target = request.form.get("next", "")
    if target == "subject" and request.form.get("subject_id", "").isdigit():
        return redirect(url_for("reports.show_subject", survey_id=survey_id,
                                subject_id=int(request.form["subject_id"]), _anchor="comments"))
    return redirect(url_for("answers.show_answers", survey_id=survey_id, q=request.form.get("q") or None,
                            _anchor=anchor or None))


def subject_texts(survey, report: report_models.SurveyReport, subject_id: int) -> dict:
    """What a subject's results page shows of its comments and 转办 items (template context)."""
    view = answers.answers_view(survey, report, _scope(), with_originals=redaction.can_see_original(current_user))
    items = followups.for_subject(survey.id, subject_id, _scope(), _today())
    return {"comments": answers.subject_comments(view, subject_id), "subject_followups": items,
            "followups": {f.id: f for f in items}, "units": followups.visible_units(_scope()), "today": _today()}


@bp.get("/<int:survey_id>")
@login_required
def show_answers(survey_id: int):
    survey = load_survey(survey_id)
    view = _view(survey_id, request.args.get("q", ""), redaction.can_see_original(current_user))
    return render_template(
        "answers/answers.html", survey=survey, survey_id=survey.id, view=view,
        followups={f.id: f for f in followups.for_survey(survey, _scope(), _today())},
        units=followups.visible_units(_scope()), today=_today(), status_labels=followups.STATUS_LABELS,
    )


@bp.get("/<int:survey_id>/questions/<int:question_id>/chart.<fmt>")
@login_required
def choice_chart(survey_id: int, question_id: int, fmt: str):
    if fmt not in ("svg", "png"):
        abort(404)
    survey = load_survey(survey_id)
    question = next((q for q in _view(survey_id).choices if q.question_id == question_id), None)
    if question is None:
        abort(404)
    name = f"choice/{question_id}/{fmt}/{get_locale()}"
    data = reports.cached_chart(survey, name, lambda: choice_shares_chart(
        *answer_exports.chart_series(question), title=question.prompt, fmt=fmt))
    response = Response(data, mimetype="image/svg+xml" if fmt == "svg" else "image/png")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/<int:survey_id>/texts.csv")
@login_required
def export_texts(survey_id: int):
    view = _view(survey_id, request.args.get("q", ""))
    response = send_file(BytesIO(answer_exports.texts_csv(view)), mimetype="text/csv", as_attachment=True,
                         download_name=answer_exports.download_name(view, _("文字意见") + ".csv"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:survey_id>/texts/<kind>/<text_id>/mask")
@organizer_required
def mask_text(survey_id: int, kind: str, text_id: str):
    text = _shown_text(survey_id, kind, text_id)
    commit_or_flash(lambda: redaction.mask_fragment(text, request.form.get("fragment", ""), current_user, survey_id))
    return _back(survey_id, f"{kind}-{text_id}")


@bp.post("/<int:survey_id>/texts/<kind>/<text_id>/unmask")
@admin_required
def unmask_text(survey_id: int, kind: str, text_id: str):
    text = _shown_text(survey_id, kind, text_id)
    commit_or_flash(lambda: redaction.clear_masks(text, current_user, survey_id))
    return _back(survey_id, f"{kind}-{text_id}")


def _form_date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


@bp.post("/<int:survey_id>/texts/<kind>/<text_id>/forward")
@organizer_required
def forward_text(survey_id: int, kind: str, text_id: str):
    survey = load_survey(survey_id)
    text = _shown_text(survey_id, kind, text_id)
    commit_or_flash(lambda: followups.forward(survey, text, request.form.get("unit_id", type=int),
                                              _form_date("due_on"), current_user, _scope(), _today()))
    return _back(survey_id, f"{kind}-{text_id}")


@bp.get("/followups")
@login_required
def list_followups():
    survey_id = request.args.get("survey", type=int)
    if survey_id is not None:
        load_survey(survey_id)
    return render_template("answers/followups.html", items=followups.open_items(_scope(), _today(), survey_id),
                           survey_id=survey_id)


@bp.post("/followups/<int:followup_id>")
@organizer_required
def advance_followup(followup_id: int):
    try:
        followup = followups.get_followup(followup_id, _scope())
    except NotFound:
        abort(404)
    commit_or_flash(lambda: followups.advance(
        followup, request.form.get("action", ""), current_user, reply_text=request.form.get("reply_text", ""),
        reason=request.form.get("reason", ""), due_on=_form_date("due_on"), today=_today()))
    if request.form.get("next") == "list":
        return redirect(url_for("answers.list_followups"))
    return _back(followup.survey_id, f"followup-{followup_id}")
