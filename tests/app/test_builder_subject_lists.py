"""Subjects pasted as lines and edited in bulk, and a unit category never silently dropped:
each all or nothing, with a Chinese message."""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Subject, Survey
from tests.app.builder_helpers import SUBJECT, count


def test_pasted_list_adds_a_whole_team(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    lines = "陈建国, 主任\n李红梅，副主任\n\n王立新\t副主任\t FGW-3"
    response = client.post(f"/admin/surveys/{survey_id}/subjects/bulk", data={
        "bulk-lines": lines, "bulk-unit_name": "市发展改革委", "bulk-unit_category": "市直经济部门"})
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalars(select(Subject).where(Subject.survey_id == survey_id).order_by(Subject.position)).all()[3:]
        assert [(s.name, s.position_title, s.unit.name) for s in added] == [
            ("陈建国", "主任", "市发展改革委"), ("李红梅", "副主任", "市发展改革委"), ("王立新", "副主任", "市发展改革委")]
        assert [s.key for s in added] == ["S004", "S005", "FGW-3"]


@pytest.mark.parametrize(("lines", "message"), [
    ("张三, 科长\n陈建国, 主任, C1", "编号“C1”重复或含有不允许的字符"),
    ("张三, 科长\n陈建国, 主任, X, Y", "第 2 行：类别“Y”应为 干部、单位 或 领导班子"),
    ("张三, 科长, X1, 干部, 市财政局, 市直部门, 多余", "第 1 行：应为“名称, 职务, 编号, 类别, 所在单位, 单位类别”"),
    ("张三, 科长, , 干部, , 市直部门", "第 1 行：填写了单位类别“市直部门”，但没有填写所在单位"),
    ("张三, 科长, , 干部, 市发改委, 县市区", "第 1 行：单位“市发改委”的单位类别已是“市直部门”"),
    ("  \n ", "请至少填写一行"),
])
def test_bad_pasted_list_adds_nobody(app, client, auth, make_survey, lines, message):
    survey_id = make_survey()
    auth.login()
    response = client.post(f"/admin/surveys/{survey_id}/subjects/bulk", data={"bulk-lines": lines})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Subject) == 3


def test_pasted_list_takes_kind_unit_and_category_per_line(app, client, auth, make_survey):
    """Departments pasted as 单位 become 单位 subjects, each its own unit with the category:
    no edit page per department afterwards."""
    survey_id = make_survey()
    auth.login()
    lines = ("市住房城乡建设局\n市交通运输局, , JT-1\n"
             "市财政局领导班子, , , 领导班子, 市财政局\n赵敏, 科长, , 干部, 市统计局, 市直综合部门")
    response = client.post(f"/admin/surveys/{survey_id}/subjects/bulk", data={
        "bulk-lines": lines, "bulk-kind": "unit", "bulk-unit_category": "市直部门"})
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalars(select(Subject).where(Subject.survey_id == survey_id)
                                   .order_by(Subject.position)).all()[3:]
        assert [(s.name, s.kind.value, s.unit.name, s.unit.category) for s in added] == [
            ("市住房城乡建设局", "unit", "市住房城乡建设局", "市直部门"),
            ("市交通运输局", "unit", "市交通运输局", "市直部门"),
            ("市财政局领导班子", "team", "市财政局", "市直部门"),
            ("赵敏", "cadre", "市统计局", "市直综合部门"),
        ]
        assert added[1].key == "JT-1"


def test_subject_category_without_unit_is_refused_not_dropped(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    data = {**SUBJECT, "subjects-unit_name": "", "subjects-unit_category": "市直部门"}
    response = client.post(f"/admin/surveys/{survey_id}/subjects/add", data=data)
    assert response.status_code == 400 and "填写单位类别时必须同时填写所在单位" in response.text
    assert "已添加" not in response.text
    assert count(app, Subject) == 3
    with app.app_context():
        subject = db.session.scalars(select(Subject).where(Subject.key == "C3")).one()
    edit = {"subjects-key": "C3", "subjects-name": "王强", "subjects-kind": "cadre", "subjects-unit_name": "",
            "subjects-unit_category": "县市区", "subjects-position_title": "局长"}
    response = client.post(f"/admin/surveys/{survey_id}/subjects/{subject.id}/edit", data=edit)
    assert response.status_code == 400 and "填写单位类别时必须同时填写所在单位" in response.text
    with app.app_context():
        assert db.session.get(Subject, subject.id).unit.name == "市财政局"  # unchanged


def test_service_refuses_a_category_without_unit(app, make_survey):
    from survey_app.errors import ValidationFailed
    from survey_app.services.design import structure
    from tests.app.factories import _system_user

    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        with pytest.raises(ValidationFailed, match="没有填写所在单位"):
            structure.add_subject(survey, {"key": "X1", "name": "赵敏", "unit_name": "", "unit_category": "市直部门"},
                                _system_user())
        with pytest.raises(ValidationFailed, match="单位类别已是“市直部门”"):
            structure.add_subject(survey, {"key": "X1", "name": "赵敏", "unit_name": "市发改委", "unit_category": "县市区"},
                                _system_user())


def test_bulk_edit_sets_kind_unit_and_category_of_ticked_subjects(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    with app.app_context():
        ids = dict(db.session.execute(select(Subject.key, Subject.id)).all())
    page = client.get(f"/admin/surveys/{survey_id}").text
    assert 'form="bulk-edit-form"' in page and 'id="bulk-edit-form"' in page
    response = client.post(f"/admin/surveys/{survey_id}/subjects/bulk-edit", data={
        "bulk_edit-subject_ids": [ids["C1"], ids["C2"]], "bulk_edit-kind": "unit",
        "bulk_edit-unit_name": "市统计局", "bulk_edit-unit_category": "市直综合部门"})
    assert response.status_code == 302
    with app.app_context():
        subjects = {s.key: s for s in db.session.scalars(select(Subject))}
        assert [(subjects[k].kind.value, subjects[k].unit.name, subjects[k].unit.category) for k in ("C1", "C2")] \
            == [("unit", "市统计局", "市直综合部门")] * 2
        assert (subjects["C3"].kind.value, subjects["C3"].unit.name) == ("cadre", "市财政局")
    # Kind only: units stay.
    client.post(f"/admin/surveys/{survey_id}/subjects/bulk-edit", data={
        "bulk_edit-subject_ids": [ids["C3"]], "bulk_edit-kind": "team"})
    with app.app_context():
        c3 = db.session.get(Subject, ids["C3"])
        assert (c3.kind.value, c3.unit.name) == ("team", "市财政局")


@pytest.mark.parametrize(("data", "message"), [
    ({"bulk_edit-kind": "unit"}, "请先勾选要修改的评议对象"),
    ({"bulk_edit-subject_ids": ["C1"]}, "请至少选择一项要修改的内容"),
    ({"bulk_edit-subject_ids": ["C1", "C3"], "bulk_edit-unit_category": "县市区"}, "单位类别已是“市直部门”"),
    ({"bulk_edit-subject_ids": ["999"], "bulk_edit-kind": "unit"}, "所选评议对象不属于本问卷"),
])
def test_bad_bulk_edit_changes_nothing(app, client, auth, make_survey, data, message):
    survey_id = make_survey()
    auth.login()
    with app.app_context():
        ids = dict(db.session.execute(select(Subject.key, Subject.id)).all())
        before = db.session.execute(select(Subject.id, Subject.kind, Subject.unit_id).order_by(Subject.id)).all()
    if "bulk_edit-subject_ids" in data:
        data = {**data, "bulk_edit-subject_ids": [str(ids.get(k, k)) for k in data["bulk_edit-subject_ids"]]}
    response = client.post(f"/admin/surveys/{survey_id}/subjects/bulk-edit", data=data)
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert db.session.execute(select(Subject.id, Subject.kind, Subject.unit_id).order_by(Subject.id)).all() == before
