"""转办 → 答复 → 整改 (or 不予采纳): organizers send a shown comment to a unit with a due
date and track it to closure; open items list with overdue flagged; the subject's results
page and the cadre's dossier list them; every step audited; unit scope respected."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Answer, AuditEntry, Followup, FollowupStatus, Role, Subject
from tests.app.test_answers import add_ballot, comment_id, unit_id

FAR = (date.today() + timedelta(days=400)).isoformat()


@pytest.fixture
def survey_id(app, make_survey):
    survey_id = make_survey(publish=True, subject_comments=True)
    for i, text in enumerate(["请张伟同志多下基层，电话13812345678", "王强处理信访拖延", "李娜服务热情", "窗口排队时间长"]):
        add_ballot(app, survey_id, "superior", comments={["C1", "C3", "C2", "C1"][i]: text})
    return survey_id


def forward(client, survey_id, target, unit, due=FAR, **extra):
    return client.post(f"/admin/answers/{survey_id}/texts/comment/{target}/forward",
                       data={"unit_id": unit, "due_on": due, **extra}, follow_redirects=True)


def step(client, followup_id, action, **data):
    return client.post(f"/admin/answers/followups/{followup_id}", data={"action": action, **data},
                       follow_redirects=True)


def the_followup(app) -> Followup:
    with app.app_context():
        followup = db.session.scalars(select(Followup)).one()
        db.session.expunge(followup)
        return followup


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type == "followup").order_by(AuditEntry.id)))


def test_forward_reply_rectify_with_every_step_audited(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    target = comment_id(app, "请张伟同志多下基层，电话13812345678")
    response = forward(client, survey_id, target, unit_id(app, "市发改委"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "已转办" in html and "承办单位：市发改委" in html
    followup = the_followup(app)
    assert followup.status is FollowupStatus.FORWARDED and followup.subject_key == "C1"

    listing = client.get("/admin/answers/followups").get_data(as_text=True)
    assert "请张伟同志多下基层，电话＊＊＊" in listing and "13812345678" not in listing  # masked here too

    assert "请填写承办单位的答复" in step(client, followup.id, "reply", reply_text="  ").get_data(as_text=True)
    assert "当前状态下不能执行此操作" in step(client, followup.id, "rectify").get_data(as_text=True)
    step(client, followup.id, "reply", reply_text="已安排每月下基层调研")
    assert the_followup(app).status is FollowupStatus.REPLIED
    step(client, followup.id, "rectify")
    closed = the_followup(app)
    assert closed.status is FollowupStatus.RECTIFIED and closed.reply_text == "已安排每月下基层调研"
    assert "没有未办结的事项" in client.get("/admin/answers/followups").get_data(as_text=True)
    assert actions(app) == ["followup.forward", "followup.reply", "followup.rectify"]


def test_decline_needs_a_reason(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    forward(client, survey_id, comment_id(app, "窗口排队时间长"), unit_id(app, "市发改委"))
    followup = the_followup(app)
    assert "不予采纳时请说明理由" in step(client, followup.id, "decline", reason="").get_data(as_text=True)
    assert the_followup(app).status is FollowupStatus.FORWARDED
    step(client, followup.id, "decline", reason="已另行整改，不属于本单位职责")
    declined = the_followup(app)
    assert declined.status is FollowupStatus.DECLINED and declined.decline_reason.startswith("已另行整改")
    assert actions(app) == ["followup.forward", "followup.decline"]


@pytest.mark.parametrize("data, message", [
    ({"due_on": ""}, "请填写办结时限"),
    ({"due_on": "2020-01-01"}, "办结时限不能早于今天"),
    ({"due_on": "not-a-date"}, "请填写办结时限"),
    ({"unit_id": "999999"}, "请选择承办单位"),
    ({"unit_id": str(2**70)}, "请选择承办单位"),
    ({"unit_id": "-1"}, "请选择承办单位"),
])
def test_bad_forward_is_refused_and_stores_nothing(app, client, auth, survey_id, data, message):
    auth.login("organizer", Role.ORGANIZER)
    values = {"unit": unit_id(app, "市发改委"), "due": FAR}
    values.update({"unit": data["unit_id"]} if "unit_id" in data else {"due": data["due_on"]})
    response = forward(client, survey_id, comment_id(app, "窗口排队时间长"), values["unit"], values["due"])
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Followup)).all() == []


def test_a_comment_is_forwarded_once(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    target = comment_id(app, "窗口排队时间长")
    forward(client, survey_id, target, unit_id(app, "市发改委"))
    assert "这条意见已经转办" in forward(client, survey_id, target, unit_id(app, "市财政局")).get_data(as_text=True)


def test_overdue_items_are_flagged_and_listed_first(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    forward(client, survey_id, comment_id(app, "窗口排队时间长"), unit_id(app, "市发改委"))
    forward(client, survey_id, comment_id(app, "李娜服务热情"), unit_id(app, "市发改委"))
    with app.app_context():
        late = db.session.scalar(select(Followup.id).order_by(Followup.id.desc()).limit(1))  # 李娜服务热情
        db.session.execute(update(Followup).where(Followup.id == late)
                           .values(due_on=date.today() - timedelta(days=3)))
        db.session.commit()
    html = client.get("/admin/answers/followups").get_data(as_text=True)
    assert html.count('<span class="flag">已逾期</span>') == 1
    assert html.index("李娜服务热情") < html.index("窗口排队时间长")  # overdue first, though sent later


def test_subject_page_and_dossier_list_the_items(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    forward(client, survey_id, comment_id(app, "请张伟同志多下基层，电话13812345678"), unit_id(app, "市发改委"))
    step(client, the_followup(app).id, "reply", reply_text="已整改到位")
    with app.app_context():
        c1 = db.session.scalar(select(Subject.id).where(Subject.key == "C1"))
    auth.logout()
    auth.login("admin", Role.ADMIN)
    subject = client.get(f"/admin/reports/{survey_id}/subjects/{c1}").get_data(as_text=True)
    assert "转办事项" in subject and "已答复" in subject and "已整改到位" in subject
    dossier = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "评议意见转办整改" in dossier and "请张伟同志多下基层，电话＊＊＊" in dossier and "已整改到位" in dossier
    assert "13812345678" not in dossier


def test_viewers_read_but_cannot_forward_or_step(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    forward(client, survey_id, comment_id(app, "窗口排队时间长"), unit_id(app, "市发改委"))
    followup_id = the_followup(app).id
    auth.logout()
    auth.login("viewer", Role.VIEWER)
    assert "窗口排队时间长" in client.get("/admin/answers/followups").get_data(as_text=True)
    assert forward(client, survey_id, comment_id(app, "李娜服务热情"), unit_id(app, "市发改委")).status_code == 403
    assert step(client, followup_id, "reply", reply_text="x").status_code == 403


def test_scoped_organizer_works_only_within_their_units(app, client, auth, survey_id):
    ndrc, finance = unit_id(app, "市发改委"), unit_id(app, "市财政局")
    auth.login("organizer", Role.ORGANIZER)
    forward(client, survey_id, comment_id(app, "王强处理信访拖延"), finance)  # 王强 is in 市财政局
    finance_item = the_followup(app).id
    auth.logout()
    auth.create_user("ndrc-organizer", Role.ORGANIZER, unit_ids=[ndrc])
    auth.login("ndrc-organizer")
    assert "王强处理信访拖延" not in client.get("/admin/answers/followups").get_data(as_text=True)
    assert step(client, finance_item, "reply", reply_text="x").status_code == 404
    # Their own subject, but sent to a unit outside the scope: refused.
    response = forward(client, survey_id, comment_id(app, "李娜服务热情"), finance)
    assert "只能转办给您权限范围内的单位" in response.get_data(as_text=True)
    assert "已转办" in forward(client, survey_id, comment_id(app, "李娜服务热情"), ndrc).get_data(as_text=True)


def test_due_date_moves_while_open_only_and_control_characters_are_refused(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    forward(client, survey_id, comment_id(app, "窗口排队时间长"), unit_id(app, "市发改委"))
    followup_id = the_followup(app).id
    later = (date.today() + timedelta(days=30)).isoformat()
    step(client, followup_id, "due", due_on=later)
    assert the_followup(app).due_on.isoformat() == later
    assert "办结时限不能早于今天" in step(client, followup_id, "due", due_on="2001-01-01").get_data(as_text=True)
    response = step(client, followup_id, "reply", reply_text="已整改\x07")
    assert response.status_code == 200 and "文字中含有不可见的控制字符" in response.get_data(as_text=True)
    assert step(client, followup_id, "reply", reply_text="已整改\x00").status_code == 400  # NUL: the request guard
    assert the_followup(app).status is FollowupStatus.FORWARDED and the_followup(app).reply_text == ""
    step(client, followup_id, "decline", reason="重复意见")
    assert "已办结的事项不能修改时限" in step(client, followup_id, "due", due_on=later).get_data(as_text=True)
    assert actions(app) == ["followup.forward", "followup.due", "followup.decline"]


def test_an_answer_to_a_survey_wide_question_can_be_forwarded(app, client, auth, survey_id):
    add_ballot(app, survey_id, "superior", {"总体评价": ["不满意"], "不满意的原因": ["停车难，请交通部门解决"]})
    auth.login("organizer", Role.ORGANIZER)
    with app.app_context():
        target = db.session.scalar(select(Answer.id).where(Answer.value_text == "停车难，请交通部门解决"))
    response = client.post(f"/admin/answers/{survey_id}/texts/answer/{target}/forward",
                           data={"unit_id": unit_id(app, "市财政局"), "due_on": FAR}, follow_redirects=True)
    assert "承办单位：市财政局" in response.get_data(as_text=True)
    assert the_followup(app).answer_id == target and the_followup(app).subject_key is None
    assert "停车难，请交通部门解决" in client.get("/admin/answers/followups").get_data(as_text=True)
