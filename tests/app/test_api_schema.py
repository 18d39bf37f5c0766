"""The OpenAPI document at /api/v1/openapi.json, checked against the running app by
schemathesis (in process, through the WSGI app): every response of every /api/v1
operation, for generated valid and invalid requests, must be documented (status, content
type, headers, body schema), never a 500, invalid input rejected with a 4xx.

Bounded: a few dozen examples per operation and phase (about a minute on a busy machine).
"""

import itertools
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from survey_app import create_app
from survey_app.blueprints.api import OPENAPI_DOCUMENT
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.platform import api_tokens, users
from tests.app.factories import cast
from tests.app.respondent_helpers import ids, issue_codes

#: Valid JSON for the schema is not always a valid ballot (a rating of a subject the ballot
#: does not hold, a missing rating, the 优秀 cap): the service answers 422 `invalid` there,
#: and 410 for a code of a closed survey. Both are documented.
POSITIVE_STATUSES = ["200", "201", "401", "403", "404", "409", "410", "422", "429"]
CONFIG = schemathesis.Config.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
})


def test_the_document_is_served_and_is_the_file(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document == json.loads(OPENAPI_DOCUMENT.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.")


def test_the_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    base = document["servers"][0]["url"]
    described = {(base + path.replace("{survey_id}", "<int:survey_id>"), method.upper())
                 for path, item in document["paths"].items() for method in item}
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == described


def _valid_ballot(app, survey_id: int, code: str) -> dict:
    parts = ids(app, survey_id)
    return {"ratings": [{"subject_id": s, "dimension_id": d, "option_id": parts["options"]["称职"]}
                        for s in parts["subjects"] for d in parts["dimensions"]],
            "answers": [{"question_id": parts["questions"][0], "value": "满意"}],
            "code": code}


@pytest.fixture
def live(app, make_survey):
    """A rated survey, live codes and a results token (organizer, unscoped)."""
    survey_id = make_survey(publish=True)
    for labels in (("优秀", "称职"), ("称职", "称职"), ("基本称职", "优秀")):
        cast(app, survey_id, "superior", {"C1": labels, "C2": labels, "C3": labels})
    with app.app_context():
        owner = users.create_user("integrator", "correct horse battery", Role.ORGANIZER)
        _row, token = api_tokens.create_token(owner, "schemathesis")
        db.session.commit()
    return {"app": app, "survey_id": survey_id, "token": token, "sent": itertools.count(),
            "codes": iter(issue_codes(app, survey_id, count=400))}


#: Loaded once from an app without a database (serving the document needs none); each test
#: then points it at its own app, so every test has a fresh database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://"), config=CONFIG)


def _steer(case, live) -> None:
    """Point some valid requests at real data, so that they get past "unknown code" and
    "no such survey" and the documented 200/201 bodies are checked too."""
    turn = next(live["sent"])
    if case.path.endswith("/results"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {live['token']}"}
        if turn % 2:
            case.path_parameters = {"survey_id": live["survey_id"]}
    elif isinstance(case.body, dict) and "code" in case.body:
        code = next(live["codes"])
        if case.path.endswith("/ballots") and turn % 4 == 0:
            case.body.update(_valid_ballot(live["app"], live["survey_id"], code))  # stored: 201
        else:
            case.body["code"] = code


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, live):
    case.operation.app = case.operation.schema.app = live["app"]  # the checks' own requests too
    if case.meta and case.meta.generation.mode is GenerationMode.POSITIVE:
        _steer(case, live)
    # The WSGI client does not undo gzip as an HTTP client would.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
