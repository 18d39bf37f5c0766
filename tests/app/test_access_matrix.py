"""Access control over every route of the app: anonymous users reach no staff page, and a
viewer changes nothing. Routes are read from the app's URL map, so a new route is covered
the day it is added."""

import pytest

from survey_app.extensions import db
from survey_app.models import AuditEntry, Role

#: Sample values for URL parameters by name.
PARAMETERS = {"kind": "subjects", "action": "publish", "fmt": "svg", "name": "dimensions", "direction": "up",
              "ballot_id": "x", "token": "x", "code": "x"}
#: POST routes a signed-in viewer may use: their own session, language and API tokens.
VIEWER_MAY_POST = {"auth.logout", "main.set_locale", "tokens.create_token", "tokens.revoke_token", "auth.login"}


def _routes(app, prefix):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            values = {arg: PARAMETERS.get(arg, 1) for arg in rule.arguments}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, rule.build(values, append_unknown=False)[1]


@pytest.fixture
def survey_id(make_survey):
    return make_survey(publish=True)


def test_anonymous_users_reach_no_staff_route(app, client, survey_id):
    routes = list(_routes(app, "/admin"))
    assert len(routes) > 60
    for endpoint, method, url in routes:
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert "/auth/login" in response.headers["Location"], endpoint


def test_results_api_wants_a_token(app, client, survey_id):
    response = client.get(f"/api/v1/surveys/{survey_id}/results")
    assert response.status_code == 401 and "error" in response.get_json()


def test_a_viewer_changes_nothing_anywhere(app, client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    with app.app_context():
        audited = db.session.query(AuditEntry).filter(AuditEntry.action != "user.login").count()
    for endpoint, method, url in _routes(app, "/admin"):
        if method != "POST" or endpoint in VIEWER_MAY_POST:
            continue
        response = client.post(url, data={"name": "x", "reason": "x", "action": "exclude"})
        assert response.status_code in (403, 404), (endpoint, response.status_code)
    with app.app_context():
        assert db.session.query(AuditEntry).filter(AuditEntry.action != "user.login").count() == audited


def test_a_viewer_reads_results_but_no_organizer_page(app, client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    assert client.get(f"/admin/reports/{survey_id}").status_code == 200
    for url in (f"/admin/codes/{survey_id}", "/admin/surveys/new", "/admin/surveys/import", "/admin/users",
                "/admin/audit", f"/admin/reports/{survey_id}/quality", f"/admin/reports/{survey_id}/export.csv",
                f"/admin/rosters/{survey_id}/import", "/admin/assessments/new"):
        assert client.get(url).status_code == 403, url


def test_every_page_sends_the_security_headers(client, survey_id):
    for url in ("/auth/login", "/s", "/healthz"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
