"""The dossier's 进度清单 fed by the unit's quarterly target progress (docs/dossier.md, "Unit
target progress in the 进度清单"): the rows on the page and in the PDF, only approved sheets,
the latest year, nothing without progress, and the dossier's own access."""

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role
from survey_app.models.target import IndicatorSystem, SheetState, TargetProgress, TargetSheet, UnitTarget
from survey_app.services.dossier import cadres, unit_progress
from survey_app.services.platform import users
from survey_app.services.targets import progress, systems
from survey_app.services.targets.progress import ProgressEntry
from tests.app.documents import pdf_text_or_skip
from tests.app.targets_helpers import demo_data
from tests.app.year_end_helpers import NOW, approved_sheet, published_system, target_of, unit_named

PASSWORD = "correct horse battery"


@pytest.fixture
def world(app, make_survey):
    """A published survey of C1, C2 (市发改委) and C3 (市财政局); an admin. Returns the units' ids."""
    make_survey(publish=True)
    with app.app_context():
        users.create_user("boss", PASSWORD, Role.ADMIN, display_name="boss")
        db.session.commit()
        return {"fgw": unit_named("市发改委").id, "czj": unit_named("市财政局").id}


def _report(app, unit_id: int, system_id: int | None = None, **quarters) -> int:
    """An approved sheet of the unit with leaf 1.1 (目标值 50 亿元) reported per quarter
    (q1=("10", "account"), …); returns the sheet's id."""
    with app.app_context():
        admin = users.find_user("boss")
        sheet = approved_sheet(unit_id, admin, db.session.get(IndicatorSystem, system_id) if system_id else None)
        leaf = target_of(sheet, "1.1").id
        for name, (value, account) in quarters.items():
            progress.save_progress(sheet, int(name[1:]), {leaf: ProgressEntry(value, account)}, admin, NOW)
        db.session.commit()
        return sheet.id


def _login(client, auth, username: str, role: Role, unit_ids=()):
    auth.create_user(username, role, unit_ids=unit_ids)
    return client.post("/auth/login", data={"username": username, "password": PASSWORD})


def _rows(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr class="unit-progress-line">(.*?)</tr>', html, re.S)]


def test_the_page_shows_the_units_quarterly_progress_linked_to_its_source(app, client, auth, world):
    sheet_id = _report(app, world["fgw"], q1=("10", "一季度签约3个项目"), q2=("30", "二季度到位资金30亿元"))
    auth.login("boss", Role.ADMIN)
    html = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert 'id="unit-progress"' in html
    assert "2026年 2026年度市直单位绩效考评考核细则" in html
    rows = _rows(html)
    assert len(rows) == 2  # newest quarter first
    assert "1.1 招商引资到位资金" in rows[0] and "第2季度" in rows[0]
    assert "30 / 50 亿元" in rows[0] and "60.0%" in rows[0] and "二季度到位资金30亿元" in rows[0]
    assert "2026-12-08" in rows[0]  # reported 09:30 UTC: 17:30 in Shanghai, same day
    assert "第1季度" in rows[1] and "10 / 50 亿元" in rows[1] and "20.0%" in rows[1]
    assert f'href="/admin/units/{world["fgw"]}/year-end/{sheet_id}/progress"' in html
    # the progress list sits in the 进度清单, between its evidence and the 问题清单
    assert html.index('id="list-progress"') < html.index('id="unit-progress"') < html.index('id="list-problem"')
    # another unit's cadre: nothing of 市发改委
    other = client.get("/admin/dossiers/C3").get_data(as_text=True)
    assert 'id="unit-progress"' not in other and "二季度到位资金" not in other


def test_the_pdf_carries_the_same_rows(app, client, auth, world):
    _report(app, world["fgw"], q3=("45.5", "三季度新增签约"))
    auth.login("boss", Role.ADMIN)
    response = client.get("/admin/dossiers/C1/dossier.pdf")
    assert response.status_code == 200
    text = pdf_text_or_skip(response.data)
    flat = re.sub(r"\s+", "", text)
    assert "单位目标季度进度" in flat
    assert "招商引资到位资金" in flat and "第3季度" in flat
    assert "45.5/50亿元" in flat and "91.0%" in flat and "三季度新增签约" in flat and "2026-12-08" in flat
    pdf = re.sub(r"\s+", "", pdf_text_or_skip(client.get("/admin/dossiers/C3/dossier.pdf").data))
    assert "单位目标季度进度" not in pdf and "三季度新增签约" not in pdf


def test_only_an_approved_sheet_feeds_the_dossier(app, client, auth, world):
    with app.app_context():
        admin = users.find_user("boss")
        sheet = TargetSheet(system=published_system(admin), unit_id=world["fgw"], state=SheetState.CONFIRMED)
        db.session.add(sheet)
        db.session.flush()
        leaf = next(row.node for row in systems.tree_rows(sheet.system) if row.node.code == "1.1")
        target = UnitTarget(node=leaf, value=50.0)
        sheet.targets.append(target)
        target.progress.append(TargetProgress(quarter=1, value=12.0, account="协商中的目标", reported_at=NOW))
        db.session.commit()
        sheet_id = sheet.id
        assert unit_progress.unit_progress(cadres.find_cadre("C1")) is None
    auth.login("boss", Role.ADMIN)
    html = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert 'id="unit-progress"' not in html and "协商中的目标" not in html
    with app.app_context():  # once approved, it shows
        db.session.get(TargetSheet, sheet_id).state = SheetState.APPROVED
        db.session.commit()
    assert "协商中的目标" in client.get("/admin/dossiers/C1").get_data(as_text=True)


def test_only_the_latest_years_progress_is_shown(app, client, auth, world):
    with app.app_context():
        admin = users.find_user("boss")
        published_system(admin)  # 2026 first: the helper reuses the first published system
        data = demo_data()
        data["year"], data["title"] = 2025, "2025年度市直单位绩效考评考核细则"
        older = systems.import_system(data, admin)
        systems.publish_system(older, admin)
        db.session.commit()
        older_id = older.id
    _report(app, world["fgw"], older_id, q4=("48", "2025年四季度"))
    _report(app, world["fgw"], q1=("12", "2026年一季度"))
    with app.app_context():
        feed = unit_progress.unit_progress(cadres.find_cadre("C1"))
        assert feed.year == 2026 and [line.account for line in feed.lines] == ["2026年一季度"]
    auth.login("boss", Role.ADMIN)
    html = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "2026年一季度" in html and "2025年四季度" not in html


def test_nothing_when_the_unit_has_no_sheet_or_no_progress(app, client, auth, world):
    auth.login("boss", Role.ADMIN)
    assert 'id="unit-progress"' not in client.get("/admin/dossiers/C1").get_data(as_text=True)
    _report(app, world["fgw"])  # approved, nothing reported
    with app.app_context():
        assert unit_progress.unit_progress(cadres.find_cadre("C1")) is None
    html = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert 'id="unit-progress"' not in html
    assert 'id="list-progress"' in html  # the 进度清单 itself is still there


def test_the_rows_follow_the_dossiers_access(app, client, auth, world):
    sheet_id = _report(app, world["fgw"], q2=("20", "二季度进展"))
    source = f'href="/admin/units/{world["fgw"]}/year-end/{sheet_id}/progress"'
    # a viewer of the unit reads the dossier and the rows, with the link to the unit's page
    _login(client, auth, "fgw-viewer", Role.VIEWER, [world["fgw"]])
    html = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "二季度进展" in html and source in html
    assert "二季度进展" in re.sub(r"\s+", "", pdf_text_or_skip(client.get("/admin/dossiers/C1/dossier.pdf").data))
    auth.logout()
    # a viewer of another unit cannot open the dossier at all
    _login(client, auth, "czj-viewer", Role.VIEWER, [world["czj"]])
    for url in ("/admin/dossiers/C1", "/admin/dossiers/C1/dossier.pdf"):
        response = client.get(url)
        assert response.status_code == 404 and "二季度进展".encode() not in response.data
    auth.logout()
    # the unit's reporter fills the progress but reads no dossier
    _login(client, auth, "fgw-reporter", Role.REPORTER, [world["fgw"]])
    for url in ("/admin/dossiers/C1", "/admin/dossiers/C1/dossier.pdf"):
        response = client.get(url)
        assert response.status_code in (403, 404) and "二季度进展".encode() not in response.data
    with app.app_context():  # the service itself gives nothing outside the reader's scope
        cadre = cadres.find_cadre("C1")
        assert unit_progress.unit_progress(cadre, {world["czj"]}) is None
        assert unit_progress.unit_progress(cadre, {world["fgw"]}).lines[0].account == "二季度进展"
        assert db.session.scalar(select(TargetSheet.unit_id).where(TargetSheet.id == sheet_id)) == world["fgw"]



def test_the_demo_shows_the_units_progress_in_wang_jianpings_dossier(app):
    from survey_app import demo

    with app.app_context():
        demo.seed()
        db.session.commit()
        feed = unit_progress.unit_progress(cadres.find_cadre("FGW01"))  # 王建平, 市发展改革委
        assert feed is not None and feed.year == 2026
        assert [line.quarter for line in feed.lines if line.code == "1.1"] == [3, 2, 1]
        assert unit_progress.unit_progress(cadres.find_cadre("ZRZY05")) is None  # 周国华's unit reported none
