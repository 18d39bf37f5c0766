"""The phone ballot in Chromium: it holds at 200% text size and on a 320 px screen, keeps
the subject's name in view, counts the capped option as the respondent taps, counts the
items left down to zero, and numbers only the questions that apply."""

import pytest

from survey_app.extensions import db
from survey_app.models import QuestionKind, Survey
from survey_app.services.design import structure
from survey_app.services.results import lifecycle
from tests.app.factories import SurveyFactory, _system_user
from tests.app.respondent_helpers import issue_codes, make_big_survey

#: Each option label's text: how many lines it takes, and whether the label is wider than
#: its text needs (then a split would be the browser's choice, not forced by the width).
_LAYOUT = """() => {
  const lines = span => {
    const range = document.createRange();
    range.selectNodeContents(span);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  };
  const spans = [...document.querySelectorAll('.dim .opts span')];
  const rows = [...document.querySelectorAll('.dim .opts')].map(
    opts => new Set([...opts.children].map(label => Math.round(label.getBoundingClientRect().top))).size);
  return {
    split: spans.filter(span => lines(span) > 1).map(span => span.textContent),
    labels: spans.length,
    maxRows: Math.max(...rows),
    pageWidth: document.documentElement.scrollWidth,
    bodyWidth: document.body.scrollWidth,
    viewport: window.innerWidth,
    textPx: parseFloat(getComputedStyle(spans[0]).fontSize),
    barSticks: getComputedStyle(document.querySelector('.bar')).position === 'sticky',
    barShare: document.querySelector('.bar').offsetHeight / window.innerHeight,
  };
}"""


def _phone(browser, width: int, height: int = 700):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _text_size(page, size: str) -> None:
    """The phone's text size setting: every rem and em of the page follows the root."""
    page.evaluate("size => { document.documentElement.style.fontSize = size; }", size)
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")


@pytest.fixture
def big_ballot_url(live_server):
    survey_id = make_big_survey(live_server.app, descriptions=True)
    code = issue_codes(live_server.app, survey_id, group_key="staff", count=1)[0]
    return f"{live_server.url}/s/{code}"


@pytest.mark.parametrize(("width", "size"), [(320, "100%"), (320, "200%"), (390, "150%"), (390, "200%")])
def test_options_wrap_to_rows_and_never_split_a_label(browser, big_ballot_url, width, size):
    page = _phone(browser, width)
    try:
        page.goto(big_ballot_url)
        _text_size(page, size)
        layout = page.evaluate(_LAYOUT)
        assert layout["labels"] == 30 * 4 * 5
        assert layout["textPx"] == pytest.approx(16 * int(size[:-1]) / 100)  # the size applied
        assert layout["split"] == [], f"labels broken across lines: {set(layout['split'])}"
        assert layout["maxRows"] <= 3  # wrapped to more rows, never one option per row
        assert layout["pageWidth"] <= layout["viewport"] and layout["bodyWidth"] <= layout["viewport"]
        # The bottom bar sticks only while it covers at most a third of the screen.
        assert layout["barSticks"] == (layout["barShare"] <= 1 / 3), layout
        if size == "100%":
            assert layout["barSticks"]
        if (width, size) == (320, "200%"):
            assert not layout["barSticks"]  # its wrapped lines would hide too much
    finally:
        page.context.close()


_NAME_IN_VIEW = """([card, row]) => {
  const legend = card.querySelector('legend');
  const box = legend.getBoundingClientRect();
  const probe = document.elementFromPoint(box.left + 12, box.top + box.height / 2);
  return {top: box.top, bottom: box.bottom, cardTop: card.getBoundingClientRect().top,
          onTop: !!probe && legend.contains(probe), name: legend.querySelector('[id^=n]').textContent,
          rowTop: row.getBoundingClientRect().top, rowBottom: row.getBoundingClientRect().bottom,
          height: window.innerHeight};
}"""


@pytest.mark.parametrize(("width", "size"), [(320, "200%"), (390, "150%")])
def test_the_subjects_name_stays_in_view_through_the_lower_rows_of_its_card(browser, big_ballot_url, width, size):
    page = _phone(browser, width, height=600)
    try:
        page.goto(big_ballot_url)
        _text_size(page, size)
        card = page.locator(".subj").nth(24)
        rows = card.locator(".dim")
        for index in range(1, 4):
            options = rows.nth(index).locator(".opts")
            options.evaluate("el => el.scrollIntoView({block: 'end'})")
            seen = page.evaluate(_NAME_IN_VIEW, [card.element_handle(), options.element_handle()])
            assert seen["name"] == "干部24号"
            assert seen["top"] >= 0 and seen["bottom"] <= seen["rowTop"] <= seen["rowBottom"] <= seen["height"], seen
            assert seen["onTop"], "the name is covered"
        assert seen["cardTop"] < 0, "the card's top has scrolled away, yet its name is in view"
    finally:
        page.context.close()


def _tap(page, card: int, row: int, label: str) -> None:
    row_locator = page.locator(".subj").nth(card).locator(".dim").nth(row)
    row_locator.locator("label").filter(has=page.get_by_text(label, exact=True)).tap()


def test_the_capped_option_is_counted_as_the_respondent_taps(browser, big_ballot_url):
    page = _phone(browser, 390, 844)
    try:
        page.goto(big_ballot_url)
        counts = page.locator(".subj").nth(29).locator(".dim .capn")  # the last card's rows
        assert counts.nth(0).inner_text() == "优秀 0/6" and counts.nth(1).inner_text() == "优秀 0/6"
        for card in range(6):
            _tap(page, card, 0, "优秀")
        assert counts.nth(0).inner_text() == "优秀 6/6" and "full" in counts.nth(0).get_attribute("class")
        assert counts.nth(1).inner_text() == "优秀 0/6"  # another dimension: its own count
        assert page.locator("#caps").inner_text() == "“服务意识”评为“优秀”的已有 6 人，最多 6 人"
        _tap(page, 6, 0, "优秀")
        assert counts.nth(0).inner_text() == "优秀 7/6" and "over" in counts.nth(0).get_attribute("class")
        _tap(page, 0, 0, "称职")
        assert counts.nth(0).inner_text() == "优秀 6/6"
        assert page.locator("#caps").inner_text() == "“服务意识”评为“优秀”的已有 6 人，最多 6 人"
    finally:
        page.context.close()


def _survey_with_a_last_question(app) -> int:
    """The factory survey (总体评价; 不满意的原因 only when 不满意) plus a last question."""
    survey_id = SurveyFactory(app)()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        structure.add_question(survey, {"kind": QuestionKind.SHORT_TEXT, "prompt": "您的联系方式"}, _system_user())
        lifecycle.change_status(survey, "publish", _system_user())
        db.session.commit()
    return survey_id


def test_progress_counts_down_to_all_rated_and_questions_renumber(live_server, phone_page):
    page = phone_page
    code = issue_codes(live_server.app, _survey_with_a_last_question(live_server.app), count=1)[0]
    page.goto(f"{live_server.url}/s/{code}")
    progress = page.locator("#progress")
    assert progress.inner_text() == "已完成 0/3，还有 6 项未评价"

    page.locator("button.submit").tap()  # too early: told how many are left
    assert page.locator("#hint").inner_text() == "还有 6 项未评价，已跳到第一项"
    _tap(page, 0, 0, "称职")
    assert page.locator("#hint").is_hidden()  # no stale count: the banner has the true one
    assert progress.inner_text() == "已完成 0/3，还有 5 项未评价"
    for card, row in [(0, 1), (1, 0), (1, 1), (2, 0)]:
        _tap(page, card, row, "称职")
    assert progress.inner_text() == "已完成 2/3，还有 1 项未评价"
    _tap(page, 2, 1, "不了解")
    assert progress.inner_text() == "已全部评价，可以提交"

    numbers = page.locator(".qs .q:visible .qn")

    def shown_numbers() -> list[str]:
        return [text.strip() for text in numbers.all_inner_texts()]

    assert shown_numbers() == ["1.", "2."]
    assert page.locator(".q[data-if]").is_hidden()
    page.locator(".qs label", has_text="不满意").tap()
    assert shown_numbers() == ["1.", "2.", "3."]
    assert page.locator(".q[data-if] .qn").inner_text().strip() == "2."
    page.locator(".qs label", has_text="满意").first.tap()
    assert shown_numbers() == ["1.", "2."]
    assert progress.inner_text() == "已全部评价，可以提交"
