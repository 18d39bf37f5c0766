"""Cadre dossiers (干部档案): the figures are the results pages' own, small groups stay
样本不足, evidence is validated and audited, the unit scope holds (a refused view is not
logged), every view is logged, and the PDF reads back with the cadre's name."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app import demo
from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Role,
    Subject,
    SubjectKind,
    Survey,
    SurveyKind,
    VerificationStatus,
)
from survey_app.models.assessment import ComponentSource, PlanSubjectKind
from survey_app.services.assessment import grading, plans, scoring
from survey_app.services.design import structure
from survey_app.services.dossier import cadres, dossiers, evidence
from survey_app.services.platform import users
from survey_app.services.results import lifecycle, report_models, reports
from tests.app.documents import assert_fonts_embedded, pdf_text_or_skip
from tests.app.factories import cast

UNKNOWN = None  # the 不了解 option
#: A recent day, so that "not after today" holds whatever the clock says.
RECENT = date.today() - timedelta(days=18)


@pytest.fixture
def rated(app, make_survey):
    """2024, 2025 and 2026 民主测评 of the factory's three cadres; the 2024 one (no ballots)
    also lists a leadership team (T1).

    2026: C1 by 3 superiors and 3 served; C2 by 3 superiors and only 2 served (样本不足).
    2025: C1 and C2 by 3 superiors each.
    """
    team_survey = make_survey(year=2024, title="2024年度民主测评")
    with app.app_context():
        survey = db.session.get(Survey, team_survey)
        actor = users.find_user("factory")
        structure.add_subject(survey, {"key": "T1", "name": "市发改委领导班子", "kind": SubjectKind.TEAM,
                                     "unit_name": "市发改委"}, actor)
        lifecycle.change_status(survey, "publish", actor)
        db.session.commit()
    last_year = make_survey(publish=True, year=2025, title="2025年度民主测评")
    for ratings in ({"C1": ("优秀", "称职"), "C2": ("称职", "称职")},
                    {"C1": ("称职", "称职"), "C2": ("基本称职", "称职")},
                    {"C1": ("优秀", "优秀"), "C2": ("称职", "基本称职")}):
        cast(app, last_year, "superior", ratings)
    this_year = make_survey(publish=True)
    for ratings in ({"C1": ("优秀", "优秀"), "C2": ("称职", "称职")},
                    {"C1": ("称职", "称职"), "C2": ("称职", "基本称职")},
                    {"C1": ("优秀", "基本称职"), "C2": ("优秀", "称职")}):
        cast(app, this_year, "superior", ratings)
    for ratings in ({"C1": ("基本称职", "基本称职"), "C2": ("优秀", "优秀")},
                    {"C1": ("称职", "优秀"), "C2": ("不称职", "不称职")},
                    {"C1": (UNKNOWN, "称职")}):
        cast(app, this_year, "served", ratings)
    return {"2024": team_survey, "2025": last_year, "2026": this_year}


def _unit_of(app, key: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Subject.unit_id).where(Subject.key == key)).first()


def _login(client, auth, username: str, role: Role, unit_key: str | None = None, app=None):
    auth.create_user(username, role, unit_ids=[_unit_of(app, unit_key)] if unit_key else ())
    return client.post("/auth/login", data={"username": username, "password": auth.PASSWORD})


def _views(app, key: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier.view")
                                     .order_by(AuditEntry.id)).all()
        return [e for e in entries if key is None or e.detail["key"] == key]


def _evidence(**overrides) -> dict:
    data = {"kind": "problem", "title": "重点项目征迁进度滞后", "detail": "督查反馈：滞后序时 10 个百分点",
            "occurred_on": RECENT.isoformat(), "due_on": "", "source": "inspection",
            "attachments": "市委督查室督查通报〔2026〕9号\n现场记录 KC-041"}
    return {**data, **overrides}


def _add_item(app, key: str = "C1", **overrides) -> int:
    with app.app_context():
        actor = users.find_user("factory")
        data = {"kind": EvidenceKind.ACHIEVEMENT, "title": "争取中央预算内投资 3.2 亿元", "detail": "",
                "occurred_on": date(2026, 9, 15), "due_on": None, "source": EvidenceSource.DOCUMENTS,
                "attachments": ["省发展改革委通报〔2026〕21号"], **overrides}
        item = evidence.add_evidence(cadres.find_cadre(key), data, actor, date(2026, 11, 24))
        db.session.commit()
        return item.id


# ---- the figures --------------------------------------------------------------------------------


def test_dossier_figures_are_the_results_pages_own(app, rated):
    with app.app_context():
        dossier = dossiers.build_dossier(cadres.find_cadre("C1"))
        assert [y.year for y in dossier.years] == [2026, 2025, 2024]
        assert dossier.years[2].surveys[0].row.index is None  # listed, unanswered: 样本不足
        for entry in dossier.surveys:
            report = reports.survey_report(db.session.get(Survey, entry.survey_id))
            row = next(r for r in report.subjects if r.key == "C1")
            assert entry.row == row  # index, interval, groups, ranks, grade shares, comparisons, flags
            assert entry.ranked == sum(r.rank is not None for r in report.subjects)
            assert entry.scored_shares == tuple(report_models.scored_shares(report, row))
        this_year = dossier.years[0].surveys[0]
        assert this_year.row.previous_index == dossier.years[1].surveys[0].row.index
        trend = reports.subject_trend(db.session.get(Survey, rated["2026"]), "C1")
        assert dossier.trend_periods == tuple(str(year) for year, _ in trend)
        assert dossier.trend_series == (("民主测评", tuple(index for _, index in trend)),)


def test_page_shows_the_index_rank_and_comparisons(app, client, auth, rated):
    auth.login("viewer", Role.VIEWER)
    page = client.get("/admin/dossiers/C1").get_data(as_text=True)
    with app.app_context():
        row = next(r for r in reports.survey_report(db.session.get(Survey, rated["2026"])).subjects if r.key == "C1")
    assert "张伟" in page and "市发改委" in page
    assert f"{row.index:.1f}" in page and f"{row.low:.1f}–{row.high:.1f}" in page
    assert f"{row.rank}/2" in page  # C3 has no answers: two ranked
    assert f"{row.index - row.previous_index:+.1f}" in page and f"{row.index - row.unit_average:+.1f}" in page


def test_small_groups_stay_insufficient_on_the_page_and_in_the_pdf(app, client, auth, rated, tmp_path):
    auth.login("viewer", Role.VIEWER)
    page = client.get("/admin/dossiers/C2").get_data(as_text=True)
    served = re.search(r"<tr><td>服务对象</td>.*?</tr>", page, re.S).group(0)
    assert "样本不足" in served and ">2<" not in served
    with app.app_context():
        entry = dossiers.build_dossier(cadres.find_cadre("C2")).years[0].surveys[0]
    assert entry.row.groups[1].is_reportable is False and entry.row.groups[1].index is None
    text = pdf_text_or_skip(client.get("/admin/dossiers/C2/dossier.pdf").data)
    served_line = next(line for line in text.splitlines() if "服务对象" in line and "0.6" in line)
    assert "样本不足" in served_line and " 2 " not in served_line


def test_team_and_unknown_keys_have_no_dossier(app, client, auth, rated):
    with app.app_context():
        with pytest.raises(NotFound):
            cadres.find_cadre("T1")
        assert "T1" not in {card.cadre.key for card in cadres.list_cadres(None)}
    auth.login("viewer", Role.VIEWER)
    assert client.get("/admin/dossiers/T1").status_code == 404
    assert client.get("/admin/dossiers/NOBODY").status_code == 404
    assert _views(app) == []


def test_links_from_other_pages_only_to_visible_cadre_dossiers(app, auth, rated):
    auth.create_user("finance", Role.VIEWER, unit_ids=[_unit_of(app, "C3")])
    with app.app_context():
        everyone, finance = users.find_user("factory"), users.find_user("finance")
        assert cadres.visible_dossier(everyone, "C1").name == "张伟"
        assert cadres.visible_dossier(everyone, "T1") is None  # a team: no dossier, no link
        assert cadres.visible_dossier(finance, "C1") is None
        assert cadres.visible_dossier(finance, "C3").unit == "市财政局"


def test_the_per_subject_results_page_links_to_the_cadre_dossier(app, client, auth, rated):
    auth.login()
    with app.app_context():
        subject_id = db.session.scalars(
            select(Subject.id).where(Subject.survey_id == rated["2026"], Subject.key == "C1")).one()
    page = client.get(f"/admin/reports/{rated['2026']}/subjects/{subject_id}").get_data(as_text=True)
    assert 'id="dossier-link" href="/admin/dossiers/C1"' in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title  # the page's title is plain text, no markup block inside it


def test_assessment_results_of_cadre_plans_only(app, rated):
    with app.app_context():
        actor = users.find_user("factory")
        plan = plans.create_plan({"title": "2026年度领导干部年度考核", "year": 2026,
                                  "subject_kind": PlanSubjectKind.CADRE}, actor)
        category = plans.add_category(plan, "正职", actor)
        plans.add_component(category, {"name": "民主测评", "weight": 60.0, "source": ComponentSource.SURVEY,
                                       "survey_id": rated["2026"]}, actor)
        routine = plans.add_component(category, {"name": "平时考核", "weight": 40.0,
                                                 "source": ComponentSource.MANUAL}, actor)
        subject = plans.add_subject(plan, {"key": "C1", "name": "张伟", "category_id": category.id}, actor)
        scoring.set_score(subject, routine, None, 90.0, actor)
        units = plans.create_plan({"title": "2026年度绩效考评", "year": 2026}, actor)
        unit_category = plans.add_category(units, "市直部门", actor)
        plans.add_subject(units, {"key": "C1", "name": "市发改委", "category_id": unit_category.id}, actor)
        db.session.commit()
        dossier = dossiers.build_dossier(cadres.find_cadre("C1"))
        expected = grading.compute_plan(plan).subject(subject.id)
    assert [entry.title for entry in dossier.plans] == ["2026年度领导干部年度考核"]  # not the unit plan
    entry = dossier.plans[0]
    assert entry.row == expected and entry.row.composite == pytest.approx(
        0.6 * dossier.years[0].surveys[0].row.index + 0.4 * 90.0, abs=0.005)  # composites keep 2 decimals
    assert entry.category_size == 1 and entry.grade == expected.final_grade


# ---- index, scope and the view log ------------------------------------------------------------


def test_index_searches_by_name_and_unit(app, client, auth, rated):
    auth.login("viewer", Role.VIEWER)
    page = client.get("/admin/dossiers/").get_data(as_text=True)
    assert all(name in page for name in ("张伟", "李娜", "王强")) and "市发改委领导班子" not in page
    found = client.get("/admin/dossiers/", query_string={"q": "张"}).get_data(as_text=True)
    assert "张伟" in found and "李娜" not in found
    by_unit = client.get("/admin/dossiers/", query_string={"unit": _unit_of(app, "C3")}).get_data(as_text=True)
    assert "王强" in by_unit and "张伟" not in by_unit
    assert "没有找到" in client.get("/admin/dossiers/", query_string={"q": "nobody"}).get_data(as_text=True)


def test_every_view_and_download_is_logged(app, client, auth, rated):
    auth.login("viewer", Role.VIEWER)
    assert client.get("/admin/dossiers/C1").status_code == 200
    assert client.get("/admin/dossiers/C1").status_code == 200
    assert client.get("/admin/dossiers/C1/dossier.pdf").status_code == 200
    views = _views(app, "C1")
    assert [e.detail["format"] for e in views] == ["page", "page", "pdf"]
    assert {e.username for e in views} == {"viewer"} and {e.detail["name"] for e in views} == {"张伟"}


def test_unit_scoped_user_sees_only_their_units_cadres_and_a_refusal_is_not_logged(app, client, auth, rated):
    _login(client, auth, "finance", Role.ORGANIZER, "C3", app)
    for url in ("/admin/dossiers/C1", "/admin/dossiers/C1/dossier.pdf", "/admin/dossiers/C1/charts/trend.png",
                f"/admin/dossiers/C1/surveys/{rated['2026']}/charts/groups.png"):
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/dossiers/C1/evidence", data=_evidence()).status_code == 404
    assert _views(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0
    index = client.get("/admin/dossiers/").get_data(as_text=True)
    assert "王强" in index and "张伟" not in index and "李娜" not in index
    assert client.get("/admin/dossiers/C3").status_code == 200
    assert [e.detail["key"] for e in _views(app)] == ["C3"]


def test_organizer_without_scope_sees_the_view_log(app, client, auth, rated):
    auth.login()
    client.get("/admin/dossiers/C1")
    page = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert 'id="view-log"' in page and page.count("查看页面") >= 2
    client.post("/auth/logout")
    auth.login("viewer", Role.VIEWER)
    assert 'id="view-log"' not in client.get("/admin/dossiers/C1").get_data(as_text=True)


# ---- evidence ---------------------------------------------------------------------------------


def test_organizer_records_evidence_and_sees_it_listed(app, client, auth, rated):
    auth.login()
    response = client.post("/admin/dossiers/C1/evidence", data=_evidence())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已记入档案" in page and "重点项目征迁进度滞后" in page and "市委督查室督查通报〔2026〕9号" in page
    assert "蹲点前待核实事项" in page
    with app.app_context():
        item = db.session.scalars(select(EvidenceItem)).one()
        assert (item.subject_key, item.subject_name, item.kind, item.source) == (
            "C1", "张伟", EvidenceKind.PROBLEM, EvidenceSource.INSPECTION)
        assert item.unit_id == _unit_of(app, "C1") and item.recorded_by.username == "organizer"
        assert item.attachments == ["市委督查室督查通报〔2026〕9号", "现场记录 KC-041"]
        assert item.status is VerificationStatus.PENDING and item.verified_at is None
        logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier.evidence_add")).one()
        assert logged.target_id == item.id and logged.detail["key"] == "C1"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "请填写事项"),
    ({"kind": "rumour"}, "请选择清单类别"),
    ({"source": "hearsay"}, "请选择来源"),
    ({"occurred_on": ""}, "请按“年-月-日”填写有效日期"),
    ({"occurred_on": "2026-13-40"}, "请按“年-月-日”填写有效日期"),
    ({"occurred_on": (date.today() + timedelta(days=3)).isoformat()}, "日期不能晚于今天"),
    ({"due_on": (RECENT - timedelta(days=1)).isoformat()}, "完成时限不能早于日期"),
    ({"attachments": "\n".join(f"附件{i}" for i in range(21))}, "附件材料最多 20 条"),
    ({"attachments": "x" * 201}, "每条附件材料不能超过 200 个字"),
    ({"title": "a\x07b"}, "不可见的控制字符"),
])
def test_bad_evidence_is_refused_with_a_chinese_message(app, client, auth, rated, overrides, message):
    auth.login()
    response = client.post("/admin/dossiers/C1/evidence", data=_evidence(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_service_lists_every_problem_at_once(app):
    with app.app_context(), pytest.raises(ValidationFailed) as error:
        evidence.clean_evidence({"kind": "x", "title": "", "occurred_on": None, "source": None}, date(2026, 11, 24))
    assert error.value.errors == ["请选择清单类别（任务、进度、问题、成绩）", "请填写事项", "请填写日期", "请选择来源"]


def test_verify_then_edit_resets_the_verification(app, client, auth, rated):
    item_id = _add_item(app)
    auth.login()
    base = f"/admin/dossiers/C1/evidence/{item_id}"
    refused = client.post(f"{base}/verify", data={"status": "disputed", "note": ""}, follow_redirects=True)
    assert "存疑或不属实时，请写明核实情况" in refused.get_data(as_text=True)
    client.post(f"{base}/verify", data={"status": "verified", "note": "查阅省通报原件"})
    with app.app_context():
        item = db.session.get(EvidenceItem, item_id)
        assert item.status is VerificationStatus.VERIFIED and item.verified_by.username == "organizer"
        assert item.verified_at is not None and item.verification_note == "查阅省通报原件"
    form = client.get(f"{base}/edit").get_data(as_text=True)
    assert "争取中央预算内投资 3.2 亿元" in form and "核实结果将撤销" in form
    edited = client.post(f"{base}/edit", data=_evidence(kind="achievement", title="争取中央预算内投资 3.5 亿元",
                                                        source="documents"), follow_redirects=True)
    assert "核实结果已撤销" in edited.get_data(as_text=True)
    with app.app_context():
        item = db.session.get(EvidenceItem, item_id)
        assert item.title == "争取中央预算内投资 3.5 亿元" and item.status is VerificationStatus.PENDING
        assert item.verified_at is None and item.verified_by_id is None
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "evidence")
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["dossier.evidence_add", "dossier.evidence_verify", "dossier.evidence_edit"]
    assert [e.detail["format"] for e in _views(app)][-2:] == ["evidence", "page"]


def test_edit_with_bad_input_changes_nothing(app, client, auth, rated):
    item_id = _add_item(app)
    auth.login()
    response = client.post(f"/admin/dossiers/C1/evidence/{item_id}/edit", data=_evidence(title=""))
    assert response.status_code == 400 and "请填写事项" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EvidenceItem, item_id).title == "争取中央预算内投资 3.2 亿元"


def test_remove_needs_a_reason_and_the_log_keeps_the_content(app, client, auth, rated):
    item_id = _add_item(app)
    auth.login()
    refused = client.post(f"/admin/dossiers/C1/evidence/{item_id}/remove", data={"reason": "", "confirm": "yes"},
                          follow_redirects=True)
    assert "请写明删除原因" in refused.get_data(as_text=True)
    client.post(f"/admin/dossiers/C1/evidence/{item_id}/remove", data={"reason": "重复录入", "confirm": "yes"})
    with app.app_context():
        assert db.session.get(EvidenceItem, item_id) is None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier.evidence_remove")).one()
        assert entry.detail["reason"] == "重复录入"
        assert entry.detail["removed"]["title"] == "争取中央预算内投资 3.2 亿元"


def test_another_cadres_item_cannot_be_reached_through_this_dossier(app, client, auth, rated):
    item_id = _add_item(app, "C1")
    auth.login()
    assert client.post(f"/admin/dossiers/C2/evidence/{item_id}/verify", data={"status": "verified"}).status_code == 404
    assert client.get(f"/admin/dossiers/C2/evidence/{item_id}/edit").status_code == 404
    assert client.post(f"/admin/dossiers/C2/evidence/{item_id}/remove", data={"reason": "x", "confirm": "yes"}).status_code == 404
    with app.app_context():
        assert db.session.get(EvidenceItem, item_id).status is VerificationStatus.PENDING


def test_viewer_reads_evidence_but_records_nothing(app, client, auth, rated):
    item_id = _add_item(app)
    auth.login("viewer", Role.VIEWER)
    page = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "争取中央预算内投资 3.2 亿元" in page and 'id="evidence-form"' not in page
    assert f"/evidence/{item_id}/edit" not in page and f"/evidence/{item_id}/verify" not in page
    assert client.post("/admin/dossiers/C1/evidence", data=_evidence()).status_code == 403
    assert client.post(f"/admin/dossiers/C1/evidence/{item_id}/verify", data={"status": "verified"}).status_code == 403
    assert client.get(f"/admin/dossiers/C1/evidence/{item_id}/edit").status_code == 403


# ---- PDF and charts ---------------------------------------------------------------------------


def test_pdf_opens_and_contains_the_cadre_figures_and_evidence(app, client, auth, rated, tmp_path):
    _add_item(app, kind=EvidenceKind.PROBLEM, title="信访积案化解进度滞后", source=EvidenceSource.INTERVIEW)
    auth.login("viewer", Role.VIEWER)
    response = client.get("/admin/dossiers/C1/dossier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and "attachment" in response.headers["Content-Disposition"]
    text = pdf_text_or_skip(response.data)
    with app.app_context():
        row = next(r for r in reports.survey_report(db.session.get(Survey, rated["2026"])).subjects if r.key == "C1")
    assert "张伟 干部档案" in text and "调阅人 viewer" in text
    assert f"{row.index:.1f}" in text and f"{row.low:.1f}–{row.high:.1f}" in text
    assert "信访积案化解进度滞后" in text and "个别谈话" in text and "待核实" in text
    assert_fonts_embedded(response.data)


def test_pdf_headings_name_the_year_once(app, client, auth, rated):
    """Survey titles already hold their year: the heading read "2026 2026年度民主测评"."""
    auth.login("viewer", Role.VIEWER)
    text = pdf_text_or_skip(client.get("/admin/dossiers/C1/dossier.pdf").data)
    assert "2026年度民主测评（民主测评）" in text and "2025年度民主测评（民主测评）" in text
    assert not re.search(r"(\d{4}) \1年度", text), re.findall(r".*\d{4} \d{4}年度.*", text)


def test_charts_render(app, client, auth, rated):
    auth.login("viewer", Role.VIEWER)
    assert client.get("/admin/dossiers/C1/charts/trend.png").data.startswith(b"\x89PNG")
    for name in ("dimensions", "groups"):
        svg = client.get(f"/admin/dossiers/C1/surveys/{rated['2026']}/charts/{name}.svg")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"/admin/dossiers/C1/surveys/{rated['2026']}/charts/ranking.svg").status_code == 404
    assert client.get(f"/admin/dossiers/C1/surveys/{rated['2024']}/charts/groups.svg").status_code == 404
    assert client.get("/admin/dossiers/C3/charts/trend.png").status_code == 404  # no index: no chart


# ---- demo -------------------------------------------------------------------------------------


def test_demo_has_dossiers_with_results_assessments_and_evidence(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        cards = {card.cadre.key: card for card in cadres.list_cadres(None)}
        assert {"FGW01", "ZRZY05", "SCJG01", "XZSP01"} <= {k for k, c in cards.items() if c.evidence}
        assert "FGW-TEAM" not in cards
        dossier = dossiers.build_dossier(cadres.find_cadre("FGW01"))
        kinds = {s.kind for s in dossier.surveys}
        assert kinds == {SurveyKind.SERVICE_QUALITY, SurveyKind.DEMOCRATIC} and len(dossier.surveys) == 3
        assert [p.title for p in dossier.plans] == [demo.CADRE_PLAN_TITLE] and dossier.plans[0].row.composite
        assert all(items for _kind, items in dossier.lists) and dossier.to_verify
        successor = dossiers.build_dossier(cadres.find_cadre("ZRZY05")).years[0].surveys[0]
        assert successor.row.predecessor_key == "ZRZY01" and successor.predecessor_name == "刘建国"
