"""The inspection team on site, on a phone (390×844, touch): sign in, record a visit with a
photo from the camera and a finding in one form, then open the cadre's dossier and see the
finding linked back to the visit, and the photo served (issue #16)."""

import io
import re

from PIL import Image
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role, Unit
from survey_app.services.platform import users
from tests.app.factories import SurveyFactory

PASSWORD = "organizer-password"


def _seed(app) -> int:
    SurveyFactory(app)(publish=True)  # 张伟 (C1) and 李娜 (C2) of 市发改委
    with app.app_context():
        users.create_user("organizer", PASSWORD, Role.ORGANIZER, display_name="组织部考察组")
        db.session.commit()
        return db.session.scalar(select(Unit.id).where(Unit.name == "市发改委"))


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_visit_recorded_on_a_phone_reaches_the_dossier(live_server, phone_page):
    page, base = phone_page, live_server.url
    unit_id = _seed(live_server.app)
    page.goto(f"{base}/auth/login")
    page.fill("#username", "organizer")
    page.fill("#password", PASSWORD)
    page.tap("button.primary")
    page.wait_for_url(f"{base}/admin/surveys")

    page.goto(f"{base}/admin/inspection/visits/new?unit_id={unit_id}")
    assert page.locator("#visit-units input:checked").count() == 1  # the unit came with the link
    assert page.input_value("#starts_on")  # today prefilled
    page.tap("#visit-methods label.chip:has-text('实地勘察')")
    page.tap("#visit-cadres label.chip:has-text('张伟')")
    assert page.locator("#visit-methods input:checked").count() == 1
    page.set_input_files("#photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.select_option("#finding_subject_key", value="C1")
    page.select_option("#finding_kind", label="问题清单")
    page.fill("#finding_title", "征迁台账与现场不符")
    page.fill("#finding_detail", "台账完成 90%，现场约 80%。")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    page.tap("#save-visit")
    page.wait_for_url(re.compile(r".*/admin/inspection/visits/\d+#visit$"))
    visit_url = page.url.split("#")[0]

    image = page.locator("#photos img").first
    image.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth", image.element_handle()) == 64
    response = page.request.get(f"{base}{image.get_attribute('src')}")
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert "待核实" in page.inner_text("#findings")

    page.tap("#visit-cadres a:has-text('张伟')")
    page.wait_for_selector("h1#cadre-name:has-text('张伟')")
    row = page.locator("#list-problem + table tr.evidence", has_text="征迁台账与现场不符")
    row.wait_for()
    assert "待核实" in row.inner_text()
    link = row.locator(".from-visit a")
    assert "来自考察" in link.inner_text()
    assert f"{base}{link.get_attribute('href')}" == visit_url
    # The dossier page is wider than a phone (its yearly result tables), so a tap on it lands
    # on another element: followed by its address until that page fits 390px.
    page.goto(visit_url)
    assert page.locator("#findings", has_text="征迁台账与现场不符").count() == 1
