"""POST /api/v1/ballots: the same checks and storage as the phone page, in JSON."""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Ballot
from tests.app.respondent_helpers import ballot_count, complete_values, ids, issue_codes

KEY = "api-key-" + "k" * 16


@pytest.fixture
def survey_id(make_survey):
    return make_survey(publish=True)


def _payload(app, survey_id: int, code: str, key: str = KEY, label: str = "称职") -> dict:
    parts = ids(app, survey_id)
    option = parts["options"][label]
    return {
        "code": code,
        "idempotency_key": key,
        "ratings": [{"subject_id": s, "dimension_id": d, "option_id": option}
                    for s in parts["subjects"] for d in parts["dimensions"]],
        "answers": [{"question_id": parts["questions"][0], "value": "满意"}],
    }


def test_api_stores_a_ballot_then_answers_retries_and_refuses_reuse(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    payload = _payload(app, survey_id, code)
    first = client.post("/api/v1/ballots", json=payload)
    assert first.status_code == 201 and first.get_json() == {"status": "stored"}
    retry = client.post("/api/v1/ballots", json=payload)
    assert retry.status_code == 200 and retry.get_json() == {"status": "already_stored"}
    reuse = client.post("/api/v1/ballots", json={**payload, "idempotency_key": "another-" + "k" * 16})
    assert reuse.status_code == 409 and reuse.get_json()["reason"] == "used_code"
    assert ballot_count(app) == 1


def test_api_and_form_share_one_ballot_per_code(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    assert client.post("/api/v1/ballots", json=_payload(app, survey_id, code)).status_code == 201
    form = client.post(f"/s/{code}", data={**complete_values(app, survey_id), "idempotency_key": "f" * 22})
    assert form.status_code == 409


def test_api_ballot_form_describes_the_ballot(app, client, survey_id):
    code = issue_codes(app, survey_id, group_key="served")[0]
    data = client.post("/api/v1/ballot-forms", json={"code": code}).get_json()
    assert [s["name"] for s in data["subjects"]] == ["张伟", "李娜"]
    assert [o["label"] for o in data["options"]][-1] == "不了解" and data["options"][-1]["score"] is None
    assert data["questions"][1]["show_if"]["values"] == ["不满意"]
    assert client.post("/api/v1/ballot-forms", json={"code": "ZZZZZZZZ"}).status_code == 404


def _bad_payloads(payload: dict) -> dict[str, object]:
    first = payload["ratings"][0]
    question = payload["answers"][0]["question_id"]
    return {
        "not an object": ["code"],
        "code of wrong type": {**payload, "code": 12345678},
        "missing key": {k: v for k, v in payload.items() if k != "idempotency_key"},
        "option id as string": {**payload, "ratings": [{**first, "option_id": str(first["option_id"])},
                                                       *payload["ratings"][1:]]},
        "boolean option": {**payload, "ratings": [{**first, "option_id": True}, *payload["ratings"][1:]]},
        "option and score": {**payload, "ratings": [{**first, "score": 80}, *payload["ratings"][1:]]},
        "duplicate rating": {**payload, "ratings": [*payload["ratings"], first]},
        "ratings not a list": {**payload, "ratings": {"a": 1}},
        "missing rating": {**payload, "ratings": payload["ratings"][1:]},
        "unknown option": {**payload, "ratings": [{**first, "option_id": 424242}, *payload["ratings"][1:]]},
        "script in text": {**payload, "answers": [{"question_id": question, "value": "不满意"},
                                                  {"question_id": question + 1, "value": "<script>x</script>"}]},
        "oversized text": {**payload, "answers": [{"question_id": question, "value": "不满意"},
                                                  {"question_id": question + 1, "value": "长" * 5000}]},
        "value of wrong type": {**payload, "answers": [{"question_id": question, "value": {"x": 1}}]},
    }


@pytest.mark.parametrize("case", [
    "not an object", "code of wrong type", "missing key", "option id as string", "boolean option",
    "option and score", "duplicate rating", "ratings not a list", "missing rating", "unknown option",
    "script in text", "oversized text", "value of wrong type",
])
def test_api_refuses_bad_input_with_a_clear_json_4xx(app, client, survey_id, case):
    code = issue_codes(app, survey_id)[0]
    body = _bad_payloads(_payload(app, survey_id, code))[case]
    response = client.post("/api/v1/ballots", json=body)
    assert 400 <= response.status_code < 500 and response.status_code == 422
    error = response.get_json()
    assert error["error"] and error["reason"] in ("invalid", "malformed")
    assert ballot_count(app) == 0
    assert client.post("/api/v1/ballots", json=_payload(app, survey_id, code)).status_code == 201


def test_api_error_messages_point_at_the_answer(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    payload = _payload(app, survey_id, code)
    dropped = payload["ratings"].pop()
    errors = client.post("/api/v1/ballots", json=payload).get_json()["errors"]
    assert errors == {f"r-{dropped['subject_id']}-{dropped['dimension_id']}": "请选择"}


def test_api_refuses_non_json_and_unknown_codes(client):
    assert client.post("/api/v1/ballots", data="code=1").status_code == 422
    response = client.post("/api/v1/ballots", json={"code": "ZZZZ-ZZZZ", "idempotency_key": KEY})
    assert response.status_code == 404 and response.get_json()["reason"] == "unknown_code"
    assert client.get("/api/v1/ballots").status_code == 405
    assert client.get("/api/v1/ballots").is_json


def test_api_needs_no_csrf_token(app, survey_id):
    from survey_app import create_app
    from survey_app.config import TestingConfig

    strict = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        WTF_CSRF_ENABLED=True)
    try:
        code = issue_codes(app, survey_id)[0]
        assert strict.test_client().post("/api/v1/ballots", json=_payload(app, survey_id, code)).status_code == 201
    finally:
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()


def test_api_score_scale(app, client, make_survey):
    from survey_app.models import ScaleKind, Survey

    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.scale_kind = ScaleKind.SCORE
        survey.scale_options = []
        from survey_app.services.results import lifecycle
        lifecycle.change_status(survey, "publish", None)
        db.session.commit()
    code = issue_codes(app, survey_id)[0]
    parts = ids(app, survey_id)
    ratings = [{"subject_id": s, "dimension_id": d, "score": 87.5} for s in parts["subjects"] for d in parts["dimensions"]]
    body = {"code": code, "idempotency_key": KEY, "ratings": ratings}
    bad = {**body, "ratings": [{**ratings[0], "score": 101}, *ratings[1:]]}
    assert client.post("/api/v1/ballots", json=bad).status_code == 422
    assert client.post("/api/v1/ballots", json=body).status_code == 201
    with app.app_context():
        ballot = db.session.scalars(select(Ballot)).one()
        assert {r.score for r in ballot.ratings} == {87.5}
