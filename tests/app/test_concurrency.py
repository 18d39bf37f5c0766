"""Under any concurrency a code yields at most one ballot.

Runs on whatever database the `app` fixture gives: the SQLite file by default, PostgreSQL
when the suite runs with TEST_DATABASE_URL (CI runs both). Threads start together at a
barrier and each uses its own test client (so its own app context and session).
"""

import threading
from datetime import UTC, datetime

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AccessCode, Ballot, CodeStatus
from survey_app.services.respondents import ballots
from tests.app.respondent_helpers import ballot_count, complete_values, form_data, issue_codes

THREADS = 8
ROUNDS = 6


def _post_together(app, code: str, data_for, path: str | None = None) -> list[int]:
    """POST the same code from THREADS clients at once; return their status codes."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = [0] * THREADS

    def submit(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[index] = client.post(path or f"/s/{code}", data=data_for(index)).status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_concurrent_submissions_with_different_keys_store_exactly_one(app, make_survey):
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    for round_number, code in enumerate(issue_codes(app, survey_id, count=ROUNDS), 1):
        statuses = _post_together(app, code, lambda i: form_data(values, f"key-{i:02d}-" + "z" * 16))
        assert sorted(statuses) == [303] + [409] * (THREADS - 1), statuses
        assert ballot_count(app) == round_number


def test_concurrent_double_tap_with_one_key_stores_one_and_thanks_all(app, make_survey):
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    for round_number, code in enumerate(issue_codes(app, survey_id, count=ROUNDS), 1):
        statuses = _post_together(app, code, lambda _i: form_data(values, "double-tap-" + "q" * 16))
        assert statuses == [303] * THREADS, statuses
        assert ballot_count(app) == round_number


def test_concurrent_service_calls_burn_a_code_once(app, make_survey):
    """The service and one commit per call, without the web layer in between."""
    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id)
    code = issue_codes(app, survey_id, count=1)[0]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def submit(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                result = ballots.submit_with_code(code, values, f"svc-{index:02d}-" + "y" * 16, datetime.now(UTC))
                db.session.commit()
                outcomes.append(result.outcome.value)
            except ballots.BallotRefused as refused:
                db.session.rollback()
                outcomes.append(refused.reason)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["stored"] + ["used_code"] * (THREADS - 1)
    with app.app_context():
        assert len(db.session.scalars(select(Ballot.id)).all()) == 1
        assert db.session.scalars(select(AccessCode.status)).all() == [CodeStatus.USED]


def test_concurrent_double_tap_on_an_open_link_stores_one(app, make_survey):
    from survey_app.models import Survey
    from survey_app.services.respondents import codes

    survey_id = make_survey(publish=True)
    values = complete_values(app, survey_id, group_key="served")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        token = codes.create_open_link(survey, codes.find_group(survey, "served"), actor=None).token
        db.session.commit()
    for round_number in range(1, ROUNDS + 1):
        key = f"open-{round_number:02d}-" + "o" * 16
        statuses = _post_together(app, "", lambda _i, key=key: form_data(values, key), path=f"/o/{token}")
        assert statuses == [303] * THREADS, statuses
        assert ballot_count(app) == round_number
