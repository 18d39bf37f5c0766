"""Flask fixtures: an app on a fresh database per test, client, CLI runner, factories.

The database is a temporary SQLite file by default. With TEST_DATABASE_URL set (CI sets it
to the PostgreSQL server) every test runs against that database instead, with the schema
dropped and created around each test.
"""

import os

import pytest
from sqlalchemy import text

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.platform import users
from tests.app.factories import SurveyFactory

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _reset_postgres_schema() -> None:
    db.session.execute(text("DROP SCHEMA public CASCADE"))
    db.session.execute(text("CREATE SCHEMA public"))
    db.session.commit()


@pytest.fixture
def app(tmp_path):
    uri = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'app.db'}"
    # Evidence files in the test's own folder, never the checkout's instance folder.
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=uri, FILES_LOCAL_DIR=str(tmp_path / "files"))
    with app.app_context():
        if TEST_DATABASE_URL:
            _reset_postgres_schema()
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out as one of the three roles (flaskr's AuthActions)."""

    PASSWORD = "correct horse battery"

    def __init__(self, app, client):
        self._app = app
        self._client = client

    def create_user(self, username: str, role: Role, unit_ids=()) -> int:
        with self._app.app_context():
            user = users.create_user(username, self.PASSWORD, role, display_name=username, unit_ids=unit_ids)
            db.session.commit()
            return user.id

    def login(self, username: str = "organizer", role: Role = Role.ORGANIZER):
        with self._app.app_context():
            exists = users.find_user(username)
        if exists is None:
            self.create_user(username, role)
        return self._client.post(
            "/auth/login", data={"username": username, "password": self.PASSWORD}
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


@pytest.fixture
def make_survey(app):
    """Create a survey with a small complete structure; returns its id."""
    factory = SurveyFactory(app)
    return factory


@pytest.fixture
def servers(app, tmp_path):
    """gunicorn servers of the test's database, started on demand, stopped after the test."""
    from tests.app.fault_helpers import LiveServers

    started = LiveServers(app, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
