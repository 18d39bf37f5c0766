"""A ballot page is rendered once per survey wording and language, and each respondent's
page carries only that respondent's own code, key, start time (and on open links CSRF
token and challenge)."""

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.design import structure
from survey_app.services.respondents import ballots, codes
from survey_app.services.results import lifecycle
from tests.app.factories import _system_user
from tests.app.respondent_helpers import ballot_count, complete_values, issue_codes

_OWN_FIELDS = re.compile(r'(action="/s/)[^"]+(")|(name="idempotency_key" value=")[^"]+(")|(name="started" value=")[^"]+(")')


def _without_own_fields(page: str) -> str:
    return _OWN_FIELDS.sub(lambda m: "".join(part or "" for part in m.groups()), page)


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


@pytest.fixture
def survey_id(make_survey):
    return make_survey(publish=True)


@pytest.fixture
def renders(monkeypatch):
    """Count how often a ballot's structure is loaded to render a fresh page."""
    calls = []
    load = ballots.structure_of

    def counting(live):
        calls.append(live)
        return load(live)

    monkeypatch.setattr(ballots, "structure_of", counting)
    return calls


def test_each_respondent_gets_the_same_page_with_only_their_own_code_key_and_start(app, client, survey_id, renders):
    first_code, second_code, third_code = issue_codes(app, survey_id, count=3)
    first, second, third = (client.get(f"/s/{code}").text for code in (first_code, second_code, third_code))

    assert len(renders) == 1  # rendered for the first code, reused for the others
    assert f'action="/s/{first_code}"' in first and f'action="/s/{second_code}"' in second
    assert second_code not in first and third_code not in first and first_code not in second + third
    keys = {_hidden(page, "idempotency_key") for page in (first, second, third)}
    assert len(keys) == 3
    assert all(_hidden(page, "started") for page in (first, second, third))
    assert _without_own_fields(first) == _without_own_fields(second) == _without_own_fields(third)
    assert "<ACTION>" not in second and "<IDEMPOTENCY-KEY>" not in second and "<STARTED>" not in second


def test_a_page_from_the_cache_submits_like_a_fresh_one(app, client, survey_id, renders):
    warm, code = issue_codes(app, survey_id, count=2)
    client.get(f"/s/{warm}")
    page = client.get(f"/s/{code}").text
    assert len(renders) == 1
    values = complete_values(app, survey_id)
    data = {**values, "idempotency_key": _hidden(page, "idempotency_key"), "started": _hidden(page, "started")}
    response = client.post(f"/s/{code}", data=data)
    assert response.status_code == 303 and ballot_count(app) == 1
    assert client.get(f"/s/{code}").status_code == 409  # the code is checked before any cached page


def test_a_wording_edit_after_publication_shows_on_the_next_page(app, client, survey_id, renders):
    before, after = issue_codes(app, survey_id, count=2)
    client.get(f"/s/{before}")
    with app.app_context():
        subject = db.session.get(Survey, survey_id).subjects[0]
        old_name = subject.name
        structure.update_subject(subject, {"name": "新名字测试"}, _system_user())
        db.session.commit()
    page = client.get(f"/s/{after}").text
    assert "新名字测试" in page and old_name not in page
    assert len(renders) == 2


def test_each_language_has_its_own_page(app, client, survey_id, renders):
    chinese, english = issue_codes(app, survey_id, count=2)
    assert 'lang="zh-CN"' in client.get(f"/s/{chinese}").text
    client.post("/locale", data={"locale": "en", "next": "/s"})
    page = client.get(f"/s/{english}").text
    assert 'lang="en"' in page and len(renders) == 2


def test_a_closed_survey_refuses_even_with_its_page_cached(app, client, survey_id, renders):
    warm, late = issue_codes(app, survey_id, count=2)
    client.get(f"/s/{warm}")
    with app.app_context():
        lifecycle.change_status(db.session.get(Survey, survey_id), "close", _system_user())
        db.session.commit()
    response = client.get(f"/s/{late}")
    assert response.status_code == 410 and "<form" not in response.text


# ---- open links ---------------------------------------------------------------------------


def _open_link(app, survey_id: int) -> str:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        link = codes.create_open_link(survey, codes.find_group(survey, "served"), actor=None)
        db.session.commit()
        return link.token


def _strict_app(app):
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      WTF_CSRF_ENABLED=True, OPEN_LINK_CHALLENGE=True)


def test_each_open_link_visitor_gets_their_own_csrf_token_and_challenge(app, survey_id, renders):
    token = _open_link(app, survey_id)
    strict = _strict_app(app)
    try:
        visitors = [strict.test_client() for _ in range(3)]
        pages = [visitor.get(f"/o/{token}").text for visitor in visitors]
        assert len(renders) == 1
        assert len({_hidden(page, "csrf_token") for page in pages}) == 3
        signed = URLSafeTimedSerializer(strict.config["SECRET_KEY"], salt="open-link-challenge")
        for page in pages:  # each page's token signs the answer to its own question
            a, b = map(int, re.search(r"请回答：(\d) 加 (\d) 等于几？", page).groups())
            assert signed.loads(_hidden(page, "challenge_token")) == a + b
        assert not any(mark in page for page in pages for mark in ("<CSRF>", "<CHALLENGE>", "<CHALLENGE-TOKEN>"))

        page, visitor = pages[2], visitors[2]  # answered from a cached page
        a, b = map(int, re.search(r"(\d) 加 (\d) 等于几", page).groups())
        data = {**complete_values(app, survey_id, group_key="served"), "csrf_token": _hidden(page, "csrf_token"),
                "challenge_token": _hidden(page, "challenge_token"), "challenge_answer": str(a + b),
                "idempotency_key": _hidden(page, "idempotency_key"), "started": _hidden(page, "started")}
        assert visitors[0].post(f"/o/{token}", data=data).status_code == 400  # another visitor's CSRF token
        assert visitor.post(f"/o/{token}", data=data).status_code == 303
        assert ballot_count(app) == 1
    finally:
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()


def test_open_link_and_code_pages_of_one_survey_are_cached_apart(app, client, survey_id, renders):
    token = _open_link(app, survey_id)
    code = issue_codes(app, survey_id, group_key="served", count=1)[0]
    open_page, code_page = client.get(f"/o/{token}").text, client.get(f"/s/{code}").text
    assert 'name="csrf_token"' in open_page and 'name="csrf_token"' not in code_page
    assert len(renders) == 2
