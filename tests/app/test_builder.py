"""The survey builder: every form accepts good input, refuses bad input with a Chinese
message and changes nothing, and a published survey's structure is locked."""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    Dimension,
    Question,
    RespondentGroup,
    Role,
    ScaleOption,
    Subject,
    Survey,
    SurveyStatus,
)
from survey_app.services.platform import users
from tests.app.builder_helpers import SUBJECT, count


def get_survey(app, survey_id):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        db.session.expunge(survey)
        return survey


NEW_SURVEY = {
    "kind": "democratic", "template": "blank", "year": "2026", "title": "2026年度班子民主测评",
    "scale": "competence", "with_unknown": "y", "is_anonymous": "y", "disagreement_gap": "15",
}


def test_organizer_creates_a_blank_survey_with_the_chosen_scale(app, client, auth):
    auth.login()
    response = client.post("/admin/surveys/new", data={**NEW_SURVEY, "scale": "satisfaction3"})
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        assert survey.status is SurveyStatus.DRAFT
        assert [o.label for o in survey.scale_options] == ["满意", "基本满意", "不满意", "不了解"]
        assert survey.scale_options[-1].score is None
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "survey.create"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "请填写标题"),
        ("year", "1900", "年度应在 2000–2100 之间"),
        ("year", "abc", "年度"),
        ("kind", "nonsense", "不是有效的选择"),
        ("excellent_cap_percent", "150", "应在 1–100 之间"),
    ],
)
def test_new_survey_bad_input_is_refused_and_creates_nothing(app, client, auth, field, value, message):
    auth.login()
    response = client.post("/admin/surveys/new", data={**NEW_SURVEY, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Survey) == 0


def test_close_before_open_is_refused(app, client, auth):
    auth.login()
    data = {**NEW_SURVEY, "opens_at": "2026-12-01T09:00", "closes_at": "2026-11-30T09:00"}
    response = client.post("/admin/surveys/new", data=data)
    assert response.status_code == 400
    assert "结束时间必须晚于开始时间" in response.get_data(as_text=True)
    assert count(app, Survey) == 0


def test_add_subject_creates_its_unit(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    response = client.post(f"/admin/surveys/{survey_id}/subjects/add", data=SUBJECT)
    assert response.status_code == 302
    with app.app_context():
        subject = db.session.scalars(select(Subject).where(Subject.key == "C9")).one()
        assert subject.unit.name == "市教育局" and subject.unit.category == "市直社会事业部门"
        assert subject.position == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subjects-key": ""}, "请填写编号"),
        ({"subjects-key": "C 9"}, "只能使用字母、数字、下划线和连字符"),
        ({"subjects-key": "C1"}, "编号“C1”已被其他评议对象使用"),
        ({"subjects-name": ""}, "请填写姓名或名称"),
        ({"subjects-name": "长" * 101}, "字段长度不能超过 100 个字符"),
        ({"subjects-kind": "alien"}, "不是有效的选择"),
    ],
)
def test_bad_subject_is_refused_and_changes_nothing(app, client, auth, make_survey, changes, message):
    survey_id = make_survey()
    auth.login()
    before = count(app, Subject)
    response = client.post(f"/admin/surveys/{survey_id}/subjects/add", data={**SUBJECT, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Subject) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dimensions-name": "", "dimensions-weight": "1"}, "请填写维度名称"),
        ({"dimensions-name": "作风", "dimensions-weight": "-1"}, "权重应在 0–1000 之间"),
        ({"dimensions-name": "作风", "dimensions-weight": "x"}, "不是有效的浮点数"),
    ],
)
def test_bad_dimension_is_refused(app, client, auth, make_survey, data, message):
    survey_id = make_survey()
    auth.login()
    response = client.post(f"/admin/surveys/{survey_id}/dimensions/add", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Dimension) == 2


def test_dimension_weight_is_saved(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    client.post(f"/admin/surveys/{survey_id}/dimensions/add",
                data={"dimensions-name": "廉洁自律", "dimensions-weight": "1.5"})
    with app.app_context():
        assert db.session.scalars(select(Dimension.weight).where(Dimension.name == "廉洁自律")).one() == 1.5


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        ({"options-label": "较差"}, "计分选项需要 0–100 的分值", 400),
        ({"options-label": "较差", "options-score": "120"}, "分值应在 0–100 之间", 400),
        ({"options-label": "不清楚", "options-is_unknown": "y"}, "已有“不了解”选项", 400),
    ],
)
def test_bad_scale_option_is_refused(app, client, auth, make_survey, data, message, status):
    survey_id = make_survey()
    auth.login()
    response = client.post(f"/admin/surveys/{survey_id}/options/add", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count(app, ScaleOption) == 5


def test_scale_preset_replaces_options(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    client.post(f"/admin/surveys/{survey_id}/scale", data={"preset-scale": "quality"})
    with app.app_context():
        labels = db.session.scalars(select(ScaleOption.label).order_by(ScaleOption.position)).all()
    assert labels == ["好", "较好", "一般", "差"]


GROUP = {"groups-key": "peer", "groups-name": "同级", "groups-weight": "0.3",
         "groups-min_size": "3", "groups-expected_count": "12", "groups-rates_all_subjects": "y"}


def test_group_rating_listed_subjects_only(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    with app.app_context():
        first = db.session.scalars(select(Subject.id).where(Subject.key == "C1")).one()
    data = {**GROUP, "groups-subject_ids": [str(first)]}
    data.pop("groups-rates_all_subjects")
    assert client.post(f"/admin/surveys/{survey_id}/groups/add", data=data).status_code == 302
    with app.app_context():
        group = db.session.scalars(select(RespondentGroup).where(RespondentGroup.key == "peer")).one()
        assert [s.key for s in group.subjects_to_rate()] == ["C1"]
        assert group.expected_count == 12


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"groups-key": "superior"}, "代码“superior”已被其他评议主体使用"),
        ({"groups-min_size": "0"}, "应在 1–1000 之间"),
        ({"groups-expected_count": "-5"}, "不能为负数"),
        ({"groups-rates_all_subjects": ""}, "请至少选择一个评议对象"),
        ({"groups-rates_all_subjects": "", "groups-subject_ids": "99999"}, "所选评议对象不属于本问卷"),
    ],
)
def test_bad_group_is_refused(app, client, auth, make_survey, changes, message):
    survey_id = make_survey()
    auth.login()
    data = {k: v for k, v in {**GROUP, **changes}.items() if v != ""}
    response = client.post(f"/admin/surveys/{survey_id}/groups/add", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, RespondentGroup) == 2


def test_conditional_question(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    with app.app_context():
        overall = db.session.scalars(select(Question.id).where(Question.prompt == "总体评价")).one()
    response = client.post(f"/admin/surveys/{survey_id}/questions/add", data={
        "questions-kind": "short_text", "questions-prompt": "具体建议",
        "questions-show_if_question_id": str(overall), "questions-show_if_values_text": "不满意"})
    assert response.status_code == 302
    with app.app_context():
        question = db.session.scalars(select(Question).where(Question.prompt == "具体建议")).one()
        assert question.show_if_question_id == overall and question.show_if_values == ["不满意"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"questions-kind": "single_choice", "questions-prompt": "是否", "questions-options_text": "是"},
         "选择题至少需要两个选项"),
        ({"questions-kind": "short_text", "questions-prompt": "为什么", "questions-show_if_question_id": "OVERALL",
          "questions-show_if_values_text": "很好"}, "显示条件的取值必须是所引用题目的选项"),
        ({"questions-kind": "short_text", "questions-prompt": ""}, "请填写题目"),
    ],
)
def test_bad_question_is_refused(app, client, auth, make_survey, data, message):
    survey_id = make_survey()
    auth.login()
    with app.app_context():
        overall = db.session.scalars(select(Question.id).where(Question.prompt == "总体评价")).one()
    data = {k: (str(overall) if v == "OVERALL" else v) for k, v in data.items()}
    response = client.post(f"/admin/surveys/{survey_id}/questions/add", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Question) == 2


def test_publish_locks_structure_but_allows_wording(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    assert client.post(f"/admin/surveys/{survey_id}/status/publish", data={"confirm": "yes"}).status_code == 302
    assert get_survey(app, survey_id).status is SurveyStatus.PUBLISHED

    response = client.post(f"/admin/surveys/{survey_id}/subjects/add", data=SUBJECT)
    assert "结构已锁定" in response.get_data(as_text=True)
    assert count(app, Subject) == 3

    with app.app_context():
        subject = db.session.scalars(select(Subject).where(Subject.key == "C1")).one()
        dimension = db.session.scalars(select(Dimension).where(Dimension.name == "服务意识")).one()
    # Renaming is wording: allowed. Changing a weight is structure: refused.
    rename = {"dimensions-name": "服务意识与效能", "dimensions-description": "", "dimensions-weight": "1.0"}
    assert client.post(f"/admin/surveys/{survey_id}/dimensions/{dimension.id}/edit", data=rename).status_code == 302
    reweight = {**rename, "dimensions-weight": "5"}
    response = client.post(f"/admin/surveys/{survey_id}/dimensions/{dimension.id}/edit", data=reweight)
    assert response.status_code == 400 and "结构已锁定" in response.get_data(as_text=True)
    with app.app_context():
        dimension = db.session.get(Dimension, dimension.id)
        assert (dimension.name, dimension.weight) == ("服务意识与效能", 1.0)
    assert client.post(f"/admin/surveys/{survey_id}/subjects/{subject.id}/remove", data={"confirm": "yes"}).status_code == 302
    assert count(app, Subject) == 3


def test_publish_refused_until_complete(app, client, auth):
    auth.login()
    client.post("/admin/surveys/new", data=NEW_SURVEY)
    with app.app_context():
        survey_id = db.session.scalars(select(Survey.id)).one()
    response = client.post(f"/admin/surveys/{survey_id}/status/publish", data={"confirm": "yes"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "至少需要一个评议对象" in text and "至少需要一个评议主体" in text
    assert get_survey(app, survey_id).status is SurveyStatus.DRAFT


def test_lifecycle_transitions_are_guarded(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    auth.login()
    client.post(f"/admin/surveys/{survey_id}/status/archive", data={"confirm": "yes"})  # published → archived: not allowed
    assert get_survey(app, survey_id).status is SurveyStatus.PUBLISHED
    for action, status in [("close", SurveyStatus.CLOSED), ("reopen", SurveyStatus.PUBLISHED),
                           ("close", SurveyStatus.CLOSED), ("archive", SurveyStatus.ARCHIVED)]:
        client.post(f"/admin/surveys/{survey_id}/status/{action}", data={"confirm": "yes"})
        assert get_survey(app, survey_id).status is status
    assert client.post(f"/admin/surveys/{survey_id}/status/explode").status_code == 404


def test_reorder_subjects(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    with app.app_context():
        third = db.session.scalars(select(Subject.id).where(Subject.key == "C3")).one()
    client.post(f"/admin/surveys/{survey_id}/subjects/{third}/move/up")
    with app.app_context():
        keys = db.session.scalars(select(Subject.key).order_by(Subject.position)).all()
    assert keys == ["C1", "C3", "C2"]


def test_item_of_another_survey_is_not_found(app, client, auth, make_survey):
    first, second = make_survey(), make_survey(title="另一个")
    auth.login()
    with app.app_context():
        foreign = db.session.scalars(select(Subject.id).where(Subject.survey_id == second)).first()
    assert client.get(f"/admin/surveys/{first}/subjects/{foreign}/edit").status_code == 404
    assert client.post(f"/admin/surveys/{first}/subjects/{foreign}/remove").status_code == 404


def test_builder_changes_are_audited_and_shown(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    client.post(f"/admin/surveys/{survey_id}/subjects/add", data=SUBJECT)
    page = client.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)
    assert "organizer 添加了评议对象“赵敏”" in page
    assert "organizer 添加了评议对象“赵敏”" in client.get("/admin/audit").get_data(as_text=True)


ORGANIZER_URLS = [
    ("get", "/admin/surveys/new"),
    ("post", "/admin/surveys/{id}/subjects/add"),
    ("post", "/admin/surveys/{id}/status/publish"),
    ("post", "/admin/surveys/{id}/settings"),
    ("post", "/admin/surveys/{id}/clone"),
    ("get", "/admin/audit"),
]


@pytest.mark.parametrize(("method", "url"), ORGANIZER_URLS)
def test_viewer_cannot_change_surveys(app, client, auth, make_survey, method, url):
    survey_id = make_survey()
    auth.login("viewer", Role.VIEWER)
    response = getattr(client, method)(url.format(id=survey_id))
    assert response.status_code == 403
    assert get_survey(app, survey_id).status is SurveyStatus.DRAFT


@pytest.mark.parametrize(("method", "url"), ORGANIZER_URLS + [("get", "/admin/surveys"), ("get", "/admin/users")])
def test_anonymous_is_sent_to_login(client, make_survey, method, url):
    survey_id = make_survey()
    response = getattr(client, method)(url.format(id=survey_id))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_only_admins_manage_users(app, client, auth):
    auth.login()
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    auth.login("root", Role.ADMIN)
    response = client.post("/admin/users", data={
        "username": "scoped", "display_name": "李四", "password": "long-enough-1", "role": "viewer"})
    assert response.status_code == 302
    response = client.post("/admin/users", data={"username": "scoped", "password": "long-enough-1", "role": "viewer"})
    assert response.status_code == 400 and "用户名已存在" in response.get_data(as_text=True)


def test_unit_scoped_viewer_sees_only_surveys_of_their_units(app, client, auth, make_survey):
    survey_id = make_survey()
    other = make_survey(title="别的单位")
    with app.app_context():
        from survey_app.models import Unit
        finance = db.session.scalars(select(Unit).where(Unit.name == "市财政局")).one()
        # Move the second survey's subjects to a unit the viewer is not scoped to.
        outside = Unit(name="市外事办", category="市直部门")
        db.session.add(outside)
        for subject in db.session.scalars(select(Subject).where(Subject.survey_id == other)):
            subject.unit = outside
        db.session.commit()
        auth.create_user("scoped", Role.VIEWER, unit_ids=[finance.id])
    client.post("/auth/login", data={"username": "scoped", "password": auth.PASSWORD})
    listing = client.get("/admin/surveys").get_data(as_text=True)
    assert "2026年度民主测评" in listing and "别的单位" not in listing
    assert client.get(f"/admin/surveys/{survey_id}").status_code == 200
    assert client.get(f"/admin/surveys/{other}").status_code == 404


def test_added_notice_sits_beside_the_form_with_an_anchor(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    response = client.post(f"/admin/surveys/{survey_id}/dimensions/add",
                           data={"dimensions-name": "廉洁自律", "dimensions-weight": "1"})
    assert response.status_code == 302 and response.location.endswith("#dimensions-added")
    page = client.get(response.location).text
    section = page[page.index('id="dimensions"'):page.index('id="scale"')]
    assert 'id="dimensions-added"' in section and "已添加 1 个评价维度" in section
    bulk = client.post(f"/admin/surveys/{survey_id}/subjects/bulk", data={"bulk-lines": "甲\n乙"})
    page = client.get(bulk.location).text
    section = page[page.index('id="subjects"'):page.index('id="dimensions"')]
    assert "已添加 2 个评议对象" in section
    assert "已添加" not in client.get(f"/admin/surveys/{survey_id}?added=subjects&n=abc").text


def test_admin_changes_role_scope_and_deactivates(app, client, auth):
    target = auth.create_user("clerk", Role.ORGANIZER)
    with app.app_context():
        from survey_app.services.design.surveys import get_or_create_unit
        unit_id = get_or_create_unit("市财政局", "市直经济部门").id
        db.session.commit()
    auth.login("root", Role.ADMIN)
    response = client.post(f"/admin/users/{target}", data={"role": "viewer", "unit_ids": [str(unit_id)]})
    assert response.status_code == 302
    with app.app_context():
        from survey_app.models import User
        user = db.session.get(User, target)
        assert user.role is Role.VIEWER and not user.is_active_account
        assert [u.name for u in user.scoped_units] == ["市财政局"]
    response = client.post(f"/admin/users/{target}/password", data={"confirm": "yes"}, follow_redirects=True)
    assert "新密码" in response.get_data(as_text=True)


def test_admin_cannot_demote_themself(app, client, auth):
    auth.login("root", Role.ADMIN)
    with app.app_context():
        me = users.find_user("root").id
    response = client.post(f"/admin/users/{me}", data={"role": "viewer", "is_active": "y"})
    assert response.status_code == 400 and "不能降低或停用自己的管理员账号" in response.get_data(as_text=True)


@pytest.mark.parametrize(("kind", "data", "message"), [
    ("dimensions", {"dimensions-name": "服务意识", "dimensions-weight": "1"}, "维度“服务意识”已存在"),
    ("options", {"options-label": "优秀", "options-score": "90"}, "选项“优秀”已存在"),
    ("groups", {"groups-key": "up2", "groups-name": "上级", "groups-weight": "1", "groups-min_size": "3",
                "groups-expected_count": "0", "groups-rates_all_subjects": "y"}, "评议主体“上级”已存在"),
    ("questions", {"questions-kind": "single_choice", "questions-prompt": "评价",
                   "questions-options_text": "好\n好"}, "选择题的选项不能重复"),
])
def test_duplicate_names_are_refused(app, client, auth, make_survey, kind, data, message):
    survey_id = make_survey()
    auth.login()
    response = client.post(f"/admin/surveys/{survey_id}/{kind}/add", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_template_settings_are_not_overwritten_by_form_defaults(app, client, auth):
    auth.login()
    response = client.post("/admin/surveys/new", data={**NEW_SURVEY, "kind": "democratic", "template": "leader",
                                                       "title": "2026年度市领导评价部门"})
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        assert survey.kind.value == "leader" and survey.is_anonymous is False
        assert survey.title == "2026年度市领导评价部门" and survey.dimensions


def test_times_are_entered_in_local_time_and_stored_in_utc(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    client.post(f"/admin/surveys/{survey_id}/settings", data={
        "settings-title": "测评", "settings-year": "2026", "settings-disagreement_gap": "15",
        "settings-opens_at": "2026-12-01T09:00", "settings-closes_at": "2026-12-01T17:30"})
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert (survey.opens_at.hour, survey.opens_at.minute) == (1, 0)  # 09:00 in Beijing is 01:00 UTC
    page = client.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)
    assert 'value="2026-12-01T09:00"' in page and 'value="2026-12-01T17:30"' in page


def test_a_refused_item_keeps_the_other_forms_showing_the_survey(app, client, auth, make_survey):
    survey_id = make_survey(trim_extremes=True)
    auth.login()
    response = client.post(f"/admin/surveys/{survey_id}/dimensions/add", data={"dimensions-name": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="settings-trim_extremes" name="settings-trim_extremes" type="checkbox" value="y" checked' in page \
        or 'checked id="settings-trim_extremes"' in page
    assert 'value="2026年度民主测评"' in page


def test_survey_from_a_template_asks_only_for_what_it_lacks(app, client, auth):
    auth.login()
    response = client.post("/admin/surveys/new", data={**NEW_SURVEY, "template": "democratic"}, follow_redirects=True)
    flash = response.text[response.text.index("flash-success"):][:200]
    assert "请继续添加评议对象" in flash and "评价维度" not in flash and "评议主体" not in flash
    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        assert survey.dimensions and survey.groups and not survey.subjects


def test_blank_survey_asks_for_every_missing_part(app, client, auth):
    auth.login()
    response = client.post("/admin/surveys/new", data=NEW_SURVEY, follow_redirects=True)
    assert "请继续添加评议对象、评价维度、评议主体" in response.text
