"""Staff accounts: creation, authentication and unit scopes."""

import secrets
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Role, Unit, User
from survey_app.services.platform import permissions
from survey_app.services.platform.confirmation import require_confirmation

MIN_PASSWORD_LENGTH = 10


def _hash_method() -> str:
    # scrypt (werkzeug's default) is the modern KDF; tests configure a cheap method.
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash made with the same method and cost as real ones: checking a password against it
    for an unknown username takes as long as for a real account, so timing reveals nothing."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


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
    check_password_rules(password)
    _check_reporter_unit(role, unit_ids)
    user = User(username=username, display_name=display_name or username, role=role, password_hash=_hash(password))
    user.scoped_units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []
    db.session.add(user)
    db.session.flush()
    return user


def _check_reporter_unit(role: Role, unit_ids) -> None:
    """A unit reporter (单位填报员) speaks for exactly one unit: their only scoped unit."""
    if role is Role.REPORTER and len(set(unit_ids)) != 1:
        raise ValidationFailed(_("单位填报员必须绑定且只能绑定一个单位"))


def check_password_rules(password: str, username: str = "") -> None:
    """Raise ValidationFailed unless `password` is long enough and (when chosen by its
    owner, `username` given) does not contain the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("密码至少 %(n)d 个字符", n=MIN_PASSWORD_LENGTH))
    if username and username.strip().casefold() in password.casefold():
        raise ValidationFailed(_("密码不能包含用户名"))


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None.

    Exactly one password hash is checked on every path (unknown name, inactive account,
    wrong or right password), each as costly as a real one, so the answer's timing does
    not say whether the account exists.
    """
    user = find_user(username.strip())
    if user is None:
        check_password_hash(_dummy_hash(_hash_method()), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active_account:
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set the user's own new password after checking the current one; end his other sessions.

    The caller signs the current session in again with the new session version.
    """
    if not check_password_hash(user.password_hash, current):
        raise ValidationFailed(_("当前密码不正确"))
    if new == current:
        raise ValidationFailed(_("新密码不能与当前密码相同"))
    check_password_rules(new, user.username)
    user.password_hash = _hash(new)
    user.end_sessions()


def generate_password() -> str:
    """Return a random password to print once (e.g. for the first admin)."""
    return secrets.token_urlsafe(12)


def visible_unit_ids(user: User) -> set[int] | None:
    """Return the unit ids a user is scoped to, or None for every unit."""
    scope = permissions.scope_of(user)
    return None if scope is None else set(scope)


def update_user(user: User, actor: User, *, role: Role, unit_ids, is_active: bool,
                is_inspector: bool | None = None) -> None:
    """Change a user's role, unit scope, whether the account may sign in and whether it is on
    the inspection team (考察组成员; None keeps it). Only organizers and administrators may
    be on the team: it reads confidential talks (个别谈话), which viewers and unit reporters
    never see."""
    if user.id == actor.id and (role is not Role.ADMIN or not is_active):
        raise ValidationFailed(_("不能降低或停用自己的管理员账号"))
    _check_reporter_unit(role, unit_ids)
    inspector = user.is_inspector if is_inspector is None else bool(is_inspector)
    if inspector and role not in (Role.ADMIN, Role.ORGANIZER):
        raise ValidationFailed(_("只有组织人员和系统管理员可以列为考察组成员"))
    before = (user.role, user.is_active_account, {unit.id for unit in user.scoped_units}, bool(user.is_inspector))
    user.role = role
    user.is_active_account = is_active
    user.is_inspector = inspector
    user.scoped_units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []
    if before != (user.role, user.is_active_account, {unit.id for unit in user.scoped_units}, user.is_inspector):
        # A session signed in under the old rights must not keep them.
        user.end_sessions()


def reset_password(user: User, *, confirmed: bool = True) -> str:
    """Give the user a new random password, end his sessions and return it (shown once).

    The old password stops working at once: the web passes `confirmed` from its
    confirmation page; CLI commands and scripts are unchanged."""
    require_confirmation(confirmed)
    password = generate_password()
    user.password_hash = _hash(password)
    user.end_sessions()
    return password


def reset_password_consequences(user: User) -> list[str]:
    """Say what resetting a user's password ends."""
    return [_("账号“%(name)s”的现有密码将立即失效，不能恢复。", name=user.username),
            _("该账号在所有设备上的登录都将结束，须用新密码重新登录。"),
            _("新密码只显示一次，请通过安全渠道交给本人。")]
