"""Twenty phones submit the same code at the same instant: exactly one ballot, every time.

A real server (gunicorn, several worker processes with threads) on the database of the
`app` fixture: SQLite by default, PostgreSQL with TEST_DATABASE_URL. Each round issues a
fresh code and POSTs it from CLIENTS clients released together by a barrier, each with
its own idempotency key (different phones). A read-then-write burn fails this test; the
conditional UPDATE with its row-count check does not (docs/operations.md, "Failure
behaviour").
"""

import os
import time

from survey_app.models import CodeStatus
from tests.app.fault_helpers import code_status, encode_form, post_together
from tests.app.respondent_helpers import ballot_count, complete_values, form_data, issue_codes

CLIENTS = 20
ROUNDS = int(os.environ.get("RACE_ROUNDS", "50"))
#: The whole race must stay well inside CI's budget, even on a busy machine.
TIME_LIMIT = 240


def test_twenty_clients_racing_on_one_code_store_exactly_one_ballot(app, make_survey, servers):
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    round_codes = issue_codes(app, survey_id, count=ROUNDS)
    server = servers.start(workers=4, threads=5)
    began = time.monotonic()
    for number, code in enumerate(round_codes, 1):
        bodies = [encode_form(form_data(values, f"race-{number:02d}-{i:02d}-" + "r" * 16)) for i in range(CLIENTS)]
        replies = post_together(server.port, f"/s/{code}", bodies)
        statuses = sorted(status for status, _body in replies)
        assert statuses == [303] + [409] * (CLIENTS - 1), (number, statuses, server.log()[-3000:])
        assert all("已经提交过答卷" in body for status, body in replies if status == 409)
        assert ballot_count(app) == number
        assert code_status(app, code) is CodeStatus.USED
    assert time.monotonic() - began < TIME_LIMIT
