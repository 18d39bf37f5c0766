"""The demo seed: an admin account and three realistic surveys, loaded once."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from analytics.coverage import CellState, YearMonth
from analytics.crosscheck_fieldwork import FlagKind
from survey_app import demo
from survey_app.demo import targets_year_end
from survey_app.demo import visits as demo_visits
from survey_app.extensions import db
from survey_app.models import (
    Role,
    StoredFile,
    Subject,
    SubjectKind,
    Survey,
    SurveyKind,
    SurveyStatus,
    Unit,
    User,
)
from survey_app.models.dossier import EvidenceItem
from survey_app.models.inspection import Visit
from survey_app.models.target import TargetSheet
from survey_app.services.dossier import cadres, dossiers, fieldwork
from survey_app.services.inspection import coverage
from survey_app.services.platform import users
from survey_app.services.platform.evidence_files import sniff
from survey_app.services.platform.file_store import file_store


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Survey, Subject, Unit, User)
    )


def _survey(kind: SurveyKind, year: int) -> Survey:
    return db.session.scalars(select(Survey).where(Survey.kind == kind, Survey.year == year)).one()


def test_seed_creates_the_admin_and_three_surveys_once(app):
    with app.app_context():
        password = demo.seed()
        db.session.commit()
        assert isinstance(password, str) and len(password) >= 12
        admin = users.authenticate("admin", password)
        assert admin is not None and admin.role is Role.ADMIN
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 3
        after_first = _counts()
        assert demo.seed() is None
        db.session.commit()
        assert _counts() == after_first


def test_2026_service_quality_survey_is_published_with_20_cadres_in_6_units(app):
    with app.app_context():
        demo.seed()
        survey = _survey(SurveyKind.SERVICE_QUALITY, 2026)
        assert survey.status is SurveyStatus.PUBLISHED
        assert len(survey.subjects) == 20
        assert all(s.kind is SubjectKind.CADRE and s.position_title for s in survey.subjects)
        units = {s.unit.name: s.unit.category for s in survey.subjects}
        assert len(units) == 6
        assert units["市发展改革委"] == "市直经济部门"
        assert units["市市场监管局"] == "市直执法监管部门"
        assert [d.name for d in survey.dimensions] == ["服务意识", "担当精神", "解决实际问题", "廉洁自律"]
        assert [(g.name, g.weight, g.expected_count) for g in survey.groups] == [
            ("两代表一委员", 0.5, 120),
            ("特邀监督员", 0.2, 30),
            ("企业和行业协会代表", 0.3, 80),
        ]


def test_2026_democratic_evaluation_rates_one_leadership_team(app):
    with app.app_context():
        demo.seed()
        survey = _survey(SurveyKind.DEMOCRATIC, 2026)
        assert survey.status is SurveyStatus.PUBLISHED
        kinds = [s.kind for s in survey.subjects]
        assert kinds.count(SubjectKind.TEAM) == 1 and kinds.count(SubjectKind.CADRE) == 12
        assert {s.unit.name for s in survey.subjects} == {"市发展改革委"}
        assert [g.name for g in survey.groups] == ["上级", "同级", "下级"]
        assert [d.name for d in survey.dimensions] == ["德", "能", "勤", "绩", "廉"]
        assert survey.excellent_cap_percent == 20


def test_2025_survey_allows_year_on_year_and_predecessor_comparisons(app):
    with app.app_context():
        demo.seed()
        last_year = _survey(SurveyKind.SERVICE_QUALITY, 2025)
        this_year = _survey(SurveyKind.SERVICE_QUALITY, 2026)
        assert last_year.status is SurveyStatus.CLOSED
        old_keys = {s.key for s in last_year.subjects}
        new_keys = {s.key for s in this_year.subjects}
        assert len(old_keys & new_keys) == 17
        predecessors = {s.key: s.predecessor_key for s in this_year.subjects if s.predecessor_key}
        assert predecessors == {"ZRZY05": "ZRZY01", "SCJG04": "SCJG03"}
        assert set(predecessors.values()) <= old_keys - new_keys
        # the same person keeps the same key across surveys
        team = {s.key: s.name for s in _survey(SurveyKind.DEMOCRATIC, 2026).subjects}
        shared = {s.key: s.name for s in this_year.subjects if s.key in team}
        assert shared == {"FGW01": "王建平", "FGW02": "李海燕", "FGW03": "陈志强", "FGW04": "赵文博"}
        assert shared == {key: team[key] for key in shared}


def test_seed_keeps_an_existing_admin_account(app):
    with app.app_context():
        users.create_user("admin", "chosen-password", Role.ADMIN)
        assert demo.seed() is None
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 3
        assert users.authenticate("admin", "chosen-password") is not None


def test_seed_does_nothing_on_a_database_with_surveys(app, make_survey):
    make_survey()
    with app.app_context():
        before = _counts()
        assert demo.seed() is None
        assert _counts() == before
        assert users.find_user("admin") is None


def test_seed_demo_command_prints_the_password_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "管理员账号 admin，密码：" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert second.output.strip() == "演示数据已存在，未重复载入。"
    listing = runner.invoke(args=["survey", "list"])
    assert listing.output.count("已发布") == 2 and listing.output.count("已结束") == 1


def test_the_demo_has_a_month_of_visits_and_one_overdue_unit(app, monkeypatch):
    """Seeded on 7 December 2026 (Shanghai): visits in the 30 days before, every demo unit
    but 市生态环境局 visited in November, which the coverage page lists as overdue."""
    monkeypatch.setattr(demo_visits, "utcnow", lambda: datetime(2026, 12, 6, 16, 30, tzinfo=UTC))  # 00:30 local
    today = date(2026, 12, 7)
    with app.app_context():
        demo.seed()
        db.session.commit()
        visits = db.session.scalars(select(Visit)).all()
        assert len(visits) == len(demo_visits.DEMO_VISITS)
        assert min(v.starts_on for v in visits) >= date(2026, 11, 7) and max(v.ends_on for v in visits) < today
        assert any(v.is_stay and v.days for v in visits) and {v.project.name for v in visits if v.project} == {
            "城东综合交通枢纽", "政务服务中心智慧大厅改造"}
        assert db.session.scalar(select(func.count()).select_from(EvidenceItem).where(EvidenceItem.visit_id.is_not(None))) >= 4
        view = coverage.build_coverage(None, YearMonth(2026, 1), YearMonth(2026, 12), today,
                                       since=coverage.log_start())
        assert str(view.first_month) == "2026-11"
        assert [u.name for u in view.overdue_units] == [demo_visits.UNVISITED_UNIT]
        november = {line.name: line.cells[0].state for line in view.lines}
        assert november.pop(demo_visits.UNVISITED_UNIT) is CellState.MISSED
        assert set(november.values()) == {CellState.COVERED}
        # The dossier's 相互印证 flags one cadre each way.
        with app.test_request_context():
            flags = {key: fieldwork.build_fieldwork(dossiers.build_dossier(cadres.find_cadre(key)), None, today).flag
                     for key in ("ZRZY05", "XZSP01", "FGW01")}
        assert flags["ZRZY05"].kind is FlagKind.WELL_RATED_WITH_PROBLEMS
        assert flags["XZSP01"].kind is FlagKind.POORLY_RATED_WITH_ACHIEVEMENTS
        assert flags["FGW01"] is None  # rated last in his team, problems found: they agree


@pytest.mark.parametrize("today", ["2026-12-07", "2027-03-01", "2027-03-02", "2026-12-30", "2026-12-01"])
def test_the_round_of_demo_visits_lies_in_the_30_days_and_the_previous_month(today):
    day = date.fromisoformat(today)
    days = demo_visits.round_days(day, 4)
    previous = day.replace(day=1) - timedelta(days=1)
    assert all(day - timedelta(days=30) <= d < day for d in days)
    assert all((d.year, d.month) == (previous.year, previous.month) for d in days)


def test_the_demo_holds_target_sheets_in_several_states(app):
    from survey_app.models.target import SheetState, TargetSheet

    with app.app_context():
        demo.seed()
        db.session.commit()
        states = {sheet.state for sheet in db.session.scalars(select(TargetSheet))}
        assert {SheetState.APPROVED, SheetState.ADJUSTED, SheetState.PROPOSED, SheetState.DRAFT} <= states
        reporter = users.find_user("reporter-commerce")
        assert reporter.role is Role.REPORTER and [u.name for u in reporter.scoped_units] == ["市商务局"]


def test_the_demo_has_a_unit_s_year_end_work_half_verified(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        sheet = db.session.scalars(select(TargetSheet).join(Unit).where(Unit.name == "市发展改革委")).one()
        assert sheet.self_assessed_at is not None and sheet.verified_at is None
        by_code = {target.node.code: target for target in sheet.targets}
        assert [p.quarter for p in by_code["1.1"].progress] == [1, 2, 3]
        results = by_code["1.1"].result
        assert (results.self_value, results.verified_value) == (48.6, 47.9)
        assert by_code["2.1"].result.judged_score == 18 and by_code["1.2"].result.verified_value is None
        [evidence] = results.evidence
        stored = db.session.get(StoredFile, evidence.file_id)
        assert sniff(file_store().read(stored.key)).content_type == "application/pdf"
        assert targets_year_end.seed_year_end(users.find_user("admin")) is None  # nothing twice
