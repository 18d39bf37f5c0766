"""Personal API tokens: a signed-in user creates and revokes the tokens with which other
systems read results through the results API (docs/api.md).

A new token is shown once, in the response to the request that created it (never put
in the session or a redirect); the database keeps only its SHA-256.
"""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.tokens import TokenForm
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import ApiToken
from survey_app.services import api_tokens

bp = Blueprint("tokens", __name__, url_prefix="/admin/tokens")


def _page(form: TokenForm, new_token: str | None = None, created: ApiToken | None = None, status: int = 200):
    response = make_response(render_template(
        "tokens/index.html", form=form, tokens=api_tokens.list_tokens(current_user),
        new_token=new_token, created=created,
    ), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@login_required
def list_tokens():
    return _page(TokenForm())


@bp.post("/")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        token, plain = api_tokens.create_token(current_user, form.name.data)
    except DomainError as error:
        db.session.rollback()
        form.name.errors = [error.message]
        return _page(form, status=400)
    db.session.commit()
    return _page(TokenForm(formdata=None), new_token=plain, created=token)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    api_tokens.revoke_token(token, current_user)
    db.session.commit()
    flash(_("已吊销令牌“%(name)s”", name=token.name), "success")
    return redirect(url_for("tokens.list_tokens"), 303)
