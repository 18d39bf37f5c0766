"""An organizer prepares a visit in a real browser: sign in, find a cadre's dossier, record
a problem found on site, see it listed as 待核实, and download the PDF dossier."""

from datetime import date, timedelta

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.platform import users
from tests.app.factories import SurveyFactory, cast

PASSWORD = "organizer-password"


def _seed(app) -> None:
    survey_id = SurveyFactory(app)(publish=True)
    for ratings in ({"C1": ("优秀", "称职")}, {"C1": ("称职", "称职")}, {"C1": ("优秀", "优秀")}):
        cast(app, survey_id, "superior", ratings)
    with app.app_context():
        users.create_user("organizer", PASSWORD, Role.ORGANIZER, display_name="组织部考察组")
        db.session.commit()


def test_organizer_records_evidence_and_downloads_the_dossier(live_server, page):
    base = live_server.url
    _seed(live_server.app)
    page.goto(f"{base}/auth/login")
    page.fill("#username", "organizer")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/admin/surveys")

    page.goto(f"{base}/admin/dossiers/")
    page.fill("#q", "张伟")
    page.click("#dossier-search button")
    page.click("#cadres a:has-text('张伟')")
    page.wait_for_selector("h1#cadre-name:has-text('张伟')")
    assert page.locator("#overview-table tbody tr").count() == 1

    page.click("#add-evidence summary")
    page.select_option("#kind", label="问题清单")
    page.select_option("#source", label="实地查看")
    page.fill("#occurred_on", (date.today() - timedelta(days=18)).isoformat())
    page.fill("#title", "城东枢纽项目征迁进度滞后序时")
    page.fill("#detail", "现场查看征迁台账：完成 82%，应达 90%。")
    page.fill("#attachments", "考察组现场记录 KC-2026-041")
    page.click("#evidence-form button.primary")
    row = page.locator("#list-problem + table tr.evidence", has_text="城东枢纽项目征迁进度滞后序时")
    row.wait_for()
    assert "待核实" in row.inner_text() and "KC-2026-041" in row.inner_text()
    assert page.locator("#to-verify li", has_text="城东枢纽项目征迁进度滞后序时").count() == 1

    href = page.get_attribute("#dossier-pdf", "href")
    response = page.request.get(f"{base}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
