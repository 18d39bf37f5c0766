"""Personal API tokens: a signed-in user creates and revokes the tokens with which other
systems read results through the results API (docs/api.md).

A new token is shown once, in the response to the request that created it (never put
in the session or a redirect); the database keeps only its SHA-256. A token expires after
the lifetime chosen here and may be limited to some of the surveys its owner can read.
"""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.tokens import TokenForm
from survey_app.errors import ConfirmationRequired, DomainError
from survey_app.extensions import db
from survey_app.models import ApiToken
from survey_app.services.design import surveys
from survey_app.services.platform import api_tokens, users

bp = Blueprint("tokens", __name__, url_prefix="/admin/tokens")


def _readable_surveys():
    return surveys.list_surveys(users.visible_unit_ids(current_user))


def _form(formdata=None) -> TokenForm:
    choices = [(survey.id, f"{survey.year} {survey.title}") for survey in _readable_surveys()]
    return TokenForm(formdata=formdata, lifetimes=api_tokens.LIFETIME_DAYS, surveys=choices)


def _page(form: TokenForm, new_token: str | None = None, created: ApiToken | None = None, status: int = 200):
    tokens = api_tokens.list_tokens(current_user)
    now = datetime.now(UTC)
    response = make_response(render_template(
        "tokens/index.html", form=form, tokens=tokens, new_token=new_token, created=created,
        expired_ids={token.id for token in tokens if api_tokens.is_expired(token, now)},
    ), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@login_required
def list_tokens():
    return _page(_form())


@bp.post("/")
@login_required
def create_token():
    form = _form(request.form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    chosen = [survey for survey in _readable_surveys() if survey.id in set(form.survey_ids.data or ())]
    try:
        token, plain = api_tokens.create_token(current_user, form.name.data, days=form.days.data, surveys=chosen)
    except DomainError as error:
        db.session.rollback()
        form.name.errors = [error.message]
        return _page(form, status=400)
    db.session.commit()
    return _page(_form(), new_token=plain, created=token)


def _own_token(token_id: int) -> ApiToken:
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    return token


@bp.get("/<int:token_id>/revoke")
@login_required
def confirm_revoke_token(token_id: int):
    token = _own_token(token_id)
    back_url = url_for("tokens.list_tokens")
    return render_template("admin/confirm.html", heading=_("确认吊销令牌"),
                           consequences=api_tokens.revocation_consequences(token),
                           crumbs=[(_("API 令牌"), back_url)], action_url=request.path,
                           button_label=_("吊销"), back_url=back_url, danger=True)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = _own_token(token_id)
    try:
        api_tokens.revoke_token(token, current_user, confirmed=request.form.get("confirm") == "yes")
    except ConfirmationRequired as error:
        flash(error.message, "error")
        return redirect(url_for("tokens.confirm_revoke_token", token_id=token_id), 303)
    db.session.commit()
    flash(_("已吊销令牌“%(name)s”", name=token.name), "success")
    return redirect(url_for("tokens.list_tokens"), 303)
