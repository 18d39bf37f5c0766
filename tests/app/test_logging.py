"""Structured logs and the health check: one JSON object per line, paths with codes and
tokens redacted, nothing of a ballot in any line, the client address only when asked for;
/healthz answers 200 with the database and 503 without it."""

import io
import json
import logging
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from survey_app import create_app, logging_setup
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import Ballot, Survey
from survey_app.services.respondents import ballots, codes
from survey_app.services.respondents.ballot_rules import ballot_structure, question_key
from tests.app.respondent_helpers import complete_values, form_data, issue_codes

REASON = "食堂排队太久XQ7"  # an answer that must never reach a log


@pytest.fixture
def log_stream(app):
    logging_setup.respondent_tally.flush()  # counts left by earlier tests go elsewhere
    stream = io.StringIO()
    logging_setup.handler().setStream(stream)
    return stream


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _submission(app, survey_id, code):
    values = complete_values(app, survey_id)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        structure = ballot_structure(survey, codes.find_group(survey, "superior"))
        overall, reason = structure.questions[:2]
    values[question_key(overall.id)] = ["不满意"]
    values[question_key(reason.id)] = [REASON]
    return form_data(values)


def test_a_submission_logs_no_code_no_answer_and_no_ballot_id(app, client, make_survey, log_stream):
    survey_id = make_survey(publish=True)
    code = issue_codes(app, survey_id, count=1)[0]
    assert client.get(f"/s/{code}").status_code == 200
    response = client.post(f"/s/{code}", data=_submission(app, survey_id, code))
    assert response.status_code == 303
    with app.app_context():
        ballot_id = db.session.scalars(select(Ballot.id)).one()

    # No line per respondent request: GET and POST must not be paired by their times.
    assert [line for line in _lines(log_stream) if line["logger"] == "survey_app.request"] == []
    logging_setup.respondent_tally.flush()
    output = log_stream.getvalue()
    (tally,) = [line for line in _lines(log_stream) if line["logger"] == "survey_app.request"]
    counts = {(r["method"], r["path"], r["status"]): r["count"] for r in tally["requests"]}
    assert counts[("GET", "/s/<redacted>", 200)] == 1 and counts[("POST", "/s/<redacted>", 303)] == 1
    assert tally["level"] == "INFO" and tally["window_seconds"] == logging_setup.RESPONDENT_WINDOW
    assert "request_id" not in tally and "duration_ms" not in tally
    window = datetime.fromisoformat(tally["timestamp"])  # the window's start, to the minute
    assert window.second == 0 and window.timestamp() % logging_setup.RESPONDENT_WINDOW == 0
    for secret in (code, code.replace("-", ""), code.lower(), REASON, ballot_id, ballot_id[:8]):
        assert secret not in output
    assert "client_ip" not in output and "127.0.0.1" not in output


def test_open_link_tokens_and_ballot_ids_in_paths_are_redacted(app, client, auth, make_survey, log_stream):
    survey_id = make_survey(publish=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        token = codes.create_open_link(survey, codes.find_group(survey, "served"), actor=None).token
        db.session.commit()
    client.get(f"/o/{token}?utm=poster")
    auth.login()
    client.post(f"/admin/reports/{survey_id}/quality/SecretBallotId123", data={"action": "include"})
    logging_setup.respondent_tally.flush()
    lines = [line for line in _lines(log_stream) if line["logger"] == "survey_app.request"]
    paths = [line["path"] for line in lines if "path" in line]
    assert "/o/<redacted>" in [r["path"] for line in lines for r in line.get("requests", [])]
    assert f"/admin/reports/{survey_id}/quality/<redacted>" in paths
    assert token not in log_stream.getvalue() and "SecretBallotId123" not in log_stream.getvalue()
    assert "utm" not in log_stream.getvalue()  # no query strings


def test_an_error_on_a_ballot_page_is_logged_without_the_code(app, client, make_survey, log_stream, monkeypatch):
    survey_id = make_survey(publish=True)
    code = issue_codes(app, survey_id, count=1)[0]
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ballots, "find_live_code", broken)
    assert client.get(f"/s/{code}").status_code == 500
    errors = [line for line in _lines(log_stream) if line["level"] == "ERROR"]
    assert errors and "Exception on /s/<redacted> [GET]" in errors[0]["message"]
    assert "RuntimeError: database went away" in errors[0]["exception"]
    assert errors[0]["request_id"]
    assert code not in log_stream.getvalue()


def test_the_client_address_is_logged_only_when_configured(app, client, log_stream):
    client.get("/auth/login")
    assert "client_ip" not in _lines(log_stream)[-1]
    app.config["LOG_CLIENT_IP"] = True
    client.get("/auth/login", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert _lines(log_stream)[-1]["client_ip"] == "203.0.113.9"


def test_the_proxy_request_id_is_kept_and_returned(app, client, log_stream):
    response = client.get("/auth/login", headers={"X-Request-ID": "abc123def456"})
    assert response.headers["X-Request-ID"] == "abc123def456"
    assert _lines(log_stream)[-1]["request_id"] == "abc123def456"
    response = client.get("/auth/login", headers={"X-Request-ID": "bad id with {json}"})
    assert response.headers["X-Request-ID"] != "bad id with {json}"
    assert len(_lines(log_stream)[-1]["request_id"]) == 16


@pytest.mark.parametrize(("path", "logged"), [
    ("/s/ABCD-EFGH", "/s/<redacted>"),
    ("/s/thanks/12", "/s/thanks/12"),
    ("/s", "/s"),
    ("/o/Zx9_token", "/o/<redacted>"),
    ("/admin/reports/3/quality/k2j3h4", "/admin/reports/3/quality/<redacted>"),
    ("/admin/reports/3?sort=name", "/admin/reports/3"),
])
def test_paths_are_redacted(path, logged):
    assert logging_setup.redact_path(path) == logged


def test_sql_parameters_never_reach_a_log():
    message = "(IntegrityError) UNIQUE failed\n[SQL: INSERT INTO ratings VALUES (?, ?)]\n[parameters: ('b1', 80.0)]"
    assert "80.0" not in logging_setup.redact(message)
    assert "[SQL: INSERT INTO ratings VALUES (?, ?)]" in logging_setup.redact(message)


def test_logs_survive_a_migration_run_in_the_same_process(app, client, log_stream):
    """Alembic's env.py calls logging.config.fileConfig, which disables existing loggers."""
    import flask_migrate

    with app.app_context():
        db.drop_all()
        flask_migrate.upgrade()
    create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")  # the next app re-enables them
    logging_setup.handler().setStream(log_stream)
    client.get("/auth/login")
    assert _lines(log_stream)[-1]["path"] == "/auth/login"


def test_one_handler_however_many_apps(app):
    create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    names = [h.get_name() for h in logging.getLogger("survey_app").handlers]
    assert names.count(logging_setup.HANDLER_NAME) == 1


# ---- /healthz -----------------------------------------------------------------------------------


def test_healthz_is_200_with_the_database_and_stays_out_of_the_info_log(client, log_stream):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert log_stream.getvalue() == ""


@pytest.mark.parametrize("uri", [
    "sqlite:////nonexistent-directory/pingyi.db",
    "postgresql+psycopg://pingyi:wrong@127.0.0.1:1/pingyi?connect_timeout=2",
])
def test_healthz_is_503_when_the_database_is_unreachable(uri):
    broken = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=uri)
    stream = io.StringIO()
    logging_setup.handler().setStream(stream)
    try:
        response = broken.test_client().get("/healthz")
    finally:
        with broken.app_context():
            db.engine.dispose()
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    warning = next(line for line in _lines(stream) if line["level"] == "WARNING")
    assert "database unreachable" in warning["message"]
    assert "wrong" not in stream.getvalue() and "nonexistent" not in stream.getvalue()


def test_the_shipped_gunicorn_access_log_keeps_no_query_address_or_respondent_request(tmp_path):
    """Issue #12 (6): gunicorn.conf.py's access log kept "GET /s/<code>?code=<code>", the
    address and the user agent: each phone's GET and POST paired up to the second."""
    import datetime as dt
    import runpy
    from pathlib import Path

    from gunicorn.config import Config

    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", settings["access_log_format"])
    logger = settings["RedactingLogger"](config)

    def request(path: str, query: str, status: int = 200) -> None:
        environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": "GET", "RAW_URI": f"{path}?{query}",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "PhoneUA/1.0",
                   "HTTP_REFERER": "https://x/s/ABCDEFGH"}
        response = type("Response", (), {"status": f"{status} X", "status_code": status, "sent": 10, "headers": []})
        logger.access(response(), type("Request", (), {"headers": []})(), environ, dt.timedelta(seconds=1))

    request("/s/ABCDEFGH", "code=ABCDEFGH")
    request("/o/TokenToken", "utm=poster")
    request("/admin/surveys", "code=ABCDEFGH&q=1")
    request("/s/ABCDEFGH", "", status=500)
    for handler in logger.access_log.handlers:
        handler.flush()
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert len(lines) == 2 and '"GET /admin/surveys HTTP/1.1" 200' in lines[0]
    assert '"GET /s/… HTTP/1.1" 500' in lines[1]  # a server failure keeps its line, redacted
    text = "\n".join(lines)
    for secret in ("ABCDEFGH", "code=", "203.0.113.9", "PhoneUA", "TokenToken"):
        assert secret not in text


def test_the_tally_is_written_by_a_timer_at_the_window_end(caplog):
    tally = logging_setup.RespondentTally()
    tally.window = 1
    with caplog.at_level(logging.INFO, logger=logging_setup.REQUEST_LOGGER):
        tally.add("POST", "/s/<redacted>", 303)
        tally.add("POST", "/s/<redacted>", 303)
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.1)
    (record,) = [r for r in caplog.records if r.name == logging_setup.REQUEST_LOGGER]
    assert record.requests == [{"method": "POST", "path": "/s/<redacted>", "status": 303, "count": 2}]
    assert record.window_start % 1 == 0 and record.window_start <= record.created
