"""Scores of an indicator system (指标考评): the ranking of the units of its category with
一级指标 subtotals and last year's change, each unit's breakdown (every leaf's target,
value, score and arithmetic in words) and the chart of 得分率 by indicator and unit.

The ranking and the chart are SIGNED_IN pages cut to the reader's units (a scoped user
sees their units' rows, with their ranks among all units); a unit's page is the unit's
own work (READ_UNIT_WORK on unit_id: staff whose scope holds it, and its reporter).
Everything shown is computed by services/targets/scores.py.
"""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.target import IndicatorSystem
from survey_app.services.platform.permissions import scope_of
from survey_app.services.targets import score_exports, scores

bp = Blueprint("target_scores", __name__, url_prefix="/admin/target-scores")


def _scores(system: IndicatorSystem, wording: bool = False) -> tuple[scores.SystemScores | None, str | None]:
    try:
        return scores.score_system(system, wording=wording), None
    except DomainError as error:
        return None, error.message


@bp.get("/<int:system_id>")
@login_required
def show_ranking(system_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    result, problem = _scores(system)
    view = scores.scoped(result, scope_of(current_user)) if result else None
    return render_template("target_scores/ranking.html", system=system, scores=view, problem=problem,
                           is_scoped=scope_of(current_user) is not None)


@bp.get("/<int:system_id>/units/<int:unit_id>")
@login_required
def show_unit(system_id: int, unit_id: int):
    system = db.get_or_404(IndicatorSystem, system_id)
    unit = db.get_or_404(Unit, unit_id)
    result, problem = _scores(system, wording=True)
    return render_template("target_scores/unit.html", system=system, unit=unit, problem=problem,
                           scores=result, row=result.unit(unit_id) if result else None)


@bp.get("/<int:system_id>/chart.<any(png, svg):fmt>")
@login_required
def completion_chart(system_id: int, fmt: str):
    system = db.get_or_404(IndicatorSystem, system_id)
    result, _problem = _scores(system)
    if result is None:
        abort(404)
    data = score_exports.chart(scores.scoped(result, scope_of(current_user)), fmt)
    response = Response(data, mimetype="image/svg+xml" if fmt == "svg" else "image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response
