"""Roster import from Excel: the template, the upload page, every kind of mistake, atomicity."""

import re
import time
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, SubjectKind, Survey, Unit
from survey_app.services.design import roster_format, rosters
from survey_app.services.platform import sheets, users
from tests.app.factories import SurveyFactory
from tests.app.roster_helpers import (
    GOOD_GROUP,
    GOOD_SUBJECT,
    GROUP_HEADERS,
    NEW_GROUPS,
    NEW_SUBJECTS,
    SUBJECT_HEADERS,
    counts,
    import_url,
    parse,
    upload,
    workbook,
)

# ---- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/rosters/template.xlsx", "/admin/rosters/1/import"])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/admin/rosters/template.xlsx"),
        ("get", "/admin/rosters/{id}/import"),
        ("post", "/admin/rosters/{id}/import"),
    ],
)
def test_viewers_are_forbidden(app, client, auth, make_survey, method, path):
    survey_id = make_survey()
    auth.login("v", Role.VIEWER)
    response = getattr(client, method)(path.format(id=survey_id))
    assert response.status_code == 403
    assert counts(app, survey_id)["imports"] == 0


def test_unknown_survey_is_404(client, auth):
    auth.login()
    assert client.get(import_url(999)).status_code == 404


def test_import_page_links_the_template(client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    response = client.get(import_url(survey_id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/admin/rosters/template.xlsx" in html
    assert 'enctype="multipart/form-data"' in html


# ---- the template --------------------------------------------------------------------------


def test_template_download_has_the_sheets_and_headers(client, auth):
    auth.login()
    response = client.get("/admin/rosters/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == sheets.XLSX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["说明", "评议对象", "评议主体"]
    for name, headers in (("评议对象", SUBJECT_HEADERS), ("评议主体", GROUP_HEADERS)):
        sheet = book[name]
        assert tuple(c.value for c in sheet[1]) == headers
        assert all(c.font.b for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 1, "data sheets carry headers only; examples live in 说明"
        assert sheet.column_dimensions["B"].width >= 15
    help_text = " ".join(str(c.value) for row in book["说明"].iter_rows() for c in row if c.value)
    assert "全部" in help_text and "C1001" in help_text


def test_template_offers_the_three_kinds_as_a_list(client, auth):
    auth.login()
    book = load_workbook(BytesIO(client.get("/admin/rosters/template.xlsx").data))
    (validation,) = book["评议对象"].data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"干部,单位,领导班子"'
    assert str(validation.sqref).startswith("C2:C")


# ---- a successful import ------------------------------------------------------------------


def test_filled_template_imports_through_the_page(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    book = load_workbook(BytesIO(client.get("/admin/rosters/template.xlsx").data))
    for row in NEW_SUBJECTS:
        book["评议对象"].append(row)
    for row in NEW_GROUPS:
        book["评议主体"].append(row)
    filled = BytesIO()
    book.save(filled)

    response = upload(client, survey_id, filled.getvalue())

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/surveys/{survey_id}")
    with client.session_transaction() as session:
        ((category, message),) = session["_flashes"]
    assert category == "success" and "新增 3 个" in message and "新增 2 个" in message
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        subjects = {s.key: s for s in survey.subjects}
        assert [s.key for s in survey.subjects] == ["C1", "C2", "C3", "C4", "T1", "U1"]
        assert subjects["C4"].unit.name == "市教育局" and subjects["C4"].unit.category == "市直部门"
        assert subjects["C4"].predecessor_key == "C0907" and subjects["C4"].position_title == "局长"
        assert subjects["T1"].kind is SubjectKind.TEAM and subjects["U1"].kind is SubjectKind.UNIT
        assert subjects["U1"].unit is None and subjects["T1"].predecessor_key is None
        groups = {g.key: g for g in survey.groups}
        assert groups["peer"].rates_all_subjects and groups["peer"].weight == 0.3
        deputies = groups["deputies"]
        assert not deputies.rates_all_subjects
        assert (deputies.weight, deputies.min_size, deputies.expected_count) == (0.2, 5, 30)
        assert {s.key for s in deputies.rated_subjects} == {"C4", "T1", "C1"}
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.import")).one()
        assert entry.target_id == survey_id
        assert entry.detail["filename"] == "2026名册.xlsx"
        assert entry.detail["subjects_created"] == 3 and entry.detail["groups_created"] == 2


def test_import_updates_existing_keys_and_keeps_the_rest(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    data = workbook(
        [
            ("C1", "张伟", "干部", "市发改委", "市直部门", "党组书记、主任", None),  # new title
            ("C2", "李娜", "干部", "市发改委", "市直部门", "局长", None),  # as it was
        ],
        [("served", "服务对象", 0.5, 4, 25, "C2、C3"), ("superior", "上级", 0.4, 3, 5, "全部")],
    )
    response = upload(client, survey_id, data)
    assert response.status_code == 302
    with client.session_transaction() as session:
        ((_category, message),) = session["_flashes"]
    assert "评议对象：新增 0 个，更新 1 个，未变 1 个" in message
    assert "评议主体：新增 0 个，更新 1 个，未变 1 个" in message
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        subjects = {s.key: s for s in survey.subjects}
        assert len(subjects) == 3, "subjects missing from the file are kept"
        assert subjects["C1"].position_title == "党组书记、主任"
        served = next(g for g in survey.groups if g.key == "served")
        assert (served.weight, served.min_size, served.expected_count) == (0.5, 4, 25)
        assert [s.key for s in served.rated_subjects] == ["C2", "C3"]


def test_existing_unit_category_is_kept_and_reported(app, client, auth, make_survey):
    survey_id = make_survey()  # 市发改委 is a 市直部门
    auth.login()
    data = workbook([("C9", "周杰", "干部", "市发改委", "县市区", "副主任", None)])
    assert upload(client, survey_id, data).status_code == 302
    with client.session_transaction() as session:
        categories = [category for category, _message in session["_flashes"]]
        warning = session["_flashes"][-1][1]
    assert categories == ["success", "warning"] and "市发改委" in warning
    with app.app_context():
        unit = db.session.scalars(select(Unit).where(Unit.name == "市发改委")).one()
        assert unit.category == "市直部门"


def test_cells_are_normalised(app):
    data = workbook(
        [
            (1001, "\u3000张伟 ", "干部", " 市财政局\u3000", None, None, 1000.0),
            (None, None, None, None, None, None, None),  # blank rows are skipped
            ("Ｃ１", "李娜", " 干部", None, None, None, "2019/财-07"),  # full-width key; any predecessor
            (1002.0, "王强", "干部", None, None, None, None),
        ],
        [("g1", "上级", "12", "５", " 40 ", 1001), ("g2", "下级", 0.5, None, None, "1002 , Ｃ１")],
    )
    roster = parse(app, data)
    assert [(s.key, s.name, s.unit_name, s.predecessor_key) for s in roster.subjects] == [
        ("1001", "张伟", "市财政局", "1000"),
        ("C1", "李娜", "", "2019/财-07"),
        ("1002", "王强", "", None),
    ]
    assert [s.row for s in roster.subjects] == [2, 4, 5]
    g1, g2 = roster.groups
    assert (g1.weight, g1.min_size, g1.expected_count, g1.subject_keys) == (12.0, 5, 40, ("1001",))
    assert (g2.min_size, g2.expected_count, g2.subject_keys) == (3, 0, ("1002", "C1"))


def test_headers_are_matched_by_name_below_a_title_row(app):
    book = Workbook()
    sheet = book.active
    sheet.title = "评议对象"
    sheet.append(["2026年度民主测评名册"])  # a title row above the header
    sheet.append(["备注", "类别", "编号", "前任编号", "职务", "单位类别", "所在单位", "姓名或名称"])
    sheet.append(["借调", "干部", "C7", None, "科长", None, "市委办", "陈静"])
    groups = book.create_sheet("评议主体")
    groups.append(GROUP_HEADERS)
    buffer = BytesIO()
    book.save(buffer)
    (subject,) = parse(app, buffer.getvalue()).subjects
    assert (subject.row, subject.key, subject.name, subject.unit_name) == (3, "C7", "陈静", "市委办")


def test_groups_may_name_subjects_already_in_the_survey(app):
    data = workbook([], [("g", "上级", 1, 3, 0, "C1、C2")])
    assert parse(app, data, known={"C1", "C2"}).groups[0].subject_keys == ("C1", "C2")


# ---- CSRF ----------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(tmp_path):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True
    )
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_post_without_csrf_token_is_refused(csrf_app):
    survey_id = SurveyFactory(csrf_app)()
    client = csrf_app.test_client()
    with csrf_app.app_context():
        user_id = users.find_user("factory").id  # the factory's administrator
    with client.session_transaction() as session:  # the login form itself wants a token
        session["_user_id"] = f"{user_id}:1"  # the account and its session version
        session["_seen"] = int(time.time())
        session["_fresh"] = True
    before = counts(csrf_app, survey_id)
    data = workbook([GOOD_SUBJECT], [GOOD_GROUP])

    refused = upload(client, survey_id, data)
    assert refused.status_code == 400
    assert "页面已过期，请刷新后重试" in refused.get_data(as_text=True)
    assert counts(csrf_app, survey_id) == before

    page = client.get(import_url(survey_id)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post(
        import_url(survey_id),
        content_type="multipart/form-data",
        data={"csrf_token": token, "workbook": (BytesIO(data), "名册.xlsx")},
    )
    assert accepted.status_code == 302
    assert counts(csrf_app, survey_id)["subjects"] == before["subjects"] + 1


# ---- near-duplicate unit names ---------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [
    ("市住房和城乡建设局", "市住房城乡建设局"),
    ("市住房城乡建设局", "住房和建设局"),
    ("市 发改委", "市发改委"),
    ("市发改委（市粮食局）", "市发改委市粮食局"),
    ("ＡＢＣ中心", "ABC中心"),
    ("市卫生健康委", "卫生健康委"),
    ("区科技与工信局", "区科技和工信局"),
])
def test_unit_name_variants_share_a_key(a, b):
    assert rosters.unit_name_key(a) == rosters.unit_name_key(b)


@pytest.mark.parametrize(("a", "b"), [("市财政局", "市教育局"), ("市发改委", "市统计局"), ("县财政局", "市财政局")])
def test_different_units_keep_different_keys(a, b):
    assert rosters.unit_name_key(a) != rosters.unit_name_key(b)


def _near_duplicate_file():
    return workbook([
        ("U7", "市住房和城乡建设局", "单位", "市住房和城乡建设局", "市直部门", None, None),
        ("C7", "孙浩", "干部", "市住房和城乡建设局", "市直部门", "局长", None),
        ("C8", "钱丽", "干部", "市教育局", "市直部门", "局长", None),
    ])


def _existing_unit(app, name="市住房城乡建设局"):
    with app.app_context():
        from survey_app.services.design.surveys import get_or_create_unit
        get_or_create_unit(name, "市直部门")
        db.session.commit()


def test_near_duplicate_unit_name_is_asked_about_and_nothing_is_imported(app, client, auth, make_survey):
    survey_id = make_survey()
    _existing_unit(app)
    auth.login()
    before = counts(app, survey_id)
    response = upload(client, survey_id, _near_duplicate_file())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "与已有单位相近" in page and "尚未导入任何数据" in page
    assert "名册中的“市住房和城乡建设局”（评议对象第 2、3 行）" in page
    assert "并入“市住房城乡建设局”" in page and "新建“市住房和城乡建设局”" in page
    assert 'name="workbook_data"' in page
    assert counts(app, survey_id) == before


def _choose(client, survey_id, response, choice):
    page = response.get_data(as_text=True)
    data = re.search(r'name="workbook_data" value="([^"]+)"', page).group(1)
    form = {"workbook_data": data, "filename": "2026名册.xlsx"}
    if choice is not None:
        form["unit:市住房和城乡建设局"] = choice
    return client.post(import_url(survey_id), data=form)


def test_merging_a_near_duplicate_uses_the_existing_unit(app, client, auth, make_survey):
    survey_id = make_survey()
    _existing_unit(app)
    auth.login()
    response = _choose(client, survey_id, upload(client, survey_id, _near_duplicate_file()), "市住房城乡建设局")
    assert response.status_code == 302
    with app.app_context():
        subjects = {s.key: s for s in db.session.get(Survey, survey_id).subjects}
        assert subjects["U7"].unit.name == subjects["C7"].unit.name == "市住房城乡建设局"
        assert subjects["C8"].unit.name == "市教育局"
        assert not db.session.scalar(select(Unit).where(Unit.name == "市住房和城乡建设局"))
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.import")).one()
        assert entry.detail["merged_units"] == {"市住房和城乡建设局": "市住房城乡建设局"}


def test_creating_a_new_unit_for_a_near_duplicate_is_a_choice(app, client, auth, make_survey):
    survey_id = make_survey()
    _existing_unit(app)
    auth.login()
    response = _choose(client, survey_id, upload(client, survey_id, _near_duplicate_file()), rosters.NEW_UNIT)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Unit).where(Unit.name == "市住房和城乡建设局"))
        assert db.session.scalar(select(Unit).where(Unit.name == "市住房城乡建设局"))


@pytest.mark.parametrize("choice", [None, "市财政局", ""])
def test_a_missing_or_foreign_choice_imports_nothing(app, client, auth, make_survey, choice):
    survey_id = make_survey()
    _existing_unit(app)
    auth.login()
    first = upload(client, survey_id, _near_duplicate_file())
    before = counts(app, survey_id)
    response = _choose(client, survey_id, first, choice)
    assert response.status_code == 422 and "请选择一项" in response.get_data(as_text=True)
    assert counts(app, survey_id) == before


def test_a_damaged_step_two_file_is_refused(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    response = client.post(import_url(survey_id), data={"workbook_data": "not base64!"})
    assert response.status_code == 422 and "重新上传" in response.get_data(as_text=True)
    response = client.post(import_url(survey_id), data={"workbook_data": "aGVsbG8="})  # "hello": not a workbook
    assert response.status_code == 422


def test_two_spellings_within_one_file_are_asked_about(app):
    rows = (
        roster_format.SubjectRow(2, "A1", "甲", SubjectKind.CADRE, "市住房城乡建设局", "", "", None),
        roster_format.SubjectRow(3, "A2", "乙", SubjectKind.CADRE, "市住房和城乡建设局", "", "", None),
    )
    with app.app_context():
        flagged = rosters.find_near_duplicates(rows)
    assert flagged == [rosters.NearDuplicate("市住房和城乡建设局", ("市住房城乡建设局",), (3,))]
