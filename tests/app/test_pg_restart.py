"""PostgreSQL restarting during submissions, without touching the shared server.

The app under test reaches PostgreSQL through a TCP proxy (tests/app/fault_helpers.py) that
"restarts" it: every connection cut, new ones refused for a while, then accepted again;
or its backends are ended with pg_terminate_backend, as a fast shutdown does. The
respondent caught by it gets the 503 page in Chinese with the answers kept in its
resubmit form; nothing half-written stays; the app recovers by itself (pool_pre_ping).
PostgreSQL only: skipped on SQLite.
"""

import os
import threading
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from survey_app.extensions import db
from survey_app.models import CodeStatus, Role
from tests.app.fault_helpers import (
    FlakyProxy,
    code_status,
    dispose,
    other_app,
    resubmit_fields,
    stored_rows,
)
from tests.app.respondent_helpers import complete_values, form_data, issue_codes

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or ""
APPLICATION_NAME = "pingyi-fault-tests"

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL on PostgreSQL"
)


@pytest.fixture
def proxy():
    url = make_url(TEST_DATABASE_URL)
    flaky = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield flaky
    finally:
        flaky.close()


def _proxied_uri(proxy: FlakyProxy) -> str:
    url = make_url(TEST_DATABASE_URL).set(host="127.0.0.1", port=proxy.port)
    url = url.update_query_dict({"application_name": APPLICATION_NAME})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def behind_proxy(app, proxy):
    """An app instance (own pool) whose every database connection goes through `proxy`."""
    instance = other_app(_proxied_uri(proxy))
    try:
        yield instance
    finally:
        dispose(instance)


@pytest.fixture
def survey(app, make_survey):
    survey_id = make_survey(publish=True)
    return survey_id, complete_values(app, survey_id)


def _on_ballot_insert(instance, fault) -> list:
    """Run `fault` once, right after a submission's ballot row went to the server."""
    with instance.app_context():
        engine = db.engine
    fired: list = []

    def hook(_conn, _cursor, statement, *_args):
        if not fired and statement.lstrip().upper().startswith("INSERT INTO BALLOTS"):
            fired.append(True)
            fault()

    event.listen(engine, "after_cursor_execute", hook)
    return fired


def _terminate_app_backends() -> int:
    """End the backends of the app under test (only those: they carry its application_name)."""
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ), {"name": APPLICATION_NAME}).all())
    finally:
        admin.dispose()


def _assert_submit_again(response, key: str) -> dict[str, list[str]]:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert "答卷没有提交成功，请重新提交" in page
    fields = resubmit_fields(page)
    assert fields["idempotency_key"] == [key]
    return fields


@pytest.mark.parametrize("restart", ["proxy", "terminate"])
def test_restart_during_a_submission_asks_to_submit_again_and_leaves_nothing_half_written(
    app, proxy, behind_proxy, survey, restart
):
    survey_id, values = survey
    code = issue_codes(app, survey_id, count=1)[0]
    client = behind_proxy.test_client()
    assert client.get(f"/s/{code}").status_code == 200  # the pool holds a live connection
    fault = proxy.go_down if restart == "proxy" else _terminate_app_backends
    fired = _on_ballot_insert(behind_proxy, fault)
    key = "restarted-" + "r" * 16

    response = client.post(f"/s/{code}", data=form_data(values, key))

    assert fired == [True]
    fields = _assert_submit_again(response, key)
    assert fields == {**values, "idempotency_key": [key]}  # every answer is still on the page
    assert stored_rows(app) == (0, 0, 0)  # the burned code and the ballot row were rolled back
    assert code_status(app, code) is CodeStatus.ISSUED
    if restart == "proxy":
        assert client.post(f"/s/{code}", data=fields).status_code == 503  # still down: asked again
        proxy.come_up()
    # The server is back: the same app, not restarted, takes the resubmitted form once.
    assert client.post(f"/s/{code}", data=fields).status_code == 303
    assert client.post(f"/s/{code}", data=fields).status_code == 303  # a double tap: thanked
    assert stored_rows(app)[0] == 1
    assert code_status(app, code) is CodeStatus.USED


def test_while_the_server_is_down_every_kind_of_page_says_so_clearly(app, auth, proxy, behind_proxy, survey):
    survey_id, values = survey
    code = issue_codes(app, survey_id, count=1)[0]
    auth.create_user("organizer", Role.ORGANIZER)
    client = behind_proxy.test_client()
    client.post("/auth/login", data={"username": "organizer", "password": auth.PASSWORD})
    assert client.get("/admin/surveys").status_code == 200
    proxy.go_down()

    ballot_page = client.get(f"/s/{code}")
    assert ballot_page.status_code == 503 and "系统暂时繁忙" in ballot_page.get_data(as_text=True)
    _assert_submit_again(client.post(f"/s/{code}", data=form_data(values, "down-" + "d" * 16)), "down-" + "d" * 16)
    api = client.post("/api/v1/ballots", json={"code": code, "idempotency_key": "api-" + "a" * 16})
    assert api.status_code == 503 and api.get_json()["reason"] == "unavailable"
    assert api.headers["Retry-After"]
    admin_page = client.get("/admin/surveys")
    assert admin_page.status_code == 503 and "系统暂时无法访问数据库" in admin_page.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503

    proxy.come_up()
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/surveys").status_code == 200
    assert client.post(f"/s/{code}", data=form_data(values, "down-" + "d" * 16)).status_code == 303
    assert code_status(app, code) is CodeStatus.USED


def test_after_a_quick_restart_the_next_request_just_works(app, proxy, behind_proxy, survey):
    """pool_pre_ping: the pool's connections died with the server; the first request after
    the restart finds that out before using one and reconnects."""
    survey_id, values = survey
    codes = issue_codes(app, survey_id, count=2)
    client = behind_proxy.test_client()
    assert client.get(f"/s/{codes[0]}").status_code == 200
    before = proxy.connections
    proxy.restart(down_for=0.2)
    assert client.get(f"/s/{codes[0]}").status_code == 200
    assert proxy.connections > before  # a new connection, not a dead one
    assert _terminate_app_backends() >= 1
    assert client.post(f"/s/{codes[0]}", data=form_data(values, "after-" + "a" * 16)).status_code == 303
    assert stored_rows(app)[0] == 1


def test_restart_under_concurrent_submissions_leaves_only_whole_ballots(app, proxy, behind_proxy, survey):
    """Phones submitting one after another, overlapping, while the server restarts (as the
    fourth ballot commits): each is stored whole or told to submit again, and every
    resubmission then stores once."""
    survey_id, values = survey
    codes = issue_codes(app, survey_id, count=12)
    replies: dict[str, tuple[int, dict]] = {}
    commits: list[int] = []
    restarting = threading.Thread(target=proxy.restart, kwargs={"down_for": 0.3})
    with behind_proxy.app_context():
        engine = db.engine

    @event.listens_for(engine, "commit")
    def restart_at_the_fourth_commit(_conn):
        commits.append(1)
        if len(commits) == 4:
            restarting.start()

    def phone(code: str) -> None:
        data = form_data(values, f"phone-{code}-" + "p" * 16)
        response = behind_proxy.test_client().post(f"/s/{code}", data=data)
        page = response.get_data(as_text=True)
        replies[code] = (response.status_code, resubmit_fields(page) if response.status_code == 503 else data)

    threads = [threading.Thread(target=phone, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
        time.sleep(0.04)
    for thread in threads:
        thread.join(60)
    restarting.join(10)
    event.remove(engine, "commit", restart_at_the_fourth_commit)

    assert {status for status, _data in replies.values()} <= {303, 503}
    used = [code for code in codes if code_status(app, code) is CodeStatus.USED]
    thanked = [code for code, (status, _data) in replies.items() if status == 303]
    assert set(thanked) <= set(used)  # a 503 whose COMMIT got through before the cut is used too
    ballots_, ratings, answers = stored_rows(app)
    assert ballots_ == len(used) and ratings == 6 * ballots_ and answers == ballots_  # whole ballots only
    client = behind_proxy.test_client()
    for code, (_status, data) in replies.items():  # everyone told to submit again does
        assert client.post(f"/s/{code}", data=data).status_code == 303
    assert stored_rows(app) == (len(codes), 6 * len(codes), len(codes))
