"""Faults during submissions: a killed worker, a full disk, a read-only database.

Whatever breaks, a ballot is stored whole with its code burned, or not at all; the
respondent sees a clear Chinese page (503 "请重新提交", the answers kept in its resubmit
form), never a 500; and the retry stores the ballot exactly once. Runs on the `app`
fixture's database (SQLite, or PostgreSQL with TEST_DATABASE_URL); a case that only one
database can stage is skipped on the other. PostgreSQL restarts: test_pg_restart.py;
SQLite's write lock: test_sqlite_locking.py.
"""

import os
import signal
import threading
import time

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from survey_app.extensions import db
from survey_app.models import CodeStatus
from tests.app.fault_helpers import (
    code_status,
    dispose,
    encode_form,
    other_app,
    request,
    resubmit_fields,
    stored_rows,
)
from tests.app.respondent_helpers import complete_values, form_data, issue_codes, make_big_survey

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")


def _expected_rows(values: dict) -> tuple[int, int, int]:
    """(ballots, ratings, answers) of one stored ballot of `values`."""
    return 1, sum(key.startswith("r-") for key in values), sum(key.startswith("q-") for key in values)


# ---- a worker killed in the middle of a submission ----------------------------------------


def _wait_for(path, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, "the worker never reached the pause"
        time.sleep(0.02)
    return int(path.read_text())


@pytest.mark.parametrize("moment", ["before_commit", "after_commit"])
def test_worker_killed_mid_submission_leaves_all_or_nothing_and_the_retry_counts_once(
    app, make_survey, servers, tmp_path, moment
):
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    code = issue_codes(app, survey_id, count=1)[0]
    pause = tmp_path / "paused"
    server = servers.start(workers=2, threads=2, module="tests.app.fault_wsgi:app",
                           env={"FAULT_PAUSE_FILE": str(pause), "FAULT_PAUSE_AT": moment})
    body = encode_form(form_data(values, "killed-" + "k" * 16))
    replies = []

    def submit() -> None:
        try:
            replies.append(request(server.port, "POST", f"/s/{code}", body)[0])
        except OSError as error:  # the connection died with the worker
            replies.append(repr(error))

    submitting = threading.Thread(target=submit)
    submitting.start()
    pid = _wait_for(pause)
    assert pid in server.worker_pids()
    os.kill(pid, signal.SIGKILL)  # our own gunicorn worker, paused inside the transaction
    submitting.join(30)
    assert replies and replies[0] not in (200, 303), replies  # the phone got no answer

    if moment == "before_commit":
        assert stored_rows(app) == (0, 0, 0)
        assert code_status(app, code) is CodeStatus.ISSUED
    else:
        assert stored_rows(app) == _expected_rows(values)
        assert code_status(app, code) is CodeStatus.USED

    # The phone sends the same form again (same idempotency key): stored or confirmed once.
    assert request(server.port, "POST", f"/s/{code}", body)[0] == 303
    assert stored_rows(app) == _expected_rows(values)
    assert request(server.port, "POST", f"/s/{code}", body)[0] == 303  # a second retry: thanked
    other = encode_form(form_data(values, "another-" + "k" * 16))
    status, page = request(server.port, "POST", f"/s/{code}", other)
    assert status == 409 and "已经提交过答卷" in page
    assert stored_rows(app) == _expected_rows(values)
    assert code_status(app, code) is CodeStatus.USED


# ---- a full disk and a read-only database ---------------------------------------------------


def _assert_submit_again_page(response, key: str) -> dict[str, list[str]]:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert "答卷没有提交成功，请重新提交" in page and "重新提交" in page
    assert response.headers["Retry-After"]
    fields = resubmit_fields(page)
    assert fields["idempotency_key"] == [key]
    return fields


@pytest.mark.skipif(ON_POSTGRES, reason="a full disk is staged with SQLite's max_page_count")
def test_full_disk_refuses_the_whole_ballot_clearly_and_the_retry_stores_it(app, caplog):
    survey_id = make_big_survey(app)  # 120 ratings: more than the pages left
    values = complete_values(app, survey_id, group_key="staff")
    values = {key: ["好"] if key.startswith("q-") else value for key, value in values.items()}
    code = issue_codes(app, survey_id, group_key="staff", count=1)[0]
    full = other_app(app.config["SQLALCHEMY_DATABASE_URI"])
    with full.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def no_room_left(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    key = "full-disk-" + "d" * 16
    try:
        response = full.test_client().post(f"/s/{code}", data=form_data(values, key))
        fields = _assert_submit_again_page(response, key)
    finally:
        dispose(full)
    assert "database or disk is full" in caplog.text  # the fault staged is the one meant
    assert stored_rows(app) == (0, 0, 0)
    assert code_status(app, code) is CodeStatus.ISSUED
    # Space freed: the resubmit form's fields store the ballot, whole.
    assert app.test_client().post(f"/s/{code}", data=fields).status_code == 303
    assert stored_rows(app) == _expected_rows(values)


def _api_payload(values: dict[str, list[str]], code: str, key: str) -> dict:
    """The JSON API's body for the same answers as the form `values`."""
    ratings = [{"subject_id": int(k.split("-")[1]), "dimension_id": int(k.split("-")[2]), "option_id": int(v[0])}
               for k, v in values.items() if k.startswith("r-")]
    answers = [{"question_id": int(k[2:]), "value": v} for k, v in values.items() if k.startswith("q-")]
    return {"code": code, "idempotency_key": key, "ratings": ratings, "answers": answers}


def _read_only_uri(uri: str) -> str:
    url = make_url(uri)
    if url.get_backend_name() == "postgresql":  # as a hot standby or a read-only role answers
        return url.update_query_dict({"options": "-c default_transaction_read_only=on"}).render_as_string(
            hide_password=False
        )
    return f"sqlite:///file:{url.database}?mode=ro&uri=true"


def test_read_only_database_refuses_clearly_and_stores_nothing(app, make_survey, caplog):
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    code = issue_codes(app, survey_id, count=1)[0]
    read_only = other_app(_read_only_uri(app.config["SQLALCHEMY_DATABASE_URI"]))
    key = "read-only-" + "o" * 16
    try:
        client = read_only.test_client()
        assert client.get(f"/s/{code}").status_code == 200  # reading still works
        fields = _assert_submit_again_page(client.post(f"/s/{code}", data=form_data(values, key)), key)
        api = client.post("/api/v1/ballots", json=_api_payload(values, code, key))
        assert api.status_code == 503 and api.get_json()["reason"] == "unavailable"
    finally:
        dispose(read_only)
    assert "readonly database" in caplog.text or "read-only transaction" in caplog.text
    assert stored_rows(app) == (0, 0, 0)
    assert code_status(app, code) is CodeStatus.ISSUED
    assert app.test_client().post(f"/s/{code}", data=fields).status_code == 303
    assert stored_rows(app) == _expected_rows(values)


def test_driver_errors_of_a_full_disk_or_read_only_server_are_the_ones_answered_503():
    """PostgreSQL's disk_full and read_only_sql_transaction, as psycopg raises them,
    are among the errors mapped to the 503 page (a full PostgreSQL disk cannot be staged
    here without the server's own disk)."""
    import psycopg.errors
    from sqlalchemy.exc import DBAPIError

    from survey_app.blueprints.errors import DATABASE_UNAVAILABLE

    for sqlstate in ("53100", "25006", "57P01", "08006"):  # disk full, read-only, shutdown, link lost
        wrapped = DBAPIError.instance("INSERT", {}, psycopg.errors.lookup(sqlstate)(), psycopg.Error)
        assert isinstance(wrapped, DATABASE_UNAVAILABLE), sqlstate
