"""The pre-visit brief (进点前调阅) against a fixture: a cadre (张伟, C1, 市发改委) with a
confirmed 2026 assessment, 民主测评 results in 2025 and 2026, an open problem, a disputed
item, a 巡视巡察反馈 item, a visit finding, a refuted problem and an overdue milestone of a
linked key project, read on 10 March 2027 (docs/inspection.md, "Pre-visit brief")."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    KeyProject,
    Role,
    Survey,
    Unit,
    VerificationStatus,
    Visit,
)
from survey_app.models.assessment import ComponentSource, PlanSubjectKind
from survey_app.services.assessment import grading, plans, scoring
from survey_app.services.dossier import brief, cadres
from survey_app.services.dossier.brief_questions import DROP_POINTS, LOW_GAP, LOW_INDEX
from survey_app.services.inspection import projects
from survey_app.services.platform import users
from survey_app.services.results import reports
from tests.app.documents import pdf_text_or_skip
from tests.app.factories import cast

TODAY = date(2027, 3, 10)
AT = datetime(2026, 12, 1, tzinfo=UTC)


def _item(key, unit_id, kind, title, occurred_on, source, status=VerificationStatus.PENDING, visit_id=None,
          note=""):
    db.session.add(EvidenceItem(
        subject_key=key, subject_name="张伟", unit_id=unit_id, kind=kind, title=title, occurred_on=occurred_on,
        source=source, status=status, verified_at=None if status is VerificationStatus.PENDING else AT,
        verification_note=note, visit_id=visit_id))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The pages compute on the city's today: here the fixture's, never the clock's."""
    from survey_app.blueprints import briefs

    monkeypatch.setattr(briefs, "_today", lambda: TODAY)


@pytest.fixture
def world(app, make_survey):
    last = make_survey(publish=True, year=2025, title="2025年度民主测评")
    for _ in range(3):
        cast(app, last, "superior", {"C1": ("优秀", "优秀"), "C2": ("称职", "称职"), "C3": ("称职", "称职")})
        cast(app, last, "served", {"C1": ("优秀", "优秀"), "C2": ("称职", "称职")})
    this = make_survey(publish=True, year=2026, title="2026年度民主测评")
    for _ in range(3):
        cast(app, this, "superior", {"C1": ("优秀", "优秀"), "C2": ("称职", "称职"), "C3": ("称职", "称职")})
        cast(app, this, "served", {"C1": ("称职", "不称职"), "C2": ("称职", "称职")})
    with app.app_context():
        actor = users.find_user("factory")
        unit = db.session.scalar(select(Unit).where(Unit.name == "市发改委"))
        plan = plans.create_plan({"title": "2026年度领导干部年度考核", "year": 2026,
                                  "subject_kind": PlanSubjectKind.CADRE}, actor)
        category = plans.add_category(plan, "正职", actor)
        routine = plans.add_component(category, {"name": "平时考核", "weight": 100.0,
                                                 "source": ComponentSource.MANUAL}, actor)
        subject = plans.add_subject(plan, {"key": "C1", "name": "张伟", "category_id": category.id,
                                           "unit_id": unit.id}, actor)
        scoring.set_score(subject, routine, None, 88.0, actor)
        grading.change_status(plan, "propose", actor)
        grading.change_status(plan, "confirm", actor)
        draft = plans.create_plan({"title": "2026年度考核（重算草稿）", "year": 2026,
                                   "subject_kind": PlanSubjectKind.CADRE}, actor)  # not confirmed: not used
        plans.add_subject(draft, {"key": "C1", "name": "张伟", "category_id": plans.add_category(draft, "正职",
                                                                                             actor).id}, actor)
        visit = Visit(title="城东枢纽实地勘察", starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 1), methods=["site_survey"])
        visit.units = [unit]
        db.session.add(visit)
        db.session.flush()
        _item("C1", unit.id, EvidenceKind.PROBLEM, "巡察指出议事规则执行不严", date(2026, 10, 10), EvidenceSource.PATROL)
        _item("C1", unit.id, EvidenceKind.PROBLEM, "窗口排队时间长", date(2026, 12, 1), EvidenceSource.SITE_VISIT,
              VerificationStatus.VERIFIED)
        _item("C1", unit.id, EvidenceKind.ACHIEVEMENT, "项目审批提速一半", date(2027, 1, 5), EvidenceSource.INTERVIEW,
              VerificationStatus.DISPUTED, note="数据口径不一")
        _item("C1", unit.id, EvidenceKind.TASK, "枢纽征迁进度滞后", date(2027, 2, 1), EvidenceSource.SITE_VISIT,
              visit_id=visit.id)
        _item("C1", unit.id, EvidenceKind.PROBLEM, "违规接受宴请", date(2026, 11, 1), EvidenceSource.OTHER,
              VerificationStatus.REFUTED, note="查无实据")
        _item("C1", unit.id, EvidenceKind.ACHIEVEMENT, "获评省级先进", date(2026, 12, 20), EvidenceSource.DOCUMENTS,
              VerificationStatus.VERIFIED)
        project = projects.create_project({"name": "城东综合交通枢纽", "level": "provincial",
                                           "starts_on": date(2026, 1, 5), "unit_ids": [unit.id],
                                           "cadre_keys": "C1"}, actor, None)
        projects.add_milestone(project, {"name": "开工", "planned_on": date(2026, 6, 1),
                                         "actual_on": date(2026, 6, 1)}, actor, TODAY)
        projects.add_milestone(project, {"name": "征迁完成", "planned_on": date(2027, 2, 20)}, actor, TODAY)
        db.session.commit()
        rows = {}
        for sid in (last, this):
            survey = db.session.get(Survey, sid)
            report = reports.survey_report(survey)
            rows[survey.year] = (next(r for r in report.subjects if r.key == "C1"), report.dimension_labels)
        return {"unit_id": unit.id, "rows": rows, "plan": grading.compute_plan(plan).subject(subject.id)}


def _questions(world) -> list[str]:
    """The questions the rules of brief_questions give for the fixture, from the results'
    own figures (the fixture is built so that each rule fires)."""
    (before, _labels), (row, labels) = world["rows"][2025], world["rows"][2026]
    drop = before.index - row.index
    assert drop >= DROP_POINTS and row.is_disagreement_flagged
    low = [label for label, value in zip(labels, row.dimensions, strict=True)
           if value < LOW_INDEX or row.index - value >= LOW_GAP]
    assert low, "the fixture has a low dimension"
    high_group, low_group = row.disagreement_groups
    return [f"民主测评指数较上年下降 {drop:.1f} 分，原因何在？",
            f"{high_group}与{low_group}对其评价差异较大，差异的原因？",
            *(f"“{label}”方面评价偏低，原因何在？有哪些具体表现？" for label in low),
            "巡视巡察反馈“巡察指出议事规则执行不严”整改落实情况如何？有无佐证材料？",
            "“窗口排队时间长”整改进展如何？有无佐证材料？",
            "“项目审批提速一半”存疑，各方说法为何不一致？请当面核实并取得佐证材料。",
            "“枢纽征迁进度滞后”是否属实？有无佐证材料？",
            "“城东综合交通枢纽”的节点“征迁完成”滞后 18 天的原因和赶进措施？"]


def test_the_cadre_brief_holds_each_section_and_question(app, world):
    with app.app_context():
        data = brief.cadre_brief(cadres.find_cadre("C1"), None, TODAY)
    assert (data.name, data.unit, data.previous_year) == ("张伟", "市发改委", 2026)
    plan = world["plan"]
    assert data.assessment == brief.AssessmentLine("2026年度领导干部年度考核", 2026, plan.composite, plan.rank, 1,
                                                   plan.final_grade)
    assert data.assessment.composite == 88.0 and data.assessment.grade
    (trend,) = data.trends
    assert trend.kind_label == "民主测评"
    assert [(p.year, p.index) for p in trend.points] == [(y, world["rows"][y][0].index) for y in (2025, 2026)]
    assert trend.change == pytest.approx(world["rows"][2026][0].index - world["rows"][2025][0].index)
    assert [i.title for i in data.open_problems] == ["巡察指出议事规则执行不严", "窗口排队时间长"]  # not the refuted one
    assert [i.title for i in data.unverified] == ["巡察指出议事规则执行不严", "项目审批提速一半", "枢纽征迁进度滞后"]
    assert [(i.title, i.visit) for i in data.findings] == [("枢纽征迁进度滞后", "2027-02-01 城东枢纽实地勘察")]
    assert [i.title for i in data.patrol] == ["巡察指出议事规则执行不严"]
    assert [(o.project, o.milestone, o.planned_on, o.days) for o in data.overdue] == [
        ("城东综合交通枢纽", "征迁完成", date(2027, 2, 20), 18)]
    assert [q.text for q in data.questions] == _questions(world)
    bases = [q.basis for q in data.questions]
    assert bases[-1] == "重点项目节点计划 2027-02-20 完成，至今逾期 18 天"
    assert "问题｜已核实｜实地查看｜2026-12-01" in bases and "成绩｜存疑｜个别谈话｜2027-01-05" in bases


def test_a_year_without_a_confirmed_plan_says_so(app, world):
    with app.app_context():
        data = brief.cadre_brief(cadres.find_cadre("C1"), None, date(2028, 1, 2))
    assert data.previous_year == 2027 and data.assessment is None


def test_the_page_and_the_pdf_show_the_same_questions_and_are_logged(app, client, auth, world):
    auth.login("leader", Role.VIEWER)
    page = client.get("/admin/briefs/cadres/C1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    questions = _questions(world)
    import html as markup
    text = markup.unescape(html)
    for heading in ("2026年度考核", "民主测评与服务质量评议", "问题清单中的未结问题", "待核实和存疑事项", "此前考察发现",
                    "巡视巡察反馈", "逾期节点", "待核实的问题"):
        assert heading in text, heading
    positions = [text.index(q) for q in questions]
    assert positions == sorted(positions)
    pdf = client.get("/admin/briefs/cadres/C1/brief.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    flat = "".join(pdf_text_or_skip(pdf.get_data()).split())
    for q in questions:
        assert "".join(q.split()) in flat, q
    assert "调阅人leader" in flat
    with app.app_context():
        formats = [e.detail["format"] for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "dossier.view").order_by(AuditEntry.id))]
    assert formats == ["brief", "brief_pdf"]


def test_the_dossier_and_the_project_page_link_to_the_brief(app, client, auth, world):
    auth.login("leader", Role.VIEWER)
    assert "/admin/briefs/cadres/C1" in client.get("/admin/dossiers/C1").get_data(as_text=True)
    with app.app_context():
        project_id = db.session.scalar(select(KeyProject.id))
    page = client.get(f"/admin/inspection/projects/{project_id}").get_data(as_text=True)
    assert "/admin/briefs/cadres/C1" in page and f"/admin/briefs/units/{world['unit_id']}" in page


def test_the_unit_brief_names_each_cadre(app, client, auth, world):
    auth.login("leader", Role.VIEWER)
    response = client.get(f"/admin/briefs/units/{world['unit_id']}")
    assert response.status_code == 200
    with app.app_context():
        data = brief.unit_brief(db.session.get(Unit, world["unit_id"]), TODAY)
    assert data.assessment is None and data.trends == ()  # the fixture has no unit results
    assert [q.text for q in data.questions] == [f"张伟：{q}" for q in _questions(world)[-5:-1]] + [
        _questions(world)[-1]]
    assert all(i.subject == "张伟" for i in data.unverified)


def test_scope_and_reporters(app, client, auth, world):
    with app.app_context():
        other = db.session.scalar(select(Unit.id).where(Unit.name == "市财政局"))
        users.create_user("fin-viewer", auth.PASSWORD, Role.VIEWER, unit_ids=[other])
        users.create_user("ndrc-reporter", auth.PASSWORD, Role.REPORTER, unit_ids=[world["unit_id"]])
        db.session.commit()
    auth.login("fin-viewer")
    for url in ("/admin/briefs/cadres/C1", "/admin/briefs/cadres/C1/brief.pdf",
                f"/admin/briefs/units/{world['unit_id']}", f"/admin/briefs/units/{world['unit_id']}/brief.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/admin/briefs/units/{other}").status_code == 200
    auth.logout()
    auth.login("ndrc-reporter")
    assert client.get(f"/admin/briefs/units/{world['unit_id']}").status_code == 404  # never the unit itself
    with app.app_context():
        logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("dossier.view", "brief.view"))))
        assert [(e.username, e.target_type, e.target_id) for e in logged] == [("fin-viewer", "unit", other)]


def test_talks_stay_out_of_the_brief_even_for_the_team(app, client, auth, world):
    from survey_app.services.inspection import talks
    with app.app_context():
        talks.add_talk({"subject_key": "C1", "held_on": date(2027, 3, 1), "relation": "peer",
                        "summary": "TALK-SECRET-3141"}, users.find_user("factory"), TODAY, None)
        db.session.commit()
    auth.login("root", Role.ADMIN)
    for url in ("/admin/briefs/cadres/C1", f"/admin/briefs/units/{world['unit_id']}"):
        assert "TALK-SECRET-3141" not in client.get(url).get_data(as_text=True)
    pdf = client.get("/admin/briefs/cadres/C1/brief.pdf").get_data()
    assert "TALK-SECRET-3141" not in pdf_text_or_skip(pdf)
