"""Personal API tokens for the results API: create (shown once), list, revoke, authenticate.

Only the SHA-256 of a token is stored. A token acts with its owner's role and unit scope,
may be limited to some surveys, and stops working when it expires (a lifetime chosen at
creation), is revoked or the owner's account is deactivated.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import ApiToken, Survey, User
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation

MAX_NAME_LENGTH = 100
#: Lifetimes offered at creation, in days; the default is the first.
LIFETIME_DAYS = (90, 30, 180, 365)


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    user: User, name: str, *, days: int = LIFETIME_DAYS[0], surveys: Iterable[Survey] = (),
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `user` that expires after `days` and, when `surveys` are given, reads
    only those; return the row and the plain token, which exists only here.

    The caller passes only surveys the user may read (a token never reads more than its
    owner anyway: the results API applies the owner's scope too).
    """
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写令牌名称"))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_("令牌名称不能超过 %(count)d 个字符", count=MAX_NAME_LENGTH))
    if days not in LIFETIME_DAYS:
        raise ValidationFailed(_("请选择令牌的有效期"))
    now = now or datetime.now(UTC)
    plain = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain), created_at=now,
                     expires_at=now + timedelta(days=days), surveys=list(surveys))
    db.session.add(token)
    db.session.flush()
    audit.record(user, "api_token.create", "api_token", token.id, name=name, days=days,
                 surveys=[survey.id for survey in token.surveys])
    return token, plain


def is_expired(token: ApiToken, now: datetime) -> bool:
    expires_at = token.expires_at
    if expires_at.tzinfo is None:  # SQLite returns naive datetimes (stored as UTC)
        expires_at = expires_at.replace(tzinfo=UTC)
    return expires_at <= now


def may_read(token: ApiToken, survey: Survey) -> bool:
    """Whether the token's survey list (empty: every survey) allows `survey`."""
    return not token.surveys or any(allowed.id == survey.id for allowed in token.surveys)


def list_tokens(user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first (revoked ones too, marked)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(token: ApiToken, actor: User, *, confirmed: bool = True) -> None:
    """Revoke a token for good (revoking twice changes nothing). Irreversible: the web
    passes `confirmed` from its confirmation page."""
    require_confirmation(confirmed)
    if token.is_revoked:
        return
    token.is_revoked = True
    audit.record(actor, "api_token.revoke", "api_token", token.id, name=token.name)


def revocation_consequences(token: ApiToken) -> list[str]:
    """Say what revoking a token stops, and when it was last used."""
    used = (_("最近一次使用：%(day)s。", day=token.last_used_on.isoformat()) if token.last_used_on
            else _("该令牌从未被使用过。"))
    return [_("令牌“%(name)s”将被永久吊销，不能恢复：使用它的系统将无法再读取结果。", name=token.name), used]


def authenticate(plain: str, today: date, now: datetime | None = None) -> ApiToken | None:
    """Return a valid token (known, unrevoked, unexpired, its owner active) and note the day
    of use; else None."""
    if not plain:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.is_revoked or not token.user.is_active_account:
        return None
    if is_expired(token, now or datetime.now(UTC)):
        return None
    if token.last_used_on != today:
        token.last_used_on = today
    return token
