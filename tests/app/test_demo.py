"""The demo seed: an admin account and three realistic surveys, loaded once."""

from sqlalchemy import func, select

from survey_app import demo
from survey_app.demo import targets_year_end
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
from survey_app.models.target import TargetSheet
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
