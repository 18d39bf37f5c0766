"""An organizer builds a 民主测评 in a real browser: sign in, start from the template,
add a subject, preview a group's ballot, publish through its confirmation page, and see
the structure locked."""

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services.platform import users

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

    # The preview of a group's ballot: marked, nothing to submit.
    with page.context.expect_page() as opened:
        page.locator("#preview a").first.click()
    preview = opened.value
    preview.wait_for_selector("#preview-banner")
    assert "预览" in preview.locator("#preview-banner").text_content()
    assert preview.locator("fieldset.subj").count() >= 1
    assert preview.locator("button.submit").is_disabled()
    preview.close()

    # 发布 asks first, saying what it locks; 取消 changes nothing.
    page.click("#lifecycle a:has-text('发布')")
    page.wait_for_selector("#consequences")
    assert "结构将被锁定" in page.locator("#consequences").text_content()
    page.click("#cancel")
    page.wait_for_selector("#lifecycle")
    assert page.locator("#survey-status").text_content().strip() == "草稿"
    page.click("#lifecycle a:has-text('发布')")
    page.click("#confirm-button")
    page.wait_for_selector("#locked-notice")
    assert page.locator("#survey-status").text_content().strip() == "已发布"
    assert page.locator("#subjects summary").count() == 0  # no add form once locked
    page.screenshot(path=str(tmp_path / "builder-published.png"), full_page=True)
