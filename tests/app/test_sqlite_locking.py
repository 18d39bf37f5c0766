"""SQLite under write contention: writers wait for the lock, none fails.

"database is locked" must never reach a respondent as an error: a submission waits for
the write lock up to SQLITE_BUSY_TIMEOUT_MS (busy_timeout), and past that bound gets the
503 "submit again" page with its answers kept, nothing stored. SQLite only (skipped when
the suite runs on PostgreSQL, whose row locks test_race.py exercises).
"""

import os
import sqlite3
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
from tests.app.respondent_helpers import ballot_count, complete_values, form_data, issue_codes

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's write lock: the suite runs on PostgreSQL"
)


def _path(app) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


class LockHog:
    """Another process's writer: takes SQLite's write lock for `hold` seconds, again and again."""

    def __init__(self, path: str, hold: float, gap: float = 0.02):
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self.hold, self.gap = hold, gap
        self.stopping = threading.Event()
        self.holds = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.connection.execute("BEGIN IMMEDIATE")
            self.holds += 1
            self.stopping.wait(self.hold)
            self.connection.execute("COMMIT")
            time.sleep(self.gap)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.stopping.set()
        self.thread.join(30)
        self.connection.close()


def test_many_processes_writing_at_once_all_succeed(app, make_survey, servers):
    """3 worker processes × 4 threads, 24 phones submitting at once, plus a writer that
    keeps taking the lock: every ballot is stored, no respondent sees an error."""
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    phones, per_phone = 24, 4
    all_codes = issue_codes(app, survey_id, count=phones * per_phone)
    server = servers.start(workers=3, threads=4)
    statuses: list[int] = []
    barrier = threading.Barrier(phones)

    def phone(index: int) -> None:
        barrier.wait()
        for number in range(per_phone):
            code = all_codes[index * per_phone + number]
            body = encode_form(form_data(values, f"phone-{index:02d}-{number}-" + "p" * 16))
            statuses.append(request(server.port, "POST", f"/s/{code}", body)[0])

    with LockHog(_path(app), hold=0.2) as hog:
        threads = [threading.Thread(target=phone, args=(i,)) for i in range(phones)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert hog.holds > 1
    assert statuses == [303] * (phones * per_phone), sorted(set(statuses))
    assert ballot_count(app) == phones * per_phone
    assert "database unavailable" not in server.log()


def test_a_commit_between_reading_the_code_and_burning_it_does_not_fail(app, make_survey):
    """A submission reads its code, then writes. If another ballot commits in between, the
    write must wait for the lock, not fail: a transaction holding a read snapshot from
    before that commit cannot upgrade to writing (SQLITE_BUSY_SNAPSHOT, "database is
    locked", whatever the busy timeout). BEGIN is therefore sent before the first write,
    not before the first read."""
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    first_code, second_code = issue_codes(app, survey_id, count=2)
    with app.app_context():
        engine = db.engine
    interleaved = []

    def other_ballot_commits_meanwhile(_conn, _cursor, statement, *_args):
        if not interleaved and statement.lstrip().upper().startswith("SELECT") and "access_codes" in statement:
            interleaved.append("other")
            other = threading.Thread(target=lambda: interleaved.append(
                app.test_client().post(f"/s/{second_code}", data=form_data(values, "second-" + "s" * 16)).status_code
            ))
            other.start()
            other.join(30)

    event.listen(engine, "after_cursor_execute", other_ballot_commits_meanwhile)
    try:
        first = app.test_client().post(f"/s/{first_code}", data=form_data(values, "first-" + "f" * 16))
    finally:
        event.remove(engine, "after_cursor_execute", other_ballot_commits_meanwhile)
    assert interleaved == ["other", 303]
    assert first.status_code == 303, first.get_data(as_text=True)[:300]
    assert ballot_count(app) == 2


def test_lock_held_past_the_bound_asks_to_submit_again_and_keeps_the_answers(app, make_survey, caplog):
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    code = issue_codes(app, survey_id, count=1)[0]
    impatient = other_app(app.config["SQLALCHEMY_DATABASE_URI"], SQLITE_BUSY_TIMEOUT_MS=300)
    blocker = sqlite3.connect(_path(app), isolation_level=None)
    key = "locked-out-" + "l" * 16
    try:
        client = impatient.test_client()
        assert client.get(f"/s/{code}").status_code == 200
        blocker.execute("BEGIN IMMEDIATE")  # e.g. a long import or backup holding the lock
        began = time.monotonic()
        response = client.post(f"/s/{code}", data=form_data(values, key))
        waited = time.monotonic() - began
        blocker.execute("ROLLBACK")
        page = response.get_data(as_text=True)
        assert response.status_code == 503, page[:300]
        assert "答卷没有提交成功，请重新提交" in page
        assert 0.25 <= waited < 5  # waited for the lock, within the bound
        fields = resubmit_fields(page)
        assert fields == {**values, "idempotency_key": [key]}
        assert "database is locked" in caplog.text
        assert stored_rows(app) == (0, 0, 0)
        assert code_status(app, code) is CodeStatus.ISSUED
        assert client.post(f"/s/{code}", data=fields).status_code == 303  # the lock is free again
    finally:
        blocker.close()
        dispose(impatient)
    assert ballot_count(app) == 1
    assert code_status(app, code) is CodeStatus.USED
