"""Sign-in, roles, cookies, CSRF and login throttling."""

import pytest

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import Role, User
from survey_app.services.platform import users


def test_login_with_good_password_reaches_the_survey_list(client, auth):
    response = auth.login()
    assert response.status_code == 302
    assert client.get("/admin/surveys").status_code == 200


def test_login_with_wrong_password_is_refused_in_chinese(client, auth):
    auth.create_user("organizer", Role.ORGANIZER)
    response = client.post("/auth/login", data={"username": "organizer", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/admin/surveys").status_code == 302


def test_passwords_are_stored_with_a_kdf_not_in_clear(app):
    with app.app_context():
        user = users.create_user("someone", "a-long-password", Role.VIEWER)
        assert "a-long-password" not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_production_default_hash_is_scrypt(app):
    app.config.pop("PASSWORD_HASH_METHOD")
    with app.app_context():
        assert users.create_user("someone", "a-long-password", Role.VIEWER).password_hash.startswith("scrypt:")


def test_short_password_is_refused(app):
    with app.app_context(), pytest.raises(Exception, match="密码至少"):
        users.create_user("someone", "short", Role.VIEWER)


def test_session_cookie_is_httponly_and_samesite(client, auth):
    response = auth.login()
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session(client, auth):
    auth.login()
    auth.logout()
    assert client.get("/admin/surveys").status_code == 302


def test_deactivated_account_cannot_sign_in(app, client, auth):
    auth.create_user("gone", Role.ORGANIZER)
    with app.app_context():
        users.find_user("gone").is_active_account = False
        db.session.commit()
    client.post("/auth/login", data={"username": "gone", "password": auth.PASSWORD})
    assert client.get("/admin/surveys").status_code == 302


def test_open_redirect_after_login_is_refused(client, auth):
    auth.create_user("organizer", Role.ORGANIZER)
    response = client.post(
        "/auth/login?next=//evil.example.org/",
        data={"username": "organizer", "password": auth.PASSWORD},
    )
    assert response.headers["Location"] == "/admin/surveys"


def test_login_is_throttled_per_address(tmp_path):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}",
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    codes = [
        client.post("/auth/login", data={"username": "x", "password": "y"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    assert "尝试次数过多" in client.post("/auth/login", data={"username": "x", "password": "y"}).get_data(as_text=True)


def test_csrf_is_required_when_enabled(tmp_path):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}", WTF_CSRF_ENABLED=True
    )
    with app.app_context():
        db.create_all()
        users.create_user("organizer", "correct horse battery", Role.ORGANIZER)
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "organizer", "password": "correct horse battery"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_create_admin_cli_prints_password_once(runner, app):
    result = runner.invoke(args=["create-admin", "boss"])
    assert result.exit_code == 0 and "密码" in result.output
    password = result.output.rsplit("：", 1)[1].strip()
    with app.app_context():
        assert users.authenticate("boss", password) is not None


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}",
                     RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", PROXY_COUNT=1)
    with app.app_context():
        db.create_all()
    client = app.test_client()

    def attempt(address):
        return client.post("/auth/login", data={"username": "x", "password": "y"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("10.0.0.1") for _ in range(3)] == [200, 200, 429]
    assert attempt("10.0.0.2") == 200  # another respondent behind the same proxy is not blocked
