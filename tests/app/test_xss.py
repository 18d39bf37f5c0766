"""Markup and formulas typed by organizers (titles, names, options, groups, questions) or
slipped into stored comments are shown as text everywhere: escaped in every page and SVG
chart, plain text in PDFs, and neutralised (a leading apostrophe) in every .xlsx and CSV
cell, so a spreadsheet never runs them as formulas.

One survey carries the payloads in every field; an administrator then fetches every page
reachable from the staff entry points by following links (so a page added later is
covered as soon as something links to it), and a respondent opens the ballot pages.
"""

import csv
import io
import re
import shutil
import zipfile
from collections import deque
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from survey_app import demo
from survey_app.blueprints import respondent as respondent_bp
from survey_app.extensions import db
from survey_app.models import Ballot, QuestionKind, Role, SubjectComment, Survey, SurveyKind
from survey_app.models.assessment import PlanSubjectKind
from survey_app.services.assessment import plans
from survey_app.services.design import structure, surveys
from survey_app.services.inspection import progress
from survey_app.services.platform import api_tokens, users
from survey_app.services.platform.sheets import FORMULA_PREFIXES
from survey_app.services.respondents import codes
from survey_app.services.results import lifecycle
from survey_app.services.targets import registers, systems
from tests.app.documents import pdf_text
from tests.app.factories import cast
from tests.app.visit_helpers import make_visit

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
LINK = '=HYPERLINK("http://x")'
#: What must never reach a browser unescaped.
#: Downloads that hold no stored data at all, so no payload either.
BLANK_TEMPLATES = ("/admin/targets/template.xlsx",)
RAW = ("<script>alert(1)", "<img src=x onerror", "<b onmouseover")
MAX_PAGES = 400


def _build(app) -> dict:
    """Publish a survey with a payload in every text field, rate it, add comments."""
    with app.app_context():
        admin = users.create_user("boss", "correct horse battery", Role.ADMIN, display_name=f"{SCRIPT}管理员")
        survey = surveys.create_survey({"kind": SurveyKind.DEMOCRATIC, "year": 2026, "title": f"{SCRIPT}民主测评{IMG}",
                                        "instructions": f"{IMG}请如实评价", "subject_comments": True}, admin)
        names = [(f"{SCRIPT}张伟", f"{IMG}发改委", LINK), (LINK, "@SUM(1+1)*cmd", "+市直"),
                 ("-2+3+cmd|' /C calc'!A0", f"{IMG}发改委", LINK)]
        subjects = [structure.add_subject(survey, {"key": f"C{i}", "name": name, "unit_name": unit, "unit_category": cat,
                                                 "position_title": f"{IMG}局长"}, admin)
                    for i, (name, unit, cat) in enumerate(names, 1)]
        structure.add_dimension(survey, {"name": f"{SCRIPT}服务意识", "description": IMG}, admin)
        structure.add_dimension(survey, {"name": LINK}, admin)
        top = survey.scale_options[0]
        structure.update_scale_option(top, {"label": f"{IMG}优秀"}, admin)
        structure.add_group(survey, {"key": "superior", "name": f"{IMG}上级", "expected_count": 5}, admin)
        structure.add_group(survey, {"key": "served", "name": f"{LINK}服务对象", "expected_count": 5}, admin)
        structure.add_question(survey, {"kind": QuestionKind.SINGLE_CHOICE, "prompt": f"{SCRIPT}总体评价",
                                      "options": [f"{IMG}满意", "=不满意"]}, admin)
        lifecycle.change_status(survey, "publish", admin)
        link = codes.create_open_link(survey, survey.groups[1], admin)
        plan = plans.create_plan({"title": f"{SCRIPT}年度考核", "year": 2026,
                                  "subject_kind": PlanSubjectKind.CADRE}, admin)
        plans.import_subjects(plan, survey, admin)
        api_tokens.create_token(admin, f"{IMG}令牌")
        system_id = _hostile_indicator_system(admin)
        entry = registers.record_entry(
            {"year": 2026, "occurred_on": date(2026, 5, 6), "unit_id": subjects[0].unit_id, "kind": "deduction",
             "source": "other", "title": f"{SCRIPT}督查", "points": 1, "document": LINK, "finding": IMG,
             "detail": SCRIPT}, admin, datetime(2026, 11, 20, tzinfo=UTC), date(2026, 11, 20))
        _hostile_visit(subjects[0].unit.name)
        db.session.commit()
        top_label, survey_id = top.label, survey.id
        result = {"survey_id": survey_id, "subject_ids": [s.id for s in subjects], "open_token": link.token,
                  "plan_id": plan.id, "system_id": system_id, "entry_id": entry.id}
    for _ in range(3):
        for group in ("superior", "served"):
            cast(app, survey_id, group, {"C1": (top_label, "称职"), "C2": ("称职", None), "C3": ("基本称职", "称职")})
    with app.app_context():  # comments that would never pass the ballot rules, as if stored by an old version
        for index, ballot_id in enumerate(db.session.scalars(db.select(Ballot.id))):
            db.session.add(SubjectComment(id=f"xss{index}", ballot_id=ballot_id, subject_id=result["subject_ids"][0],
                                          text=[SCRIPT, IMG, LINK][index % 3] + "意见"))
        db.session.commit()
    result["code"] = codes_for(app, survey_id, "superior")
    return result


def _hostile_indicator_system(admin) -> int:
    """The demo's 考核细则 with markup and a formula in its names and criteria."""
    data = demo.load_demo_definition("targets_2026.json")
    data["title"] = f"{SCRIPT}考核细则"
    first = data["indicators"][0]
    first["name"], first["criteria"] = LINK, f"{IMG}评分标准"
    return systems.import_system(data, admin).id


def _hostile_visit(unit: str) -> None:
    """A visit of today (the coverage page shows this year) with a formula for a title and
    markup in its team and summary: the 考察台账 export and the coverage page carry it."""
    make_visit([unit], progress.local_today(datetime.now(UTC)), title=LINK, team=f"{SCRIPT}考察组",
               summary=f"{IMG}考察情况", cadres=("C1",))


def codes_for(app, survey_id: int, group_key: str) -> str:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, codes.find_group(survey, group_key), 1, actor=None)
        db.session.commit()
        return issued.codes[0]


@pytest.fixture
def hostile(app, client):
    data = _build(app)
    client.post("/auth/login", data={"username": "boss", "password": "correct horse battery"})
    return data


# ---- checks by content type -------------------------------------------------------------


def _assert_escaped(url: str, text: str) -> None:
    for raw in RAW:
        assert raw not in text, (url, raw, text[max(0, text.find(raw) - 200):text.find(raw) + 80])


def _assert_cells_neutralised(url: str, cells: list[str]) -> None:
    for cell in cells:
        assert not cell.startswith(FORMULA_PREFIXES), (url, cell)
    if url in BLANK_TEMPLATES:
        return
    # A name is the payload alone; a comment ("…意见") starts with it.
    assert any(cell.startswith(f"'{LINK}") for cell in cells), (url, "the payload should be there, neutralised")


def _xlsx_cells(data: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(data))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def _check_download(url: str, response, seen: dict) -> None:
    mimetype, data = response.mimetype, response.get_data()
    if mimetype.endswith("spreadsheetml.sheet"):
        _assert_cells_neutralised(url, _xlsx_cells(data))
        seen["xlsx"] += 1
    elif mimetype == "text/csv":
        _assert_cells_neutralised(url, _csv_cells(data))
        seen["csv"] += 1
    elif mimetype == "application/pdf":
        if shutil.which("pdftotext"):
            text = pdf_text(data, layout=False)
            assert "<script>" in text or "alert(1)" in text, (url, "markup should be printed as text")
        seen["pdf"] += 1


# ---- the crawl --------------------------------------------------------------------------


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/[^"#]*)', html)


def _crawl(client, seeds: list[str]) -> dict:
    """GET every page reachable from `seeds`; check each by type; return what was seen."""
    seen = {"html": 0, "svg": 0, "json": 0, "xlsx": 0, "csv": 0, "pdf": 0, "pages": []}
    queue, visited = deque(seeds), set()
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft().replace("&amp;", "&")
        if url in visited or urlsplit(url).path.startswith("/static/"):
            continue
        visited.add(url)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in (301, 302, 303):
            queue.append(response.headers["Location"])
            continue
        if response.mimetype == "text/html":
            text = response.get_data(as_text=True)
            _assert_escaped(url, text)
            queue.extend(_links(text))
            seen["html"] += 1
            seen["pages"].append(url)
        elif response.mimetype == "image/svg+xml":
            _assert_escaped(url, response.get_data(as_text=True))
            seen["svg"] += 1
        elif response.mimetype == "application/json":
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            seen["json"] += 1
        else:
            _check_download(url, response, seen)
    return seen


def test_every_staff_page_and_export_shows_markup_as_text(app, client, hostile):
    survey_id, subject = hostile["survey_id"], hostile["subject_ids"][0]
    seen = _crawl(client, ["/admin/surveys", f"/admin/reports/{survey_id}", "/admin/audit",
                           "/admin/users", "/admin/tokens/", "/admin/assessments/",
                           f"/admin/reports/{survey_id}/export.csv", f"/admin/reports/{survey_id}/quality"])
    pages = seen["pages"]
    for must in (f"/admin/surveys/{survey_id}", f"/admin/reports/{survey_id}", f"/admin/reports/{survey_id}/quality",
                 f"/admin/reports/{survey_id}/subjects/{subject}", f"/admin/codes/{survey_id}",
                 f"/admin/codes/{survey_id}/turnout", f"/admin/assessments/{hostile['plan_id']}", "/admin/audit",
                 f"/admin/surveys/{survey_id}/subjects/{subject}/edit", f"/admin/targets/{hostile['system_id']}",
                 f"/admin/registers/{hostile['entry_id']}",
                 "/admin/inspection/coverage"):
        assert any(page.split("?")[0] == must for page in pages), must
    assert seen["xlsx"] >= 1 and seen["csv"] >= 1 and seen["pdf"] >= 2 and seen["svg"] >= 1, seen
    # The comments with markup are on the subject's page, as text.
    page = client.get(f"/admin/reports/{survey_id}/subjects/{subject}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;意见" in page


def test_export_pdfs_print_the_markup_literally(app, client, hostile):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    survey_id, subject = hostile["survey_id"], hostile["subject_ids"][0]
    for url in (f"/admin/reports/{survey_id}/export.pdf", f"/admin/reports/{survey_id}/subjects/{subject}/export.pdf"):
        text = pdf_text(client.get(url).get_data(), layout=False)
        assert f"{SCRIPT}张伟" in text.replace("\n", ""), url


def test_code_slips_and_code_csv_are_safe(app, client, hostile):
    survey_id = hostile["survey_id"]
    with app.app_context():
        served = codes.find_group(db.session.get(Survey, survey_id), "served").id
    response = client.post(f"/admin/codes/{survey_id}/issue",
                           data={"issue-group": served, "issue-count": 2, "issue-output": "zip"})
    assert response.status_code == 200, response.status_code
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        names = archive.namelist()
        cells = _csv_cells(archive.read(next(n for n in names if n.endswith(".csv"))))
        slips = archive.read(next(n for n in names if n.endswith(".pdf")))
    assert not [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]
    assert any(cell.startswith(f"'{LINK}") for cell in cells)  # the group's name, neutralised
    if shutil.which("pdftotext"):
        assert "<script>" in pdf_text(slips, layout=False)


def test_respondent_pages_and_ballot_api_escape_markup(app, hostile):
    survey_id = hostile["survey_id"]
    respondent = app.test_client()
    with app.test_request_context():
        thanks = respondent_bp.thanks_url(survey_id)  # the title is shown only after a submission
    for url in (f"/s/{hostile['code']}", f"/o/{hostile['open_token']}", thanks):
        response = respondent.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        _assert_escaped(url, text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;民主测评" in text, url
    form = respondent.post("/api/v1/ballot-forms", json={"code": hostile["code"]})
    assert form.mimetype == "application/json" and form.headers["X-Content-Type-Options"] == "nosniff"
    assert form.get_json()["survey"]["title"] == f"{SCRIPT}民主测评{IMG}"  # JSON carries the data as typed
    refused = respondent.post(f"/s/{hostile['code']}", data={"q-1": SCRIPT, "idempotency_key": "k" * 22})
    assert refused.status_code == 422
    _assert_escaped("ballot with errors", refused.get_data(as_text=True))


def test_results_api_carries_names_as_data_with_a_json_type(app, client, hostile):
    with app.app_context():
        _row, token = api_tokens.create_token(users.find_user("boss"), "integration")
        db.session.commit()
    response = client.get(f"/api/v1/surveys/{hostile['survey_id']}/results", headers={"Authorization": f"Bearer {token}"})
    assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert {s["name"] for s in response.get_json()["subjects"]} >= {f"{SCRIPT}张伟", LINK}
