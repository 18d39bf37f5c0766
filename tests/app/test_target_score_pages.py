"""The 指标考评 score pages: ranking, a unit's breakdown, the chart; who sees which rows."""

from survey_app.extensions import db
from survey_app.models import Role
from tests.app import target_scores_helpers as h


def _world(app, auth):
    with app.app_context():
        system = h.worked_example()
        ids = {name: h.unit(name).id for name in ("甲局", "乙局", "丙局")}
        db.session.commit()
        system_id = system.id
    auth.create_user("scoped", Role.VIEWER, unit_ids=[ids["丙局"]])
    auth.create_user("reporter", Role.REPORTER, unit_ids=[ids["丙局"]])
    return system_id, ids


def test_the_ranking_shows_every_unit_with_subtotals_and_the_chart(app, client, auth):
    system_id, _ids = _world(app, auth)
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/target-scores/{system_id}").get_data(as_text=True)
    assert page.index("乙局") < page.index("甲局") < page.index("丙局")
    assert "95.00" in page and "89.40" in page and "58.00" in page and "54.40" in page
    assert "预估" in page and "completion-chart" in page
    chart = client.get(f"/admin/target-scores/{system_id}/chart.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")


def test_a_units_page_shows_each_leaf_with_its_arithmetic(app, client, auth):
    system_id, ids = _world(app, auth)
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/target-scores/{system_id}/units/{ids['甲局']}").get_data(as_text=True)
    assert "完成率 96%，每低1%扣0.5分：30 − 2 = 28" in page and "89.40" in page and "第 2 名（共 3 个单位）" in page
    page = client.get(f"/admin/target-scores/{system_id}/units/{ids['丙局']}").get_data(as_text=True)
    assert "未填报的指标计 0 分：2.1 党建工作、3.2 创新经验推广" in page and "预估（尚未完成核验" in page


def test_a_scoped_viewer_sees_only_own_rows_and_not_another_units_page(app, client, auth):
    system_id, ids = _world(app, auth)
    auth.login("scoped", Role.VIEWER)
    page = client.get(f"/admin/target-scores/{system_id}").get_data(as_text=True)
    assert "丙局" in page and "甲局" not in page and "乙局" not in page
    assert "名次为在全部 3 个单位中的名次" in page
    assert client.get(f"/admin/target-scores/{system_id}/units/{ids['甲局']}").status_code == 404
    assert client.get(f"/admin/target-scores/{system_id}/units/{ids['丙局']}").status_code == 200


def test_a_reporter_reaches_only_own_units_page(app, client, auth):
    system_id, ids = _world(app, auth)
    auth.login("reporter", Role.REPORTER)
    own = client.get(f"/admin/target-scores/{system_id}/units/{ids['丙局']}")
    assert own.status_code == 200 and "58.00" in own.get_data(as_text=True)
    assert client.get(f"/admin/target-scores/{system_id}/units/{ids['甲局']}").status_code == 404
    assert client.get(f"/admin/target-scores/{system_id}").status_code == 403
    assert client.get(f"/admin/target-scores/{system_id}/chart.png").status_code == 403


def test_pages_render_without_any_sheet(app, client, auth):
    with app.app_context():
        system_id, unit_id = h.demo_system().id, h.unit("甲局").id
        db.session.commit()
    auth.login("viewer", Role.VIEWER)
    assert "尚无已审定的目标" in client.get(f"/admin/target-scores/{system_id}").get_data(as_text=True)
    assert "尚无已审定的目标" in client.get(f"/admin/target-scores/{system_id}/units/{unit_id}").get_data(as_text=True)
    assert client.get(f"/admin/target-scores/{system_id}/chart.svg").status_code == 200
