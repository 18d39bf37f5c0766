"""An organizer reads what respondents wrote in a real browser: from the results page to
意见与答案, the choice tally and its chart, the comments (phone numbers already masked);
selecting a name in a comment fills the mask field, and the name becomes ＊＊＊."""

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.platform import users
from tests.app.factories import SurveyFactory
from tests.app.test_answers import add_ballot

PASSWORD = "organizer-password"


def _seed(app) -> int:
    survey_id = SurveyFactory(app)(publish=True, subject_comments=True)
    for i, text in enumerate(["赵六反映张伟办事拖拉，电话13912345678", "张伟作风扎实", "希望多听群众意见"]):
        add_ballot(app, survey_id, "superior", {"总体评价": ["满意" if i else "不满意"]}, {"C1": text})
    with app.app_context():
        users.create_user("organizer", PASSWORD, Role.ORGANIZER, display_name="组织部")
        db.session.commit()
    return survey_id


def test_organizer_reads_answers_and_masks_a_name_by_selecting_it(live_server, page):
    base = live_server.url
    survey_id = _seed(live_server.app)
    page.goto(f"{base}/auth/login")
    page.fill("#username", "organizer")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/admin/surveys")

    page.goto(f"{base}/admin/reports/{survey_id}")
    page.click("#answers-link a")
    page.wait_for_selector("h1:has-text('意见与答案')")
    tally = page.locator("table.choice-tally").first.inner_text()
    assert "满意" in tally and "66.7%" in tally and "33.3%" in tally
    chart = page.locator("figure.chart img").first
    chart.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", chart.element_handle())

    comment = page.locator(".text-item", has_text="赵六反映")
    assert "电话＊＊＊" in comment.inner_text() and "13912345678" not in page.content()

    # Select "赵六" in the comment as a user would with the mouse: the mask field fills in.
    page.evaluate("""() => {
        const body = [...document.querySelectorAll('.text-body')].find(e => e.textContent.startsWith('赵六'));
        const range = document.createRange();
        range.setStart(body.firstChild, 0);
        range.setEnd(body.firstChild, 2);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        body.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""")
    field = comment.locator(".mask-form input[name=fragment]")
    assert field.input_value() == "赵六"
    comment.locator(".mask-form button").click()
    page.wait_for_selector(".text-item:has-text('＊＊＊反映张伟办事拖拉')")
    assert "赵六" not in page.locator("#subject-comments ~ section").first.inner_text()

    # The subject's results page lists the same comments, masked as above.
    page.click(".subject-comments h3 a")
    page.wait_for_selector("#comments")
    comments = page.locator("#comments").inner_text()
    assert "张伟作风扎实" in comments and "＊＊＊反映张伟办事拖拉，电话＊＊＊" in comments
