"""Results pages: the figures computed by hand on a small survey, 样本不足 for small
groups, charts, and unit-scoped visibility."""


import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Ballot, RespondentGroup, Role, ScaleOption, Subject, Survey
from survey_app.services.results import reports
from tests.app.factories import cast

UNKNOWN = None  # the 不了解 option




@pytest.fixture
def rated_survey(app, make_survey):
    """C1 rated by 3 superiors and 3 served; C2 by 3 superiors and only 2 served."""
    survey_id = make_survey(publish=True)
    for ratings in ({"C1": ("优秀", "优秀"), "C2": ("称职", "称职")},
                    {"C1": ("称职", "称职"), "C2": ("称职", "基本称职")},
                    {"C1": ("优秀", "基本称职"), "C2": ("优秀", "称职")}):
        cast(app, survey_id, "superior", ratings)
    for ratings in ({"C1": ("基本称职", "基本称职"), "C2": ("优秀", "优秀")},
                    {"C1": ("称职", "优秀"), "C2": ("不称职", "不称职")},
                    {"C1": (UNKNOWN, "称职")}):
        cast(app, survey_id, "served", ratings)
    return survey_id


def test_index_matches_the_hand_computation(app, rated_survey):
    # Composites weight 担当精神 twice: superiors 100, 80, (100+2·60)/3. 服务对象 scored
    # 服务意识 only twice (one 不了解), fewer than its minimum 3: those two answers are left out
    # of every figure, so served composites are 担当精神 alone: 60, 100, 80.
    # I = 0.4·G_superior + 0.6·G_served.
    g_superior = (100 + 80 + 220 / 3) / 3
    g_served = (60 + 100 + 80) / 3
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, rated_survey))
    by_key = {row.key: row for row in report.subjects}
    c1, c2 = by_key["C1"], by_key["C2"]
    assert c1.index == pytest.approx(0.4 * g_superior + 0.6 * g_served)
    assert [g.index for g in c1.groups] == [pytest.approx(g_superior), pytest.approx(g_served)]
    # C2's served group has 2 < 3 respondents: never shown, and the index is the superiors' alone.
    assert c2.groups[1].is_reportable is False and c2.groups[1].index is None and c2.groups[1].n == 0
    assert c2.index == pytest.approx((80 + (80 + 120) / 3 + (100 + 160) / 3) / 3)
    assert by_key["C3"].index is None and by_key["C3"].rank is None  # nobody rated C3: 样本不足
    assert [row.key for row in report.subjects] == ["C1", "C2", "C3"]  # C1 81.8 > C2 78.5
    assert (c1.rank, c2.rank) == (1, 2)
    assert report.ballots == 6


def test_subject_without_enough_answers_is_unranked_with_insufficient(app, client, auth, rated_survey):
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/reports/{rated_survey}").get_data(as_text=True)
    assert "张伟" in page and "样本不足" in page
    with app.app_context():
        c2 = db.session.scalars(select(Subject.id).where(Subject.key == "C2")).one()
    detail = client.get(f"/admin/reports/{rated_survey}/subjects/{c2}").get_data(as_text=True)
    assert "样本不足" in detail
    assert "服务对象" in detail


def test_grade_shares_leave_unknown_out(app, rated_survey):
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, rated_survey))
    c1 = next(row for row in report.subjects if row.key == "C1")
    # C1: 12 ratings, one 不了解; 服务对象's 服务意识 (2 scored < 3) is left out: 优秀 4 of 9.
    assert c1.unknown_count == 1
    assert c1.top_share == pytest.approx(4 / 9)


def test_charts_render(app, client, auth, rated_survey):
    auth.login("viewer", Role.VIEWER)
    svg = client.get(f"/admin/reports/{rated_survey}/charts/ranking.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    with app.app_context():
        c1 = db.session.scalars(select(Subject.id).where(Subject.key == "C1")).one()
    for name in ("dimensions", "groups", "grades"):
        png = client.get(f"/admin/reports/{rated_survey}/subjects/{c1}/charts/{name}.png")
        assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert client.get(f"/admin/reports/{rated_survey}/charts/ranking.gif").status_code == 404


def test_scoped_viewer_sees_only_their_units_subjects(app, client, auth, rated_survey):
    with app.app_context():
        finance = db.session.scalars(select(Subject).where(Subject.key == "C3")).one().unit_id
        c1 = db.session.scalars(select(Subject.id).where(Subject.key == "C1")).one()
    auth.create_user("finance-viewer", Role.VIEWER, unit_ids=[finance])
    client.post("/auth/login", data={"username": "finance-viewer", "password": auth.PASSWORD})
    page = client.get(f"/admin/reports/{rated_survey}").get_data(as_text=True)
    assert "王强" in page and "张伟" not in page and "李娜" not in page
    assert client.get(f"/admin/reports/{rated_survey}/subjects/{c1}").status_code == 404


def test_results_need_sign_in(client, rated_survey):
    assert client.get(f"/admin/reports/{rated_survey}").status_code == 302


def test_empty_survey_shows_no_results_without_error(client, auth, make_survey):
    survey_id = make_survey(publish=True)
    auth.login("viewer", Role.VIEWER)
    response = client.get(f"/admin/reports/{survey_id}")
    assert response.status_code == 200 and "样本不足" in response.get_data(as_text=True)


def test_report_is_computed_with_a_bounded_number_of_queries(app, rated_survey):
    from sqlalchemy import event

    statements = []
    with app.app_context():
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "after_cursor_execute", listener)
        try:
            reports.survey_report(db.session.get(Survey, rated_survey))
        finally:
            event.remove(engine, "after_cursor_execute", listener)
    assert len(statements) <= 12, statements
    assert RespondentGroup and ScaleOption  # models used by the adapter's queries


def test_subject_is_compared_with_last_year_and_its_predecessor(app, client, auth, make_survey):
    last_year = make_survey(publish=True, year=2025, title="2025年度民主测评")
    this_year = make_survey(publish=True)
    with app.app_context():
        from survey_app.models import Subject
        c3 = db.session.scalars(select(Subject).where(Subject.survey_id == this_year, Subject.key == "C3")).one()
        c3.predecessor_key = "C2"  # 王强 took over C2's post
        db.session.commit()
    for ratings in ({"C1": ("称职", "称职"), "C2": ("优秀", "优秀")},) * 3:  # 2025: C1 80, C2 100
        cast(app, last_year, "superior", ratings)
    for ratings in ({"C1": ("优秀", "优秀"), "C3": ("基本称职", "基本称职")},) * 3:  # 2026: C1 100, C3 60
        cast(app, this_year, "superior", ratings)
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, this_year))
        by_key = {row.key: row for row in report.subjects}
        assert report.previous_title == "2025年度民主测评"
        assert by_key["C1"].previous_index == pytest.approx(80)
        assert (by_key["C3"].predecessor_key, by_key["C3"].predecessor_index) == ("C2", pytest.approx(100))
        c1_id = by_key["C1"].subject_id
        assert reports.subject_trend(db.session.get(Survey, this_year), "C1") == [
            (2025, pytest.approx(80)), (2026, pytest.approx(100))]
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/reports/{this_year}/subjects/{c1_id}").get_data(as_text=True)
    assert "+20.0" in page and "2025年度民主测评" in page
    trend = client.get(f"/admin/reports/{this_year}/subjects/{c1_id}/charts/trend.png")
    assert trend.status_code == 200 and trend.data.startswith(b"\x89PNG")


def test_new_ballots_are_seen_despite_the_cache(app, rated_survey):
    with app.app_context():
        before = reports.survey_report(db.session.get(Survey, rated_survey)).ballots
    cast(app, rated_survey, "superior", {"C1": ("优秀", "优秀")})
    with app.app_context():
        assert reports.survey_report(db.session.get(Survey, rated_survey)).ballots == before + 1


def test_pages_share_one_cached_report_and_compute_report_recomputes(app, rated_survey):
    # bench/analytics.py times compute_report: it must do the work, not return the cached copy.
    with app.app_context():
        survey = db.session.get(Survey, rated_survey)
        assert reports.survey_report(survey) is reports.survey_report(survey)
        fresh = reports.compute_report(survey)
        assert fresh is not reports.survey_report(survey) and fresh is not reports.compute_report(survey)
        assert fresh == reports.survey_report(survey)


def test_straight_lined_ballot_is_flagged_and_can_be_excluded_with_a_reason(app, client, auth, rated_survey):
    # A superior gives every rating the same 不称职: flagged, and excluding it restores C1's index.
    with app.app_context():
        before = reports.survey_report(db.session.get(Survey, rated_survey))
    cast(app, rated_survey, "superior", {"C1": ("不称职", "不称职"), "C2": ("不称职", "不称职")})
    auth.login()
    page = client.get(f"/admin/reports/{rated_survey}/quality").get_data(as_text=True)
    assert "所有评价相同" in page
    with app.app_context():
        from survey_app.services.results import quality
        flagged = quality.quality_view(db.session.get(Survey, rated_survey)).flagged
        assert [f.flags for f in flagged] == [("straight_lining",)]
        ballot_id = flagged[0].ballot_id
    refused = client.post(f"/admin/reports/{rated_survey}/quality/{ballot_id}", data={"action": "exclude"},
                          follow_redirects=True)
    assert "请填写排除的理由" in refused.get_data(as_text=True)
    client.post(f"/admin/reports/{rated_survey}/quality/{ballot_id}",
                data={"action": "exclude", "reason": "全部评为不称职，疑似误操作"})
    with app.app_context():
        after = reports.survey_report(db.session.get(Survey, rated_survey))
        c1_before = next(r for r in before.subjects if r.key == "C1")
        c1_after = next(r for r in after.subjects if r.key == "C1")
        assert c1_after.index == pytest.approx(c1_before.index) and after.excluded == 1
        assert db.session.get(Ballot, ballot_id) is not None  # excluded, never deleted
        from survey_app.models import AuditEntry
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ballot.exclude")).one()
        assert entry.detail["reason"] == "全部评为不称职，疑似误操作"
    client.post(f"/admin/reports/{rated_survey}/quality/{ballot_id}", data={"action": "include"})
    with app.app_context():
        assert reports.survey_report(db.session.get(Survey, rated_survey)).excluded == 0


def test_viewers_cannot_exclude_ballots(client, auth, rated_survey):
    auth.login("viewer", Role.VIEWER)
    assert client.get(f"/admin/reports/{rated_survey}/quality").status_code == 403
    assert client.post(f"/admin/reports/{rated_survey}/quality/x", data={"action": "exclude"}).status_code == 403


def test_unit_figures_never_give_back_a_hidden_subject(app, client, auth, make_survey):
    # Issue #12.7: 上级 (min 3) rate 张伟 and 李娜 of 市发改委; two rate 李娜 不称职, the third
    # 不了解. 李娜 shows 样本不足; the unit used to show 66.7, and 3 × 66.7 − 100 gave her
    # two hidden 不称职 back. Every consumer reads the same view models: check page and API.
    survey_id = make_survey(publish=True)
    for li_na in (("不称职", "不称职"), ("不称职", "不称职"), (UNKNOWN, UNKNOWN)):
        cast(app, survey_id, "superior", {"C1": ("优秀", "优秀"), "C2": li_na})
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, survey_id))
    by_key = {row.key: row for row in report.subjects}
    assert by_key["C2"].index is None and by_key["C1"].index == 100.0
    (unit,) = [u for u in report.units if u.name == "市发改委"]
    assert unit.index == 100.0 and unit.n == 3
    assert report.survey_average == 100.0
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/reports/{survey_id}").get_data(as_text=True)
    assert "66.7" not in page


def test_a_subject_with_no_group_large_enough_has_no_grade_chart(app, client, auth, make_survey):
    """Grade shares are null below every group's minimum: the page shows 样本不足 and no
    chart, and the chart's URL is a 404 (it was a 500: the chart got an empty row)."""
    survey_id = make_survey(publish=True)
    cast(app, survey_id, "superior", {"C1": ("优秀", "称职"), "C2": ("称职", "称职")})
    with app.app_context():
        subject_id = db.session.scalar(select(Subject.id).where(Subject.survey_id == survey_id, Subject.key == "C1"))
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/reports/{survey_id}/subjects/{subject_id}").get_data(as_text=True)
    assert "样本不足" in page and "charts/grades.svg" not in page
    for fmt in ("svg", "png"):
        assert client.get(f"/admin/reports/{survey_id}/subjects/{subject_id}/charts/grades.{fmt}").status_code == 404
