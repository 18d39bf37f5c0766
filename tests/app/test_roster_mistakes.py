"""Roster import mistakes and refusals: every mistake reported with its cell, and a refused
file changes nothing."""


import pytest

from survey_app.errors import StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import SubjectKind, Survey
from survey_app.services.design import roster_format, rosters
from tests.app.roster_helpers import (
    GOOD_GROUP,
    GOOD_SUBJECT,
    GROUP_HEADERS,
    NEW_GROUPS,
    NEW_SUBJECTS,
    SUBJECT_HEADERS,
    counts,
    import_url,
    page_errors,
    parse_errors,
    upload,
    workbook,
)

# ---- mistakes ------------------------------------------------------------------------------


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
