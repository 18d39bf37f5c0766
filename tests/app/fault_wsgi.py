"""Test-only WSGI entry point: the real app, plus a pause in the middle of a submission.

Served by gunicorn in tests/app/test_faults.py, never by production (which uses wsgi.py).
When FAULT_PAUSE_FILE is set, the first transaction that inserts a ballot stops at
FAULT_PAUSE_AT (`before_commit`: every row sent, COMMIT not yet; `after_commit`: committed,
reply not yet sent), writes the worker's pid to that file and sleeps, so the test can
SIGKILL the worker at that exact moment. Only the first such transaction pauses.
"""

import os
import threading
import time
from pathlib import Path

from sqlalchemy import event

from survey_app import create_app
from survey_app.extensions import db

app = create_app()

PAUSE_FILE = os.environ.get("FAULT_PAUSE_FILE")
PAUSE_AT = os.environ.get("FAULT_PAUSE_AT", "before_commit")
_state = threading.local()


def _pause(moment: str) -> None:
    if not getattr(_state, "ballot", False) or moment != PAUSE_AT:
        return
    _state.ballot = False
    path = Path(PAUSE_FILE)
    if path.exists():  # paused once already: behave normally
        return
    partial = path.with_suffix(".partial")
    partial.write_text(str(os.getpid()))
    partial.rename(path)  # the test sees the whole pid or nothing
    time.sleep(120)


if PAUSE_FILE:
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "after_cursor_execute")
    def _saw_ballot(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO BALLOTS"):
            _state.ballot = True

    @event.listens_for(engine, "commit")
    def _before_commit(_conn):
        _pause("before_commit")

    @event.listens_for(db.session, "after_commit")
    def _after_commit(_session):
        _pause("after_commit")

    @event.listens_for(engine, "rollback")
    def _forget(_conn):
        _state.ballot = False
