"""Sessions that really end, honest sign-in and safe redirects (issue #12, findings 8–10)."""

import statistics
import time

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from survey_app import create_app, sessions
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, Unit
from survey_app.services.platform import users

PASSWORD = "correct horse battery"


def _copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/admin/surveys").status_code == 200


def _session_of(app, client) -> dict:
    return SecureCookieSessionInterface().get_signing_serializer(app).loads(client.get_cookie("session").value)


# ---- finding 8: sessions end on the server -----------------------------------------------


def test_a_copied_cookie_dies_with_logout(app, client, auth):
    auth.login()
    thief = _copy_of(app, client)
    assert _signed_in(thief)
    auth.logout()
    assert not _signed_in(thief)
    assert not _signed_in(client)


def test_a_password_reset_ends_the_accounts_sessions_and_never_puts_the_password_in_the_cookie(app, client, auth):
    victim = app.test_client()
    auth.create_user("viewer", Role.VIEWER)
    victim.post("/auth/login", data={"username": "viewer", "password": PASSWORD})
    assert _signed_in(victim)
    thief = _copy_of(app, victim)
    auth.login("admin", Role.ADMIN)
    with app.app_context():
        viewer_id = users.find_user("viewer").id

    response = client.post(f"/admin/users/{viewer_id}/password", data={"confirm": "yes"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    new_password = page.split('<code class="secret">')[1].split("</code>")[0]
    assert len(new_password) >= 12
    assert new_password not in str(_session_of(app, client))
    assert new_password not in response.headers.get("Set-Cookie", "")
    assert not _signed_in(thief) and not _signed_in(victim)
    assert _signed_in(client)  # the administrator's own session goes on
    fresh = app.test_client()
    fresh.post("/auth/login", data={"username": "viewer", "password": new_password})
    assert _signed_in(fresh)


def test_an_administrator_resetting_his_own_password_stays_signed_in(app, client, auth):
    auth.login("admin", Role.ADMIN)
    with app.app_context():
        admin_id = users.find_user("admin").id
    assert client.post(f"/admin/users/{admin_id}/password", data={"confirm": "yes"}).status_code == 200
    assert _signed_in(client)


@pytest.mark.parametrize("change", ["role", "scope", "deactivate"])
def test_a_change_of_rights_ends_the_accounts_sessions(app, client, auth, change):
    with app.app_context():
        unit = Unit(name="市发改委", category="市直")
        db.session.add(unit)
        db.session.commit()
        unit_id = unit.id
    staff = app.test_client()
    auth.create_user("organizer", Role.ORGANIZER)
    staff.post("/auth/login", data={"username": "organizer", "password": PASSWORD})
    assert _signed_in(staff)
    auth.login("admin", Role.ADMIN)
    with app.app_context():
        target = users.find_user("organizer").id
    form = {"role": "organizer", "is_active": "y"}
    if change == "role":
        form["role"] = "viewer"
    elif change == "scope":
        form["unit_ids"] = str(unit_id)
    else:
        form.pop("is_active")
    assert client.post(f"/admin/users/{target}", data=form).status_code == 302
    assert not _signed_in(staff)


def test_saving_a_user_unchanged_keeps_his_session(app, client, auth):
    staff = app.test_client()
    auth.create_user("organizer", Role.ORGANIZER)
    staff.post("/auth/login", data={"username": "organizer", "password": PASSWORD})
    auth.login("admin", Role.ADMIN)
    with app.app_context():
        target = users.find_user("organizer").id
    client.post(f"/admin/users/{target}", data={"role": "organizer", "is_active": "y"})
    assert _signed_in(staff)


def test_an_idle_session_is_signed_out_on_the_server(app, client, auth, monkeypatch):
    auth.login()
    start = sessions._now()
    monkeypatch.setattr(sessions, "_now", lambda: start + 29 * 60)
    assert _signed_in(client)  # activity within the limit keeps it alive …
    monkeypatch.setattr(sessions, "_now", lambda: start + 29 * 60 + 29 * 60)
    assert _signed_in(client)  # … and restarts the clock
    thief = _copy_of(app, client)
    monkeypatch.setattr(sessions, "_now", lambda: start + 29 * 60 + 29 * 60 + 31 * 60)
    assert not _signed_in(thief)
    assert not _signed_in(client)


def test_the_idle_limit_is_configurable(tmp_path, monkeypatch):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}",
                     IDLE_TIMEOUT_MINUTES=5)
    with app.app_context():
        db.create_all()
        users.create_user("organizer", PASSWORD, Role.ORGANIZER)
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"username": "organizer", "password": PASSWORD})
    start = sessions._now()
    monkeypatch.setattr(sessions, "_now", lambda: start + 6 * 60)
    assert not _signed_in(client)


# ---- self-service password change ------------------------------------------------------------


def _change(client, current=PASSWORD, new="a new long secret", again=None):
    return client.post("/auth/password", data={"current": current, "new": new, "new_again": again or new})


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong password!", "a new long secret", None, "当前密码不正确"),
        (PASSWORD, "short", None, "密码至少 10 个字符"),
        (PASSWORD, "a new long secret", "another secret", "两次输入的新密码不一致"),
        (PASSWORD, PASSWORD, None, "新密码不能与当前密码相同"),
        (PASSWORD, "organizer-2026!", None, "密码不能包含用户名"),
    ],
)
def test_a_bad_password_change_is_refused_in_chinese_and_changes_nothing(app, client, auth, current, new, again,
                                                                         message):
    auth.login()
    response = _change(client, current, new, again)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert users.authenticate("organizer", PASSWORD) is not None


def test_changing_ones_password_ends_the_other_sessions_and_is_audited(app, client, auth):
    auth.login()
    other_browser = _copy_of(app, client)
    assert client.get("/auth/password").headers["Cache-Control"] == "no-store"

    response = _change(client)

    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other_browser)
    with app.app_context():
        assert users.authenticate("organizer", "a new long secret") is not None
        assert users.authenticate("organizer", PASSWORD) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.change_password"))
        assert entry.username == "organizer"
        assert "a new long secret" not in str(entry.detail)


def test_every_signed_in_user_finds_the_password_page(client, auth):
    auth.login("viewer", Role.VIEWER)
    page = client.get("/admin/surveys").get_data(as_text=True)
    assert 'href="/auth/password"' in page
    assert client.get("/auth/password").status_code == 200


# ---- finding 9: sign-in timing and per-account backoff -----------------------------------------


def _interleaved_medians(calls, repeats: int = 7) -> list[float]:
    """Median seconds of each call, measured in turns so that both see the same load on a
    shared machine (a neighbour's burst then slows every call alike)."""
    timings = [[] for _ in calls]
    for _ in range(repeats):
        for call, own in zip(calls, timings, strict=True):
            started = time.perf_counter()
            call()
            own.append(time.perf_counter() - started)
    return [statistics.median(own) for own in timings]


def test_an_unknown_username_costs_as_much_as_a_real_one(app):
    # The production method: the old dummy hash (cheap PBKDF2) answered ~15× faster.
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    with app.app_context():
        users.create_user("organizer", PASSWORD, Role.ORGANIZER)
        users.create_user("retired", PASSWORD, Role.ORGANIZER).is_active_account = False
        db.session.commit()
        users.authenticate("nobody", "warm the dummy hash")
        known, unknown, inactive = _interleaved_medians([
            lambda: users.authenticate("organizer", "wrong password!"),
            lambda: users.authenticate("nobody-here", "wrong password!"),
            lambda: users.authenticate("retired", PASSWORD),
        ])
    assert known > 0.005  # a real KDF, not a shortcut
    assert 1 / 3 < unknown / known < 3
    assert 1 / 3 < inactive / known < 3


def _fail(client, username, times):
    for _ in range(times):
        assert client.post("/auth/login", data={"username": username, "password": "wrong password!"}).status_code == 200


def test_repeated_failures_on_one_account_refuse_it_for_a_while(app, client, auth):
    auth.create_user("organizer", Role.ORGANIZER)
    _fail(client, "organizer", 5)
    response = client.post("/auth/login", data={"username": "organizer", "password": PASSWORD})
    assert response.status_code == 429
    assert "这个账号的登录失败次数过多，请 15 分钟后再试" in response.get_data(as_text=True)
    assert not _signed_in(client)
    # Another address changes nothing: the count belongs to the account.
    elsewhere = app.test_client()
    assert elsewhere.post("/auth/login", data={"username": " Organizer ", "password": PASSWORD}).status_code == 429


def test_an_unknown_username_is_refused_the_same_way(client):
    _fail(client, "nobody-here", 5)
    response = client.post("/auth/login", data={"username": "nobody-here", "password": "wrong password!"})
    assert response.status_code == 429
    assert "这个账号的登录失败次数过多" in response.get_data(as_text=True)


def test_a_stranger_cannot_lock_the_real_user_out_of_his_own_browser(app, client, auth):
    auth.login()  # this browser signed in before: it holds the account's device cookie
    auth.logout()
    stranger = app.test_client()
    _fail(stranger, "organizer", 5)
    assert stranger.post("/auth/login", data={"username": "organizer", "password": PASSWORD}).status_code == 429
    assert client.post("/auth/login", data={"username": "organizer", "password": PASSWORD}).status_code == 302
    assert _signed_in(client)


def test_a_device_cookie_of_another_account_does_not_help(app, client, auth):
    auth.login()
    auth.logout()
    auth.create_user("viewer", Role.VIEWER)
    _fail(client, "viewer", 5)
    assert client.post("/auth/login", data={"username": "viewer", "password": PASSWORD}).status_code == 429


def test_a_success_clears_the_count(app, client, auth):
    auth.create_user("organizer", Role.ORGANIZER)
    _fail(client, "organizer", 4)
    auth.login()
    auth.logout()
    _fail(app.test_client(), "organizer", 4)
    assert client.post("/auth/login", data={"username": "organizer", "password": PASSWORD}).status_code == 302


# ---- finding 10: redirects stay on this site -------------------------------------------------

EVIL_TARGETS = [
    "//evil.example/",
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "/%0a/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "///evil.example",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_next_after_login_never_leaves_the_site(client, auth, target):
    auth.create_user("organizer", Role.ORGANIZER)
    response = client.post("/auth/login", query_string={"next": target},
                           data={"username": "organizer", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/surveys"


def test_next_after_login_keeps_a_local_path_with_its_query(client, auth):
    auth.create_user("organizer", Role.ORGANIZER)
    response = client.post("/auth/login", query_string={"next": "/admin/audit?page=2"},
                           data={"username": "organizer", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/audit?page=2"


@pytest.mark.parametrize("target", [*EVIL_TARGETS, "/x\r\nSet-Cookie: a=b"])
def test_the_language_switch_never_fails_and_never_leaves_the_site(client, target):
    response = client.post("/locale", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_language_switch_returns_to_the_page(client):
    response = client.post("/locale", data={"locale": "en", "next": "/auth/login?next=/admin/audit"})
    assert response.headers["Location"] == "/auth/login?next=/admin/audit"
