"""The coverage rule through the service and the pages (docs/inspection.md, "Coverage"):
month boundaries in Asia/Shanghai, a 蹲点 across a month's end, milestones near month ends,
unit scope, the 考察台账 read back with openpyxl; and the dossier's 一线考察 section with its
相互印证 flags (docs/dossier.md)."""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from analytics.coverage import CellState, MilestoneState, YearMonth
from survey_app.extensions import db
from survey_app.models import EvidenceKind, Role, Survey, Unit, VerificationStatus
from survey_app.models.inspection import KeyProject, ProjectLevel
from survey_app.services.inspection import coverage, progress, projects
from survey_app.services.platform import users
from survey_app.services.results import reports
from tests.app.documents import pdf_text_or_skip
from tests.app.factories import cast
from tests.app.visit_helpers import make_finding, make_visit

JAN, DEC = YearMonth(2026, 1), YearMonth(2026, 12)


@pytest.fixture
def units(app, make_survey):
    """A published survey: 张伟 (C1) and 李娜 (C2) of 市发改委, 王强 (C3) of 市财政局."""
    make_survey(publish=True)
    with app.app_context():
        return {name: db.session.scalar(select(Unit.id).where(Unit.name == name)) for name in ("市发改委", "市财政局")}


def _project(name: str, unit_ids: list[int], milestones=(), starts_on=date(2026, 1, 1)) -> None:
    actor = users.find_user("factory")
    project = projects.create_project({"name": name, "level": ProjectLevel.CITY, "starts_on": starts_on,
                                       "unit_ids": unit_ids}, actor, None)
    for milestone, planned, actual in milestones:
        projects.add_milestone(project, {"name": milestone, "planned_on": planned, "actual_on": actual}, actor,
                               date(2026, 12, 31))


def _cells(view, unit: str) -> dict[str, tuple[int, CellState]]:
    line = next(line for line in view.lines if line.name == unit)
    return {str(cell.month): (cell.visits, cell.state) for cell in line.cells}


def _build(scope=None, today=date(2026, 3, 15), n=7, since=JAN):
    return coverage.build_coverage(scope, JAN, DEC, today, n=n, since=since)


# ---- the calendar: month boundaries in Shanghai --------------------------------------------


def test_a_visit_late_on_31_january_local_is_january(app, units):
    """23:30 on 31 January in Shanghai is 15:30 UTC: the day, and so the month, are local."""
    late_evening = datetime(2026, 1, 31, 15, 30, tzinfo=UTC)
    day = progress.local_today(late_evening)
    assert day == date(2026, 1, 31)
    with app.app_context():
        make_visit(["市发改委"], day)
        view = _build(today=day)
        cells = _cells(view, "市发改委")
        assert cells["2026-01"] == (1, CellState.COVERED) and cells["2026-02"] == (0, CellState.FUTURE)
        assert _cells(view, "市财政局")["2026-01"] == (0, CellState.DUE)  # January is not over in Shanghai
        # An hour later it is 1 February there: January is over, and missed where nobody went.
        feb = _build(today=progress.local_today(datetime(2026, 1, 31, 16, 30, tzinfo=UTC)))
        assert _cells(feb, "市财政局")["2026-01"] == (0, CellState.MISSED)
        assert _cells(feb, "市发改委")["2026-02"] == (0, CellState.DUE)
        assert [u.name for u in feb.overdue_units] == ["市财政局"]


def test_a_stay_across_a_months_end_covers_both_months(app, units):
    with app.app_context():
        make_visit(["市财政局"], date(2026, 1, 30), date(2026, 2, 2), title="蹲点调研")
        cells = _cells(_build(), "市财政局")
        assert cells["2026-01"] == (1, CellState.COVERED) and cells["2026-02"] == (1, CellState.COVERED)
        assert cells["2026-03"] == (0, CellState.DUE) and cells["2026-04"] == (0, CellState.FUTURE)


def test_a_visit_to_a_project_counts_for_its_units(app, units):
    with app.app_context():
        _project("城东综合交通枢纽", [units["市发改委"], units["市财政局"]])
        make_visit(["市发改委"], date(2026, 2, 10), project="城东综合交通枢纽")
        view = _build()
        assert _cells(view, "市财政局")["2026-02"] == (1, CellState.COVERED)
        assert _cells(view, "市财政局")["2026-01"] == (0, CellState.MISSED)


def test_months_before_the_log_began_are_not_missed(app, units):
    with app.app_context():
        make_visit(["市发改委"], date(2026, 2, 10))
        view = coverage.build_coverage(None, JAN, DEC, date(2026, 3, 15), since=coverage.log_start())
        assert str(view.first_month) == "2026-02" and "2026-01" not in _cells(view, "市发改委")
        assert coverage.log_start("2025-11") == YearMonth(2025, 11)
        empty = coverage.build_coverage(None, YearMonth(2025, 1), YearMonth(2025, 12), date(2026, 3, 15),
                                        since=coverage.log_start())
        assert empty.first_month is None and not empty.lines


# ---- milestones near month ends -------------------------------------------------------------


def test_a_milestone_on_the_last_day_of_a_month_is_covered_by_a_visit_early_next_month(app, units):
    with app.app_context():
        _project("临港物流园", [units["市财政局"]], [("桩基完成", date(2026, 1, 31), date(2026, 1, 31)),
                                                 ("主体封顶", date(2026, 2, 28), None)])
        make_visit(["市财政局"], date(2026, 2, 3))  # 3 days after 31 January: inside N = 3
        view = _build(today=date(2026, 3, 15), n=3)
        states = {line.milestone: line.check.state for line in view.milestones}
        assert states == {"桩基完成": MilestoneState.COVERED, "主体封顶": MilestoneState.MISSED}
        assert [line.milestone for line in view.uncovered] == ["主体封顶"]
        assert view.uncovered[0].check.days_since_window_closed == 12  # window closed 3 March
        assert [(line.milestone, line.check.days_overdue) for line in view.late] == [("主体封顶", 15)]
        # N = 2: 3 February lies outside 29 January – 2 February.
        narrow = _build(today=date(2026, 3, 15), n=2)
        assert {line.milestone: line.check.state for line in narrow.milestones}["桩基完成"] is MilestoneState.MISSED


def test_an_open_window_at_the_months_end_is_listed_until_a_visit(app, units):
    with app.app_context():
        _project("临港物流园", [units["市财政局"]], [("主体封顶", date(2026, 3, 31), None)])
        view = _build(today=date(2026, 3, 28), n=7)
        assert [line.milestone for line in view.open] == ["主体封顶"] and not view.uncovered
        make_visit(["市财政局"], date(2026, 4, 6))  # the window reaches 7 April, next month
        assert _build(today=date(2026, 4, 8), n=7).milestones[0].check.state is MilestoneState.COVERED


# ---- scope ------------------------------------------------------------------------------------


def test_a_scoped_viewer_sees_only_their_units(app, client, auth, units):
    with app.app_context():
        make_visit(["市发改委"], date(2026, 2, 10), title="发改委项目调研")
        make_visit(["市财政局"], date(2026, 2, 11), title="财政局预算执行调研")
        _project("财政局项目", [units["市财政局"]], [("开工", date(2026, 2, 20), None)])
        db.session.commit()
        view = _build(scope={units["市发改委"]})
        assert [line.name for line in view.lines] == ["市发改委"]
        assert [v.title for v in view.visits] == ["发改委项目调研"] and not view.milestones
    auth.create_user("scoped", Role.VIEWER, unit_ids=[units["市发改委"]])
    auth.login("scoped")
    page = client.get("/admin/inspection/coverage?year=2026").get_data(as_text=True)
    assert "市发改委" in page and "市财政局" not in page and "财政局项目" not in page
    data = client.get("/admin/inspection/coverage/ledger.xlsx?year=2026").get_data()
    text = " ".join(str(c.value) for sheet in load_workbook(io.BytesIO(data)).worksheets
                    for row in sheet.iter_rows() for c in row)
    assert "发改委项目调研" in text and "财政局" not in text


def test_a_reporter_is_refused_the_coverage_page(app, client, auth, units):
    auth.create_user("reporter", Role.REPORTER, unit_ids=[units["市发改委"]])
    auth.login("reporter")
    assert client.get("/admin/inspection/coverage").status_code == 403
    assert client.get("/admin/inspection/coverage/ledger.xlsx").status_code == 403


# ---- the page and the 考察台账 -----------------------------------------------------------------


def test_the_page_shows_counts_states_in_words_and_the_overdue_lists(app, client, auth, units):
    today = progress.local_today(datetime.now(UTC))
    with app.app_context():
        make_visit(["市发改委"], today, title="今天的考察")
        db.session.commit()
    auth.login("viewer", Role.VIEWER)
    assert 'id="coverage-link"' in client.get("/admin/inspection/").get_data(as_text=True)
    page = client.get("/admin/inspection/coverage").get_data(as_text=True)
    assert f'data-month="{today:%Y-%m}" data-state="covered" data-visits="1"' in page
    assert "已覆盖" in page and "本月待考察" in page  # the state in words, not colour alone
    assert 'class="table-wrap"' in page  # scrolls sideways on a phone


def test_the_ledger_reads_back_with_its_three_sheets_and_neutralised_text(app, client, auth, units):
    with app.app_context():
        _project("城东综合交通枢纽", [units["市发改委"]], [("征迁完成", date(2026, 2, 5), None)])
        make_visit(["市发改委", "市财政局"], date(2026, 2, 10), title='=cmd|" /C calc"!A0', cadres=("C1",),
                   methods=("site_survey", "unannounced"), announced=False, team="=HYPERLINK(1)", hours=3,
                   summary="@SUM(1)")
        make_visit(["市财政局"], date(2026, 2, 26), date(2026, 3, 2), title="蹲点调研", hours=None)
        db.session.commit()
    auth.login("organizer", Role.ORGANIZER)
    response = client.get("/admin/inspection/coverage/ledger.xlsx?year=2026")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["考察纪实", "覆盖日历", "逾期节点"]
    visits = [[c.value for c in row] for row in workbook["考察纪实"].iter_rows()]
    assert visits[0][:3] == ["日期", "考察事项", "考察单位"]
    first = visits[1]
    assert first[0] == "2026-02-10" and first[1] == '\'=cmd|" /C calc"!A0'
    assert first[2] == "市发改委、市财政局" and first[4] == "张伟（C1）"
    assert first[5] == "实地勘察、明察暗访" and first[6] == "不打招呼" and first[7] == "'=HYPERLINK(1)"
    assert first[8] == "3 小时" and first[9] == 0 and first[10] == "'@SUM(1)"
    assert visits[2][0] == "2026-02-26 – 2026-03-02" and visits[2][8] == "5 天"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    calendar = [[c.value for c in row] for row in workbook["覆盖日历"].iter_rows()]
    assert calendar[0][:3] == ["单位", "类别", "2026-02"]  # the log began in February
    fiscal = next(row for row in calendar if row[0] == "市财政局")
    assert fiscal[2] == "已覆盖（2）" and fiscal[3] == "已覆盖（1）"
    late = [[c.value for c in row] for row in workbook["逾期节点"].iter_rows()]
    assert late[1][:2] == ["城东综合交通枢纽", "征迁完成"]


# ---- into the dossier: the 一线考察 section and 相互印证 -------------------------------------------


@pytest.fixture
def rated(app, make_survey):
    """A published survey, rated: 张伟 (C1) and 李娜 (C2) all 优秀, 王强 (C3) 基本称职."""
    survey_id = make_survey(publish=True)
    for _ in range(5):
        cast(app, survey_id, "superior", {"C1": ("优秀", "优秀"), "C2": ("优秀", "优秀"), "C3": ("基本称职", "基本称职")})
    with app.app_context():
        units = {name: db.session.scalar(select(Unit.id).where(Unit.name == name)) for name in ("市发改委", "市财政局")}
        _project("城东综合交通枢纽", [units["市发改委"]], [("征迁完成", date(2026, 2, 1), None)])
        projects.update_project(db.session.scalar(select(KeyProject)), {
            "name": "城东综合交通枢纽", "level": "city", "starts_on": date(2026, 1, 1),
            "unit_ids": [units["市发改委"]], "cadre_keys": "C1"}, users.find_user("factory"), None)
        visit = make_visit(["市发改委"], date(2026, 2, 10), title="枢纽征迁现场考察", cadres=("C1", "C2"),
                           methods=("site_survey", "milestone_check"), project="城东综合交通枢纽")
        make_finding(visit, "C1", EvidenceKind.PROBLEM, "征迁台账与现场不符", unit="市发改委",
                     status=VerificationStatus.PENDING)
        make_finding(visit, "C1", EvidenceKind.PROBLEM, "拆迁补偿公示不及时", unit="市发改委")
        make_finding(visit, "C2", EvidenceKind.ACHIEVEMENT, "审批提速", unit="市发改委")
        fiscal = make_visit(["市财政局"], date(2026, 2, 12), date(2026, 2, 14), title="财政局蹲点调研",
                            cadres=("C3",), announced=False)
        make_finding(fiscal, "C3", EvidenceKind.ACHIEVEMENT, "国库集中支付改革完成", unit="市财政局")
        make_finding(fiscal, "C3", EvidenceKind.ACHIEVEMENT, "一条不属实的反映", unit="市财政局",
                     status=VerificationStatus.REFUTED)
        db.session.commit()
        indices = {row.key: row.index for row in reports.survey_report(db.session.get(Survey, survey_id)).subjects}
    return {"survey_id": survey_id, "units": units, "indices": indices}


def test_the_fieldwork_section_flags_both_directions_and_agreement(app, client, auth, rated):
    indices = rated["indices"]
    assert indices["C1"] >= 90 and indices["C2"] >= 90 and indices["C3"] < 70, indices
    auth.login("viewer", Role.VIEWER)
    page = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert 'id="fieldwork"' in page and "枢纽征迁现场考察" in page and "实地勘察、节点对账" in page
    assert 'data-kind="well_rated_with_problems"' in page
    assert f"满意度指数 {indices['C1']:.1f}" in page and "考察发现问题 2 项（已核实 1 项，待核实或存疑 1 项）" in page
    assert 'id="field-project-' in page and "征迁完成（计划 2026-02-01，逾期" in page
    assert "拆迁补偿公示不及时" in page.split('id="field-findings"')[1].split("</section>")[0]
    assert "征迁台账与现场不符" not in page.split('id="field-findings"')[1].split("</section>")[0]  # not verified

    poor = client.get("/admin/dossiers/C3").get_data(as_text=True)
    assert 'data-kind="poorly_rated_with_achievements"' in poor
    assert f"满意度指数 {indices['C3']:.1f}" in poor and "考察核实成绩 1 项" in poor  # the refuted one is not counted
    assert "财政局蹲点调研" in poor and "不打招呼" in poor and "3 天" in poor

    agree = client.get("/admin/dossiers/C2").get_data(as_text=True)
    assert "crosscheck-flag" not in agree and 'id="field-agree"' in agree and "审批提速" in agree


def test_a_scoped_reader_sees_only_their_units_visits_in_the_dossier(app, client, auth, rated):
    with app.app_context():
        make_visit(["市发改委", "市财政局"], date(2026, 3, 3), title="联合调研", cadres=("C1",))
        make_visit(["市财政局"], date(2026, 3, 4), title="财政局专项调研", cadres=("C1",))
        db.session.commit()
    auth.create_user("scoped", Role.VIEWER, unit_ids=[rated["units"]["市发改委"]])
    auth.login("scoped")
    page = client.get("/admin/dossiers/C1").get_data(as_text=True)
    section = page.split('id="fieldwork"')[1].split("</section>")[0]
    assert "联合调研" in section and "市财政局" not in section and "财政局专项调研" not in section


def test_the_dossier_pdf_has_the_fieldwork_section(app, client, auth, rated):
    auth.login("organizer", Role.ORGANIZER)
    response = client.get("/admin/dossiers/C1/dossier.pdf")
    assert response.status_code == 200
    text = pdf_text_or_skip(response.get_data()).replace(" ", "")
    for words in ("一线考察", "相互印证", "评价较好，但一线考察发现问题", "枢纽征迁现场考察", "城东综合交通枢纽",
                  "征迁完成（逾期", "拆迁补偿公示不及时"):
        assert words in text.replace("\n", ""), words


def test_a_milestone_still_late_from_before_the_log_is_listed_late_not_uncovered(app, units):
    with app.app_context():
        _project("临港物流园", [units["市财政局"]], [("征迁完成", date(2026, 1, 10), None)])
        make_visit(["市财政局"], date(2026, 2, 10))
        view = coverage.build_coverage(None, JAN, DEC, date(2026, 3, 15), since=coverage.log_start())
        assert str(view.first_month) == "2026-02"
        assert [(line.milestone, line.check.days_overdue) for line in view.late] == [("征迁完成", 64)]
        assert not view.uncovered  # its window closed in January, before the log began
