"""Personal API tokens for the results API: create (shown once), list, revoke, authenticate.

Only the SHA-256 of a token is stored. A token acts with its owner's role and unit scope,
and stops working when it is revoked or the owner's account is deactivated.
"""

import hashlib
import secrets
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import ApiToken, User
from survey_app.services import audit

MAX_NAME_LENGTH = 100


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the row and the plain token, which exists only here."""
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写令牌名称"))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_("令牌名称不能超过 %(count)d 个字符", count=MAX_NAME_LENGTH))
    plain = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain))
    db.session.add(token)
    db.session.flush()
    audit.record(user, "api_token.create", "api_token", token.id, name=name)
    return token, plain


def list_tokens(user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first (revoked ones too, marked)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(token: ApiToken, actor: User) -> None:
    """Revoke a token for good (revoking twice changes nothing)."""
    if token.is_revoked:
        return
    token.is_revoked = True
    audit.record(actor, "api_token.revoke", "api_token", token.id, name=token.name)


def authenticate(plain: str, today: date) -> User | None:
    """Return the active owner of a valid, unrevoked token and note the day of use; else None."""
    if not plain:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.is_revoked or not token.user.is_active_account:
        return None
    if token.last_used_on != today:
        token.last_used_on = today
    return token.user
