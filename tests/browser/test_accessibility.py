"""axe-core (bundled with axe-playwright-python: no network) on the pages respondents and
staff use most: the ballot, code entry, thank-you, sign-in, results and builder pages
have no serious or critical violation."""

import pytest

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.platform import users
from tests.app.factories import SurveyFactory, cast
from tests.app.respondent_helpers import issue_codes, make_big_survey

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
AXE = axe_playwright.Axe()
PASSWORD = "organizer-password"


def _serious_violations(page) -> list[str]:
    """Serious and critical violations as readable lines (rule, impact, first elements)."""
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_respondent_pages_have_no_serious_violations(live_server, phone_page):
    page, base = phone_page, live_server.url
    survey_id = make_big_survey(live_server.app, subjects=6, descriptions=True)
    code = issue_codes(live_server.app, survey_id, group_key="staff", count=1)[0]

    page.goto(f"{base}/s/{code}")
    page.locator(".subj").first.locator("summary").first.click()  # a description opened
    assert _serious_violations(page) == []

    page.locator("button.submit").tap()  # the hint and the jump button shown
    assert page.locator("#hint").is_visible()
    assert _serious_violations(page) == []

    page.goto(f"{base}/s")
    assert _serious_violations(page) == []
    page.fill("#code", "ZZZZ-ZZZZ")
    page.locator("button.submit").tap()
    page.wait_for_selector("#code-error")
    assert _serious_violations(page) == []

    page.goto(f"{base}/s/thanks/{survey_id}")
    assert _serious_violations(page) == []


def test_refused_ballot_without_javascript_has_no_serious_violations(live_server, browser):
    """The server-marked refusal, as a phone without JavaScript gets it (ballot.js is not
    loaded; axe itself needs the browser's JavaScript)."""
    app, base = live_server.app, live_server.url
    survey_id = SurveyFactory(app)(publish=True, excellent_cap_percent=34)
    code = issue_codes(app, survey_id, count=1)[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.route("**/ballot.js", lambda route: route.abort())
        page.goto(f"{base}/s/{code}")
        for index in range(6):  # all answered (the browser checks `required`), two 优秀 in 服务意识
            label = "优秀" if index in (0, 2) else "称职"
            page.locator(".dim").nth(index).locator("label").filter(has=page.get_by_text(label, exact=True)).click()
        page.locator("button.submit").click()
        page.wait_for_selector("#errors")
        assert page.locator(".dim.over").count() == 2
        assert _serious_violations(page) == []
    finally:
        context.close()


def _sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/auth/login")
    assert _serious_violations(page) == []
    page.fill("#username", "organizer")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base_url}/admin/surveys")


def test_staff_pages_have_no_serious_violations(live_server, page):
    app, base = live_server.app, live_server.url
    with app.app_context():
        users.create_user("organizer", PASSWORD, Role.ORGANIZER, display_name="组织部张干事")
        db.session.commit()
    survey_id = SurveyFactory(app)(publish=True)
    for _ in range(6):
        cast(app, survey_id, "superior", {"C1": ["优秀", "称职"], "C2": ["称职", "称职"], "C3": ["基本称职", None]})

    _sign_in(page, base)
    assert _serious_violations(page) == []  # the survey list

    page.goto(f"{base}/admin/surveys/{survey_id}")  # the builder (published: locked)
    assert _serious_violations(page) == []
    page.goto(f"{base}/admin/surveys/new")
    assert _serious_violations(page) == []

    page.goto(f"{base}/admin/reports/{survey_id}")  # the results
    page.wait_for_load_state("networkidle")
    assert _serious_violations(page) == []


def test_the_check_finds_what_it_looks_for(page):
    """The bundled axe-core runs and reports: a radio group with no name for its radios
    and text too faint to read are caught."""
    page.set_content('<html lang="zh-CN"><title>t</title><main><input type="radio" name="r-1-1">'
                     '<p style="color:#ccc;background:#fff">优秀</p></main></html>')
    found = " ".join(_serious_violations(page))
    assert "label (critical)" in found and "color-contrast (serious)" in found
