"""The ballot submission hot path (services/respondents/ballots.py, ballot_rules.published_rules).

A published survey's rules are compiled once per worker, so a submission is one read
(code and survey), the burn and the inserts; the stored ballot is the same on SQLite
(multi-row VALUES) and PostgreSQL (unnest arrays); refusals still quote current wording.
"""

from datetime import UTC, datetime

from sqlalchemy import event, select

from survey_app.extensions import db
from survey_app.models import Answer, Ballot, Dimension, Rating, ScaleKind, Survey
from survey_app.services.design import structure
from survey_app.services.respondents import ballots
from tests.app.factories import _system_user
from tests.app.respondent_helpers import (
    complete_values,
    form_data,
    ids,
    issue_codes,
    publish_with_score_scale,
)


def _statements(app, client, code: str, values: dict) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()[:3]).upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.post(f"/s/{code}", data=form_data(values, key=f"{code}-key-padding")).status_code == 303
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_submission_reads_the_code_once_and_no_structure(app, client, make_survey):
    survey_id = make_survey(publish=True)
    first, second = issue_codes(app, survey_id, count=2)
    values = complete_values(app, survey_id)
    _statements(app, client, first, values)  # compiles the rules
    statements = _statements(app, client, second, values)
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], statements
    assert not any(table in " ".join(statements) for table in ("SUBJECTS", "DIMENSIONS", "SCALE_OPTIONS"))


def test_stored_ballot_is_exactly_what_was_sent(app, client, make_survey):
    survey_id = make_survey(publish=True)
    code = issue_codes(app, survey_id, count=1)[0]
    parts = ids(app, survey_id)
    values = complete_values(app, survey_id)
    labels = ["优秀", "称职", "不了解", "不称职", "基本称职", "称职"]
    expected = {}
    for (subject, dimension), label in zip(
            [(s, d) for s in parts["subjects"] for d in parts["dimensions"]], labels, strict=True):
        values[f"r-{subject}-{dimension}"] = [str(parts["options"][label])]
        expected[(subject, dimension)] = parts["options"][label]
    values[f"q-{parts['questions'][0]}"] = ["不满意"]
    values[f"q-{parts['questions'][1]}"] = ["办事拖沓，“回复慢”；\\ {不是} 'NULL'"]
    assert client.post(f"/s/{code}", data=form_data(values)).status_code == 303
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        scores = {o.id: o.score for o in survey.scale_options}
        ratings = db.session.execute(select(Rating.subject_id, Rating.dimension_id, Rating.option_id, Rating.score))
        assert {(r.subject_id, r.dimension_id): (r.option_id, r.score) for r in ratings} == {
            key: (option, scores[option]) for key, option in expected.items()}
        answers = db.session.execute(select(Answer.question_id, Answer.value_text)).all()
        assert sorted(answers) == sorted([(parts["questions"][0], "不满意"),
                                          (parts["questions"][1], "办事拖沓，“回复慢”；\\ {不是} 'NULL'")])
        ballot = db.session.scalars(select(Ballot)).one()
        assert ballot.is_open_link is False and ballot.is_excluded is False and ballot.respondent_name is None
        assert ballot.submitted_on == ballots.local_day(datetime.now(UTC))  # the day only


def test_score_scale_ballot_stores_scores_without_options(app, client, make_survey):
    survey_id = make_survey()
    publish_with_score_scale(app, survey_id)
    code = issue_codes(app, survey_id, count=1)[0]
    parts = ids(app, survey_id)
    values = {f"r-{s}-{d}": ["87.5"] for s in parts["subjects"] for d in parts["dimensions"]}
    values[f"q-{parts['questions'][0]}"] = ["满意"]
    assert client.post(f"/s/{code}", data=form_data(values)).status_code == 303
    with app.app_context():
        assert db.session.get(Survey, survey_id).scale_kind is ScaleKind.SCORE
        assert set(db.session.execute(select(Rating.option_id, Rating.score)).all()) == {(None, 87.5)}


def test_a_refusal_quotes_the_current_wording(app, client, make_survey):
    survey_id = make_survey(publish=True, excellent_cap_percent=20)
    first, second = issue_codes(app, survey_id, count=2)
    assert client.post(f"/s/{first}", data=form_data(complete_values(app, survey_id))).status_code == 303
    parts = ids(app, survey_id)
    with app.app_context():  # wording may change after publication
        dimension = db.session.get(Dimension, parts["dimensions"][0])
        structure.update_dimension(dimension, {"name": "为民服务意识"}, _system_user())
        db.session.commit()
    values = complete_values(app, survey_id)
    for subject in parts["subjects"][:2]:
        values[f"r-{subject}-{parts['dimensions'][0]}"] = [str(parts["options"]["优秀"])]
    response = client.post(f"/s/{second}", data=form_data(values, key="second-key-padding"))
    assert response.status_code == 422
    assert "“为民服务意识”一项" in response.text and "最多 1 人" in response.text
