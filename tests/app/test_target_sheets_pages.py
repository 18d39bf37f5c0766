"""Target negotiation pages: the reporter fills and proposes, the 效能办 adjusts, the reporter
confirms, the 效能办 approves, then every change is refused; rounds and diffs shown; the
reporter's landing page, nav and reach; the dashboard; the user admin form for reporters."""

import re

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.negotiation import TargetRound
from survey_app.models.target import SheetState
from tests.app.negotiation_helpers import PASSWORD, build_world, db_snapshot, sheet


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def _login(app, name: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 302
    return client, response.headers["Location"]


def _state(app, world, unit_id) -> SheetState:
    with app.app_context():
        return sheet(world, unit_id).state


def _sheet_url(world, unit_id=None) -> str:
    return f"/admin/targets/{world.system_id}/units/{unit_id or world.unit_a}"


def _review_url(world, unit_id=None) -> str:
    return f"/admin/targets/{world.system_id}/review/{unit_id or world.unit_a}"


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_reporter_lands_on_the_workspace_and_sees_only_their_things_in_the_nav(app, world):
    client, location = _login(app, "reporter-a")
    assert location.endswith(f"/admin/targets/units/{world.unit_a}/")
    page = _text(client, location)
    assert "市商务局" in page and "2026年度市直单位绩效考评考核细则" in page and "填报并申报目标" in page
    nav = page[page.index("<nav>"):page.index("</nav>")]
    assert "本单位目标" in nav and "修改密码" in nav and "退出" in nav
    for hidden in ("评议活动", "年度考核", "干部档案", "考核细则", "API 令牌", "重点项目"):
        assert hidden not in nav
    assert client.get("/").headers["Location"].endswith(f"/admin/targets/units/{world.unit_a}/")


def test_the_negotiation_from_proposal_to_approval_through_the_pages(app, world):
    reporter, _ = _login(app, "reporter-a")
    office, _ = _login(app, "office")
    invest, projects = f"value-{world.leaf_invest}", f"value-{world.leaf_projects}"
    page = _text(reporter, _sheet_url(world))
    assert "招商引资到位资金" in page and "完成目标值得满分，每低1%扣0.5分，扣完为止。" in page and "亿元" in page
    assert f'name="{invest}"' in page and f'name="value-{world.leaf_judged}"' not in page and "无需目标值" in page
    # save, then a bad value is refused with its message and nothing changes
    reporter.post(_sheet_url(world), data={"action": "save", invest: "95"})
    with app.app_context():
        before = db_snapshot()
    response = reporter.post(_sheet_url(world), data={"action": "propose", invest: "-1", projects: "10"},
                             follow_redirects=True)
    assert "目标值不能为负数" in response.get_data(as_text=True)
    with app.app_context():
        assert db_snapshot() == before
    reporter.post(_sheet_url(world), data={"action": "propose", invest: "100", projects: "10", "comment": "按去年增长 5%"})
    assert _state(app, world, world.unit_a) is SheetState.PROPOSED
    # the reporter cannot review; the 效能办 adjusts one value with a comment
    assert reporter.get(_review_url(world)).status_code == 403
    assert reporter.post(_review_url(world), data={"action": "accept"}).status_code == 403
    review = _text(office, _review_url(world))
    assert f'name="difficulty-{world.leaf_invest}"' in review and "按去年增长 5%" in review
    office.post(_review_url(world), data={"action": "adjust", invest: "120", projects: "10",
                                          f"difficulty-{world.leaf_invest}": "1.1",
                                          f"comment-{world.leaf_invest}": "按全市任务分解提高"})
    assert _state(app, world, world.unit_a) is SheetState.ADJUSTED
    # the reporter sees the diff and confirms
    page = _text(reporter, _sheet_url(world))
    diff = page[page.index('id="round-2"'):]
    assert re.search(r'class="changed"><del>100\.0</del> → <ins>120\.0</ins>', diff)
    assert "<del>1.0</del> → <ins>1.1</ins>" in diff and "按全市任务分解提高" in diff
    assert 'id="confirm-button"' in page
    # answering in place of confirming: changed values go back to the 效能办 as a proposal
    assert f'name="{invest}"' in page and 'id="answer-button"' in page
    response = reporter.post(_sheet_url(world), data={"action": "confirm", invest: "110", projects: "10"},
                             follow_redirects=True)
    assert "确认时不能修改目标值" in response.get_data(as_text=True)
    assert _state(app, world, world.unit_a) is SheetState.ADJUSTED
    reporter.post(_sheet_url(world), data={"action": "confirm", invest: "120", projects: "10"})
    assert _state(app, world, world.unit_a) is SheetState.CONFIRMED
    office.post(_review_url(world), data={"action": "approve"})
    assert _state(app, world, world.unit_a) is SheetState.APPROVED
    # locked: every change is refused with the message; nothing changes
    page = _text(reporter, _sheet_url(world))
    assert "目标已审定，已锁定，不能再修改。" in page and f'name="{invest}"' not in page
    with app.app_context():
        before = db_snapshot()
    response = reporter.post(_sheet_url(world), data={"action": "save", invest: "1"}, follow_redirects=True)
    assert "目标已审定，不能再修改" in response.get_data(as_text=True)
    response = office.post(_review_url(world), data={"action": "adjust", invest: "1", "comment": "x"},
                           follow_redirects=True)
    assert "目标已审定，不能再修改" in response.get_data(as_text=True)
    with app.app_context():
        assert db_snapshot() == before
        assert db.session.scalar(select(func.count()).select_from(TargetRound)) == 4


def test_a_reporter_reaches_only_their_own_unit(app, world):
    reporter, _ = _login(app, "reporter-a")
    assert reporter.get(_sheet_url(world, world.unit_b)).status_code == 404
    assert reporter.get(f"/admin/targets/units/{world.unit_b}/").status_code == 404
    assert reporter.post(_sheet_url(world, world.unit_b), data={"action": "save"}).status_code == 404
    for url in ("/admin/", "/admin/assessments/", "/admin/dossiers/", "/admin/targets/",
                f"/admin/targets/{world.system_id}", f"/admin/targets/{world.system_id}/dashboard",
                _review_url(world), "/admin/inspection/", "/admin/users"):
        assert reporter.get(url).status_code in (403, 404), url


def test_a_scoped_organizer_of_another_unit_cannot_act(app, world):
    client, _ = _login(app, "organizer-b")
    assert client.get(_sheet_url(world)).status_code == 404
    assert client.post(_sheet_url(world), data={"action": "propose"}).status_code == 404
    assert client.post(_review_url(world), data={"action": "accept"}).status_code == 403
    # their own unit: they act as the unit
    page = _text(client, _sheet_url(world, world.unit_b))
    assert 'id="propose-button"' in page


def test_the_dashboard_lists_units_by_scope_and_flags_late_ones(app, world):
    office, _ = _login(app, "office")
    page = _text(office, f"/admin/targets/{world.system_id}/dashboard")
    assert "市商务局" in page and "市交通运输局" in page and 'id="setting-form"' in page
    scoped, _ = _login(app, "organizer-b")
    page = _text(scoped, f"/admin/targets/{world.system_id}/dashboard")
    assert "市交通运输局" in page and "市商务局" not in page and 'id="setting-form"' not in page
    assert scoped.post(f"/admin/targets/{world.system_id}/setting",
                       data={"proposal_due_on": "2026-01-01", "confirmation_due_on": "2026-01-02"}).status_code == 403
    # the 效能办 moves the deadline into the past: both drafts are late
    office.post(f"/admin/targets/{world.system_id}/setting",
                data={"proposal_due_on": "2020-01-01", "confirmation_due_on": "2020-01-31"})
    page = _text(office, f"/admin/targets/{world.system_id}/dashboard")
    assert "2 个单位逾期" in page and "已超过申报截止日期" in page
    reporter, location = _login(app, "reporter-a")
    page = _text(reporter, location)
    assert 'id="reminders"' in page and "已超过申报截止日期" in page


def test_the_dashboard_start_form_refuses_bad_dates(app, world):
    office, _ = _login(app, "office")
    response = office.post(f"/admin/targets/{world.system_id}/setting",
                           data={"proposal_due_on": "2026-05-01", "confirmation_due_on": "2026-04-01"},
                           follow_redirects=True)
    assert "确认截止日期不能早于申报截止日期" in response.get_data(as_text=True)
    response = office.post(f"/admin/targets/{world.system_id}/setting",
                           data={"proposal_due_on": "明天", "confirmation_due_on": ""}, follow_redirects=True)
    assert "请填写申报截止日期和确认截止日期" in response.get_data(as_text=True)


def test_the_admin_creates_a_reporter_only_with_exactly_one_unit(app, world):
    admin, _ = _login(app, "admin")
    base = {"username": "new-reporter", "display_name": "填报员", "password": "long enough password",
            "role": "reporter"}
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User))
    for units in ([], [world.unit_a, world.unit_b]):
        response = admin.post("/admin/users", data={**base, "unit_ids": units})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        units_field = page[page.index('name="unit_ids"'):]
        assert "单位填报员必须绑定且只能绑定一个单位" in units_field[:units_field.index("</div>")]
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(User)) == count
    response = admin.post("/admin/users", data={**base, "unit_ids": [world.unit_a]})
    assert response.status_code == 302
    client = app.test_client()
    landing = client.post("/auth/login", data={"username": "new-reporter", "password": "long enough password"})
    assert landing.headers["Location"].endswith(f"/admin/targets/units/{world.unit_a}/")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "new-reporter"))
    response = admin.post(f"/admin/users/{user_id}", data={"role": "reporter", "unit_ids": [], "is_active": "y"})
    assert response.status_code == 400 and "单位填报员" in response.get_data(as_text=True)


def test_a_reporter_signing_in_from_a_staff_page_lands_on_the_workspace(app, world):
    client = app.test_client()
    response = client.post("/auth/login?next=/admin/assessments/",
                           data={"username": "reporter-a", "password": PASSWORD})
    assert response.headers["Location"].endswith(f"/admin/targets/units/{world.unit_a}/")
    staff = app.test_client()
    response = staff.post("/auth/login?next=/admin/assessments/", data={"username": "office", "password": PASSWORD})
    assert response.headers["Location"].endswith("/admin/assessments/")
