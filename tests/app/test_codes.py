"""One-time codes: generation, keyed hashes, batches, slips, CSV, CLI and the admin pages."""

import csv
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from survey_app.extensions import db
from survey_app.models import AccessCode, CodeBatch, CodeStatus, Role, Survey, SurveyStatus
from survey_app.services.respondents import codes, qr, slips, turnout
from tests.app.documents import assert_fonts_embedded, pdf_font_sizes, pdf_words
from tests.app.respondent_helpers import complete_values, form_data, issue_codes

zxingcpp = pytest.importorskip("zxingcpp")


@pytest.fixture
def survey_id(make_survey):
    return make_survey(publish=True)


# ---- the code itself --------------------------------------------------------------------


def test_codes_are_short_typeable_and_free_of_look_alikes():
    generated = {codes.generate_code() for _ in range(2000)}
    assert len(generated) == 2000
    assert all(len(c) == 8 and set(c) <= set(codes.ALPHABET) for c in generated)
    assert not set("01OIL") & set(codes.ALPHABET)
    assert codes.display_code("ABCD2345") == "ABCD-2345"


@pytest.mark.parametrize(("typed", "expected"), [
    ("abcd-2345", "ABCD2345"), (" ABCD 2345 ", "ABCD2345"), ("abcd_2345", "ABCD2345"),
    ("ABCD-234", None), ("ABCD-23450", None), ("ABCD-O345", None), ("", None), ("<script>", None),
])
def test_normalize_forgives_case_spaces_and_dashes_only(typed, expected):
    assert codes.normalize_code(typed) == expected


def test_database_holds_only_keyed_hashes(app, survey_id):
    issued = issue_codes(app, survey_id, count=20)
    with app.app_context():
        stored = db.session.scalars(select(AccessCode.code_hash)).all()
        dump = " ".join(str(row) for row in db.session.execute(text("SELECT * FROM access_codes")))
        assert sorted(stored) == sorted(codes.code_hash(c) for c in issued)
        assert not any(c in dump or codes.display_code(c) in dump for c in issued)
        # the hash is keyed: without the key, sha256 of the code is not what is stored
        import hashlib
        assert hashlib.sha256(issued[0].encode()).hexdigest() not in stored


def test_a_separate_code_hash_key_changes_every_hash(app):
    with app.app_context():
        derived = codes.code_hash("ABCD2345")
        app.config["CODE_HASH_KEY"] = "a-separate-key-for-codes"
        assert codes.code_hash("ABCD2345") != derived


def test_batch_counts_and_voiding(app, client, survey_id):
    superior = issue_codes(app, survey_id, "superior", 5)
    issue_codes(app, survey_id, "served", 4)
    client.post(f"/s/{superior[0]}", data=form_data(complete_values(app, survey_id)))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        codes.void_code(survey, superior[1].lower(), actor=None)
        with pytest.raises(codes.ValidationFailed):
            codes.void_code(survey, superior[0], actor=None)  # used: cannot be voided
        batch = db.session.scalars(select(CodeBatch).where(CodeBatch.count == 4)).one()
        assert codes.void_batch(batch, actor=None) == 4
        db.session.commit()
        counts = {c.group.key: (c.issued, c.used, c.void, c.unused, c.ballots) for c in codes.group_counts(survey)}
    assert counts == {"superior": (5, 1, 1, 3, 1), "served": (4, 0, 4, 0, 0)}


def test_reissue_voids_the_lost_batch_and_issues_as_many_new_codes(app, client, survey_id):
    old = issue_codes(app, survey_id, count=4)
    client.post(f"/s/{old[0]}", data=form_data(complete_values(app, survey_id)))
    with app.app_context():
        batch = db.session.scalars(select(CodeBatch)).one()
        fresh = codes.reissue_batch(batch, actor=None)
        db.session.commit()
        assert len(fresh.codes) == 3 and not set(fresh.codes) & set(old)
    assert client.get(f"/s/{old[1]}").status_code == 410
    assert client.get(f"/s/{fresh.codes[0]}").status_code == 200


def test_codes_cannot_be_issued_for_a_closed_survey(app, survey_id):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.status = SurveyStatus.CLOSED
        with pytest.raises(codes.ValidationFailed):
            codes.issue_batch(survey, survey.groups[0], 3, actor=None)
        with pytest.raises(codes.ValidationFailed):
            codes.issue_batch(survey, survey.groups[0], 0, actor=None)


# ---- QR codes, slips and CSV --------------------------------------------------------------


def test_qr_png_decodes_to_the_absolute_code_url(app):
    with app.app_context():
        png = qr.qr_png(qr.code_url("ABCD2345"))
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in results] == ["http://localhost/s/ABCD2345"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler's pdftoppm to rasterise the PDF")
def test_every_qr_on_the_printed_slips_decodes_at_print_resolution(app, survey_id, tmp_path):
    with app.app_context():
        app.config["PUBLIC_BASE_URL"] = "https://pingyi.example.gov.cn"
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, survey.groups[0], 13, actor=None)
        pdf = slips.slips_pdf(survey.title, issued.group.name, issued.codes)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "slips.pdf").write_bytes(pdf)
    # 150 dpi: a coarse office print; each module is then about 5 pixels
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", str(tmp_path / "slips.pdf"), str(tmp_path / "p")],
                   check=True)
    found = []
    for page in sorted(tmp_path.glob("p*.png")):
        with Image.open(page) as image:
            found += [r.text for r in zxingcpp.read_barcodes(image)]
    assert sorted(found) == sorted(f"https://pingyi.example.gov.cn/s/{c}" for c in issued.codes)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_slips_show_title_group_code_and_instruction_in_chinese(app, survey_id, tmp_path):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, survey.groups[0], 2, actor=None)
        (tmp_path / "s.pdf").write_bytes(slips.slips_pdf(survey.title, issued.group.name, issued.codes))
    words = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "2026年度民主测评" in words and "上级" in words and "扫码参加评议" in words
    assert codes.display_code(issued.codes[0]) in words


def test_slips_embed_every_font(app, survey_id):
    """A print shop's PC or a phone without Chinese fonts must print the slip as designed."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, survey.groups[0], 2, actor=None)
        pdf = slips.slips_pdf(survey.title, issued.group.name, issued.codes)
    fonts = assert_fonts_embedded(pdf)
    assert not any("STSong" in font["name"] or "Courier" in font["name"] for font in fonts)


def test_the_fallback_link_on_slips_is_legible_and_whole(app, survey_id):
    """Who cannot scan types the link: it must be printed whole and at 8 pt or more."""
    url = "https://pingyi.example.gov.cn"
    with app.app_context():
        app.config["PUBLIC_BASE_URL"] = url
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, survey.groups[0], 2, actor=None)
        pdf = slips.slips_pdf(survey.title, issued.group.name, issued.codes)
    words = pdf_words(pdf)
    links = [word for word in words if word.text.startswith(url)]
    assert len(links) == 2, [word.text for word in words]  # one per slip, never cut by an ellipsis
    assert min(pdf_font_sizes(pdf)) >= 8  # nothing on a slip is smaller, the link included


def test_csv_lists_codes_and_urls_for_excel(app, survey_id):
    with app.app_context():
        data = slips.codes_csv("=HYPERLINK(1)", "上级", 7, ["ABCD2345"])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1] == ["ABCD-2345", "http://localhost/s/ABCD2345", "'=HYPERLINK(1)", "上级", "7"]


# ---- CLI --------------------------------------------------------------------------------


def test_cli_issues_codes_with_pdf_and_csv(app, runner, survey_id, tmp_path):
    result = runner.invoke(args=["codes", "issue", str(survey_id), "--group", "served", "--count", "12",
                                 "--pdf", str(tmp_path / "slips.pdf"), "--csv", str(tmp_path / "codes.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "slips.pdf").read_bytes().startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO((tmp_path / "codes.csv").read_text("utf-8-sig"))))
    assert len(rows) == 13
    with app.app_context():
        assert all(db.session.scalar(select(AccessCode.status).where(
            AccessCode.code_hash == codes.code_hash(codes.normalize_code(r[0])))) is CodeStatus.ISSUED
            for r in rows[1:])
    counts = runner.invoke(args=["codes", "counts", str(survey_id)])
    assert "served\t服务对象\t12\t0\t0\t12\t0" in counts.output


def test_cli_refuses_to_issue_codes_nobody_will_see(runner, survey_id):
    result = runner.invoke(args=["codes", "issue", str(survey_id), "--group", "served", "--count", "3"])
    assert result.exit_code == 1 and "--pdf" in result.output
    assert runner.invoke(args=["codes", "issue", str(survey_id), "--group", "nope", "--count", "3",
                               "--csv", "/dev/null"]).exit_code == 1


def test_cli_void_batch_and_simulate(app, runner, survey_id):
    issue_codes(app, survey_id, count=3)
    assert "3 个" in runner.invoke(args=["codes", "void-batch", "1"]).output
    result = runner.invoke(args=["codes", "simulate", str(survey_id), "--per-group", "4"])
    assert result.exit_code == 0 and "8 份" in result.output


# ---- admin pages ------------------------------------------------------------------------


def _manage(survey_id: int) -> str:
    return f"/admin/codes/{survey_id}"


def test_organizer_issues_a_batch_and_downloads_the_slips(app, client, auth, survey_id):
    auth.login()
    page = client.get(_manage(survey_id))
    assert page.status_code == 200 and "发放评议码" in page.text
    with app.app_context():
        group_id = db.session.get(Survey, survey_id).groups[0].id
    response = client.post(f"{_manage(survey_id)}/issue",
                           data={"issue-group": group_id, "issue-count": 3, "issue-output": "zip"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert names[0].endswith(".csv") and names[1].endswith(".pdf")
    assert len(archive.read(names[0]).decode("utf-8-sig").splitlines()) == 4
    assert "已发放" in client.get(_manage(survey_id)).text


def _issued_rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(CodeBatch)),
                db.session.scalar(select(func.count()).select_from(AccessCode)))


def test_a_failure_while_drawing_the_slips_leaves_no_batch(app, client, auth, survey_id, monkeypatch):
    """Issue #12 (13): the web committed the batch before drawing its PDF, so a worker
    killed while drawing left live codes nobody received, counted in turnout."""
    auth.login()
    with app.app_context():
        group_id = db.session.get(Survey, survey_id).groups[0].id

    def killed(*_args, **_kwargs):
        assert _issued_rows(app) == (0, 0)  # nothing committed while the slips are drawn
        raise MemoryError("worker killed while drawing")

    monkeypatch.setattr(slips, "slips_pdf", killed)
    response = client.post(f"{_manage(survey_id)}/issue", data={"issue-group": group_id, "issue-count": 3,
                                                                "issue-output": "pdf"}, follow_redirects=True)
    assert response.status_code == 200 and "本批评议码没有发放" in response.text
    assert _issued_rows(app) == (0, 0)
    old = issue_codes(app, survey_id, count=2)
    with app.app_context():
        batch_id = db.session.scalars(select(CodeBatch.id)).one()  # PostgreSQL's sequence moved on
    reissued = client.post(f"/admin/codes/batches/{batch_id}/reissue", data={"output": "pdf", "confirm": "yes"},
                           follow_redirects=True)
    assert "本批评议码没有发放" in reissued.text
    assert _issued_rows(app) == (1, 2) and client.get(f"/s/{old[0]}").status_code == 200  # the old batch lives on


def test_a_batch_too_big_to_draw_in_one_request_is_refused_with_the_cli_way(app, client, auth, survey_id):
    auth.login()
    with app.app_context():
        group_id = db.session.get(Survey, survey_id).groups[0].id
    app.config["WEB_MAX_SLIPS"] = 5
    refused = client.post(f"{_manage(survey_id)}/issue", data={"issue-group": group_id, "issue-count": 6,
                                                               "issue-output": "zip"}, follow_redirects=True)
    assert "网页一次最多生成 5 张" in refused.text and "flask codes issue" in refused.text
    assert _issued_rows(app) == (0, 0)
    csv_only = client.post(f"{_manage(survey_id)}/issue", data={"issue-group": group_id, "issue-count": 6,
                                                                "issue-output": "csv"})
    assert csv_only.status_code == 200 and _issued_rows(app) == (1, 6)  # no drawing: no time limit needed


def test_organizer_voids_batches_and_single_codes(app, client, auth, survey_id):
    typed = issue_codes(app, survey_id, count=3)
    auth.login()
    refused = client.post(f"{_manage(survey_id)}/void-code", data={"void-code": codes.display_code(typed[0])},
                          follow_redirects=True)
    assert "请勾选“确认作废”后再提交" in refused.text
    assert client.get(f"/s/{typed[0]}").status_code == 200  # not voided without the box ticked
    client.post(f"{_manage(survey_id)}/void-code", data={"void-code": codes.display_code(typed[0]), "confirm": "yes"})
    assert client.get(f"/s/{typed[0]}").status_code == 410
    client.post("/admin/codes/batches/1/void", data={"confirm": "yes"})
    assert client.get(f"/s/{typed[1]}").status_code == 410
    reissued = client.post("/admin/codes/batches/1/reissue", data={"confirm": "yes"}, follow_redirects=True)
    assert "无需重新发放" in reissued.text


def test_open_links_are_created_toggled_and_have_a_qr(app, client, auth, survey_id):
    auth.login()
    with app.app_context():
        group_id = db.session.get(Survey, survey_id).groups[1].id
    client.post(f"{_manage(survey_id)}/open-links", data={"link-group": group_id})
    with app.app_context():
        token = codes.list_open_links(db.session.get(Survey, survey_id))[0].token
    assert f"/o/{token}" in client.get(_manage(survey_id)).text
    png = client.get("/admin/codes/open-links/1/qr.png")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))] == [f"http://localhost/o/{token}"]
    client.post("/admin/codes/open-links/1/toggle")
    assert client.get(f"/o/{token}").status_code == 404


def test_turnout_page_shows_counts_only(app, client, auth, survey_id):
    typed = issue_codes(app, survey_id, count=4)
    client.post(f"/s/{typed[0]}", data=form_data(complete_values(app, survey_id)))
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/codes/{survey_id}/turnout")
    assert page.status_code == 200 and "实参加" in page.text and "应参加" in page.text
    assert "称职" not in page.text  # no answers on the projector
    data = client.get(f"/admin/codes/{survey_id}/turnout.json").get_json()
    assert data["groups"][0] == {"name": "上级", "expected": 5, "issued": 4, "submitted": 1, "percent": 20,
                                 "level": "low"}
    assert data["total"]["submitted"] == 1


@pytest.mark.parametrize(("percent", "level"), [(None, "none"), (0, "low"), (8, "low"), (49, "low"), (50, "mid"),
                                                (79, "mid"), (80, "high"), (100, "high"), (130, "high")])
def test_turnout_level_follows_thresholds(percent, level):
    """8% turnout wore the same green badge as 100%."""
    assert turnout.level(percent) == level


def test_turnout_badges_and_bars_carry_their_level(app, client, auth, survey_id):
    typed = issue_codes(app, survey_id, count=5)
    for code in typed[:4]:
        client.post(f"/s/{code}", data=form_data(complete_values(app, survey_id)))
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/codes/{survey_id}/turnout").text
    assert re.search(r'class="pct" data-level="low"', page)  # 4 of 25 expected: 16%
    assert re.search(r'<progress[^>]*data-level="high"', page)  # 上级: 4 of 5
    assert re.search(r'<progress[^>]*data-level="low"', page)  # 服务对象: 0 of 20


@pytest.mark.parametrize("url", ["", "/issue", "/void-code", "/open-links"])
def test_viewers_cannot_manage_codes(client, auth, survey_id, url):
    auth.login("viewer", Role.VIEWER)
    method = client.get if url == "" else client.post
    assert method(f"{_manage(survey_id)}{url}").status_code == 403


@pytest.mark.parametrize("url", ["", "/turnout", "/turnout.json"])
def test_codes_pages_need_login(client, survey_id, url):
    response = client.get(f"{_manage(survey_id)}{url}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
