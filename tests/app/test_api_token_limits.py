"""API tokens that expire and may be limited to some surveys (issue #12, finding 14)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import ApiToken, Role, Survey, Unit
from survey_app.services.platform import api_tokens, users

PASSWORD = "correct horse battery"


def _token(app, *, days=90, survey_ids=(), created=None, username="integrator", unit_ids=()):
    with app.app_context():
        user = users.find_user(username) or users.create_user(username, PASSWORD, Role.VIEWER, unit_ids=unit_ids)
        chosen = [db.session.get(Survey, survey_id) for survey_id in survey_ids]
        _row, plain = api_tokens.create_token(user, "干部管理系统", days=days, surveys=chosen, now=created)
        db.session.commit()
        return plain


def _get(client, survey_id, token):
    return client.get(f"/api/v1/surveys/{survey_id}/results", headers={"Authorization": f"Bearer {token}"})


def test_a_token_works_until_its_expiry_and_not_after(app, client, make_survey):
    survey_id = make_survey()
    now = datetime.now(UTC)
    fresh = _token(app, days=30, created=now - timedelta(days=29, hours=23))
    expired = _token(app, days=30, created=now - timedelta(days=30, minutes=1))
    assert _get(client, survey_id, fresh).status_code == 200
    response = _get(client, survey_id, expired)
    assert response.status_code == 401
    assert "令牌" in response.get_json()["error"]


def test_a_token_expires_after_90_days_unless_chosen_otherwise(app):
    with app.app_context():
        user = users.create_user("integrator", PASSWORD, Role.VIEWER)
        now = datetime(2026, 12, 7, tzinfo=UTC)
        token, _plain = api_tokens.create_token(user, "x", now=now)
        assert token.expires_at == now + timedelta(days=90)
        with pytest.raises(Exception, match="有效期"):
            api_tokens.create_token(user, "y", days=10_000, now=now)


def test_a_token_limited_to_a_survey_reads_only_that_one(app, client, make_survey):
    allowed, other = make_survey(), make_survey(title="另一个测评")
    plain = _token(app, survey_ids=[allowed])
    assert _get(client, allowed, plain).status_code == 200
    refused = _get(client, other, plain)
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "这个令牌只能读取创建时选定的问卷"}
    unlimited = _token(app, username="other-integrator")
    assert _get(client, other, unlimited).status_code == 200


def test_the_tokens_page_sets_lifetime_and_surveys(app, client, auth, make_survey):
    allowed, _other = make_survey(), make_survey(title="另一个测评")
    auth.login("admin", Role.ADMIN)
    page = client.get("/admin/tokens/").get_data(as_text=True)
    assert 'name="days"' in page and 'name="survey_ids"' in page
    response = client.post("/admin/tokens/", data={"name": "对接", "days": "30", "survey_ids": [str(allowed)]})
    assert response.status_code == 200
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert [survey.id for survey in token.surveys] == [allowed]
        expires_at = token.expires_at.replace(tzinfo=token.expires_at.tzinfo or UTC)
        assert abs(expires_at - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)


@pytest.mark.parametrize("days", ["7", "abc", "-1"])
def test_a_lifetime_not_offered_is_refused_and_creates_nothing(app, client, auth, days):
    auth.login("admin", Role.ADMIN)
    assert client.post("/admin/tokens/", data={"name": "对接", "days": days}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_a_scoped_user_cannot_limit_a_token_to_a_survey_outside_his_units(app, client, auth, make_survey):
    outside = make_survey()
    with app.app_context():
        unit = Unit(name="市教育局", category="市直部门")
        db.session.add(unit)
        db.session.commit()
        unit_id = unit.id
    auth.create_user("scoped", Role.VIEWER, unit_ids=[unit_id])
    auth.login("scoped")
    assert str(outside) not in re.findall(r'<option value="(\d+)"', client.get("/admin/tokens/").get_data(as_text=True))
    response = client.post("/admin/tokens/", data={"name": "对接", "days": "90", "survey_ids": [str(outside)]})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 0
