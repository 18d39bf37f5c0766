"""The respondent's pages: code entry, the ballot's size budget, refusals, open links,
rate limits and CSRF."""

import gzip
import re

import pytest
from sqlalchemy import select

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db, limiter
from survey_app.models import Ballot, Survey
from survey_app.services.respondents import codes
from tests.app.respondent_helpers import (
    ballot_count,
    complete_values,
    form_data,
    issue_codes,
    make_big_survey,
)

BUDGET = 30 * 1024


@pytest.fixture
def survey_id(make_survey):
    return make_survey(publish=True)


# ---- code entry -------------------------------------------------------------------------


def test_code_entry_page_forwards_a_typed_code(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    assert "输入评议码" in client.get("/s").text
    response = client.post("/s", data={"code": f" {code[:4].lower()} {code[4:]} "})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/s/{code}")


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-2345-X", "OOOO-IIII", "<script>", "ZZZZ-ZZZZ"])
def test_code_entry_page_explains_a_wrong_code(client, survey_id, typed):
    response = client.post("/s", data={"code": typed})
    assert response.status_code == 404
    assert "评议码无效" in response.text
    assert "<script>" not in response.text.split("<main")[1]


def test_unknown_code_url_shows_a_clear_page(client):
    response = client.get("/s/ABCDEFGH")
    assert response.status_code == 404
    assert "评议码无效" in response.text and "重新输入评议码" in response.text


def test_thank_you_page(client, survey_id):
    page = client.get(f"/s/thanks/{survey_id}")
    assert page.status_code == 200 and "感谢您的参与" in page.text and "data-clear-draft" in page.text


def test_thank_you_page_names_the_survey_only_to_whoever_just_submitted(app, client, survey_id, make_survey):
    """Issue #12 (14): /s/thanks/<id> showed any published survey's title to anyone."""
    with app.app_context():
        title = db.session.get(Survey, survey_id).title
    draft_id = make_survey(publish=False)
    for guessed in (survey_id, draft_id, 999_999):
        for query in ("", "?t=forged", f"?t={survey_id}.AAAA.BBBB"):
            page = client.get(f"/s/thanks/{guessed}{query}")
            assert page.status_code == 200 and "感谢您的参与" in page.text
            assert title not in page.text and "答卷已完整保存" not in page.text
    code = issue_codes(app, survey_id)[0]
    submitted = client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id)))
    thanks = client.get(submitted.headers["Location"])
    assert f"您对“{title}”的答卷已完整保存" in thanks.text
    other = submitted.headers["Location"].replace(f"/s/thanks/{survey_id}?", f"/s/thanks/{draft_id}?")
    assert "答卷已完整保存" not in client.get(other).text  # a token names one survey only


# ---- the ballot page --------------------------------------------------------------------


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def test_ballot_page_of_30_subjects_fits_the_budget_with_everything(app, client):
    survey_id = make_big_survey(app)
    code = issue_codes(app, survey_id, group_key="staff", count=1)[0]
    page = client.get(f"/s/{code}", headers={"Accept-Encoding": "gzip, deflate"})
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.data).decode()
    assert html.count('type="radio"') >= 30 * 4 * 5
    transferred = len(page.data)
    for url in _assets(html):
        assert not url.startswith(("http:", "https:", "//")), f"request to another host: {url}"
        if url.startswith("data:"):
            continue
        asset = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200, url
        transferred += len(asset.data)
        body = gzip.decompress(asset.data) if asset.headers.get("Content-Encoding") == "gzip" else asset.data
        assert b"@font-face" not in body and b"http://" not in body and b"https://" not in body
    print(f"ballot page, CSS and JS as transferred: {transferred} bytes")
    assert transferred <= BUDGET


def test_ballot_page_has_no_inline_script_or_style(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    html = client.get(f"/s/{code}").text
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "<style" not in html and " style=" not in html and " onclick=" not in html
    assert "script-src 'self'" in client.get(f"/s/{code}").headers["Content-Security-Policy"]


def test_ballot_page_shows_cards_options_unknown_and_conditions(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    html = client.get(f"/s/{code}").text
    assert html.count('class="card subj"') == 3
    assert "不了解" in html and "张伟" in html and "市发改委" in html
    assert 'data-if="q-' in html and "仅当上面“总体评价”选择“不满意”时回答" in html
    assert 'name="idempotency_key"' in html
    assert "匿名评议" in html
    served = issue_codes(app, survey_id, group_key="served")[0]
    assert client.get(f"/s/{served}").text.count('class="card subj"') == 2


def test_ballot_page_is_never_cached(app, client, survey_id):
    code = issue_codes(app, survey_id)[0]
    assert client.get(f"/s/{code}").headers["Cache-Control"] == "no-store"


def test_static_assets_are_served_compressed(client):
    css = client.get("/static/css/ballot.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in css.headers["Vary"]
    with client.get("/static/css/ballot.css") as plain:  # a file response: close it
        assert "Content-Encoding" not in plain.headers and gzip.decompress(css.data) == plain.data


# ---- open links (公众评议) -----------------------------------------------------------------


def _open_link(app, survey_id: int, group_key: str = "served") -> str:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        link = codes.create_open_link(survey, codes.find_group(survey, group_key), actor=None)
        db.session.commit()
        return link.token


def test_open_link_takes_one_ballot_per_browser(app, client, survey_id):
    token = _open_link(app, survey_id)
    values = complete_values(app, survey_id, group_key="served")
    assert client.get(f"/o/{token}").status_code == 200
    assert client.post(f"/o/{token}", data=form_data(values, "o" * 22)).status_code == 303
    assert client.get(f"/o/{token}").status_code == 409
    assert client.post(f"/o/{token}", data=form_data(values, "p" * 22)).status_code == 409
    with app.app_context():
        assert db.session.scalars(select(Ballot.is_open_link)).all() == [True]


def test_open_link_double_tap_stores_once(app, survey_id):
    token = _open_link(app, survey_id)
    data = form_data(complete_values(app, survey_id, group_key="served"), "tap" * 8)
    for _ in range(2):  # two fresh browsers, same form: a retry after a lost reply
        assert app.test_client().post(f"/o/{token}", data=data).status_code == 303
    assert ballot_count(app) == 1


def test_disabled_open_link_is_refused(app, client, survey_id):
    token = _open_link(app, survey_id)
    with app.app_context():
        link = codes.find_open_link(token)
        codes.set_open_link_active(link, False, actor=None)
        db.session.commit()
    assert client.get(f"/o/{token}").status_code == 404
    assert client.get("/o/not-a-token").status_code == 404


# ---- rate limits and CSRF ---------------------------------------------------------------


@pytest.fixture
def limited_app(app):
    """A second app on the same database with rate limits on and small limits."""
    limited = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        CODE_FAILURE_LIMIT="3 per minute",
        OPEN_LINK_LIMIT="2 per hour",
        OPEN_BURST_LIMIT="1 per 10 minutes",
    )
    with limited.app_context():
        limiter.reset()
    try:
        yield limited
    finally:
        with limited.app_context():
            limiter.reset()
            db.session.remove()
            db.engine.dispose()


def test_failed_code_attempts_are_rate_limited_per_address(app, limited_app, survey_id):
    code = issue_codes(app, survey_id)[0]
    client = limited_app.test_client()
    for _ in range(5):  # successes do not count
        assert client.get(f"/s/{code}").status_code == 200
    for _ in range(3):
        assert client.post("/s", data={"code": "ZZZZ-ZZZZ"}).status_code == 404
    blocked = client.post("/s", data={"code": "ZZZZ-ZZZZ"})
    assert blocked.status_code == 429
    assert "输错的次数太多" in blocked.text
    assert client.get("/s/ZZZZZZZZ").status_code == 429  # the limit is shared by every code entry
    other = limited_app.test_client()
    assert other.get("/s/ZZZZZZZZ", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404


def test_open_link_submissions_are_limited_and_bursts_flagged(app, limited_app, survey_id):
    token = _open_link(app, survey_id)
    values = complete_values(app, survey_id, group_key="served")
    statuses = [
        limited_app.test_client().post(f"/o/{token}", data=form_data(values, f"burst-{i}-" + "b" * 16)).status_code
        for i in range(3)
    ]
    assert statuses == [303, 303, 429]
    with app.app_context():
        flags = sorted(db.session.scalars(select(Ballot.quality_flag)).all(), key=str)
    assert flags == [None, "burst"]


def test_code_ballot_needs_no_csrf_token_but_open_link_does(app, survey_id):
    strict = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        WTF_CSRF_ENABLED=True)
    try:
        code = issue_codes(app, survey_id)[0]
        token = _open_link(app, survey_id)
        client = strict.test_client()
        assert client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id))).status_code == 303
        values = complete_values(app, survey_id, group_key="served")
        assert client.post(f"/o/{token}", data=form_data(values, "c" * 22)).status_code == 400
        page = client.get(f"/o/{token}").text
        csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        posted = client.post(f"/o/{token}", data={**form_data(values, "d" * 22), "csrf_token": csrf_token})
        assert posted.status_code == 303
    finally:
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()


def test_open_link_challenge_when_configured(app, survey_id):
    token = _open_link(app, survey_id)
    app.config["OPEN_LINK_CHALLENGE"] = True
    client = app.test_client()
    values = complete_values(app, survey_id, group_key="served")
    page = client.get(f"/o/{token}").text
    a, b = map(int, re.search(r"(\d) 加 (\d) 等于几", page).groups())
    challenge = re.search(r'name="challenge_token" value="([^"]+)"', page).group(1)
    wrong = client.post(f"/o/{token}", data={**form_data(values, "w" * 22), "challenge_token": challenge,
                                             "challenge_answer": str(a + b + 1)})
    assert wrong.status_code == 422 and "请填写正确的计算结果" in wrong.text
    assert client.post(f"/o/{token}", data=form_data(values, "x" * 22)).status_code == 422
    right = client.post(f"/o/{token}", data={**form_data(values, "y" * 22), "challenge_token": challenge,
                                             "challenge_answer": str(a + b)})
    assert right.status_code == 303
    assert ballot_count(app) == 1
