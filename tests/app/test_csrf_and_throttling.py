"""CSRF and brute force, on an app with CSRF protection and rate limits on (TestingConfig
turns both off).

- Every state-changing form of the app refuses a POST without a valid CSRF token and changes
  nothing; the only exempt routes are those whose authority is a one-time code in the
  request itself (code ballots and the ballot API), and the results API reads a bearer
  token, never the session cookie.
- Login guessing and code guessing are throttled per address with the shipped limits, and
  a waiting address learns nothing (valid codes are refused too); guesses from other
  addresses never refuse anyone (tests/app/test_code_guessing.py).
- Codes are unguessable: 31⁸ random codes from the OS's CSPRNG, stored only as keyed hashes;
  at the per-address limits, a year of one address's guessing finds a live code with a
  probability under 1%.
"""

import hashlib
import math
import re
from collections import Counter

import pytest
from sqlalchemy import select

from survey_app import create_app
from survey_app.blueprints import code_guard
from survey_app.config import Config, TestingConfig
from survey_app.extensions import db, limiter
from survey_app.models import AccessCode, ApiToken, Survey
from survey_app.services.respondents import codes
from tests.app import test_access_matrix as matrix
from tests.app.respondent_helpers import issue_codes
from tests.app.test_access_matrix import JUNK, PASSWORD, ROLES, db_snapshot

#: The access matrix's world: users of every role with tokens, surveys, codes, plans.
world = matrix.world

#: POST routes without CSRF protection, and why: the one-time code in the request is the
#: only authority (no cookie is involved), so a forged request can do nothing its sender
#: could not do directly (docs/api.md, blueprints/respondent.py).
CSRF_EXEMPT = {"respondent.enter_code", "respondent.submit_ballot", "api.ballot_form", "api.submit_ballot"}
CSRF_MESSAGE = "页面已过期"


def _second_app(app, **config):
    """An app on the same database with other settings; the limiter starts empty."""
    other = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **config)
    if other.config["RATELIMIT_ENABLED"]:
        with other.app_context():
            limiter.reset()
    return other


def _dispose(other) -> None:
    with other.app_context():
        if other.config["RATELIMIT_ENABLED"]:
            limiter.reset()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def strict(app):
    strict = _second_app(app, WTF_CSRF_ENABLED=True)
    try:
        yield strict
    finally:
        _dispose(strict)


def _csrf_token(client, url: str = "/auth/login") -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _login(strict, role: str = "admin"):
    client = strict.test_client()
    response = client.post("/auth/login", data={"username": ROLES[role][0], "password": PASSWORD,
                                                "csrf_token": _csrf_token(client)})
    assert response.status_code == 302
    return client


# ---- CSRF -------------------------------------------------------------------------------


def test_every_state_changing_route_wants_a_csrf_token(app, strict, world):
    client = _login(strict)
    with app.app_context():
        before = db_snapshot()
    exempt = set()
    for rule in strict.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.build(matrix._values(rule, world, "own", "admin"), append_unknown=False)[1]
        response = client.post(url, data=JUNK)
        if rule.endpoint.startswith("api."):
            refused = response.status_code == 400 and CSRF_MESSAGE in response.get_json()["error"]
        else:
            refused = response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
        if not refused:
            exempt.add(rule.endpoint)
    assert exempt == CSRF_EXEMPT
    with app.app_context():
        after = db_snapshot()
    # The exempt code routes refused the junk code; nothing else could have changed anything.
    assert after == before


def test_a_valid_token_is_accepted_and_one_from_another_session_is_not(app, strict, world):
    client = _login(strict)
    token = _csrf_token(client, "/admin/tokens/")
    assert client.post("/admin/tokens/", data={"name": "对接", "csrf_token": token}).status_code == 200
    intruder = _login(strict, "organizer")
    foreign = intruder.post("/admin/tokens/", data={"name": "伪造", "csrf_token": token})
    assert foreign.status_code == 400 and CSRF_MESSAGE in foreign.get_data(as_text=True)
    with app.app_context():
        assert set(db.session.scalars(select(ApiToken.name))) == {"系统对接", "对接"}


def test_a_forged_logout_does_not_sign_anyone_out(strict, world):
    client = _login(strict)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/admin/surveys").status_code == 200  # still signed in


def test_results_api_ignores_the_session_cookie(strict, world):
    client = _login(strict)
    survey_id = world["own"]["survey_id"]
    assert client.get(f"/admin/reports/{survey_id}").status_code == 200
    refused = client.get(f"/api/v1/surveys/{survey_id}/results")
    assert refused.status_code == 401 and refused.is_json
    token = world["tokens"]["admin"][1]
    assert strict.test_client().get(f"/api/v1/surveys/{survey_id}/results",
                                    headers={"Authorization": f"Bearer {token}"}).status_code == 200


# ---- login guessing ---------------------------------------------------------------------


def test_login_guessing_is_throttled_with_the_shipped_limit(app, world):
    limited = _second_app(app, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT=Config.LOGIN_RATE_LIMIT)
    try:
        allowed = int(Config.LOGIN_RATE_LIMIT.split()[0])
        client = limited.test_client()
        # One name per guess: the per-account backoff (tests/app/test_sessions.py) stays out of it.
        guesses = [client.post("/auth/login", data={"username": f"name{i}", "password": f"guess{i}"}).status_code
                   for i in range(allowed + 2)]
        assert guesses == [200] * allowed + [429, 429]
        # Even the right password is refused now: guessing cannot go on until the window ends.
        right = client.post("/auth/login", data={"username": "admin", "password": PASSWORD})
        assert right.status_code == 429
        other = limited.test_client().post("/auth/login", data={"username": "admin", "password": PASSWORD},
                                           environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert other.status_code == 302
    finally:
        _dispose(limited)


# ---- code guessing ----------------------------------------------------------------------


def _guess(client, kind: str, code: str, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    if kind == "form":
        return client.post("/s", data={"code": code}, environ_base=environ)
    if kind == "page":
        return client.get(f"/s/{code}", environ_base=environ)
    if kind == "form_api":
        return client.post("/api/v1/ballot-forms", json={"code": code}, environ_base=environ)
    return client.post("/api/v1/ballots", json={"code": code, "idempotency_key": "g" * 22}, environ_base=environ)


def test_code_guessing_is_throttled_across_every_entry(app, make_survey):
    survey_id = make_survey(publish=True)
    live = issue_codes(app, survey_id, count=1)[0]
    limited = _second_app(app, RATELIMIT_ENABLED=True)
    try:
        allowed = int(code_guard.CODE_FAILURE_LIMIT.split()[0])
        client = limited.test_client()
        kinds = ["form", "page", "form_api", "ballot_api"]
        for _ in range(3):  # successes do not count
            assert _guess(client, "page", live).status_code == 200
        for index in range(allowed):
            assert _guess(client, kinds[index % 4], "ZZZZZZZ" + codes.ALPHABET[index]).status_code == 404
        for kind in kinds:
            blocked = _guess(client, kind, "ZZZZ-ZZZZ")
            assert blocked.status_code == 429, kind
        assert _guess(client, "page", live).status_code == 429  # a blocked address learns nothing
        api = _guess(client, "ballot_api", "ZZZZ-ZZZZ")
        assert api.get_json()["reason"] == "rate_limited" and "Retry-After" in api.headers
        assert _guess(client, "page", live, address="10.9.9.9").status_code == 200  # others are not blocked
    finally:
        _dispose(limited)


# ---- codes stay unguessable -------------------------------------------------------------


def test_codes_are_random_over_the_whole_alphabet_and_stored_only_as_keyed_hashes(app, make_survey):
    survey_id = make_survey(publish=True)
    issued = issue_codes(app, survey_id, count=2000)
    assert len(set(issued)) == 2000
    assert all(len(code) == codes.CODE_LENGTH and set(code) <= set(codes.ALPHABET) for code in issued)
    counts = Counter("".join(issued))  # 16 000 symbols, about 516 of each
    assert set(counts) == set(codes.ALPHABET)
    assert all(400 < n < 640 for n in counts.values()), counts  # far outside: ~10 standard deviations
    first = Counter(code[0] for code in issued)
    assert len(first) == len(codes.ALPHABET)  # no fixed prefix, no sequence
    with app.app_context():
        stored = set(db.session.scalars(select(AccessCode.code_hash)))
    assert len(stored) == 2000
    plain_hashes = {hashlib.sha256(code.encode()).hexdigest() for code in issued[:50]}
    assert not stored & (set(issued) | plain_hashes)  # a database copy cannot be matched without the key


def test_a_year_of_guessing_from_one_address_finds_no_live_code():
    space = len(codes.ALPHABET) ** codes.CODE_LENGTH
    per_day = int(code_guard.CODE_FAILURE_LIMIT.split(";")[-1].split()[0])
    assert code_guard.CODE_FAILURE_LIMIT.endswith("per day")
    guesses = per_day * 365
    live = 10 * codes.MAX_BATCH  # ten whole batches of unused codes, all the year long
    chance = -math.expm1(guesses * math.log1p(-live / space))
    assert space > 8e11 and chance < 0.01, chance


def test_open_links_are_unguessable_too(app, make_survey):
    survey_id = make_survey(publish=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        tokens = {codes.create_open_link(survey, survey.groups[1], None).token for _ in range(50)}
        db.session.commit()
    assert len(tokens) == 50 and all(len(token) >= 16 for token in tokens)  # token_urlsafe(12): 96 random bits
