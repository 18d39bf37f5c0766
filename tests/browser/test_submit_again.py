"""The database refuses a phone's ballot (here: it turns read-only): the phone shows the
"请重新提交" page, its answers survive (in the page's resubmit form and in ballot.js's
draft), and "重新提交" stores the ballot once the database writes again."""

from sqlalchemy import event

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.respondents import codes
from tests.app.factories import SurveyFactory
from tests.app.respondent_helpers import ballot_count


def _issue(app) -> str:
    survey_id = SurveyFactory(app)(publish=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, codes.find_group(survey, "superior"), 1, actor=None)
        db.session.commit()
        return issued.codes[0]


def test_a_refused_write_keeps_the_answers_and_the_resubmit_stores_once(live_server, phone_page):
    live_app, phone = live_server.app, phone_page
    code = _issue(live_app)
    read_only = {"on": False}
    with live_app.app_context():
        engine = db.engine

    @event.listens_for(engine, "checkout")
    def maybe_read_only(dbapi_connection, _record, _proxy):
        dbapi_connection.execute(f"PRAGMA query_only={int(read_only['on'])}")

    url = f"{live_server.url}/s/{code}"
    phone.goto(url)
    for index in range(6):
        phone.locator(".dim").nth(index).locator("label", has_text="称职").first.tap()
    phone.locator(".qs label", has_text="满意").first.tap()

    read_only["on"] = True
    with phone.expect_navigation():
        phone.locator("button.submit").tap()
    assert "答卷没有提交成功，请重新提交" in phone.locator("h1").inner_text()
    assert ballot_count(live_app) == 0

    # Opening the ballot again (reading still works) brings the draft back from this phone.
    again = phone.context.new_page()
    again.goto(url)
    assert again.locator("#hint").inner_text() == "已恢复您上次未提交的填写内容"
    assert again.locator("input[type=radio]:checked").count() == 7
    again.close()

    read_only["on"] = False
    with phone.expect_navigation():
        phone.locator("#resubmit button").tap()
    assert "提交成功" in phone.locator("h1").inner_text()
    assert ballot_count(live_app) == 1
    drafts = phone.evaluate("Object.keys(localStorage).filter(k => k.indexOf('pingyi-draft:') === 0)")
    assert drafts == []  # the thank-you page removed the draft
