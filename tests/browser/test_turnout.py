"""The projector's turnout page: bars line up, and a low turnout does not look done."""

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.platform import users
from tests.app.factories import SurveyFactory
from tests.app.respondent_helpers import complete_values, form_data, issue_codes

PASSWORD = "viewer-password"


def test_bars_line_up_and_the_badge_colour_follows_the_turnout(live_server, page):
    base, app = live_server.url, live_server.app
    survey_id = SurveyFactory(app)(publish=True)
    client = app.test_client()
    for code in issue_codes(app, survey_id, count=5)[:4]:  # 上级 4 of 5 (80%), 服务对象 0 of 20 (0%)
        assert client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id))).status_code == 303
    with app.app_context():
        users.create_user("viewer", PASSWORD, Role.VIEWER)
        db.session.commit()
    page.goto(f"{base}/auth/login")
    page.fill("#username", "viewer")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/admin/surveys")
    page.goto(f"{base}/admin/codes/{survey_id}/turnout")

    lefts = [page.locator("progress").nth(i).bounding_box()["x"] for i in range(page.locator("progress").count())]
    assert len(lefts) == 2 and max(lefts) - min(lefts) < 1, lefts  # "80%" and "0%" beside them differ in width
    badge = page.locator(".pct").evaluate("el => getComputedStyle(el).backgroundColor")
    assert badge == "rgb(185, 28, 28)", badge  # 16% overall: red, not the green of a full hall
