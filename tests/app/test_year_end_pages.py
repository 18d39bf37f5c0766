"""The year-end pages (issue #15): a unit reporter fills progress and the 自评 with evidence
files and hands it in; the 效能办 verifies and closes; evidence is served only to those
allowed, from either file store back end."""

import uuid

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, StoredFile
from survey_app.models.target import TargetEvidence, TargetResult, TargetSheet
from survey_app.services.platform import file_store, users
from tests.app.test_file_store import _use_s3, s3_endpoint  # noqa: F401 (a fixture)
from tests.app.upload_helpers import multipart
from tests.app.year_end_helpers import PDF_BYTES, approved_sheet, target_of, unit_named, use_tmp_file_store

PASSWORD = "correct horse battery"
HTML_BYTES = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def pages(app, tmp_path):
    """Two units with an approved sheet each; a reporter of each, a viewer scoped to the
    second, a city-wide viewer and an administrator. Returns ids and URLs."""
    use_tmp_file_store(app, tmp_path)
    with app.app_context():
        admin = users.create_user("boss", PASSWORD, Role.ADMIN, display_name="boss")
        mine, other = unit_named("市发改委"), unit_named("市财政局")
        sheet = approved_sheet(mine.id, admin)
        other_sheet = approved_sheet(other.id, admin, sheet.system)
        users.create_user("rep", PASSWORD, Role.REPORTER, display_name="rep", unit_ids=[mine.id])
        users.create_user("rep-other", PASSWORD, Role.REPORTER, display_name="rep2", unit_ids=[other.id])
        users.create_user("viewer-other", PASSWORD, Role.VIEWER, display_name="v2", unit_ids=[other.id])
        users.create_user("viewer", PASSWORD, Role.VIEWER, display_name="v")
        db.session.commit()
        ids = {target.node.code: target.id for target in sheet.targets}
        return {"unit": mine.id, "other_unit": other.id, "sheet": sheet.id, "other_sheet": other_sheet.id,
                "ids": ids, "base": f"/admin/units/{mine.id}/year-end/{sheet.id}",
                "other_base": f"/admin/units/{other.id}/year-end/{other_sheet.id}"}


def _login(app, username: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def _files() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


def _upload(client, pages, data: bytes, name: str, value: str = "48"):
    leaf = pages["ids"]["1.1"]
    return client.post(pages["base"] + "/self-assessment",
                       **multipart({f"value-{leaf}": value, f"note-{leaf}": "台账", f"evidence-{leaf}": (data, name)}))


def _evidence_ids(app, sheet_id: int) -> list[int]:
    with app.app_context():
        sheet = db.session.get(TargetSheet, sheet_id)
        return [e.id for t in sheet.targets if t.result for e in t.result.evidence]


def _level_counts(ids, *counts) -> dict[str, str]:
    """The level leaf 3.2's inputs (国家, 省, 市)."""
    return {f"count-{ids['3.2']}-{i}": count for i, count in enumerate(counts)}


def test_a_reporter_fills_progress_and_the_self_assessment_and_hands_it_in(app, pages):
    client = _login(app, "rep")
    base, ids = pages["base"], pages["ids"]
    assert "市发改委" in client.get(f"/admin/units/{pages['unit']}/year-end/").get_data(as_text=True)
    form = client.get(base + "/progress/2").get_data(as_text=True)
    assert f'name="value-{ids["1.1"]}"' in form and "亿元" in form
    response = client.post(base + "/progress/2", data={f"value-{ids['1.1']}": "20", f"account-{ids['1.1']}": "签约"})
    assert response.status_code == 302
    page = client.get(base + "/progress").get_data(as_text=True)
    assert "40.0%" in page and "签约" in page  # 20 of the target 50
    assert _upload(client, pages, PDF_BYTES, "台账.pdf").status_code == 302
    page = client.get(base + "/self-assessment").get_data(as_text=True)
    assert "台账.pdf" in page and 'value="48"' in page
    # Hand-in refused while values are missing: the page names them.
    response = client.post(base + "/hand-in", data={"confirm": "yes"}, follow_redirects=True)
    assert "以下指标还没有填写实际完成值，不能提交：重点项目完成数、改革创新成效、创新经验推广" in response.get_data(as_text=True)
    client.post(base + "/self-assessment", data={f"value-{ids['1.2']}": "9", f"value-{ids['3.1']}": "88",
                                                 **_level_counts(ids, "0", "1", "2")})
    assert "确认提交年终自评" in client.get(base + "/hand-in").get_data(as_text=True)
    assert client.post(base + "/hand-in", data={"confirm": "yes"}).status_code == 302
    page = client.get(base + "/self-assessment").get_data(as_text=True)
    assert 'id="handed-in"' in page and 'id="self-form"' not in page
    response = client.post(base + "/self-assessment", data={f"value-{ids['1.1']}": "99"})
    assert response.status_code == 422 and "年终自评已提交" in response.get_data(as_text=True)
    assert 'id="progress-locked"' in client.get(base + "/progress").get_data(as_text=True)
    # The verification pages are the 效能办's.
    assert client.get(base + "/verification").status_code == 403


def test_the_units_list_links_its_score_page(app, pages):
    """The reporter's only way to its 指标考评得分 (it has no ranking page) is this link."""
    with app.app_context():
        system_id = db.session.get(TargetSheet, pages["sheet"]).system_id
    url = f"/admin/target-scores/{system_id}/units/{pages['unit']}"
    client = _login(app, "rep")
    listing = client.get(f"/admin/units/{pages['unit']}/year-end/").get_data(as_text=True)
    assert f'href="{url}"' in listing
    page = client.get(url)
    assert page.status_code == 200 and "市发改委 · 指标考评得分" in page.get_data(as_text=True)


def test_a_refused_value_keeps_what_was_typed_and_changes_nothing(app, pages):
    client = _login(app, "rep")
    ids = pages["ids"]
    response = client.post(pages["base"] + "/self-assessment",
                           data={f"value-{ids['1.1']}": "48", f"value-{ids['1.2']}": "九", f"note-{ids['1.2']}": "说明"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "“重点项目完成数”的数值“九”不是数字" in text and 'value="九"' in text
    with app.app_context():
        assert target_of(db.session.get(TargetSheet, pages["sheet"]), "1.1").result is None


def test_a_file_of_the_wrong_type_by_content_is_refused_though_named_pdf(app, pages):
    client = _login(app, "rep")
    response = _upload(client, pages, HTML_BYTES, "证明.pdf")
    assert response.status_code == 422
    assert "只能上传 PDF、JPEG、PNG 或 WebP 文件" in response.get_data(as_text=True)
    with app.app_context():
        assert _files() == 0 and target_of(db.session.get(TargetSheet, pages["sheet"]), "1.1").result is None


def test_a_file_too_large_is_refused_and_nothing_is_stored(app, pages):
    app.config["FILES_MAX_DOCUMENT_BYTES"] = 2048
    client = _login(app, "rep")
    big = PDF_BYTES[:-7] + b" " * 4096 + b"\n%%EOF\n"
    response = _upload(client, pages, big, "大文件.pdf")
    assert response.status_code == 422 and "文件太大" in response.get_data(as_text=True)
    with app.app_context():
        assert _files() == 0


def test_too_many_files_in_one_save_are_refused(app, pages):
    client = _login(app, "rep")
    leaf = pages["ids"]["1.1"]
    response = client.post(pages["base"] + "/self-assessment", **multipart(
        {f"value-{leaf}": "1", f"evidence-{leaf}": [(PDF_BYTES, f"{n}.pdf") for n in range(6)]}))
    assert response.status_code == 422 and "一次最多上传 5 个文件" in response.get_data(as_text=True)
    with app.app_context():
        assert _files() == 0


@pytest.fixture(params=["local", "s3"])
def backend(request, app):
    """Run the file tests against both stores (moto's S3 server for the second)."""
    if request.param == "s3":
        bucket = f"pingyi-test-{uuid.uuid4().hex[:12]}"
        _use_s3(app, request.getfixturevalue("s3_endpoint"), bucket)
        app.extensions[file_store.EXTENSION_KEY].client.create_bucket(Bucket=bucket)
    return request.param


def test_evidence_is_served_only_to_those_allowed_with_safe_headers(app, pages, backend):
    reporter = _login(app, "rep")
    assert _upload(reporter, pages, PDF_BYTES, "台账 <1>.pdf").status_code == 302
    [evidence_id] = _evidence_ids(app, pages["sheet"])
    url = f"{pages['base']}/evidence/{evidence_id}"
    response = reporter.get(url)
    assert response.status_code == 200 and response.get_data() == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert _login(app, "viewer").get(url).status_code == 200  # city-wide staff read every unit's work
    assert _login(app, "boss").get(url + "?download=1").headers["Content-Disposition"].startswith("attachment")
    for username in ("rep-other", "viewer-other"):  # another unit's reporter, a viewer scoped elsewhere
        assert _login(app, username).get(url).status_code == 404, username
    # The file under another unit's URL (even their own) is not found either.
    other = _login(app, "rep-other")
    assert other.get(f"{pages['other_base']}/evidence/{evidence_id}").status_code == 404
    # Nor under this unit's URL with the other unit's sheet.
    assert reporter.get(f"/admin/units/{pages['unit']}/year-end/{pages['other_sheet']}/self-assessment").status_code == 404


def test_evidence_is_removed_after_confirmation_before_hand_in(app, pages):
    client = _login(app, "rep")
    _upload(client, pages, PDF_BYTES, "错传.pdf")
    [evidence_id] = _evidence_ids(app, pages["sheet"])
    url = f"{pages['base']}/evidence/{evidence_id}/remove"
    assert "错传.pdf" in client.get(url).get_data(as_text=True)  # the confirmation page names it
    assert _login(app, "rep-other").post(url, data={"confirm": "yes"}).status_code == 404
    client.post(url)  # not confirmed: back to the confirmation
    assert _evidence_ids(app, pages["sheet"]) == [evidence_id]
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert _evidence_ids(app, pages["sheet"]) == [] and _files() == 0
        assert db.session.scalar(select(func.count()).select_from(TargetEvidence)) == 0


def test_the_office_verifies_closes_and_reopens(app, pages):
    reporter = _login(app, "rep")
    ids, base = pages["ids"], pages["base"]
    reporter.post(base + "/self-assessment", data={f"value-{ids['1.1']}": "48", f"value-{ids['1.2']}": "9",
                                                   f"value-{ids['3.1']}": "88", **_level_counts(ids, "0", "1", "2")})
    reporter.post(base + "/hand-in", data={"confirm": "yes"})
    office = _login(app, "boss")
    page = office.get(base + "/verification").get_data(as_text=True)
    assert f'name="value-{ids["1.1"]}" maxlength="30"\n        value="48"' in page  # prefilled with the unit's
    assert f'name="judged-{ids["2.1"]}"' in page and f'name="value-{ids["2.1"]}"' not in page
    response = office.post(base + "/verification", data={
        f"value-{ids['1.1']}": "46", f"date-{ids['1.1']}": "2026-12-01", f"way-{ids['1.1']}": "on_site",
        f"judged-{ids['2.1']}": "25", f"date-{ids['2.1']}": "2026-12-01", f"way-{ids['2.1']}": "documents"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "“党建工作”的评定得分应在 0 到 20 分之间" in text
    form = {f"value-{ids[c]}": v for c, v in (("1.1", "46"), ("1.2", "9"), ("3.1", "88"))}
    form |= {f"judged-{ids['2.1']}": "18"} | _level_counts(ids, "0", "1", "1")
    form |= {f"{name}-{ids[c]}": v for c in ("1.1", "1.2", "2.1", "3.1", "3.2")
             for name, v in (("date", "2026-12-01"), ("way", "data"))}
    assert office.post(base + "/verification", data=form).status_code == 302
    assert "确认结束现场核验" in office.get(base + "/verification/close").get_data(as_text=True)
    assert office.post(base + "/verification/close", data={"confirm": "yes"}).status_code == 302
    page = office.get(base + "/verification").get_data(as_text=True)
    assert 'id="verification-closed"' in page and 'id="verify-form"' not in page
    mine = reporter.get(base + "/self-assessment").get_data(as_text=True)
    assert f'id="verified-{ids["1.1"]}"' in mine and "数据比对" in mine
    office.post(base + "/verification/reopen", data={"reason": ""})
    with app.app_context():
        assert db.session.get(TargetSheet, pages["sheet"]).verified_at is not None
    office.post(base + "/verification/reopen", data={"reason": "统计数据更正"})
    with app.app_context():
        assert db.session.get(TargetSheet, pages["sheet"]).verified_at is None
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"target_result.verify", "target_sheet.close_verification", "target_sheet.reopen_verification",
            "target_sheet.hand_in", "target_result.self_assess"} <= actions


def test_scoped_organizers_and_reporters_cannot_verify(app, pages):
    with app.app_context():
        users.create_user("org-mine", PASSWORD, Role.ORGANIZER, display_name="o", unit_ids=[pages["unit"]])
        db.session.commit()
    for username in ("rep", "org-mine", "viewer"):
        client = _login(app, username)
        assert client.get(pages["base"] + "/verification").status_code == 403, username
        assert client.post(pages["base"] + "/verification/close", data={"confirm": "yes"}).status_code == 403


def test_the_overview_lists_the_sheets_of_the_users_scope(app, pages):
    with app.app_context():
        users.create_user("viewer-mine", PASSWORD, Role.VIEWER, display_name="v1", unit_ids=[pages["unit"]])
        db.session.commit()
    assert 'id="year-end-link"' in _login(app, "viewer").get("/admin/targets/").get_data(as_text=True)
    everyone = _login(app, "viewer").get("/admin/year-end/").get_data(as_text=True)
    assert "市发改委" in everyone and "市财政局" in everyone and "现场核验</a>" not in everyone
    assert "现场核验</a>" in _login(app, "boss").get("/admin/year-end/").get_data(as_text=True)
    mine = _login(app, "viewer-mine").get("/admin/year-end/").get_data(as_text=True)
    assert "市发改委" in mine and "市财政局" not in mine
    assert _login(app, "rep").get("/admin/year-end/").status_code == 403  # a reporter has their unit's page


def test_the_office_returns_a_self_assessment_with_a_reason_and_the_unit_edits_again(app, pages):
    reporter = _login(app, "rep")
    ids, base = pages["ids"], pages["base"]
    reporter.post(base + "/self-assessment", data={f"value-{ids['1.1']}": "48", f"value-{ids['1.2']}": "9",
                                                   f"value-{ids['3.1']}": "88", **_level_counts(ids, "0", "1", "2")})
    reporter.post(base + "/hand-in", data={"confirm": "yes"})
    assert reporter.post(base + "/return", data={"reason": "想改"}).status_code == 403  # not the unit's to do
    office = _login(app, "boss")
    page = office.get(base + "/return").get_data(as_text=True)
    assert "退回年终自评" in page and 'name="reason"' in page
    response = office.post(base + "/return", data={"reason": " "}, follow_redirects=True)
    assert "请填写退回原因" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TargetSheet, pages["sheet"]).self_assessed_at is not None
    office.post(base + "/return", data={"reason": "请补充商务局出具的到位资金证明"})
    with app.app_context():
        assert db.session.get(TargetSheet, pages["sheet"]).self_assessed_at is None
    assert reporter.post(base + "/self-assessment", data={f"value-{ids['1.1']}": "49"}).status_code == 302
    assert 'id="self-form"' in reporter.get(base + "/self-assessment").get_data(as_text=True)


def test_a_level_leaf_takes_counts_per_level_and_the_office_sees_them_prefilled(app, pages):
    reporter = _login(app, "rep")
    ids, base = pages["ids"], pages["base"]
    page = reporter.get(base + "/self-assessment").get_data(as_text=True)
    assert f'name="count-{ids["3.2"]}-0"' in page and "国家级" in page and f'name="value-{ids["3.2"]}"' not in page
    response = reporter.post(base + "/self-assessment", data=_level_counts(ids, "1", "2.5", "0"))
    assert response.status_code == 422 and "“创新经验推广”的省级数量“2.5”应为整数" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TargetResult)) == 0
    reporter.post(base + "/self-assessment", data={f"value-{ids['1.1']}": "48", f"value-{ids['1.2']}": "9",
                                                   f"value-{ids['3.1']}": "88", **_level_counts(ids, "1", "2", "")})
    page = reporter.get(base + "/self-assessment").get_data(as_text=True)
    assert f'name="count-{ids["3.2"]}-1"\n        value="2"' in page
    assert reporter.post(base + "/hand-in", data={"confirm": "yes"}).status_code == 302
    assert "国家级 1 项、省级 2 项、市级 0 项" in reporter.get(base + "/self-assessment").get_data(as_text=True)
    office = _login(app, "boss")
    page = office.get(base + "/verification").get_data(as_text=True)
    for i, count in enumerate(("1", "2", "0")):  # prefilled with the unit's counts
        assert f'name="count-{ids["3.2"]}-{i}"\n          value="{count}"' in page
    response = office.post(base + "/verification", data={**_level_counts(ids, "1", "1", "0"),
                                                         f"date-{ids['3.2']}": "2026-12-01",
                                                         f"way-{ids['3.2']}": "documents"})
    assert response.status_code == 302
    with app.app_context():
        result = db.session.scalar(select(TargetResult).where(TargetResult.target_id == ids["3.2"]))
        assert (result.self_counts, result.verified_counts) == ({"国家": 1, "省": 2, "市": 0}, {"国家": 1, "省": 1, "市": 0})
