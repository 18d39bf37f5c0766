"""The pre-visit brief (进点前调阅) of a cadre or a unit: a page and its PDF.

A cadre's brief is read by whoever may read the cadre's dossier (Need.READ_DOSSIER), a unit's
by staff whose scope holds the unit (Need.READ_UNIT; never the unit's reporter). Both are
filtered by the reader's scope like the dossier, never hold a talk (个别谈话), and every view
is logged: a cadre's as a dossier view (formats brief, brief_pdf), a unit's as `brief.view`.
"""

from io import BytesIO

from flask import Blueprint, make_response, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.base import utcnow
from survey_app.services.dossier import brief, brief_pdf, cadres, dossiers
from survey_app.services.inspection import progress
from survey_app.services.platform import users

bp = Blueprint("briefs", __name__, url_prefix="/admin/briefs")


def _today():
    return progress.local_today(utcnow())


def _page(data: brief.Brief, links: dict):
    response = make_response(render_template("briefs/brief.html", brief=data, subtitle=brief.subtitle(data), **links))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _pdf(data: brief.Brief):
    pdf = brief_pdf.brief_pdf(data, current_user.display_name or current_user.username)
    name = _("%(name)s-进点前调阅-%(date)s.pdf", name=data.name, date=data.today.isoformat())
    response = send_file(BytesIO(pdf), mimetype="application/pdf", download_name=name, as_attachment=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _cadre(key: str) -> cadres.Cadre:
    return cadres.find_cadre(key)  # `access.enforce` has refused unknown keys and other units' cadres


@bp.get("/cadres/<key>")
@login_required
def cadre_brief(key: str):
    cadre = _cadre(key)
    data = brief.cadre_brief(cadre, users.visible_unit_ids(current_user), _today())
    dossiers.log_view(current_user, cadre, "brief")
    db.session.commit()
    return _page(data, {"pdf_url": ("briefs.cadre_brief_pdf", {"key": key})})


@bp.get("/cadres/<key>/brief.pdf")
@login_required
def cadre_brief_pdf(key: str):
    cadre = _cadre(key)
    data = brief.cadre_brief(cadre, users.visible_unit_ids(current_user), _today())
    dossiers.log_view(current_user, cadre, "brief_pdf")
    db.session.commit()
    return _pdf(data)


@bp.get("/units/<int:unit_id>")
@login_required
def unit_brief(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    data = brief.unit_brief(unit, _today())
    brief.log_unit_view(current_user, unit, "brief")
    db.session.commit()
    return _page(data, {"pdf_url": ("briefs.unit_brief_pdf", {"unit_id": unit_id})})


@bp.get("/units/<int:unit_id>/brief.pdf")
@login_required
def unit_brief_pdf(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    data = brief.unit_brief(unit, _today())
    brief.log_unit_view(current_user, unit, "brief_pdf")
    db.session.commit()
    return _pdf(data)
