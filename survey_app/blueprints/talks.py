"""Confidential talks (个别谈话): the list, a new talk, one talk's page and its edit form.

Only administrators and the inspection team (考察组成员) reach these routes, within their unit
scope (`access.enforce` with Need.CONFIDENTIAL and Need.TALK: anyone else gets 403 on the
list and 404 on a talk). The list shows no content; each opening of a talk (its page or its
edit form) is an audit entry without the content (services/inspection/talks.py). Pages are
sent `Cache-Control: no-store`, so no shared cache or back button keeps a copy.
"""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.talks import TalkForm
from survey_app import labels
from survey_app.blueprints.access import commit_or_flash
from survey_app.extensions import db
from survey_app.models import Talk
from survey_app.models.base import utcnow
from survey_app.services.dossier import cadres
from survey_app.services.inspection import progress, talks
from survey_app.services.platform import users

bp = Blueprint("talks", __name__, url_prefix="/admin/talks")


def _today():
    return progress.local_today(utcnow())


def _scope():
    return users.visible_unit_ids(current_user)


def _form(formdata=None, key: str = "", **kwargs) -> TalkForm:
    record = talks.current_cadre(key) if key else None
    visits = talks.visit_choices(key, record.unit_id, _scope()) if record else []
    return TalkForm(formdata, relations=labels.TALK_RELATION.items(), visits=visits, **kwargs)


def _private(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _flash_form_errors(form) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}：{message}", "error")


@bp.get("/")
@login_required
def list_talks():
    key = request.args.get("key", "").strip()[:64]
    cadre = cadres.visible_dossier(current_user, key) if key else None
    return _private(render_template("talks/index.html", lines=talks.list_talks(_scope(), key or None), key=key,
                                    cadre=cadre))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_talk():
    if request.method == "GET":
        key = request.args.get("key", "").strip()[:64]
        form = _form(key=key, data={"subject_key": key, "held_on": _today(), "relation": ""})
        return _private(render_template("talks/edit.html", form=form, talk=None))
    form = _form(request.form, key=request.form.get("subject_key", "").strip()[:64])
    created = []
    if form.validate() and commit_or_flash(
            lambda: created.append(talks.add_talk(form.service_data(), current_user, _today(), _scope()))) is None:
        flash(_("已记录个别谈话"), "success")
        return redirect(url_for("talks.show_talk", talk_id=created[0].id))
    _flash_form_errors(form)
    return _private(render_template("talks/edit.html", form=form, talk=None), 400)


@bp.get("/<int:talk_id>")
@login_required
def show_talk(talk_id: int):
    talk = db.get_or_404(Talk, talk_id)  # `access.enforce` has refused anyone else
    view = talks.talk_view(talk)
    talks.log_view(current_user, talk, "page")
    db.session.commit()
    return _private(render_template("talks/talk.html", talk=view,
                                    dossier=cadres.visible_dossier(current_user, view.subject_key)))


@bp.route("/<int:talk_id>/edit", methods=["GET", "POST"])
@login_required
def edit_talk(talk_id: int):
    talk = db.get_or_404(Talk, talk_id)
    if request.method == "POST":
        form = _form(request.form, key=request.form.get("subject_key", "").strip()[:64])
        if form.validate() and commit_or_flash(
                lambda: talks.update_talk(talk, form.service_data(), current_user, _today(), _scope())) is None:
            flash(_("已保存"), "success")
            return redirect(url_for("talks.show_talk", talk_id=talk_id))
        _flash_form_errors(form)
        talk, status = db.get_or_404(Talk, talk_id), 400
    else:
        form = _form(key=talk.subject_key, data={
            "subject_key": talk.subject_key, "held_on": talk.held_on, "relation": talk.relation.value,
            "person_name": talk.person_name, "place": talk.place, "visit_id": talk.visit_id, "summary": talk.summary})
        status = 200
    talks.log_view(current_user, talk, "edit")
    db.session.commit()
    return _private(render_template("talks/edit.html", form=form, talk=talks.talk_view(talk)), status)
