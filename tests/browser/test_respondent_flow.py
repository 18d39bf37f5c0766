"""The respondent's whole flow on a phone-sized screen, minus the camera.

The QR code is generated as a PNG and decoded with a real decoder (zxing-cpp); the browser
opens the decoded URL, answers, submits, sees the thank-you page, and a second submission
of the same code is refused.
"""

import io

import pytest
from PIL import Image

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.respondents import codes, qr
from tests.app.factories import SurveyFactory
from tests.app.respondent_helpers import ballot_count

zxingcpp = pytest.importorskip("zxingcpp")


def _code_and_qr_png(app) -> tuple[str, bytes]:
    survey_id = SurveyFactory(app)(publish=True, excellent_cap_percent=34)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, codes.find_group(survey, "superior"), 1, actor=None)
        db.session.commit()
        return issued.codes[0], qr.qr_png(qr.code_url(issued.codes[0]))


def _scan(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def _tap(page, dimension_index: int, label: str) -> None:
    page.locator(".dim").nth(dimension_index).locator("label", has_text=label).first.tap()


def _record_hosts(page) -> set[str]:
    hosts: set[str] = set()
    page.context.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    return hosts


def test_phone_respondent_scans_answers_submits_and_cannot_vote_twice(live_server, phone_page):
    live_app, phone = live_server.app, phone_page
    hosts = _record_hosts(phone)
    code, png = _code_and_qr_png(live_app)
    url = _scan(png)
    assert url == f"{live_server.url}/s/{code}"

    phone.goto(url)
    stale = phone.context.new_page()  # the same ballot left open in a second tab
    stale.goto(url)
    assert phone.locator(".subj").count() == 3
    assert phone.locator("#progress").inner_text() == "已完成 0/3，还有 6 项未评价"

    # Everything but the last item; the cap allows one 优秀 per dimension of three cadres.
    _tap(phone, 0, "优秀")
    for index in range(1, 5):
        _tap(phone, index, "称职")
    assert phone.locator("#progress").inner_text() == "已完成 2/3，还有 1 项未评价"

    # A reload loses nothing: the draft comes back from this browser's storage.
    phone.reload()
    assert phone.locator(".dim").nth(0).locator("input:checked").get_attribute("value")
    assert phone.locator("#progress").inner_text() == "已完成 2/3，还有 1 项未评价"

    # Submitting with an item missing jumps there instead of sending.
    phone.locator("button.submit").tap()
    assert "还有 1 项未评价" in phone.locator("#hint").inner_text()
    assert phone.url == url

    # Two 优秀 in one dimension break the cap: told before sending.
    _tap(phone, 5, "优秀")
    _tap(phone, 4, "优秀")
    phone.locator("button.submit").tap()
    assert "最多 1 人" in phone.locator("#hint").inner_text()
    _tap(phone, 4, "不了解")

    # The conditional question appears only when it applies.
    reason = phone.locator(".q[data-if]")
    assert reason.is_hidden()
    phone.locator(".qs label", has_text="不满意").tap()
    assert reason.is_visible()
    reason.locator("textarea").fill("窗口办事排队时间长")

    phone.locator("button.submit").tap()
    phone.wait_for_url("**/s/thanks/*")
    assert "提交成功" in phone.locator("h1").inner_text()
    assert ballot_count(live_app) == 1

    # The stale tab's form is refused, and so is opening the code again.
    stale.bring_to_front()
    for index in range(6):
        _tap(stale, index, "称职")
    stale.locator(".qs label", has_text="满意").first.tap()
    with stale.expect_navigation():
        stale.locator("button.submit").tap()
    assert "已经提交过答卷" in stale.content()
    phone.goto(url)
    assert "已经提交过答卷" in phone.content()
    assert ballot_count(live_app) == 1
    assert hosts == {live_server.url.split("/")[2]}, "no request to any other host"


def test_code_typed_on_the_entry_page_opens_the_ballot(live_server, phone_page):
    phone = phone_page
    code, _png = _code_and_qr_png(live_server.app)
    phone.goto(f"{live_server.url}/s")
    phone.locator("#code").fill(f"{code[:4].lower()}-{code[4:]}")
    phone.locator("button.submit").tap()
    phone.wait_for_url(f"**/s/{code}")
    assert phone.locator(".subj").count() == 3
