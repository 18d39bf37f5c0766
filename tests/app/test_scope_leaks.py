"""The scope leaks of issue #12's review, each replayed as the hostile scoped organizer.

The scoped organizer "o2" and viewer "v2" are scoped to 市发改委 (张伟 C1 and 李娜 C2 in the
shared survey, 孙丽 M1 in their unit's own survey); 王强 (C3) and 赵敏 (Z1) are cadres of
市财政局, outside their scope. Every refused attempt must leave the other unit's data as it
was (docs/permissions.md).
"""

from datetime import date

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import (
    EvidenceKind,
    EvidenceSource,
    Role,
    Subject,
    Survey,
    SurveyKind,
    SurveyStatus,
    Unit,
)
from survey_app.models.assessment import (
    AssessmentPlan,
    ComponentScore,
    ComponentSource,
    PlanStatus,
    PlanSubjectKind,
)
from survey_app.services.assessment import grading, plans, scoring
from survey_app.services.design import structure, surveys
from survey_app.services.dossier import cadres, evidence
from survey_app.services.platform import users
from survey_app.services.results import lifecycle
from tests.app.factories import cast

PASSWORD = "correct horse battery"


def _published(actor, title: str, key: str, name: str, unit: str) -> Survey:
    survey = surveys.create_survey({"kind": SurveyKind.SERVICE_QUALITY, "year": 2026, "title": title}, actor)
    structure.add_subject(survey, {"key": key, "name": name, "unit_name": unit, "unit_category": "市直部门"}, actor)
    structure.add_dimension(survey, {"name": "服务意识"}, actor)
    structure.add_group(survey, {"key": "superior", "name": "上级", "expected_count": 5}, actor)
    lifecycle.change_status(survey, "publish", actor)
    return survey


def _scored_plan(survey: Survey, actor) -> AssessmentPlan:
    """A cadre plan of the survey's subjects with one manual component, every score 80 + i."""
    plan = plans.create_plan({"title": "2026年度考核", "year": 2026, "subject_kind": PlanSubjectKind.CADRE},
                             actor)
    plans.import_subjects(plan, survey, actor)
    component = plans.add_component(plan.categories[0], {"name": "指标考评", "weight": 100,
                                                         "source": ComponentSource.MANUAL}, actor)
    lines = "\n".join(f"{s.key}, {80 + i}" for i, s in enumerate(plan.subjects))
    scoring.set_scores_in_bulk(plan, component, lines, "verified_score", actor)
    return plan


@pytest.fixture
def world(app, make_survey):
    shared_id = make_survey(publish=True, title="2026年度民主测评（全市）")  # C1, C2 市发改委; C3 市财政局
    with app.app_context():
        actor = users.find_user("factory")
        other = _published(actor, "财政局服务质量评议", "Z1", "赵敏", "市财政局")
        mine = _published(actor, "发改委专项评议", "M1", "孙丽", "市发改委")
        db.session.commit()
        ids = {"shared": shared_id, "other": other.id, "mine": mine.id}
    cast(app, ids["other"], "superior", {"Z1": ("称职",)})
    cast(app, ids["shared"], "superior", {"C1": ("优秀", "称职"), "C2": ("称职", "称职"), "C3": ("称职", "优秀")})
    with app.app_context():
        actor = users.find_user("factory")
        plan = _scored_plan(db.session.get(Survey, ids["shared"]), actor)
        ids["plan"] = plan.id
        ids["component"] = plan.categories[0].components[0].id
        evidence.add_evidence(cadres.find_cadre("Z1"), {
            "kind": EvidenceKind.PROBLEM, "title": "巡察反馈：赵敏审批拖延", "occurred_on": date(2026, 5, 1),
            "source": EvidenceSource.INSPECTION}, actor, date(2026, 11, 1))
        unit = db.session.scalar(select(Unit.id).where(Unit.name == "市发改委"))
        users.create_user("o2", PASSWORD, Role.ORGANIZER, unit_ids=[unit])
        users.create_user("v2", PASSWORD, Role.VIEWER, unit_ids=[unit])
        users.create_user("city", PASSWORD, Role.ORGANIZER)
        db.session.commit()
    return ids


def _login(app, username: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def _subject(survey_id: int, key: str) -> Subject:
    return db.session.scalar(select(Subject).where(Subject.survey_id == survey_id, Subject.key == key))


# ---- finding 1: a dossier made visible through a draft ----------------------------------------


def test_a_draft_survey_does_not_move_a_cadre_into_the_users_scope(app, world):
    """o2 clones a survey and moves 赵敏 (Z1) into 市发改委 in the draft: her dossier stays
    hidden from o2 and v2, page and PDF."""
    with app.app_context():
        actor = users.find_user("factory")
        draft = surveys.create_survey({"kind": SurveyKind.DEMOCRATIC, "year": 2027, "title": "草稿"}, actor)
        structure.add_subject(draft, {"key": "Z1", "name": "赵敏", "unit_name": "市发改委"}, actor)
        db.session.commit()
    for username in ("o2", "v2"):
        client = _login(app, username)
        assert client.get("/admin/dossiers/Z1").status_code == 404, username
        assert client.get("/admin/dossiers/Z1/dossier.pdf").status_code == 404, username
        assert "赵敏" not in client.get("/admin/dossiers/").get_data(as_text=True)


def test_a_draft_plan_does_not_move_a_cadre_into_the_users_scope(app, world):
    with app.app_context():
        actor = users.find_user("factory")
        plan = plans.create_plan({"title": "2027年度考核", "year": 2027, "subject_kind": PlanSubjectKind.CADRE},
                                 actor)
        category = plans.add_category(plan, "市直部门", actor)
        plans.add_subject(plan, {"key": "Z1", "name": "赵敏", "unit_name": "市发改委",
                                 "category_id": category.id}, actor)
        db.session.commit()
    assert _login(app, "o2").get("/admin/dossiers/Z1").status_code == 404


def test_a_reused_key_shows_only_the_users_own_records(app, world):
    """o2 publishes a survey of his unit rating a 'Z1': the dossier he then opens shows his
    own survey only, never the other unit's survey, figures or evidence."""
    with app.app_context():
        _published(users.find_user("factory"), "发改委2027评议", "Z1", "假名", "市发改委").year = 2027
        db.session.commit()
    client = _login(app, "o2")
    for url in ("/admin/dossiers/Z1", "/admin/dossiers/Z1/dossier.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/admin/dossiers/Z1").get_data(as_text=True)
    assert "发改委2027评议" in page
    for secret in ("财政局服务质量评议", "审批拖延", "市财政局"):
        assert secret not in page, secret
    assert client.get(f"/admin/dossiers/Z1/surveys/{world['other']}/charts/dimensions.svg").status_code == 404


def test_a_shared_survey_in_a_dossier_shows_only_the_users_rows(app, world):
    """张伟's dossier lists the shared survey; a scoped viewer sees it, and the survey of
    another unit that once rated a cadre of the same key is not listed."""
    client = _login(app, "v2")
    page = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "2026年度民主测评（全市）" in page and "王强" not in page


# ---- finding 2: the audit log ------------------------------------------------------------------


def test_the_audit_log_shows_a_scoped_organizer_only_their_units_entries(app, world):
    page = _login(app, "o2").get("/admin/audit").get_data(as_text=True)
    assert "发改委专项评议" in page  # the creation of their unit's own survey
    for secret in ("财政局服务质量评议", "审批拖延", "赵敏", "2026年度民主测评（全市）", "2026年度考核", "v2",
                   "city"):
        assert secret not in page, secret
    full = _login(app, "city").get("/admin/audit").get_data(as_text=True)
    assert "财政局服务质量评议" in full and "审批拖延" in full


def test_viewers_have_no_audit_log(app, world):
    assert _login(app, "v2").get("/admin/audit").status_code == 403


# ---- finding 3: another unit's assessment changed and confirmed --------------------------------


def _scores(plan_id: int) -> dict[str, float]:
    plan = db.session.get(AssessmentPlan, plan_id)
    return {s.key: next(sc.verified_score for sc in s.scores) for s in plan.subjects}


def test_bulk_scores_refuse_another_units_subject(app, world):
    client = _login(app, "o2")
    with app.app_context():
        before = _scores(world["plan"])
    response = client.post(f"/admin/assessments/{world['plan']}/scores/bulk", data={
        "bulk-component_id": world["component"], "bulk-field": "verified_score", "bulk-lines": "C1, 1\nC3, 1"})
    assert response.status_code == 400
    assert "王强" not in response.get_data(as_text=True)
    with app.app_context():
        assert _scores(world["plan"]) == before
    response = client.post(f"/admin/assessments/{world['plan']}/scores/bulk", data={
        "bulk-component_id": world["component"], "bulk-field": "verified_score", "bulk-lines": "C1, 61"})
    assert response.status_code == 302
    with app.app_context():
        assert _scores(world["plan"]) == {**before, "C1": 61}


@pytest.mark.parametrize("action", ["propose", "withdraw", "confirm"])
def test_a_shared_plans_lifecycle_is_not_a_scoped_organizers(app, world, action):
    with app.app_context():
        plan = db.session.get(AssessmentPlan, world["plan"])
        if action != "propose":
            grading.change_status(plan, "propose", users.find_user("factory"))
            db.session.commit()
        before = plan.status
    response = _login(app, "o2").post(f"/admin/assessments/{world['plan']}/status/{action}")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(AssessmentPlan, world["plan"]).status is before
        assert before is not PlanStatus.CONFIRMED


def test_per_subject_plan_writes_stop_at_the_scope(app, world):
    client = _login(app, "o2")
    with app.app_context():
        plan = db.session.get(AssessmentPlan, world["plan"])
        other = next(s for s in plan.subjects if s.key == "C3")
        other_id = other.id
        before = db.session.scalars(select(ComponentScore.verified_score).where(ComponentScore.subject_id == other_id)).all()
    response = client.post(f"/admin/assessments/{world['plan']}/subjects/{other_id}/scores/{world['component']}",
                           data={f"score-{world['component']}-verified_score": "1"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ComponentScore.verified_score)
                                  .where(ComponentScore.subject_id == other_id)).all() == before


# ---- finding 4: shared surveys editable across units -------------------------------------------


def test_another_units_cadre_cannot_be_renamed_in_a_shared_survey(app, world):
    client = _login(app, "o2")
    with app.app_context():
        subject_id = _subject(world["shared"], "C3").id
    response = client.post(f"/admin/surveys/{world['shared']}/subjects/{subject_id}/edit",
                           data={"subjects-key": "C3", "subjects-name": "张伟", "subjects-kind": "cadre",
                                 "subjects-unit_name": "市财政局"})
    assert response.status_code == 403
    with app.app_context():
        assert _subject(world["shared"], "C3").name == "王强"


@pytest.mark.parametrize("path", ["status/close", "status/archive", "clone", "delete"])
def test_a_shared_surveys_lifecycle_is_not_a_scoped_organizers(app, world, path):
    with app.app_context():
        count = db.session.scalar(select(db.func.count()).select_from(Survey))
    response = _login(app, "o2").post(f"/admin/surveys/{world['shared']}/{path}")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Survey, world["shared"]).status is SurveyStatus.PUBLISHED
        assert db.session.scalar(select(db.func.count()).select_from(Survey)) == count


def test_codes_of_a_shared_survey_are_not_a_scoped_organizers(app, world):
    client = _login(app, "o2")
    assert client.get(f"/admin/codes/{world['shared']}").status_code == 403
    assert client.post(f"/admin/codes/{world['shared']}/issue", data={"group_id": 1, "count": 3}).status_code == 403


def _subject_form(key: str, name: str, unit: str) -> dict:
    return {"subjects-key": key, "subjects-name": name, "subjects-kind": "cadre", "subjects-unit_name": unit}


def test_a_scoped_organizer_cannot_move_a_subject_out_of_or_into_their_unit(app, world):
    """In a draft of their own unit, o2 may add 市发改委 cadres but neither add a cadre of
    another unit nor move one there (the survey would span units outside his scope)."""
    with app.app_context():
        draft = surveys.create_survey({"kind": SurveyKind.DEMOCRATIC, "year": 2027, "title": "发改委草稿"},
                                      users.find_user("factory"))
        structure.add_subject(draft, {"key": "M9", "name": "周明", "unit_name": "市发改委"}, users.find_user("factory"))
        db.session.commit()
        draft_id, subject_id = draft.id, draft.subjects[0].id
    client = _login(app, "o2")
    response = client.post(f"/admin/surveys/{draft_id}/subjects/add",
                           data=_subject_form("Z1", "赵敏", "市财政局"))
    assert response.status_code == 400
    assert "只能添加或修改本单位" in response.get_data(as_text=True)
    response = client.post(f"/admin/surveys/{draft_id}/subjects/{subject_id}/edit",
                           data=_subject_form("M9", "周明", "市财政局"))
    assert response.status_code == 400
    response = client.post(f"/admin/surveys/{draft_id}/subjects/bulk",
                           data={"bulk-lines": "钱多, 科长, Z2", "bulk-unit_name": "市财政局"})
    assert response.status_code == 400
    with app.app_context():
        survey = db.session.get(Survey, draft_id)
        assert [(s.key, s.unit.name) for s in survey.subjects] == [("M9", "市发改委")]
    response = client.post(f"/admin/surveys/{draft_id}/subjects/add",
                           data=_subject_form("M10", "吴刚", "市发改委"))
    assert response.status_code == 302


# ---- 14: the new-plan form lists only readable surveys -----------------------------------------


def test_new_plan_lists_only_surveys_in_scope(app, world):
    page = _login(app, "o2").get("/admin/assessments/new").get_data(as_text=True)
    assert "发改委专项评议" in page
    assert "财政局服务质量评议" not in page


def test_a_scoped_organizer_keeps_their_own_plan_within_their_unit(app, world):
    """o2 manages the plan of his unit's own survey, but cannot add another unit's cadre to it."""
    with app.app_context():
        plan = _scored_plan(db.session.get(Survey, world["mine"]), users.find_user("factory"))
        db.session.commit()
        plan_id, category_id = plan.id, plan.categories[0].id
    client = _login(app, "o2")
    response = client.post(f"/admin/assessments/{plan_id}/subjects", data={
        "subject-key": "Z1", "subject-name": "赵敏", "subject-unit_name": "市财政局", "subject-category_id": category_id})
    assert response.status_code == 400
    assert "只能添加或修改本单位" in response.get_data(as_text=True)
    response = client.post(f"/admin/assessments/{plan_id}/subjects", data={
        "subject-key": "M2", "subject-name": "周明", "subject-unit_name": "市发改委", "subject-category_id": category_id})
    assert response.status_code == 302
    with app.app_context():
        assert sorted(s.key for s in db.session.get(AssessmentPlan, plan_id).subjects) == ["M1", "M2"]


def test_a_scoped_organizer_enters_their_own_rows_of_a_shared_plan(app, world):
    with app.app_context():
        plan = db.session.get(AssessmentPlan, world["plan"])
        own_id = next(s.id for s in plan.subjects if s.key == "C1")
    response = _login(app, "o2").post(
        f"/admin/assessments/{world['plan']}/subjects/{own_id}/scores/{world['component']}",
        data={f"score-{world['component']}-verified_score": "77"})
    assert response.status_code == 302
    with app.app_context():
        assert _scores(world["plan"])["C1"] == 77


def test_a_shared_survey_opens_read_only_for_a_scoped_organizer(app, world):
    client = _login(app, "o2")
    page = client.get(f"/admin/surveys/{world['shared']}").get_data(as_text=True)
    assert f"/admin/reports/{world['shared']}" in page
    assert "/subjects/add" not in page and "/status/" not in page
    own = client.get(f"/admin/surveys/{world['mine']}").get_data(as_text=True)
    assert "/status/close" in own  # the survey of his unit alone is his to run


def test_a_roster_cannot_bring_another_units_cadre_into_a_scoped_organizers_survey(app, world):
    from tests.app.roster_helpers import upload, workbook

    with app.app_context():
        actor = users.find_user("factory")
        draft = surveys.create_survey({"kind": SurveyKind.DEMOCRATIC, "year": 2027, "title": "发改委草稿"}, actor)
        structure.add_subject(draft, {"key": "M9", "name": "周明", "unit_name": "市发改委"}, actor)
        db.session.commit()
        draft_id = draft.id
    client = _login(app, "o2")
    response = upload(client, draft_id, workbook([("Z5", "钱多", "干部", "市财政局", "市直部门", "科长", None)]))
    assert response.status_code == 422
    assert "只能添加或修改本单位" in response.get_data(as_text=True)
    response = upload(client, draft_id, workbook([("M5", "钱多", "干部", "市发改委", "市直部门", "科长", None)]))
    assert response.status_code == 302
    with app.app_context():
        assert sorted(s.key for s in db.session.get(Survey, draft_id).subjects) == ["M5", "M9"]


def test_a_definition_naming_another_unit_is_not_imported_by_a_scoped_organizer(app, world):
    import io
    import json

    client = _login(app, "o2")
    definition = json.loads(client.get(f"/admin/surveys/{world['mine']}/definition.json").data)
    with app.app_context():
        count = db.session.scalar(select(db.func.count()).select_from(Survey))
    definition["subjects"][0]["unit"] = "市财政局"
    response = client.post("/admin/surveys/import", content_type="multipart/form-data", data={
        "definition": (io.BytesIO(json.dumps(definition).encode()), "d.json")})
    assert response.status_code == 400
    assert "只能添加或修改本单位" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Survey)) == count
    definition["subjects"][0]["unit"] = "市发改委"
    response = client.post("/admin/surveys/import", content_type="multipart/form-data", data={
        "definition": (io.BytesIO(json.dumps(definition).encode()), "d.json")})
    assert response.status_code == 302
