"""Staff accounts: creation, authentication and unit scopes."""

import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Role, Unit, User

#: Compared against when the username is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-password", method="pbkdf2:sha256:1000")
MIN_PASSWORD_LENGTH = 10


def _hash(password: str) -> str:
    # scrypt (werkzeug's default) is the modern KDF; tests configure a cheap method.
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def create_user(
    username: str, password: str, role: Role, *, display_name: str = "", unit_ids=()
) -> User:
    """Create a staff account; raise ValidationFailed on a taken name or weak password."""
    username = username.strip()
    if not username:
        raise ValidationFailed(_("用户名不能为空"))
    if find_user(username):
        raise ValidationFailed(_("用户名已存在"))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("密码至少 %(n)d 个字符", n=MIN_PASSWORD_LENGTH))
    user = User(username=username, display_name=display_name or username, role=role, password_hash=_hash(password))
    user.scoped_units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = find_user(username.strip())
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.is_active_account or not check_password_hash(user.password_hash, password):
        return None
    return user


def generate_password() -> str:
    """Return a random password to print once (e.g. for the first admin)."""
    return secrets.token_urlsafe(12)


def visible_unit_ids(user: User) -> set[int] | None:
    """Return the unit ids a user is scoped to, or None for every unit."""
    return {unit.id for unit in user.scoped_units} or None


def update_user(user: User, actor: User, *, role: Role, unit_ids, is_active: bool) -> None:
    """Change a user's role, unit scope and whether the account may sign in."""
    if user.id == actor.id and (role is not Role.ADMIN or not is_active):
        raise ValidationFailed(_("不能降低或停用自己的管理员账号"))
    user.role = role
    user.is_active_account = is_active
    user.scoped_units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []


def reset_password(user: User) -> str:
    """Give the user a new random password and return it (shown once)."""
    password = generate_password()
    user.password_hash = _hash(password)
    return password
