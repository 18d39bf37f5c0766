"""NUL characters and deeply nested JSON get a clear 4xx in Chinese, never a 500
(issue #12, finding 12). PostgreSQL is where NUL used to fail: run this file there too."""

import json
from io import BytesIO

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Role, Survey
from survey_app.services.design import definitions

NUL_MESSAGE = "请求中含有空字符（NUL），无法处理；未做任何修改"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/o/%00", None),
        ("GET", "/o/ab%00cd", None),
        ("GET", "/s/%00", None),
        ("POST", "/s/%00", {"x": "1"}),
        ("GET", "/s?code=%00", None),
        ("POST", "/auth/login", {"username": "ad\x00min", "password": "whatever-password"}),
        ("POST", "/auth/login", {"username": "admin", "password": "pass\x00word"}),
        ("POST", "/locale", {"locale": "en", "next": "/\x00"}),
        ("GET", "/auth/login?next=/%00", None),
    ],
)
def test_nul_from_anyone_is_a_400_in_chinese(client, method, path, data):
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/admin/dossiers/%00", None),
        ("GET", "/admin/dossiers/ab%00/dossier.pdf", None),
        ("GET", "/admin/surveys?unit=%00", None),
        ("POST", "/admin/users", {"username": "new\x00user", "password": "a long password", "role": "viewer"}),
        ("POST", "/admin/tokens/", {"name": "对接\x00", "days": "90"}),
        ("POST", "/auth/password", {"current": "x\x00", "new": "a new long secret", "new_again": "a new long secret"}),
    ],
)
def test_nul_from_a_signed_in_user_is_a_400_and_changes_nothing(app, client, auth, method, path, data):
    auth.login("admin", Role.ADMIN)
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert client.get("/admin/surveys").status_code == 200  # still signed in, nothing broken


def test_nul_in_the_api_is_a_json_400(client):
    response = client.get("/api/v1/surveys/1/results?x=%00", headers={"Authorization": "Bearer x"})
    assert response.status_code == 400
    assert response.get_json() == {"error": NUL_MESSAGE}


def test_no_get_route_answers_a_nul_argument_with_a_500(app, client, auth):
    auth.login("admin", Role.ADMIN)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments:
            continue
        response = client.get(rule.rule, query_string={"q": "\x00"})
        assert response.status_code == 400, rule.rule


def test_a_nul_in_a_ballot_field_is_left_to_the_ballot_page(client):
    # The ballot service refuses it with the page again and the answers kept
    # (tests/app/test_hostile_input.py); a bare 400 page would lose them.
    response = client.post("/s", data={"code": "AB\x00CD"})
    assert response.status_code != 500 and NUL_MESSAGE not in response.get_data(as_text=True)


def test_text_without_nul_passes(client):
    assert client.get("/auth/login?next=/admin/surveys").status_code == 200


# ---- deep JSON -----------------------------------------------------------------------------


def _import(client, text: str):
    return client.post("/admin/surveys/import", content_type="multipart/form-data",
                       data={"definition": (BytesIO(text.encode()), "survey.json")})


def _surveys(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Survey.id)))


@pytest.mark.parametrize(
    "text",
    [
        "[" * 200_000 + "]" * 200_000,  # past the interpreter's stack: RecursionError before
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        '{"format_version": 1, "title": ' + "[" * 40 + "]" * 40 + "}",  # parses, but absurd
    ],
    ids=["deep-list", "deep-object", "over-the-limit"],
)
def test_a_deeply_nested_survey_file_is_refused_in_chinese(app, client, auth, text):
    auth.login()
    response = _import(client, text)
    assert response.status_code == 400
    assert "JSON 嵌套层数过多（超过 32 层），这不是问卷定义" in response.get_data(as_text=True)
    assert _surveys(app) == 0


def test_a_real_definition_still_imports(app, client, auth, make_survey):
    with app.app_context():
        exported = definitions.export_definition(db.session.get(Survey, make_survey()))
    auth.login()
    assert _import(client, json.dumps(exported, ensure_ascii=False)).status_code == 302
    assert _surveys(app) == 2
