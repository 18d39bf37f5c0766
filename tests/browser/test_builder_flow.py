"""An organizer builds a 民主测评 in a real browser: sign in, start from the template,
add a subject, publish, and see the structure locked."""

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services import users

PASSWORD = "organizer-password"


def _create_organizer(app):
    with app.app_context():
        users.create_user("organizer", PASSWORD, Role.ORGANIZER, display_name="组织部张干事")
        db.session.commit()


def _sign_in(page, base_url):
    page.goto(f"{base_url}/auth/login")
    page.fill("#username", "organizer")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base_url}/admin/surveys")


def _choose_template(page, kind_label: str):
    label = page.locator("#template option", has_text=kind_label).first.text_content()
    page.select_option("#template", label=label)


def test_build_and_publish_a_democratic_evaluation(live_server, page, tmp_path):
    base = live_server.url
    _create_organizer(live_server.app)
    _sign_in(page, base)

    page.click("text=新建评议活动")
    page.select_option("#kind", label="民主测评")
    _choose_template(page, "民主测评")
    page.fill("#title", "2026年度市发改委领导班子民主测评")
    page.click("button:has-text('创建')")
    page.wait_for_selector("h1:has-text('2026年度市发改委领导班子民主测评')")
    assert page.locator("#dimensions tbody tr").count() >= 3
    assert page.locator("#groups tbody tr").count() >= 3

    page.click("#subjects summary")
    page.fill("#subjects-key", "FGW01")
    page.fill("#subjects-name", "陈建国")
    page.fill("#subjects-unit_name", "市发展改革委")
    page.fill("#subjects-position_title", "主任")
    page.click("#subjects button:has-text('添加')")
    page.wait_for_selector("#subjects td:has-text('陈建国')")

    page.click("#lifecycle button:has-text('发布')")
    page.wait_for_selector("#locked-notice")
    assert page.locator("#survey-status").text_content().strip() == "已发布"
    assert page.locator("#subjects summary").count() == 0  # no add form once locked
    page.screenshot(path=str(tmp_path / "builder-published.png"), full_page=True)
