"""Indicator-system pages and CLI: list, tree, uploads (JSON and Excel), downloads, publish
with confirmation, delete a draft; viewers and unit-scoped organizers read only."""

import json
from io import BytesIO

from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import Role, Unit
from survey_app.models.target import IndicatorSystem, SystemStatus
from survey_app.services.targets import systems
from tests.app.targets_helpers import counts, demo_data


def _upload(client, data: bytes, name: str):
    return client.post("/admin/targets/import", data={"document": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def _demo_bytes() -> bytes:
    return json.dumps(demo_data(), ensure_ascii=False).encode()


def _system_id(app) -> int:
    with app.app_context():
        return db.session.scalars(db.select(IndicatorSystem.id)).one()


def test_organizer_uploads_json_and_sees_the_tree(app, client, auth):
    auth.login("organizer", Role.ORGANIZER)
    response = _upload(client, _demo_bytes(), "细则.json")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for text in ("2026年度市直单位绩效考评考核细则", "招商引资到位资金", "按差距扣分：每差 1% 扣 0.5 分",
                 "完成目标值得满分，每低1%扣0.5分，扣完为止。", "越低越好", "publish-link"):
        assert text in page
    listing = client.get("/admin/targets/").get_data(as_text=True)
    assert "市直单位" in listing and "草稿" in listing and ">6<" in listing


def test_a_bad_upload_lists_every_problem_and_stores_nothing(app, client, auth):
    auth.login("organizer", Role.ORGANIZER)
    data = demo_data()
    data["indicators"][0]["points"] = 50
    data["indicators"][2]["children"][0]["parameters"]["points_by_place"] = [7]
    response = _upload(client, json.dumps(data).encode(), "细则.json")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "下级指标的分值之和为 90，与本级分值 100 不一致" in page and "名次分值 7 超过了本指标的分值 6" in page
    assert _upload(client, b"x", "细则.txt").status_code == 422
    with app.app_context():
        assert counts() == (0, 0)


def test_downloads_round_trip_through_the_upload(app, client, auth):
    auth.login("organizer", Role.ORGANIZER)
    _upload(client, _demo_bytes(), "细则.json")
    system_id = _system_id(app)
    xlsx = client.get(f"/admin/targets/{system_id}.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    assert load_workbook(BytesIO(xlsx.data))["考核细则"]["A2"].value == "业务实绩"
    exported = client.get(f"/admin/targets/{system_id}.json").get_json()
    assert exported["indicators"][2]["children"][1]["parameters"]["cap"] == 4
    assert _upload(client, xlsx.data, "细则.xlsx").status_code == 302
    template = client.get("/admin/targets/template.xlsx")
    assert load_workbook(BytesIO(template.data)).sheetnames == ["基本信息", "考核细则", "填写说明"]
    with app.app_context():
        stored = db.session.scalars(db.select(IndicatorSystem).order_by(IndicatorSystem.id)).all()
        assert len(stored) == 2 and systems.export_system(stored[1]) == exported


def test_publish_needs_its_confirmation_then_locks(app, client, auth):
    auth.login("organizer", Role.ORGANIZER)
    _upload(client, _demo_bytes(), "细则.json")
    system_id = _system_id(app)
    unconfirmed = client.post(f"/admin/targets/{system_id}/publish")
    assert unconfirmed.headers["Location"].endswith(f"/admin/targets/{system_id}/publish")
    confirm_page = client.get(f"/admin/targets/{system_id}/publish").get_data(as_text=True)
    assert "将锁定，不能再修改或删除" in confirm_page
    client.post(f"/admin/targets/{system_id}/publish", data={"confirm": "yes"})
    with app.app_context():
        assert db.session.get(IndicatorSystem, system_id).status is SystemStatus.PUBLISHED
    client.post(f"/admin/targets/{system_id}/delete", data={"confirm": "yes"})
    with app.app_context():
        assert counts() == (1, 9)
    assert "locked-notice" in client.get(f"/admin/targets/{system_id}").get_data(as_text=True)


def test_a_draft_is_deleted_after_confirmation(app, client, auth):
    auth.login("organizer", Role.ORGANIZER)
    _upload(client, _demo_bytes(), "细则.json")
    system_id = _system_id(app)
    assert "9 个指标将被永久删除" in client.get(f"/admin/targets/{system_id}/delete").get_data(as_text=True)
    assert client.post(f"/admin/targets/{system_id}/delete", data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert counts() == (0, 0)


def _seeded(app) -> int:
    with app.app_context():
        system = systems.import_system(demo_data(), None)
        db.session.add(Unit(name="市发改委", category="市直单位"))
        db.session.commit()
        return system.id


def test_viewers_read_but_change_nothing(app, client, auth):
    system_id = _seeded(app)
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/targets/{system_id}").get_data(as_text=True)
    assert "招商引资到位资金" in page and "publish-link" not in page
    assert "import-button" not in client.get("/admin/targets/").get_data(as_text=True)
    assert client.get(f"/admin/targets/{system_id}.json").status_code == 200
    assert _upload(client, _demo_bytes(), "细则.json").status_code == 403
    assert client.post(f"/admin/targets/{system_id}/publish", data={"confirm": "yes"}).status_code == 403
    assert client.post(f"/admin/targets/{system_id}/delete", data={"confirm": "yes"}).status_code == 403
    with app.app_context():
        assert counts() == (1, 9)


def test_unit_scoped_organizers_read_but_cannot_change_city_wide_systems(app, client, auth):
    system_id = _seeded(app)
    with app.app_context():
        unit_id = db.session.scalars(db.select(Unit.id)).one()
    auth.create_user("scoped", Role.ORGANIZER, unit_ids=[unit_id])
    auth.login("scoped", Role.ORGANIZER)
    assert client.get(f"/admin/targets/{system_id}").status_code == 200
    assert client.get(f"/admin/targets/{system_id}/publish").status_code == 403
    assert _upload(client, _demo_bytes(), "细则.json").status_code == 403
    assert client.post(f"/admin/targets/{system_id}/delete", data={"confirm": "yes"}).status_code == 403
    with app.app_context():
        assert counts() == (1, 9)
        assert db.session.get(IndicatorSystem, system_id).status is SystemStatus.DRAFT


def test_english_pages_are_translated(app, client, auth):
    system_id = _seeded(app)
    auth.login("organizer", Role.ORGANIZER)
    client.post("/locale", data={"locale": "en"})
    page = client.get(f"/admin/targets/{system_id}").get_data(as_text=True)
    assert "Scoring method" in page and "Download Excel" in page


def test_cli_imports_and_exports_json_and_xlsx(app, runner, tmp_path):
    source = tmp_path / "细则.json"
    source.write_text(json.dumps(demo_data(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["targets", "import", str(source)])
    assert result.exit_code == 0 and "已导入为草稿" in result.output and "9 个指标" in result.output
    xlsx, again = tmp_path / "out.xlsx", tmp_path / "out.json"
    assert runner.invoke(args=["targets", "export", "2026", "-o", str(xlsx)]).exit_code == 0
    assert load_workbook(xlsx)["基本信息"]["B4"].value == "2026年度市直单位绩效考评考核细则"
    assert runner.invoke(args=["targets", "import", str(xlsx)]).exit_code == 0
    assert runner.invoke(args=["targets", "export", "2026", "-o", str(again)]).exit_code == 0
    exported = json.loads(again.read_text(encoding="utf-8"))
    assert exported["title"] == "2026年度市直单位绩效考评考核细则" and len(exported["indicators"]) == 3
    with app.app_context():
        assert counts() == (2, 18)


def test_cli_refuses_bad_files_and_unknown_years(app, runner, tmp_path):
    data = demo_data()
    data["points"] = 90
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["targets", "import", str(source)])
    assert result.exit_code == 1 and "下级指标的分值之和为 100，与本级分值 90 不一致" in result.output
    missing = runner.invoke(args=["targets", "export", "2030", "-o", str(tmp_path / "x.json")])
    assert missing.exit_code == 1 and "2030 年度没有" in missing.output
    with app.app_context():
        assert counts() == (0, 0)
