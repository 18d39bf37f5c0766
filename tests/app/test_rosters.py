"""Roster import from Excel: the template, the upload page, every kind of mistake, atomicity."""

import re
import time
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.errors import StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    RespondentGroup,
    Role,
    Subject,
    SubjectKind,
    Survey,
    Unit,
)
from survey_app.services.design import roster_format, roster_reading, rosters
from survey_app.services.platform import sheets, users
from tests.app.factories import SurveyFactory

SUBJECT_HEADERS = ("编号", "姓名或名称", "类别", "所在单位", "单位类别", "职务", "前任编号")
GROUP_HEADERS = ("代码", "名称", "权重", "最少人数", "应参加人数", "评议对象")
NEW_SUBJECTS = [
    ("C4", "赵敏", "干部", "市教育局", "市直部门", "局长", "C0907"),
    ("T1", "市教育局领导班子", "领导班子", "市教育局", "市直部门", None, None),
    ("U1", "市教育局", "单位", None, None, None, None),
]
NEW_GROUPS = [
    ("peer", "同级", 0.3, 3, 10, "全部"),
    ("deputies", "两代表一委员", "0.2", "5", "30", "C4、T1,C1"),
]


def workbook(
    subjects=(),
    groups=(),
    *,
    subject_headers=SUBJECT_HEADERS,
    group_headers=GROUP_HEADERS,
    sheets=(roster_format.SUBJECT_SHEET, roster_format.GROUP_SHEET),
) -> bytes:
    """Build a roster workbook row by row, as an organizer's own file would be."""
    book = Workbook()
    book.active.title = roster_format.HELP_SHEET
    for name, headers, rows in (
        (roster_format.SUBJECT_SHEET, subject_headers, subjects),
        (roster_format.GROUP_SHEET, group_headers, groups),
    ):
        if name in sheets:
            sheet = book.create_sheet(name)
            sheet.append(headers)
            for row in rows:
                sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_url(survey_id: int) -> str:
    return f"/admin/rosters/{survey_id}/import"


def upload(client, survey_id: int, data: bytes, filename: str = "2026名册.xlsx"):
    return client.post(
        import_url(survey_id),
        data={"workbook": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def page_errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    return (
        re.findall(r"<li>(.*?)</li>", html.split('id="roster-errors"', 1)[1])
        if 'id="roster-errors"' in html
        else []
    )


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def counts(app, survey_id: int) -> dict[str, int]:
    """Rows an import could touch: equal before and after a refused upload."""
    with app.app_context():
        return {
            "subjects": _count(select(Subject).where(Subject.survey_id == survey_id)),
            "groups": _count(select(RespondentGroup).where(RespondentGroup.survey_id == survey_id)),
            "rated": _count(
                select(RespondentGroup.id)
                .join(RespondentGroup.rated_subjects)
                .where(RespondentGroup.survey_id == survey_id)
            ),
            "units": _count(select(Unit)),
            "audit": _count(select(AuditEntry)),
            "imports": _count(select(AuditEntry).where(AuditEntry.action == "roster.import")),
        }


def parse(app, data: bytes, known=()) -> roster_format.Roster:
    # gettext needs a request context here: the app's locale selector reads the session.
    with app.test_request_context():
        return roster_reading.parse_roster(data, known_subject_keys=known)


def parse_errors(app, data: bytes, known=()) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse(app, data, known)
    assert caught.value.message == "名册有误，未导入任何数据"
    return caught.value.errors


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


# ---- mistakes ------------------------------------------------------------------------------

GOOD_SUBJECT = ("C4", "赵敏", "干部", "市教育局", "市直部门", "局长", None)
GOOD_GROUP = ("peer", "同级", 0.3, 3, 10, "全部")


def _subject(**changes):
    row = dict(zip(SUBJECT_HEADERS, GOOD_SUBJECT, strict=True)) | changes
    return tuple(row.values())


def _group(**changes):
    row = dict(zip(GROUP_HEADERS, GOOD_GROUP, strict=True)) | changes
    return tuple(row.values())


MISTAKES = {
    "unknown kind": (
        workbook([GOOD_SUBJECT, _subject(编号="C5", 类别="科员")], [GOOD_GROUP]),
        "工作表“评议对象”第 3 行 C 列（类别）：应为 干部、单位 或 领导班子",
    ),
    "empty name": (
        workbook([_subject(姓名或名称="  ")], [GOOD_GROUP]),
        "工作表“评议对象”第 2 行 B 列（姓名或名称）：不能为空",
    ),
    "empty key": (
        workbook([_subject(编号=None)], [GOOD_GROUP]),
        "工作表“评议对象”第 2 行 A 列（编号）：不能为空",
    ),
    "name too long": (
        workbook([_subject(姓名或名称="长" * 101)], [GOOD_GROUP]),
        "工作表“评议对象”第 2 行 B 列（姓名或名称）：不能超过 100 个字符（现有 101 个）",
    ),
    "unit category too long": (
        workbook([_subject(单位类别="类" * 51)], [GOOD_GROUP]),
        "工作表“评议对象”第 2 行 E 列（单位类别）：不能超过 50 个字符（现有 51 个）",
    ),
    "group key too long": (
        workbook([GOOD_SUBJECT], [_group(代码="g" * 33)]),
        "工作表“评议主体”第 2 行 A 列（代码）：不能超过 32 个字符（现有 33 个）",
    ),
    "bad key characters": (
        workbook([_subject(编号="C#4")], [GOOD_GROUP]),
        "工作表“评议对象”第 2 行 A 列（编号）：“C#4”只能使用字母、数字、下划线和连字符",
    ),
    "duplicate subject key": (
        workbook([GOOD_SUBJECT, _subject(姓名或名称="钱进")], [GOOD_GROUP]),
        "工作表“评议对象”第 3 行 A 列（编号）：“C4”与第 2 行重复",
    ),
    "duplicate group key": (
        workbook([GOOD_SUBJECT], [GOOD_GROUP, _group(名称="同级二")]),
        "工作表“评议主体”第 3 行 A 列（代码）：“peer”与第 2 行重复",
    ),
    "negative weight": (
        workbook([GOOD_SUBJECT], [_group(权重=-0.1)]),
        "工作表“评议主体”第 2 行 C 列（权重）：不能为负数",
    ),
    "non-numeric weight": (
        workbook([GOOD_SUBJECT], [_group(权重="高")]),
        "工作表“评议主体”第 2 行 C 列（权重）：应为数字（现为“高”）",
    ),
    "empty weight": (
        workbook([GOOD_SUBJECT], [_group(权重=None)]),
        "工作表“评议主体”第 2 行 C 列（权重）：不能为空",
    ),
    "minimum size below one": (
        workbook([GOOD_SUBJECT], [_group(最少人数=0)]),
        "工作表“评议主体”第 2 行 D 列（最少人数）：至少为 1",
    ),
    "negative head-count": (
        workbook([GOOD_SUBJECT], [_group(应参加人数="-3")]),
        "工作表“评议主体”第 2 行 E 列（应参加人数）：不能为负数",
    ),
    "fractional head-count": (
        workbook([GOOD_SUBJECT], [_group(应参加人数=2.5)]),
        "工作表“评议主体”第 2 行 E 列（应参加人数）：应为整数（现为 2.5）",
    ),
    "unknown subject in a group": (
        workbook([GOOD_SUBJECT], [_group(评议对象="C4、X9，X8")]),
        "工作表“评议主体”第 2 行 F 列（评议对象）：编号 “X9”、“X8” 在工作表“评议对象”和本问卷中都不存在",
    ),
    "全部 with keys": (
        workbook([GOOD_SUBJECT], [_group(评议对象="全部、C4")]),
        "工作表“评议主体”第 2 行 F 列（评议对象）：“全部”不能与编号同时填写",
    ),
    "unit category without unit": (
        workbook([_subject(所在单位=None)], [GOOD_GROUP]),
        "工作表“评议对象”第 2 行 E 列（单位类别）：填写了单位类别，但没有填写所在单位",
    ),
    "predecessor is oneself": (
        workbook([_subject(前任编号="C4")], [GOOD_GROUP]),
        "工作表“评议对象”第 2 行 G 列（前任编号）：不能与本人的编号相同",
    ),
    "missing column": (
        workbook(
            [GOOD_SUBJECT[:2] + GOOD_SUBJECT[3:]],
            [GOOD_GROUP],
            subject_headers=SUBJECT_HEADERS[:2] + SUBJECT_HEADERS[3:],
        ),
        "工作表“评议对象”第 1 行：缺少列“类别”",
    ),
    "misnamed column": (
        workbook(
            [GOOD_SUBJECT], [GOOD_GROUP], subject_headers=("编号", "姓名或名称", "类型") + SUBJECT_HEADERS[3:]
        ),
        "工作表“评议对象”第 1 行：缺少列“类别”（未识别的列：C 列“类型”）",
    ),
    "missing sheet": (
        workbook([GOOD_SUBJECT], sheets=(roster_format.SUBJECT_SHEET,)),
        "缺少工作表“评议主体”，请使用导入模板",
    ),
    "empty roster": (workbook(), "名册中没有任何评议对象或评议主体"),
    "not a workbook": (b"name,kind\nC1,cadre\n", "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏"),
    "password-protected": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "EncryptionInfo".encode("utf-16-le"),
        "文件设置了打开密码，请在 Excel 中取消密码后重新上传",
    ),
    "old .xls renamed": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        "这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后重新上传",
    ),
}


@pytest.mark.parametrize("data, message", MISTAKES.values(), ids=MISTAKES.keys())
def test_each_mistake_is_reported_where_it_is_and_nothing_changes(
    app, client, auth, make_survey, data, message
):
    survey_id = make_survey()
    auth.login()
    before = counts(app, survey_id)
    response = upload(client, survey_id, data)
    assert response.status_code == 422
    assert page_errors(response) == [message]
    assert "名册有误，未导入任何数据" in response.get_data(as_text=True)
    assert counts(app, survey_id) == before


def test_every_mistake_is_listed_at_once(app):
    data = workbook(
        [_subject(类别="科员", 姓名或名称=None), _subject(编号="C5", 所在单位="长" * 101)],
        [_group(权重="高", 最少人数=0)],
    )
    assert parse_errors(app, data) == [
        "工作表“评议对象”第 2 行 B 列（姓名或名称）：不能为空",
        "工作表“评议对象”第 2 行 C 列（类别）：应为 干部、单位 或 领导班子",
        "工作表“评议对象”第 3 行 D 列（所在单位）：不能超过 100 个字符（现有 101 个）",
        "工作表“评议主体”第 2 行 C 列（权重）：应为数字（现为“高”）",
        "工作表“评议主体”第 2 行 D 列（最少人数）：至少为 1",
    ]


def test_a_subject_with_another_mistake_is_not_reported_again_by_its_groups(app):
    data = workbook([_subject(类别="科员")], [_group(评议对象="C4")])
    assert parse_errors(app, data) == ["工作表“评议对象”第 2 行 C 列（类别）：应为 干部、单位 或 领导班子"]


def test_one_unit_one_category_within_the_file(app):
    data = workbook([GOOD_SUBJECT, _subject(编号="C5", 单位类别="县市区")], [GOOD_GROUP])
    assert parse_errors(app, data) == [
        "工作表“评议对象”第 3 行 E 列（单位类别）：单位“市教育局”在第 2 行的类别是“市直部门”，两处应一致"
    ]


def test_nine_good_rows_and_one_bad_import_nothing(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    rows = [_subject(编号=f"N{i}", 姓名或名称=f"干部{i}", 所在单位=f"新单位{i}") for i in range(9)]
    rows.append(_subject(编号="N9", 类别="处长"))
    before = counts(app, survey_id)
    response = upload(client, survey_id, workbook(rows, [_group(评议对象="N0、N1")]))
    assert response.status_code == 422
    assert page_errors(response) == ["工作表“评议对象”第 11 行 C 列（类别）：应为 干部、单位 或 领导班子"]
    assert counts(app, survey_id) == before


def test_a_failure_after_rows_were_written_rolls_everything_back(app, client, auth, make_survey, monkeypatch):
    """Subjects and a new unit are flushed before groups; a late failure must undo them too."""

    def fail(*_args):
        raise ValidationFailed("测试：导入中途出错")

    monkeypatch.setattr(rosters, "_upsert_groups", fail)
    survey_id = make_survey()
    auth.login()
    before = counts(app, survey_id)
    response = upload(client, survey_id, workbook(NEW_SUBJECTS, NEW_GROUPS))
    assert response.status_code == 422
    assert page_errors(response) == ["测试：导入中途出错"]
    assert counts(app, survey_id) == before


# ---- refusals ------------------------------------------------------------------------------


def test_published_survey_refuses_an_import(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    auth.login()
    page = client.get(import_url(survey_id)).get_data(as_text=True)
    assert 'id="locked-notice"' in page and '<form method="post" enctype' not in page
    before = counts(app, survey_id)
    response = upload(client, survey_id, workbook([GOOD_SUBJECT], [GOOD_GROUP]))
    assert response.status_code == 409
    assert "问卷已发布，结构已锁定，不能导入名册" in response.get_data(as_text=True)
    assert counts(app, survey_id) == before


def test_service_refuses_a_published_survey_even_with_wording_only_changes(app, make_survey):
    survey_id = make_survey(publish=True)
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        roster = roster_format.Roster(
            subjects=(
                roster_format.SubjectRow(
                    row=2,
                    key="C1",
                    name="张伟（改）",
                    kind=SubjectKind.CADRE,
                    unit_name="市发改委",
                    unit_category="",
                    position_title="局长",
                    predecessor_key=None,
                ),
            ),
            groups=(),
        )
        with pytest.raises(StructureLocked):
            rosters.import_roster(survey, roster, actor=None)
        db.session.rollback()
        assert db.session.get(Survey, survey_id).subjects[0].name == "张伟"


def test_import_roster_rechecks_references_against_the_survey(app, make_survey):
    survey_id = make_survey()
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        roster = roster_format.Roster(
            subjects=(),
            groups=(
                roster_format.GroupRow(
                    row=4,
                    key="g",
                    name="下级",
                    weight=1,
                    min_size=3,
                    expected_count=0,
                    subject_keys=("C1", "Z9"),
                ),
            ),
        )
        with pytest.raises(ValidationFailed) as caught:
            rosters.import_roster(survey, roster, actor=None)
        assert caught.value.errors == [
            "工作表“评议主体”第 4 行（评议对象）：编号 “Z9” 在名册和本问卷中都不存在"
        ]


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("名册.csv", b"a,b\n", "只能上传 Excel 工作簿（.xlsx）文件"),
        ("名册.xls", b"\xd0\xcf\x11\xe0", "只能上传 Excel 工作簿（.xlsx）文件"),
        ("", b"", "请选择要上传的名册文件"),
    ],
)
def test_non_xlsx_uploads_are_refused(app, client, auth, make_survey, filename, data, message):
    survey_id = make_survey()
    auth.login()
    before = counts(app, survey_id)
    response = upload(client, survey_id, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app, survey_id) == before


def test_upper_case_extension_is_accepted(client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    assert upload(client, survey_id, workbook([GOOD_SUBJECT], []), "名册.XLSX").status_code == 302


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
