"""One unit from 申报 to a score in an assessment plan, every step in Chromium through the pages
a user clicks: the reporter proposes its targets; the 效能办 (an admin) accepts and approves;
the reporter enters the year-end 自评 with a PDF and hands in; the admin verifies (the judged
leaf too) and closes 核验; the admin builds a unit plan of the same year whose 指标考评 takes
the 考核细则's scores; the subject page shows the total and the per-indicator breakdown, and
the unit (on a phone throughout) sees the same total on its own score page.

The demo 考核细则 (市直单位, 100 points), values chosen here and scored by hand:
1.1 招商引资 (30, 每低1%扣0.5分): 目标 100, 实际 96 → 30 − 2 = 28
1.2 重点项目 (30, 完成率): 目标 10, 实际 8 → 30 × 0.8 = 24
2.1 党建 (20, 评定): 18
2.2 作风纪律 (10, 每次扣2分): 1 次 → 8
3.1 改革创新 (6, 名次 6/5/4): the only approved unit, 1st → 6
3.2 经验推广 (4, 国家 2、省 1.5、市 1 分，最多4分): 省级 2 项 → 2 × 1.5 = 3
Total 87 of 100, rescaled to 87.00 in the plan.
"""

from tests.app.negotiation_helpers import PASSWORD, build_world
from tests.app.year_end_helpers import PDF_BYTES, use_tmp_file_store
from tests.browser.staff_pages import open_page, sign_in

SELF_VALUES = {"1.1": "96", "1.2": "8", "2.2": "1", "3.1": "90"}
#: The level leaf's counts per level (国家, 省, 市).
LEVEL_COUNTS = ("0", "2", "0")
EXPECTED = {"1.1": "28.00", "1.2": "24.00", "2.1": "18.00", "2.2": "8.00", "3.1": "6.00", "3.2": "3.00"}


def _leaf_ids(page) -> dict[str, str]:
    """The year-end pages' fieldsets by leaf code ("1.1" → "leaf-7")."""
    return {legend.split()[0]: fid for fid, legend in page.eval_on_selector_all(
        "fieldset.leaf", "els => els.map(e => [e.id, e.querySelector('legend').innerText])")}


def _propose_and_approve(reporter, office, base, world) -> None:
    reporter.click("#nav-workspace")
    reporter.click("#sheets a")
    reporter.fill(f"#value-{world.leaf_invest}", "100")
    reporter.fill(f"#value-{world.leaf_projects}", "10")
    reporter.fill("#comment", "按上年实绩测算")
    reporter.click("#propose-button")
    assert reporter.inner_text("#sheet-state") == "已申报"

    office.click("nav a:has-text('考核细则')")
    office.click("#systems a:has-text('2026年度市直单位绩效考评考核细则')")
    office.click("#negotiation-link")
    office.click("#units a:has-text('市商务局')")
    office.click("#accept-button")
    assert office.inner_text("#sheet-state") == "已确认"
    office.click("#approve-button")
    assert office.inner_text("#sheet-state") == "已审定"


def _self_assess(reporter, tmp_path) -> None:
    reporter.click("#nav-year-end")
    reporter.click("#sheets a:has-text('年终自评')")
    assert "自评填报中" in reporter.inner_text("#sheet-state")
    leaves = _leaf_ids(reporter)
    for code, value in SELF_VALUES.items():
        reporter.fill(f"#{leaves[code]} input[name^=value-]", value)
    for i, count in enumerate(LEVEL_COUNTS):
        reporter.fill(f"#{leaves['3.2']} input[name$='-{i}'][name^=count-]", count)
    reporter.fill(f"#{leaves['1.1']} textarea[name^=note-]", "全年到位资金 96 亿元")
    evidence = tmp_path / "到位资金台账.pdf"
    evidence.write_bytes(PDF_BYTES)
    reporter.set_input_files(f"#{leaves['1.1']} input[type=file]", str(evidence))
    reporter.click("#save-self")
    assert "已保存年终自评" in reporter.inner_text("body")
    assert "到位资金台账.pdf" in reporter.inner_text(f"#{leaves['1.1']}")
    assert reporter.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # the form fits the phone
    reporter.click("#hand-in-link")
    reporter.click("#confirm-button")
    assert "年终自评已提交" in reporter.inner_text("#handed-in")
    assert "自评已提交，待核验" in reporter.inner_text("#sheet-state")
    assert reporter.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # fits the phone


def _verify(office) -> None:
    office.click("nav a:has-text('考核细则')")
    office.click("#year-end-link")
    office.click("#year-end-sheets a:has-text('现场核验')")
    leaves = _leaf_ids(office)
    # the unit's own values are offered; the evidence it uploaded is listed
    assert office.input_value(f"#{leaves['1.1']} input[name^=value-]") == "96"
    assert office.input_value(f"#{leaves['3.2']} input[name$='-1'][name^=count-]") == "2"  # the unit's counts
    assert "到位资金台账.pdf" in office.inner_text(f"#{leaves['1.1']}")
    link = office.locator(f"#{leaves['1.1']} a:has-text('到位资金台账.pdf')").first
    assert office.request.get(link.evaluate("a => a.href")).body() == PDF_BYTES
    day = office.get_attribute(f"#{leaves['1.1']} input[type=date]", "max")
    for code, fid in leaves.items():
        if code == "2.1":
            office.fill(f"#{fid} input[name^=judged-]", "18")
        office.fill(f"#{fid} input[type=date]", day)
        office.select_option(f"#{fid} select[name^=way-]", label="现场核验")
    office.click("#save-verification")
    assert "已保存核验结果" in office.inner_text("body")
    office.click("#close-link")
    office.click("#confirm-button")
    assert "现场核验已结束" in office.inner_text("#verification-closed")
    assert "评定得分 18" in office.inner_text(f"#verified-{leaves['2.1'].removeprefix('leaf-')}")


def _build_plan(office) -> None:
    office.click("nav a:has-text('年度考核')")
    office.click("a:has-text('新建考核方案')")
    office.fill("#title", "2026年度市直单位绩效考评")
    office.fill("#year", "2026")
    office.select_option("#subject_kind", "unit")
    office.click("button.primary:has-text('创建')")
    office.click("#method details.add:has(#category-name) summary")
    office.fill("#category-name", "市直单位")
    office.click("#method details.add:has(#category-name) button.primary")
    component = "#method details.add:has(input[name$='-indicator_system_id'], select[name$='-indicator_system_id'])"
    office.click(f"{component} summary")
    office.fill(f"{component} input[name$='-name']", "指标考评")
    office.fill(f"{component} input[name$='-weight']", "100")
    office.select_option(f"{component} select[name$='-source']", "targets")
    office.select_option(f"{component} select[name$='-indicator_system_id']", label="2026 市直单位 2026年度市直单位绩效考评考核细则")
    office.click(f"{component} button.primary")
    office.click("#add-subject summary")
    office.fill("#subject-key", "U1")
    office.fill("#subject-name", "市商务局")
    office.fill("#subject-unit_name", "市商务局")
    office.select_option("#subject-category_id", label="市直单位")
    office.click("#add-subject button.primary")


def test_one_unit_from_proposal_to_a_score_in_the_plan(live_server, browser, tmp_path):
    base, app = live_server.url, live_server.app
    use_tmp_file_store(app, tmp_path)
    with app.app_context():
        world = build_world()
    reporter_context, reporter = open_page(browser, phone=True)
    office_context, office = open_page(browser)
    try:
        sign_in(reporter, base, "reporter-a", PASSWORD)
        sign_in(office, base, "admin", PASSWORD)
        _propose_and_approve(reporter, office, base, world)
        _self_assess(reporter, tmp_path)
        _verify(office)
        reporter.reload()
        assert "核验已结束" in reporter.inner_text("#sheet-state")
        _build_plan(office)

        row = office.locator("#results tr:has-text('市商务局')")
        assert "87.00" in row.inner_text()
        row.locator("a:has-text('市商务局')").click()
        breakdown = office.locator("section.target-breakdown")
        text = breakdown.inner_text()
        assert "指标考评明细：指标考评" in text
        assert "总分 87.00 / 100，第 1 名" in text
        assert "折算为百分制：87.00 ÷ 100 × 100 = 87.00" in text
        assert "预估" not in text
        cells = breakdown.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))")
        earned = {cells_[0]: cells_[5] for cells_ in cells if len(cells_) > 5}
        assert {code: earned[code] for code in EXPECTED} == EXPECTED
        assert earned["1"] == "52.00" and earned["2"] == "26.00" and earned["3"] == "9.00"
        leaf = next(c for c in cells if c[0] == "1.1")
        assert [float(x) for x in leaf[3:5]] == [100, 96] and "完成率 96%，每低1%扣0.5分：30 − 2 = 28" in leaf[6]
        breakdown.locator("a:has-text('查看得分页')").click()
        assert "总分 87.00 / 100" in office.inner_text("#unit-total")

        # the unit sees the same total on its own score page, linked from its year-end list
        reporter.click("#nav-year-end")
        reporter.click("#sheets a.scores-link")
        assert "总分 87.00 / 100" in reporter.inner_text("#unit-total")
        assert "最终（核验已完成）" in reporter.inner_text("#unit-total")
        assert reporter.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    finally:
        reporter_context.close()
        office_context.close()
