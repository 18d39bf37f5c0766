"""One unit's targets from 申报 to 审定 in a real browser: the reporter (on a phone) signs in,
fills and proposes; the 效能办 adjusts one value; the reporter sees the diff and confirms;
the 效能办 approves; the reporter sees the sheet locked."""

from tests.app.negotiation_helpers import PASSWORD, build_world
from tests.browser.staff_pages import open_page, sign_in


def test_a_unit_negotiates_its_targets_with_the_office(live_server, browser):
    base, app = live_server.url, live_server.app
    with app.app_context():
        world = build_world()
    reporter_context, reporter = open_page(browser, phone=True)
    office_context, office = open_page(browser)
    try:
        sign_in(reporter, base, "reporter-a", PASSWORD)
        reporter.wait_for_url(f"{base}/admin/targets/units/{world.unit_a}/")
        assert "填报并申报目标" in reporter.inner_text("#reminders")
        reporter.click("#sheets a")
        reporter.fill(f"#value-{world.leaf_invest}", "100")
        reporter.fill(f"#value-{world.leaf_projects}", "10")
        reporter.fill("#comment", "按上年实绩增长 5% 测算")
        reporter.click("#propose-button")
        assert reporter.inner_text("#sheet-state") == "已申报"
        # the page fits a phone: nothing but the table scrolls sideways
        assert reporter.evaluate("document.documentElement.scrollWidth") <= 375 + 1

        sign_in(office, base, "office", PASSWORD)
        office.goto(f"{base}/admin/targets/{world.system_id}/dashboard")
        office.click("#units a:has-text('市商务局')")
        office.fill(f"#value-{world.leaf_invest}", "120")
        office.fill(f"#comment-{world.leaf_invest}", "按全市任务分解上调")
        office.fill("#comment", "请确认")
        office.click("#adjust-button")
        assert office.inner_text("#sheet-state") == "已调整"

        reporter.reload()
        change = reporter.locator("#round-2 td.changed").first
        assert change.inner_text().replace(" ", "") == "100.0→120.0"
        assert "按全市任务分解上调" in reporter.inner_text("#round-2")
        reporter.click("#confirm-button")
        assert reporter.inner_text("#sheet-state") == "已确认"

        office.reload()
        office.click("#approve-button")
        assert office.inner_text("#sheet-state") == "已审定"

        reporter.reload()
        assert reporter.inner_text("#sheet-state") == "已审定"
        assert "不能再修改" in reporter.inner_text("#locked-notice")
        assert reporter.locator(f"#value-{world.leaf_invest}").count() == 0
        assert reporter.locator("#propose-button, #save-button, #confirm-button").count() == 0
    finally:
        reporter_context.close()
        office_context.close()
