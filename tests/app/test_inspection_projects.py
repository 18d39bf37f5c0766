"""Key projects (重点项目) and their milestones: creation and validation, 序时进度 on the
pages against a hand computation, overdue flags with a fixed today, unit scope, the audit
log, and the demo's two projects (issue #16, docs/inspection.md)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app import demo
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, Unit
from survey_app.models.inspection import KeyProject, Milestone, ProjectLevel
from survey_app.services.inspection import progress, projects
from survey_app.services.platform import audit_text, users


def _unit(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


@pytest.fixture
def units(app, make_survey):
    """A published survey: 张伟 (C1) and 李娜 (C2) of 市发改委, 王强 (C3) of 市财政局."""
    make_survey(publish=True)
    return {"own": _unit(app, "市发改委"), "other": _unit(app, "市财政局")}


def _today() -> date:
    """The city's date now, as the pages compute it."""
    return progress.local_today(datetime.now(UTC))


def _make_project(app, unit_ids, name="城东综合交通枢纽", starts_on=None, cadres=("C1",), milestones=()) -> int:
    """Create a project through the service; milestones: (name, planned, actual, weight)."""
    with app.app_context():
        actor = users.find_user("factory")
        project = projects.create_project({"name": name, "level": ProjectLevel.PROVINCIAL,
                                           "starts_on": starts_on or date(2026, 1, 1), "unit_ids": list(unit_ids),
                                           "cadre_keys": list(cadres)}, actor, None)
        for milestone, planned, actual, weight in milestones:
            projects.add_milestone(project, {"name": milestone, "planned_on": planned, "actual_on": actual,
                                             "weight": weight}, actor, _today())
        db.session.commit()
        return project.id


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (KeyProject, Milestone, AuditEntry))


def _project_form(units, **overrides) -> dict:
    return {"name": "临港物流园", "level": "provincial", "status": "active", "starts_on": "2026-02-01",
            "unit_ids": [str(units["own"])], "cadre_keys": "C1, C2", "description": "省重点项目", **overrides}


# ---- creating and validating ------------------------------------------------------------------


def test_an_organizer_creates_a_project_with_its_units_and_cadres(app, client, auth, units):
    auth.login("organizer", Role.ORGANIZER)
    response = client.post("/admin/inspection/projects/new", data=_project_form(units, cadre_keys="C1、C2\nC1"))
    assert response.status_code == 302
    with app.app_context():
        project = db.session.scalars(select(KeyProject)).one()
        assert (project.name, project.level, project.starts_on) == ("临港物流园", ProjectLevel.PROVINCIAL,
                                                                     date(2026, 2, 1))
        assert [u.name for u in project.units] == ["市发改委"]
        assert [c.subject_key for c in project.cadres] == ["C1", "C2"]
        project_id = project.id
    page = client.get(f"/admin/inspection/projects/{project_id}").get_data(as_text=True)
    assert "临港物流园" in page and "张伟" in page and "李娜" in page and "暂无节点" in page


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "请填写名称"),
    ({"level": "county"}, "请选择项目级别（国家、省、市）"),
    ({"starts_on": ""}, "请填写项目开始日期"),
    ({"starts_on": "2026-13-40"}, "请按“年-月-日”填写有效日期"),
    ({"unit_ids": []}, "请至少选择一个服务部门"),
    ({"unit_ids": ["999"]}, "所选服务部门不存在"),
    ({"cadre_keys": "C1 X9"}, "没有找到这些干部编号：X9"),
    ({"name": "城东综合交通枢纽"}, "已有同名的重点项目“城东综合交通枢纽”"),
])
def test_a_bad_project_is_refused_with_a_message_and_nothing_stored(app, client, auth, units, overrides, message):
    _make_project(app, [units["own"]])
    auth.login("organizer", Role.ORGANIZER)
    before = _counts(app)
    response = client.post("/admin/inspection/projects/new", data=_project_form(units, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts(app) == before


def _milestone_form(**overrides) -> dict:
    return {"name": "桩基完成", "planned_on": "2026-06-30", "actual_on": "", "weight": "1", "position": "",
            **overrides}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"planned_on": ""}, "请填写计划完成日期"),
    ({"planned_on": "2025-12-31"}, "计划完成日期不能早于项目开始日期（2026-01-01）"),
    ({"actual_on": "2099-01-01"}, "实际完成日期不能晚于今天"),
    ({"weight": "0"}, "权重必须是大于 0 的数"),
    ({"weight": "-2"}, "权重必须是大于 0 的数"),
    ({"name": "征地拆迁"}, "本项目已有名为“征地拆迁”的节点"),
    ({"name": "  "}, "请填写名称"),
])
def test_a_bad_milestone_is_refused_with_a_message_and_nothing_stored(app, client, auth, units, overrides, message):
    project_id = _make_project(app, [units["own"]], milestones=[("征地拆迁", date(2026, 3, 31), None, 1.0)])
    auth.login("organizer", Role.ORGANIZER)
    before = _counts(app)
    response = client.post(f"/admin/inspection/projects/{project_id}/milestones", data=_milestone_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts(app) == before


def test_a_project_cannot_start_after_its_milestones(app, units):
    project_id = _make_project(app, [units["own"]], milestones=[("征地拆迁", date(2026, 3, 31), None, 1.0)])
    with app.app_context():
        project = db.session.get(KeyProject, project_id)
        data = {"name": project.name, "level": "city", "starts_on": date(2026, 4, 1), "unit_ids": [units["own"]]}
        with pytest.raises(projects.ValidationFailed, match="项目开始日期不能晚于已有节点的计划日期"):
            projects.update_project(project, data, users.find_user("factory"), None)


def test_recording_an_actual_date_marks_the_milestone_done(app, client, auth, units):
    today = _today()
    project_id = _make_project(app, [units["own"]], starts_on=today - timedelta(days=90),
                               milestones=[("征地拆迁", today - timedelta(days=5), None, 1.0)])
    with app.app_context():
        milestone_id = db.session.scalar(select(Milestone.id))
    auth.login("organizer", Role.ORGANIZER)
    url = f"/admin/inspection/projects/{project_id}/milestones/{milestone_id}/actual"
    future = client.post(url, data={"actual_on": (today + timedelta(days=1)).isoformat()}, follow_redirects=True)
    assert "实际完成日期不能晚于今天" in future.get_data(as_text=True)
    done_on = today - timedelta(days=2)
    page = client.post(url, data={"actual_on": done_on.isoformat()}, follow_redirects=True).get_data(as_text=True)
    assert "已记录实际完成日期" in page and "逾期" not in page
    with app.app_context():
        assert db.session.get(Milestone, milestone_id).actual_on == done_on


# ---- 序时进度 and overdue -----------------------------------------------------------------------


def _row(page: str, milestone_id: int) -> str:
    return re.search(rf'<tr id="milestone-{milestone_id}".*?</tr>', page, re.S).group(0)


def test_schedule_progress_on_the_pages_matches_a_hand_computation(app, client, auth, units):
    """Total weight 5: due by today 征地拆迁 (1) and 桩基完成 (2) → 应完成 3/5 = 60%; done
    征地拆迁 (1) and 主体封顶 early (1) → 实际完成 2/5 = 40%; 桩基完成 is 20 days overdue."""
    today = _today()
    project_id = _make_project(app, [units["own"]], starts_on=today - timedelta(days=100), milestones=[
        ("征地拆迁", today - timedelta(days=60), today - timedelta(days=62), 1.0),
        ("桩基完成", today - timedelta(days=20), None, 2.0),
        ("主体封顶", today + timedelta(days=10), today - timedelta(days=1), 1.0),
        ("竣工验收", today + timedelta(days=60), None, 1.0),
    ])
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/inspection/projects/{project_id}").get_data(as_text=True)
    assert 'data-expected="60" data-actual="40"' in page
    assert "应完成 60%" in page and "实际完成 40%" in page and "滞后序时" in page
    assert "1 个节点逾期，最长 20 天" in page
    with app.app_context():
        ids = {m.name: m.id for m in db.session.scalars(select(Milestone))}
    assert "逾期 20 天" in _row(page, ids["桩基完成"])
    assert all("逾期" not in _row(page, ids[name]) for name in ("征地拆迁", "主体封顶", "竣工验收"))
    listing = client.get("/admin/inspection/").get_data(as_text=True)
    assert 'data-expected="60" data-actual="40"' in listing and "1 个节点逾期，最长 20 天" in listing
    assert "记录完成" not in page  # viewers read only


def test_overdue_follows_a_fixed_today_in_shanghai(app, units):
    """A milestone planned for 31 March is not overdue on 31 March, one day overdue on
    1 April; 16:30 UTC on 31 March is already 1 April in Shanghai."""
    project_id = _make_project(app, [units["own"]], milestones=[("主体封顶", date(2026, 3, 31), None, 1.0)])
    assert progress.local_today(datetime(2026, 3, 31, 15, 59, tzinfo=UTC)) == date(2026, 3, 31)
    assert progress.local_today(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)) == date(2026, 4, 1)
    with app.app_context():
        project = db.session.get(KeyProject, project_id)
        on_the_day = progress.project_card(project, date(2026, 3, 31))
        next_day = progress.project_card(project, progress.local_today(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)))
        later = progress.project_card(project, date(2026, 4, 20))
    assert on_the_day.overdue == () and on_the_day.expected_percent == 100 and on_the_day.actual_percent == 0
    assert [(m.name, m.days_overdue) for m in next_day.overdue] == [("主体封顶", 1)]
    assert later.milestones[0].days_overdue == 20


# ---- scope --------------------------------------------------------------------------------------


def test_a_scoped_viewer_sees_only_their_units_projects(app, client, auth, units):
    mine = _make_project(app, [units["own"]], name="发改委项目")
    theirs = _make_project(app, [units["other"]], name="财政局项目", cadres=("C3",))
    auth.create_user("scoped", Role.VIEWER, unit_ids=[units["own"]])
    auth.login("scoped")
    listing = client.get("/admin/inspection/").get_data(as_text=True)
    assert "发改委项目" in listing and "财政局项目" not in listing
    assert client.get(f"/admin/inspection/projects/{mine}").status_code == 200
    for url in (f"/admin/inspection/projects/{theirs}", f"/admin/inspection/projects/{theirs}/edit"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/inspection/projects/{theirs}/milestones", data=_milestone_form()).status_code == 404


def test_a_scoped_organizer_changes_only_projects_wholly_of_their_units(app, client, auth, units):
    shared = _make_project(app, [units["own"], units["other"]], name="两部门共建项目")
    auth.create_user("scoped-org", Role.ORGANIZER, unit_ids=[units["own"]])
    auth.login("scoped-org")
    assert client.get(f"/admin/inspection/projects/{shared}").status_code == 200
    before = _counts(app)
    assert client.post(f"/admin/inspection/projects/{shared}/milestones", data=_milestone_form()).status_code == 403
    assert _counts(app) == before
    refused = client.post("/admin/inspection/projects/new",
                          data=_project_form(units, unit_ids=[str(units["own"]), str(units["other"])]))
    assert refused.status_code == 400 and "只能选择本单位作为服务部门" in refused.get_data(as_text=True)
    assert _counts(app) == before
    created = client.post("/admin/inspection/projects/new", data=_project_form(units))
    assert created.status_code == 302


def test_a_viewer_cannot_change_a_project(app, client, auth, units):
    project_id = _make_project(app, [units["own"]])
    auth.login("viewer", Role.VIEWER)
    before = _counts(app)
    assert client.post(f"/admin/inspection/projects/{project_id}/milestones",
                       data=_milestone_form()).status_code == 403
    assert client.post("/admin/inspection/projects/new", data=_project_form(units)).status_code == 403
    assert _counts(app) == before


# ---- the audit log --------------------------------------------------------------------------------


def test_every_change_is_audited_as_a_sentence(app, client, auth, units):
    auth.login("organizer", Role.ORGANIZER)
    client.post("/admin/inspection/projects/new", data=_project_form(units))
    with app.app_context():
        project_id = db.session.scalar(select(KeyProject.id))
    client.post(f"/admin/inspection/projects/{project_id}/edit", data=_project_form(units, level="national"))
    client.post(f"/admin/inspection/projects/{project_id}/milestones", data=_milestone_form())
    with app.app_context():
        milestone_id = db.session.scalar(select(Milestone.id))
    client.post(f"/admin/inspection/projects/{project_id}/milestones/{milestone_id}/edit",
                data=_milestone_form(weight="2"))
    client.post(f"/admin/inspection/projects/{project_id}/milestones/{milestone_id}/actual",
                data={"actual_on": "2026-06-28"})
    with app.app_context(), app.test_request_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "key_project")
                                     .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["project.create", "project.update", "milestone.add",
                                               "milestone.update", "milestone.complete"]
        assert {e.target_id for e in entries} == {project_id} and {e.username for e in entries} == {"organizer"}
        texts = [audit_text.describe(e) for e in entries]
    assert texts[0].sentence == "organizer 建立了重点项目“临港物流园”"
    assert "级别：省 → 国家" in texts[1].details
    assert texts[3].sentence == "organizer 修改了重点项目“临港物流园”的节点“桩基完成”"
    assert "权重：1 → 2" in texts[3].details
    assert texts[4].sentence == "organizer 记录了重点项目“临港物流园”的节点“桩基完成”于 2026-06-28 完成"


# ---- the demo ---------------------------------------------------------------------------------------


def test_the_demo_has_one_project_on_schedule_and_one_with_an_overdue_milestone(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        cards = {card.name: card for card in progress.list_projects(None, demo.DEMO_TODAY)}
    hub, hall = cards["城东综合交通枢纽"], cards["政务服务中心智慧大厅改造"]
    assert [(m.name, m.days_overdue) for m in hub.overdue] == [("征迁完成", 24)]
    assert (hub.expected_percent, hub.actual_percent) == (67, 33) and hub.progress.is_behind
    assert hall.overdue == () and (hall.expected_percent, hall.actual_percent) == (75, 75)
    assert not hall.progress.is_behind
    assert hub.units == ("市发展改革委", "市自然资源局") and dict(hub.cadres)["FGW01"] == "王建平"


def test_the_pages_speak_english_too(app, client, auth, units):
    today = _today()
    project_id = _make_project(app, [units["own"]], starts_on=today - timedelta(days=30),
                               milestones=[("征地拆迁", today - timedelta(days=3), None, 1.0)])
    auth.login("organizer", Role.ORGANIZER)
    client.post("/locale", data={"locale": "en"})
    page = client.get(f"/admin/inspection/projects/{project_id}").get_data(as_text=True)
    assert "Schedule progress" in page and "100% due" in page and "3 days overdue" in page
    assert "序时进度" not in page and "逾期" not in page
    refused = client.post(f"/admin/inspection/projects/{project_id}/milestones", data=_milestone_form(weight="0"))
    assert "The weight must be a number greater than 0" in refused.get_data(as_text=True)
