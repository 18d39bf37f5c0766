"""Submitting a ballot with a code: stored whole or not at all, once, anonymously."""

import random
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Date, func, inspect, select

from survey_app.extensions import db
from survey_app.models import AccessCode, Answer, Ballot, CodeStatus, Rating, Survey, SurveyStatus
from survey_app.services.respondents import ballot_store, ballots, codes, sealing, simulation
from tests.app.respondent_helpers import (
    ballot_count,
    complete_values,
    form_data,
    ids,
    issue_codes,
)


@pytest.fixture
def survey_id(make_survey):
    return make_survey(publish=True)


def _code_status(app, code: str) -> CodeStatus:
    with app.app_context():
        return db.session.scalar(select(AccessCode.status).where(AccessCode.code_hash == codes.code_hash(code)))


def test_submission_stores_whole_ballot_and_burns_code(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    response = client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id)))
    assert response.status_code == 303
    assert f"/s/thanks/{survey_id}?t=" in response.headers["Location"]
    with app.app_context():
        ballot = db.session.scalars(select(Ballot)).one()
        assert len(ballot.ratings) == 3 * 2
        assert [a.value_text for a in ballot.answers] == ["满意"]
        assert ballot.submitted_on == ballots.local_day(datetime.now(UTC))
        assert ballot.respondent_name is None and not ballot.is_open_link
        row = db.session.scalars(select(AccessCode).where(AccessCode.code_hash == codes.code_hash(code))).one()
        assert row.status is CodeStatus.USED and isinstance(row.used_on, date)
    assert "感谢" in client.get(response.headers["Location"]).text


def test_second_submission_of_a_code_is_refused(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    values = complete_values(app, survey_id)
    assert client.post(f"/s/{code}", data=form_data(values, "a" * 22)).status_code == 303
    again = client.post(f"/s/{code}", data=form_data(values, "b" * 22))
    assert again.status_code == 409
    assert "已经提交过" in again.text
    assert client.get(f"/s/{code}").status_code == 409
    assert ballot_count(app) == 1


def test_retry_with_same_idempotency_key_shows_thanks_and_stores_nothing(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    data = form_data(complete_values(app, survey_id), "same-key-" + "x" * 16)
    first, second = client.post(f"/s/{code}", data=data), client.post(f"/s/{code}", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert ballot_count(app) == 1


def test_lower_case_and_dashed_code_is_accepted(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    page = client.get(f"/s/{code[:4].lower()}-{code[4:].lower()}")
    assert page.status_code == 301 and page.headers["Location"].endswith(f"/s/{code}")
    assert client.get(f"/s/{code}").status_code == 200


def test_invalid_ballot_changes_nothing_and_keeps_what_was_entered(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    values = complete_values(app, survey_id)
    missing = sorted(k for k in values if k.startswith("r-"))[0]
    kept = sorted(k for k in values if k.startswith("r-"))[1]
    del values[missing]
    response = client.post(f"/s/{code}", data=form_data(values))
    assert response.status_code == 422
    assert "需要修改" in response.text
    # the message sits in the item it concerns, and the other answers are still chosen
    block = response.text.split(f'data-key="{missing}"')[1].split('data-key="')[0]
    assert "请选择" in block
    kept_block = response.text.split(f'data-key="{kept}"')[1].split('data-key="')[0]
    assert f'value="{values[kept][0]}" checked' in kept_block
    assert ballot_count(app) == 0
    assert _code_status(app, code) is CodeStatus.ISSUED


def _bad_inputs(parts: dict, values: dict) -> dict[str, dict]:
    first = sorted(k for k in values if k.startswith("r-"))[0]
    other_question, reason_question = (f"q-{q}" for q in parts["questions"])
    return {
        "missing answer": {k: v for k, v in values.items() if k != first},
        "unknown option": {**values, first: ["999999"]},
        "option as text": {**values, first: ["优秀"]},
        "two options for one item": {**values, first: [str(parts["options"]["优秀"]), str(parts["options"]["称职"])]},
        "choice not offered": {**values, other_question: ["非常满意"]},
        "script tag": {**values, other_question: ["不满意"], reason_question: ["<script>alert(1)</script>"]},
        "oversized text": {**values, other_question: ["不满意"], reason_question: ["太" * 2001]},
        "control characters": {**values, other_question: ["不满意"], reason_question: ["a\x00b"]},
        "subject not on ballot": {**values, f"r-99999-{parts['dimensions'][0]}": [str(parts["options"]["优秀"])]},
        "huge number": {**values, first: ["1" * 40]},
    }


@pytest.mark.parametrize("case", [
    "missing answer", "unknown option", "option as text", "two options for one item", "choice not offered",
    "script tag", "oversized text", "control characters", "subject not on ballot", "huge number",
])
def test_bad_and_malicious_input_is_refused_with_a_clear_4xx(app, client, survey_id, case):
    code = issue_codes(app, survey_id)[0]
    values = _bad_inputs(ids(app, survey_id), complete_values(app, survey_id))[case]
    response = client.post(f"/s/{code}", data=form_data(values))
    assert response.status_code == 422
    # Told what to change where it can be marked, else only that nothing was submitted.
    assert "需要修改" in response.text or "答卷没有提交成功" in response.text
    assert "您填写的内容都还在" in response.text
    assert "<script>alert(1)</script>" not in response.text  # echoed back escaped, never live
    assert ballot_count(app) == 0
    assert _code_status(app, code) is CodeStatus.ISSUED


def test_missing_idempotency_key_is_refused(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    response = client.post(f"/s/{code}", data=complete_values(app, survey_id))
    assert response.status_code == 422
    assert ballot_count(app) == 0


def test_answer_to_a_question_that_does_not_apply_is_dropped(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    values = complete_values(app, survey_id)  # 总体评价 满意: the reason question is hidden
    values[f"q-{ids(app, survey_id)['questions'][1]}"] = ["写了也不算"]
    assert client.post(f"/s/{code}", data=form_data(values)).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Answer.value_text)).all() == ["满意"]


def test_unknown_option_counts_as_no_score(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    values = complete_values(app, survey_id, label="不了解")
    assert client.post(f"/s/{code}", data=form_data(values)).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Rating.score)).all() == [None] * 6


def test_excellent_cap_is_checked_on_the_server(app, client, make_survey):
    survey_id = make_survey(publish=True, excellent_cap_percent=20)
    code = issue_codes(app, survey_id)[0]
    parts = ids(app, survey_id)
    values = complete_values(app, survey_id)
    dim = parts["dimensions"][0]
    for subject in parts["subjects"][:2]:
        values[f"r-{subject}-{dim}"] = [str(parts["options"]["优秀"])]
    response = client.post(f"/s/{code}", data=form_data(values))
    assert response.status_code == 422
    assert "最多 1 人" in response.text
    values[f"r-{parts['subjects'][1]}-{dim}"] = [str(parts["options"]["称职"])]
    assert client.post(f"/s/{code}", data=form_data(values)).status_code == 303


def _set(app, survey_id: int, **fields) -> None:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for key, value in fields.items():
            setattr(survey, key, value)
        db.session.commit()


@pytest.mark.parametrize(("fields", "status", "text"), [
    ({"status": SurveyStatus.CLOSED}, 410, "已经结束"),
    ({"closes_at": datetime.now(UTC) - timedelta(minutes=1)}, 410, "已经结束"),
    ({"status": SurveyStatus.DRAFT}, 403, "尚未开始"),
    ({"opens_at": datetime.now(UTC) + timedelta(hours=1)}, 403, "尚未开始"),
])
def test_survey_outside_its_window_takes_no_ballot(app, client, survey_id, fields, status, text):
    code = issue_codes(app, survey_id)[0]
    values = complete_values(app, survey_id)
    _set(app, survey_id, **fields)
    assert client.get(f"/s/{code}").status_code == status
    response = client.post(f"/s/{code}", data=form_data(values))
    assert response.status_code == status and text in response.text
    assert ballot_count(app) == 0


def test_voided_code_is_refused(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    with app.app_context():
        codes.void_code(db.session.get(Survey, survey_id), code, actor=None)
        db.session.commit()
    response = client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id)))
    assert response.status_code == 410 and "作废" in response.text
    assert ballot_count(app) == 0


def test_named_survey_records_the_respondent(app, client, make_survey):
    survey_id = make_survey(publish=True, is_anonymous=False)
    first, second = issue_codes(app, survey_id, count=2)
    values = complete_values(app, survey_id)
    assert client.post(f"/s/{first}", data=form_data(values)).status_code == 422  # name required
    assert client.post(f"/s/{first}", data=form_data({**values, "name": ["王市长"]})).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Ballot.respondent_name)).all() == ["王市长"]


def test_anonymous_survey_never_stores_a_name(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    values = {**complete_values(app, survey_id), "name": ["张三"]}
    assert client.post(f"/s/{code}", data=form_data(values)).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Ballot.respondent_name)).all() == [None]


# ---- anonymity by construction ----------------------------------------------------------


def test_ballot_tables_have_no_link_to_codes_people_or_times(app):
    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("ballots", "ratings", "answers"):
            referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert referred <= {"surveys", "respondent_groups", "subjects", "dimensions", "scale_options",
                                "questions", "ballots"}, table
            names = {c["name"] for c in inspector.get_columns(table)}
            for forbidden in ("code", "token", "ip", "agent", "user", "created", "_at", "time", "hash", "link_id",
                              "duration", "second"):
                assert not any(forbidden in name for name in names), (table, forbidden, names)
        ballot_columns = {c["name"]: c for c in inspector.get_columns("ballots")}
        assert isinstance(ballot_columns["submitted_on"]["type"], Date)
        code_columns = {c["name"]: c for c in inspector.get_columns("access_codes")}
        assert isinstance(code_columns["used_on"]["type"], Date)
        assert not any(n.endswith("_at") for n in code_columns), "no time of use on codes"


def _started(app, code: str, seconds_ago: int) -> str:
    """The signed `started` field of a ballot page rendered `seconds_ago` seconds ago."""
    from survey_app.blueprints import respondent

    with app.test_request_context():
        stamp = int(time.time()) - seconds_ago
        return respondent._signer().sign(f"{stamp}.{respondent._code_digest(code)}").decode()


def test_two_ballots_open_for_different_times_store_the_same_timing(app, client, survey_id):
    """Issue #12 (6): durations stored exactly (7 s, 12 s) paired each ballot with the access
    log's GET and POST of one phone. Now a ballot keeps the day and a too-fast flag only."""
    codes_ = issue_codes(app, survey_id, count=4)
    values = complete_values(app, survey_id)  # 6 ratings + 2 answers: too fast under 10 s
    for code, seconds in zip(codes_, (31, 47, 12, 7), strict=True):
        data = {**form_data(values, code * 3), "started": _started(app, code, seconds)}
        assert client.post(f"/s/{code}", data=data).status_code == 303
    with app.app_context():
        rows = db.session.execute(select(Ballot.submitted_on, Ballot.is_too_fast)).all()
        today = ballots.local_day(datetime.now(UTC))
    assert sorted(rows) == [(today, False)] * 3 + [(today, True)]


def test_too_fast_is_judged_per_answer_with_a_floor():
    assert not ballot_store.too_fast(None, 100) and not ballot_store.too_fast(-5, 100) and not ballot_store.too_fast(10**6, 1)
    assert ballot_store.too_fast(9, 1) and not ballot_store.too_fast(10, 1)  # the floor: 10 s
    assert ballot_store.too_fast(119, 120) and not ballot_store.too_fast(120, 120)  # a second per answer


def test_ballot_ids_are_random_not_sequential(app, client, survey_id):
    for code in issue_codes(app, survey_id, count=5):
        client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id), code * 3))
    with app.app_context():
        ballot_ids = db.session.scalars(select(Ballot.id)).all()
        answer_ids = db.session.scalars(select(Answer.id)).all()
    assert len(set(ballot_ids)) == 5
    assert all(len(i) >= 20 and not i.isdigit() for i in ballot_ids + answer_ids)


def test_seal_clears_idempotency_traces_of_a_closed_survey(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id)))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        with pytest.raises(ballots.DomainError):
            sealing.seal_survey(survey)
        survey.status = SurveyStatus.CLOSED
        sealing.seal_survey(survey)
        db.session.commit()
        assert db.session.scalars(select(AccessCode.idempotency_hash)).all() == [None] * 3
        assert db.session.scalar(select(func.count()).select_from(Rating)) == 6


# ---- demo data --------------------------------------------------------------------------


def test_simulate_ballots_fills_a_survey_through_the_real_path(app, make_survey):
    survey_id = make_survey(publish=True, excellent_cap_percent=34)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        stored = simulation.simulate_ballots(survey, {"superior": 12, "served": 30}, random.Random(7))
        db.session.commit()
        assert stored == 42
        per_group = dict(db.session.execute(
            select(Ballot.group_id, func.count()).group_by(Ballot.group_id)).all())
        assert sorted(per_group.values()) == [12, 30]
        statuses = db.session.scalars(select(AccessCode.status)).all()
        assert statuses.count(CodeStatus.USED) == 42
        scores = db.session.scalars(select(Rating.score)).all()
        assert None in scores  # a few 不了解
        assert sum(1 for s in scores if s == 100) > 0 and sum(1 for s in scores if s == 80) > 0


def test_simulate_ballots_defaults_to_expected_turnout(app, make_survey):
    survey_id = make_survey(publish=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        stored = simulation.simulate_ballots(survey, None, random.Random(1))
        db.session.commit()
    assert 0.85 * 25 - 2 <= stored <= 25


def test_a_rating_of_another_surveys_subject_or_option_is_refused(app, client, survey_id, make_survey):
    # What the ratings' foreign keys to subjects and options used to accept (any existing
    # id); the submission checks against the survey's own published structure instead.
    other = ids(app, make_survey(publish=True, title="另一次测评"))
    code = issue_codes(app, survey_id)[0]
    parts, values = ids(app, survey_id), complete_values(app, survey_id)
    first = f"r-{parts['subjects'][0]}-{parts['dimensions'][0]}"
    for sent in ({**values, f"r-{other['subjects'][0]}-{parts['dimensions'][0]}": [str(parts["options"]["优秀"])]},
                 {**values, first: [str(other["options"]["优秀"])]}):
        assert client.post(f"/s/{code}", data=form_data(sent)).status_code == 422
    assert ballot_count(app) == 0
    assert _code_status(app, code) is CodeStatus.ISSUED
