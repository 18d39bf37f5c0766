"""Venue networks: a hall's shared address must not let one attendee block the hall (issue #12, 5).

At an on-site vote the whole hall reaches the server from one NAT address. Organizers
declare the hall's network and the meeting's window; during the window the address spends
a budget of its own, and once it is spent the hall's own survey's codes are still taken
while any other code gets the unknown code's refusal. Its failures are counted per venue
(shown on the codes page) and toward the surge alarm; after the window the normal
per-address limits apply again.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.blueprints import code_guard
from survey_app.extensions import db, limiter
from survey_app.models import AuditEntry, Ballot, Role, Survey, Unit, VenueNetwork
from survey_app.services.platform import audit_text, users
from survey_app.services.respondents import venues
from survey_app.timezones import LOCAL_ZONE
from tests.app.respondent_helpers import complete_values, form_data, issue_codes
from tests.app.test_code_guessing import _bad, _limited_app

HALL = "10.8.0.17"  # the hall's NAT address
PASSWORD = "correct horse battery"


def _declare(app, survey_id: int, network: str = "10.8.0.0/24", *, starts=-1.0, ends=2.0) -> int:
    """Declare a venue whose window runs from `starts` to `ends` hours from now."""
    now = datetime.now(UTC)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        venue = venues.add_venue(survey, {"label": "三楼会议室", "network": network,
                                          "starts_at": now + timedelta(hours=starts),
                                          "ends_at": now + timedelta(hours=ends)}, None, now)
        db.session.commit()
        venues.forget_cached()
        return venue.id


def _end_window(app, venue_id: int) -> None:
    """Move the venue's window into the past (the meeting is over)."""
    now = datetime.now(UTC)
    with app.app_context():
        venue = db.session.get(VenueNetwork, venue_id)
        venue.starts_at, venue.ends_at = now - timedelta(hours=3), now - timedelta(minutes=1)
        db.session.commit()
    venues.forget_cached()


@pytest.fixture
def hall(app):
    """The app with rate limiting on and low limits: 5 failures a minute per address, an
    alarm past 100 failures over the site."""
    limited = _limited_app(app, CODE_FAILURE_LIMIT="5 per minute;20 per day", CODE_SURGE_LIMIT="100 per 10 minutes")
    try:
        yield limited
    finally:
        venues.forget_cached()
        with limited.app_context():
            limiter.reset()
            db.session.remove()
            db.engine.dispose()


def _sign_in(app, username: str, role: Role, unit_ids=()):
    with app.app_context():
        users.create_user(username, PASSWORD, role, unit_ids=unit_ids)
        db.session.commit()
    client = app.test_client()
    assert client.post("/auth/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_one_attendee_guessing_does_not_block_the_hall(app, hall, make_survey):
    survey_id = make_survey(publish=True)
    live = issue_codes(app, survey_id, count=3)
    client = hall.test_client()
    at_hall = {"REMOTE_ADDR": HALL}
    assert _bad(client, HALL, 6) == [404] * 5 + [429]  # early arrivals' typos, before the venue existed
    venue_id = _declare(app, survey_id)

    assert _bad(client, HALL, 100) + _bad(client, HALL, 100, route="api") == [404] * 200  # never a 429
    page = client.get(f"/s/{live[0]}", environ_base=at_hall)
    assert page.status_code == 200
    assert client.post("/api/v1/ballot-forms", json={"code": live[1]}, environ_base=at_hall).status_code == 200
    started = re.search(r'name="started" value="([^"]+)"', page.text).group(1)
    posted = client.post(f"/s/{live[0]}", data={**form_data(complete_values(app, survey_id)), "started": started},
                         environ_base=at_hall)
    assert posted.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1

    # Another address is limited as before, and the hall's failures never touched it.
    assert _bad(client, "10.9.0.1", 6) == [404] * 5 + [429]
    assert client.get(f"/s/{live[2]}", environ_base={"REMOTE_ADDR": "10.9.0.2"}).status_code == 200

    # The staff see the hall's count; the surge alarm saw the failures too.
    with hall.app_context():
        window = venues.list_venues(db.session.get(Survey, survey_id))[0]
        assert code_guard.venue_failures(window) == 200  # the five before the window were the address's
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == code_guard.SURGE_ACTION)).all()
    staff = _sign_in(hall, "hall-organizer", Role.ORGANIZER)
    codes_page = staff.get(f"/admin/codes/{survey_id}")
    assert "本会场输错评议码 200 次" in codes_page.text and "进行中" in codes_page.text

    # The meeting is over: the hall's addresses are limited like any other again (HALL is
    # still over its limit from before the window; its neighbour's failures count afresh).
    _end_window(app, venue_id)
    assert client.get(f"/s/{live[2]}", environ_base=at_hall).status_code == 429
    assert _bad(client, "10.8.0.18", 6) == [404] * 5 + [429]
    assert client.get(f"/s/{live[2]}", environ_base={"REMOTE_ADDR": "10.8.0.18"}).status_code == 429


def test_a_venue_covers_only_its_network_and_its_window(app, hall, make_survey):
    survey_id = make_survey(publish=True)
    _declare(app, survey_id, "2001:db8:1::/48", starts=1, ends=3)  # tomorrow's meeting: not yet
    _declare(app, survey_id, "10.8.0.0/24")
    client = hall.test_client()
    assert _bad(client, "2001:db8:1:2::5", 6) == [404] * 5 + [429]
    assert _bad(client, "10.8.1.5", 6) == [404] * 5 + [429]  # next door, outside the /24
    assert _bad(client, "::ffff:10.8.0.99", 20) == [404] * 20  # the hall, as an IPv4-mapped address


def test_active_venue_for_compares_the_window_with_the_clock(app, make_survey):
    survey_id = make_survey(publish=True)
    _declare(app, survey_id, "10.8.0.0/24", starts=1, ends=3)
    now = datetime.now(UTC)
    with app.app_context():
        assert venues.active_venue_for(HALL, now) is None
        assert venues.active_venue_for(HALL, now + timedelta(hours=2)).label == "三楼会议室"
        assert venues.active_venue_for(HALL, now + timedelta(hours=3)) is None
        assert venues.active_venue_for("10.8.1.1", now + timedelta(hours=2)) is None
        assert venues.active_venue_for("not an address", now) is None


# ---- declaring and removing ------------------------------------------------------------------


def _local(hours: float) -> str:
    return (datetime.now(LOCAL_ZONE) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _form(network="10.8.0.17/24", starts=-0.5, ends=2.0, label="三楼会议室") -> dict:
    return {"venue-label": label, "venue-network": network, "venue-starts_at": _local(starts),
            "venue-ends_at": _local(ends)}


def _venue_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(VenueNetwork))


@pytest.mark.parametrize(("form", "message"), [
    (_form(network="10.8.0.300"), "不是有效的 IP 地址或网段"),
    (_form(network="三楼"), "不是有效的 IP 地址或网段"),
    (_form(network="10.8.0.0/16"), "网段太大"),
    (_form(network="2001:db8::/32"), "网段太大"),
    (_form(starts=2, ends=1), "结束时间必须晚于开始时间"),
    (_form(starts=1, ends=1), "结束时间必须晚于开始时间"),
    (_form(starts=0, ends=25), "最长 24 小时"),
    (_form(starts=-3, ends=-1), "结束时间已经过去"),
    (_form(label=""), "请填写会场名称"),
    ({**_form(), "venue-ends_at": "明天"}, "不是有效的日期"),
])
def test_a_bad_venue_is_refused_with_a_message_and_nothing_stored(app, client, auth, make_survey, form, message):
    survey_id = make_survey(publish=True)
    auth.login()
    response = client.post(f"/admin/codes/{survey_id}/venues", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.text and "会场网络没有添加" in response.text
    assert _venue_count(app) == 0
    with app.app_context():
        assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "codes.venue_add")).all()


@pytest.mark.parametrize(("given", "stored"), [
    ("10.8.0.17/24", "10.8.0.0/24"), (" 203.0.113.7 ", "203.0.113.7/32"),
    ("2001:db8:1:2::5/48", "2001:db8:1::/48"), ("::ffff:203.0.113.7", "203.0.113.7/32"),
])
def test_an_organizer_declares_a_venue_and_removes_it_audited(app, client, auth, make_survey, given, stored):
    survey_id = make_survey(publish=True)
    auth.login()
    response = client.post(f"/admin/codes/{survey_id}/venues", data=_form(network=given), follow_redirects=True)
    assert "已添加会场网络" in response.text and stored in response.text
    with app.app_context():
        venue = db.session.scalars(select(VenueNetwork)).one()
        assert venue.network == stored and venue.label == "三楼会议室"
        assert timedelta(hours=2, minutes=29) < venue.ends_at - venue.starts_at <= timedelta(hours=2, minutes=31)
        venue_id = venue.id
    page = client.post(f"/admin/codes/{survey_id}/venues/{venue_id}/remove", follow_redirects=True)
    assert "已删除会场网络" in page.text and _venue_count(app) == 0
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("codes.venue_%"))
                                     .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["codes.venue_add", "codes.venue_remove"]
        with app.test_request_context():
            sentence = audit_text.describe(entries[0]).sentence
        assert sentence.startswith("organizer 添加了现场测评会场网络“三楼会议室”：" + stored)


def test_viewers_and_organizers_who_may_not_issue_codes_cannot_touch_venues(app, make_survey):
    survey_id = make_survey(publish=True)  # subjects of 市发改委 and 市财政局: city-wide
    venue_id = _declare(app, survey_id)
    with app.app_context():
        inside = db.session.scalar(select(Unit.id).where(Unit.name == "市发改委"))
        outside = Unit(name="市教育局")
        db.session.add(outside)
        db.session.commit()
        outside_id = outside.id
    for username, role, unit_ids, status in (("v", Role.VIEWER, (), 403), ("so", Role.ORGANIZER, [inside], 403),
                                             ("oo", Role.ORGANIZER, [outside_id], 404)):
        client = _sign_in(app, username, role, unit_ids)
        assert client.post(f"/admin/codes/{survey_id}/venues", data=_form()).status_code == status, username
        assert client.post(f"/admin/codes/{survey_id}/venues/{venue_id}/remove").status_code == status, username
    assert _venue_count(app) == 1


def test_a_venue_of_another_survey_is_not_removed_through_this_one(app, client, auth, make_survey):
    first, second = make_survey(publish=True), make_survey(publish=True)
    venue_id = _declare(app, first)
    auth.login()
    assert client.post(f"/admin/codes/{second}/venues/{venue_id}/remove").status_code == 404
    assert _venue_count(app) == 1


def test_a_hall_that_spent_its_budget_opens_only_its_own_surveys_codes(app, hall, make_survey):
    """A declared venue reveals nothing of other surveys' codes: once the hall's budget is
    spent, another survey's live code gets the unknown code's refusal, word for word."""
    own_id, other_id = make_survey(publish=True), make_survey(publish=True)
    own, other = issue_codes(app, own_id, count=2), issue_codes(app, other_id, count=2)
    _declare(app, own_id)
    client = hall.test_client()
    at_hall = {"REMOTE_ADDR": HALL}
    assert client.get(f"/s/{other[0]}", environ_base=at_hall).status_code == 200  # within budget: as anywhere
    assert _bad(client, HALL, 5) == [404] * 5  # the hall's budget (5 a minute) is spent

    unknown = client.get("/s/ABCDEFGH", environ_base=at_hall)
    foreign = client.get(f"/s/{other[1]}", environ_base=at_hall)
    assert (foreign.status_code, foreign.text) == (unknown.status_code, unknown.text) == (404, unknown.text)
    assert "评议码无效" in foreign.text
    api_unknown = client.post("/api/v1/ballot-forms", json={"code": "ABCDEFGH"}, environ_base=at_hall)
    api_foreign = client.post("/api/v1/ballot-forms", json={"code": other[1]}, environ_base=at_hall)
    assert (api_foreign.status_code, api_foreign.json) == (api_unknown.status_code, api_unknown.json)
    typed = client.post("/s", data={"code": other[1]}, environ_base=at_hall)
    assert typed.status_code == 404 and "评议码无效" in typed.text

    assert client.get(f"/s/{own[0]}", environ_base=at_hall).status_code == 200  # the hall's own vote goes on
    assert client.post("/api/v1/ballot-forms", json={"code": own[1]}, environ_base=at_hall).status_code == 200
    assert client.get(f"/s/{other[1]}", environ_base={"REMOTE_ADDR": "10.9.0.3"}).status_code == 200  # still live


def test_failures_in_the_hall_do_not_follow_its_address_after_the_window(app, hall, make_survey):
    survey_id = make_survey(publish=True)
    live = issue_codes(app, survey_id, count=1)
    venue_id = _declare(app, survey_id)
    client = hall.test_client()
    assert _bad(client, HALL, 30) == [404] * 30
    _end_window(app, venue_id)
    assert client.get(f"/s/{live[0]}", environ_base={"REMOTE_ADDR": HALL}).status_code == 200
