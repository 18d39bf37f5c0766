"""Staff sessions that really end (docs/operations.md, "Sessions").

Flask keeps the session in a signed cookie, so a copied cookie would stay valid until it
expires. Two server-side checks close that:

* the session names the account *and its session version* (`User.get_id`, "7:3"); the
  version is bumped on logout, password change or reset, role, scope or activation change,
  and a session with an older version loads no user;
* the session notes when it was last used; after IDLE_TIMEOUT_MINUTES without a request
  it is signed out.

A browser that signed in to an account also gets a signed "device" cookie, which lets
its sign-in attempts be counted apart from a stranger's (services/platform/login_backoff.py).
"""

import secrets
import time

from flask import Flask, current_app, request, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.local import LocalProxy

from survey_app.services.platform import login_backoff

#: Seconds of slack before the last-seen time is rewritten (not every request's cookie).
_SEEN_RESOLUTION = 30
DEVICE_COOKIE = "pingyi_device"
_DEVICE_MAX_AGE = 180 * 24 * 3600


def init_app(app: Flask) -> None:
    from survey_app.extensions import db, login_manager
    from survey_app.models import User

    app.extensions["login_backoff"] = login_backoff.build(
        app.config["RATELIMIT_STORAGE_URI"], app.config["ACCOUNT_LOGIN_LIMIT"]
    )

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _sep, version = str(session_id).partition(":")
        if not (user_id.isdigit() and version.isdigit()) or int(user_id) > 2**31 - 1:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version):
            return None  # ended elsewhere (logout, password, rights): sign in again
        return user

    app.before_request(_end_idle_session)


def _now() -> int:
    return int(time.time())


def _end_idle_session() -> None:
    if "_user_id" not in session:
        return
    now = _now()
    seen = session.get("_seen")
    idle_limit = int(current_app.config["IDLE_TIMEOUT_MINUTES"]) * 60
    if not isinstance(seen, int) or now - seen > idle_limit:
        logout_user()
        session.pop("_seen", None)
    elif now - seen >= _SEEN_RESOLUTION:
        session["_seen"] = now


def start(user) -> None:
    """Sign `user` in for this browser with his current session version."""
    # Flask-Login stores what it is given: given the `current_user` proxy itself, the next
    # read of current_user would resolve the proxy to itself, forever.
    login_user(user._get_current_object() if isinstance(user, LocalProxy) else user)
    session["_seen"] = _now()


def end() -> None:
    """Sign this browser out."""
    logout_user()
    session.pop("_seen", None)


def backoff() -> login_backoff.Backoff:
    return current_app.extensions["login_backoff"]


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def attempt_key(username: str) -> str:
    """The backoff counter of this attempt: the browser's own when it signed in to this
    account before (its device cookie), else the account's shared one."""
    cookie = request.cookies.get(DEVICE_COOKIE, "")
    account = login_backoff.account_key(username)
    try:
        signed_account, device_id = _device_serializer().loads(cookie, max_age=_DEVICE_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return account
    return login_backoff.device_key(device_id) if signed_account == account else account


def remember_device(response, username: str) -> None:
    """Give this browser a device cookie for the account it just signed in to."""
    value = _device_serializer().dumps([login_backoff.account_key(username), secrets.token_urlsafe(16)])
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=_DEVICE_MAX_AGE, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/auth/",
    )
