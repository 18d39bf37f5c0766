"""Access control over every route of the app: role × route × object (docs/permissions.md).

Roles: anonymous, respondent (anonymous with a code or an open link), viewer (unscoped and
scoped to one unit), organizer (unscoped and scoped), organizer on the inspection team
(考察组成员, unscoped and scoped: they alone with administrators reach talks), administrator,
unit reporter. Every route of the URL
map must have a need declared in the policy (`services/permissions.ROUTES`; a route added
without one fails the first test), and `_may` below restates docs/permissions.md: who may
use a route of each need on which objects. Routes are called with real objects of three
kinds: a survey and a plan of the scoped users' unit only ("mine"), a survey and a plan
shared by both units ("own": the object named is of the scoped users' unit) and those of
the other unit only ("other"), so a refusal is proven to come from the rule and not from a
missing object. Refused POSTs must change nothing in the database (every table compared).
Results of another unit are invisible to a scoped viewer, in pages, charts, exports and the
API; no respondent route reveals any result.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Ballot, Role, Survey, SurveyKind, Unit
from survey_app.models.assessment import AdjustmentKind, ComponentSource, PlanSubjectKind
from survey_app.models.target import TargetSheet
from survey_app.services.assessment import plans, scoring
from survey_app.services.design import structure, surveys
from survey_app.services.inspection import projects, talks, visits
from survey_app.services.platform import api_tokens, file_store, permissions, users
from survey_app.services.platform.permissions import Need
from survey_app.services.respondents import codes, venues
from survey_app.services.results import lifecycle, reports
from survey_app.services.targets import registers, year_end
from survey_app.services.targets import systems as target_systems
from tests.app.documents import pdf_text
from tests.app.factories import cast
from tests.app.targets_helpers import demo_data
from tests.app.year_end_helpers import PDF_BYTES, approved_sheet

PASSWORD = "correct horse battery"

#: The declared need of every endpoint (the policy's own table: a route added without a
#: need fails test_every_route_has_a_declared_need, naming it).
NEED_OF = permissions.ROUTES

#: Roles: (username, role, scoped to the own unit).
ROLES = {
    "viewer": ("viewer", Role.VIEWER, False),
    "scoped_viewer": ("scoped-viewer", Role.VIEWER, True),
    "organizer": ("organizer", Role.ORGANIZER, False),
    "scoped_organizer": ("scoped-organizer", Role.ORGANIZER, True),
    "admin": ("admin", Role.ADMIN, False),
    "reporter": ("reporter", Role.REPORTER, True),
    "inspector": ("inspector", Role.ORGANIZER, False),
    "scoped_inspector": ("scoped-inspector", Role.ORGANIZER, True),
}
#: Organizers on the inspection team (考察组成员, User.is_inspector): they read talks.
INSPECTORS = {"inspector", "scoped_inspector"}
#: Form data sent with refused POSTs: enough that the action would happen if allowed.
JUNK = {"name": "x", "title": "x", "reason": "x", "action": "exclude", "key": "X9", "prompt": "x", "weight": "1",
        "points": "1", "kind": "bonus", "text": "x", "code": "ABCD-2345", "count": "3", "role": "admin",
        "lines": "C1,90", "grade": "优秀", "username": "intruder", "password": "intruder-password"}


# ---- the world --------------------------------------------------------------------------


def _one_unit_survey(actor, title: str, key: str, name: str, unit: str) -> Survey:
    """A published survey whose only subject is in `unit`."""
    survey = surveys.create_survey({"kind": SurveyKind.SERVICE_QUALITY, "year": 2026, "title": title}, actor)
    structure.add_subject(survey, {"key": key, "name": name, "unit_name": unit, "unit_category": "市直部门"}, actor)
    structure.add_dimension(survey, {"name": "服务意识"}, actor)
    structure.add_group(survey, {"key": "superior", "name": "上级", "expected_count": 5}, actor)
    lifecycle.change_status(survey, "publish", actor)
    return survey


def _plan(survey: Survey, title: str, actor):
    plan = plans.create_plan({"title": title, "year": 2026, "subject_kind": PlanSubjectKind.CADRE}, actor)
    plans.import_subjects(plan, survey, actor)
    category = plan.categories[0]
    component = plans.add_component(category, {"name": "指标考评", "weight": 100,
                                               "source": ComponentSource.MANUAL}, actor)
    subject = plan.subjects[0]
    adjustment = scoring.add_adjustment(subject, {"kind": AdjustmentKind.BONUS, "points": 1, "reason": "表彰"},
                                        actor)
    db.session.flush()
    return {"plan_id": plan.id, "category_id": category.id, "component_id": component.id,
            "plan_subject_id": subject.id, "adjustment_id": adjustment.id}


def _key_project(name: str, unit_ids: list[int], actor) -> dict:
    """A key project of these units with one milestone."""
    project = projects.create_project({"name": name, "level": "city", "starts_on": date(2026, 1, 5),
                                       "unit_ids": unit_ids}, actor, None)
    milestone = projects.add_milestone(project, {"name": "开工", "planned_on": date(2026, 3, 1)}, actor,
                                       date(2026, 11, 24))
    return {"project_id": project.id, "milestone_id": milestone.id}


def _visit(title: str, unit_ids: list[int], actor) -> dict:
    """A visit of these units with one photo."""
    visit = visits.record_visit({"title": title, "unit_ids": unit_ids, "starts_on": date(2026, 11, 20),
                                 "methods": ["site_survey"]}, actor, None, date(2026, 11, 24))
    photo = visits.add_photos(visit, [(_jpeg(), "现场.jpg")], "", actor, datetime(2026, 11, 24, tzinfo=UTC))[0]
    return {"visit_id": visit.id, "photo_id": photo.id}


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 60, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def _survey_objects(survey: Survey, subject_key: str) -> dict:
    subject = next(s for s in survey.subjects if s.key == subject_key)
    group = survey.groups[0]
    batch = codes.issue_batch(survey, group, 2, actor=None)
    link = codes.create_open_link(survey, group, None)
    now = datetime.now(UTC)
    venue = venues.add_venue(survey, {"label": "会议室", "network": "198.51.100.0/24", "starts_at": now,
                                      "ends_at": now + timedelta(hours=2)}, None, now)
    db.session.flush()
    return {"survey_id": survey.id, "subject_id": subject.id, "key": subject.key, "batch_id": batch.batch.id,
            "link_id": link.id, "open_token": link.token, "code": batch.codes[0], "group_id": group.id,
            "venue_id": venue.id}


#: The objects routes are called with: of the scoped users' unit only, shared by both units
#: (the object named is of the scoped users' unit), of the other unit only.
TARGETS = ("mine", "own", "other")


def _register_entry(unit_id: int, actor) -> dict:
    """A register item of this unit (效能督查) with one evidence file."""
    entry = registers.record_entry({"year": 2026, "occurred_on": date(2026, 5, 6), "unit_id": unit_id,
                                    "kind": "deduction", "source": "efficiency_office", "title": "窗口办件超时",
                                    "points": 1, "document": "督查通报〔2026〕7号", "finding": "超时 3 件"},
                                   actor, datetime(2026, 11, 20, tzinfo=UTC), date(2026, 11, 20))
    stored = registers.attach_evidence(entry, [(REGISTER_PDF, "通报.pdf")], actor, datetime(2026, 11, 20, tzinfo=UTC))
    return {"entry_id": entry.id, "file_id": stored[0].id}


REGISTER_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(app, make_survey, tmp_path):
    """Three surveys (one of the scoped users' unit only, one with subjects of both units,
    one of the other unit only), rated; codes, open links, an assessment plan from each; a
    user per role with an API token; a register item with a file per target; an approved target sheet of each unit with an
    evidence file."""
    app.config.update(FILES_BACKEND="local", FILES_LOCAL_DIR=str(tmp_path / "files"))
    file_store.init_app(app)
    own_id = make_survey(publish=True)  # 张伟 and 李娜 in 市发改委, 王强 in 市财政局
    with app.app_context():
        actor = users.find_user("factory")
        other = _one_unit_survey(actor, "财政局服务质量评议", "Z1", "赵敏", "市财政局")
        mine = _one_unit_survey(actor, "发改委专项评议", "M1", "孙丽", "市发改委")
        db.session.commit()
        other_id, mine_id = other.id, mine.id
    for ratings in ({"C1": ("优秀", "称职"), "C2": ("称职", "称职"), "C3": ("称职", "基本称职")},
                    {"C1": ("称职", "称职"), "C2": ("基本称职", "称职"), "C3": ("优秀", "优秀")},
                    {"C1": ("称职", "优秀"), "C2": ("称职", "基本称职"), "C3": ("称职", "称职")}):
        cast(app, own_id, "superior", ratings)
        cast(app, other_id, "superior", {"Z1": ("称职",)})
        cast(app, mine_id, "superior", {"M1": ("优秀",)})
    with app.app_context():
        actor = users.find_user("factory")
        own, other = db.session.get(Survey, own_id), db.session.get(Survey, other_id)
        mine = db.session.get(Survey, mine_id)
        own_unit = db.session.scalar(select(Unit.id).where(Unit.name == "市发改委"))
        data = {"own": {**_survey_objects(own, "C1"), **_plan(own, "2026年度考核", actor)},
                "other": {**_survey_objects(other, "Z1"), **_plan(other, "财政局考核", actor)},
                "mine": {**_survey_objects(mine, "M1"), **_plan(mine, "发改委考核", actor)},
                "users": {}, "tokens": {}}
        other_unit = db.session.scalar(select(Unit.id).where(Unit.name == "市财政局"))
        for target, unit_ids in (("mine", [own_unit]), ("own", [own_unit, other_unit]), ("other", [other_unit])):
            data[target].update(_key_project(f"{target}重点项目", unit_ids, actor))
            data[target].update(_visit(f"{target}考察", unit_ids, actor))
            data[target]["unit_id"] = unit_ids[-1] if target == "other" else own_unit
            data[target].update(_register_entry(data[target]["unit_id"], actor))
        for target in TARGETS:
            survey = db.session.get(Survey, data[target]["survey_id"])
            data[target]["ballot_id"] = db.session.scalars(select(Ballot.id).where(Ballot.survey_id == survey.id)).first()
        for name, (username, role, scoped) in ROLES.items():
            user = users.create_user(username, PASSWORD, role, unit_ids=[own_unit] if scoped else ())
            user.is_inspector = name in INSPECTORS
            token, plain = api_tokens.create_token(user, "系统对接")
            data["users"][name] = user.id
            data["tokens"][name] = (token.id, plain)
        db.session.commit()
        data["other_user_id"] = users.find_user("factory").id
        for target in TARGETS:  # a confidential talk about the target's cadre
            data[target]["talk_id"] = talks.add_talk(
                {"subject_key": data[target]["key"], "held_on": date(2026, 11, 2), "relation": "superior",
                 "summary": "谈话要点"}, actor, date(2026, 11, 24), None).id
        db.session.commit()
        system = target_systems.import_system(demo_data(), actor)  # city-wide: one for all
        target_systems.publish_system(system, actor)
        data["system_id"] = system.id
        for target in TARGETS:  # each unit's approved target sheet under it, with an evidence file
            data[target].update(_year_end_objects(data[target]["unit_id"], system, actor))
        db.session.commit()
    return data


def _year_end_objects(unit_id: int, system, actor) -> dict:
    """The unit's approved target sheet (made once per unit) and an evidence file on it."""
    sheet = db.session.scalar(select(TargetSheet).where(TargetSheet.unit_id == unit_id))
    if sheet is None:
        sheet = approved_sheet(unit_id, actor, system)
        entry = year_end.SelfEntry("1", "", [(PDF_BYTES, "证明.pdf")])
        year_end.save_self_assessment(sheet, {sheet.targets[0].id: entry}, actor, datetime(2026, 12, 1, tzinfo=UTC))
    evidence = sheet.targets[0].result.evidence[0]
    return {"sheet_id": sheet.id, "year_end_file_id": evidence.id}


def _values(rule, world: dict, target: str, role: str | None = None) -> dict:
    """Real values for a rule's arguments: the objects of `target` (one of TARGETS)."""
    objects, endpoint = world[target], rule.endpoint
    in_plan = endpoint.startswith("assessments.")
    values = {
        "survey_id": objects["survey_id"], "plan_id": objects["plan_id"], "category_id": objects["category_id"],
        "component_id": objects["component_id"], "batch_id": objects["batch_id"], "link_id": objects["link_id"],
        "subject_id": objects["plan_subject_id"] if in_plan else objects["subject_id"],
        "item_id": objects["adjustment_id"] if in_plan else objects["subject_id"],
        "key": objects["key"], "ballot_id": objects["ballot_id"], "code": objects["code"],
        "token": objects["open_token"], "user_id": world["other_user_id"], "evidence_id": 1,
        "token_id": world["tokens"][role][0] if role else 1, "kind": "subjects", "fmt": "svg", "name": "dimensions",
        "direction": "up", "action": "propose" if in_plan else "close", "filename": "css/admin.css",
        "system_id": world["system_id"], "group_id": objects["group_id"], "venue_id": objects["venue_id"], "question_id": 1,
        "text_id": "1", "followup_id": 1,
        "project_id": objects["project_id"], "milestone_id": objects["milestone_id"], "unit_id": objects["unit_id"],
        "entry_id": objects["entry_id"],
        "file_id": objects["year_end_file_id"] if endpoint.startswith("year_end.") else objects["file_id"],
        "visit_id": objects["visit_id"], "photo_id": objects["photo_id"],
        "talk_id": objects["talk_id"],
        "sheet_id": objects["sheet_id"], "quarter": 1,
    }
    if endpoint.startswith("answers."):
        values["kind"] = "comment"
    if endpoint == "codes.confirm_batch_action":
        values["action"] = rule.defaults["action"]
    return {arg: values[arg] for arg in rule.arguments}


def _routes(app, world: dict, target: str, role: str | None = None):
    for rule in app.url_map.iter_rules():
        url = rule.build(_values(rule, world, target, role), append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, NEED_OF.get(rule.endpoint), method, url, rule.arguments


def db_snapshot() -> dict:
    """Every row of every table (call inside an app context): equal snapshots, nothing changed."""
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables}


def _login(app, role: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": ROLES[role][0], "password": PASSWORD})
    assert response.status_code == 302, role
    return client


def _refused(response) -> bool:
    if response.status_code in (302, 303):
        return "/auth/login" in response.headers["Location"]
    return response.status_code in (401, 403, 404)


def _may(role: str | None, need: Need, target: str) -> bool:
    """Whether `role` may use a route of `need` on the `target` objects: docs/permissions.md,
    restated."""
    if need is Need.PUBLIC:
        return True
    if role is None or need is Need.TOKEN:
        return False
    _name, user_role, scoped = ROLES[role]
    organizer = user_role in (Role.ORGANIZER, Role.ADMIN)
    if need is Need.ACCOUNT:
        return True
    if user_role is Role.REPORTER:
        return need in (Need.READ_UNIT_WORK, Need.UNIT_WORK) and target != "other"
    if need is Need.SIGNED_IN:
        return True
    if need is Need.ADMIN:
        return user_role is Role.ADMIN
    if need in (Need.ORGANIZE, Need.AUDIT):
        return organizer
    if need is Need.CONFIDENTIAL:
        return user_role is Role.ADMIN or role in INSPECTORS  # never a viewer or an organizer off the team
    if scoped and target == "other":
        return False  # nothing of another unit only is even visible
    if need is Need.TALK:
        return user_role is Role.ADMIN or role in INSPECTORS
    if need in (Need.READ_SURVEY, Need.READ_PLAN, Need.READ_DOSSIER, Need.READ_PROJECT, Need.READ_UNIT_WORK,
                Need.READ_UNIT, Need.READ_VISIT, Need.READ_REGISTER):
        return True
    if need in (Need.UNIT_WORK, Need.MANAGE_REGISTER):
        return organizer  # the item named is of the user's unit in "mine" and "own"
    if need is Need.APPROVE_REGISTER:
        return organizer and not scoped
    if need in (Need.MANAGE_SURVEY, Need.MANAGE_PLAN, Need.MANAGE_PROJECT, Need.MANAGE_VISIT):
        return organizer and (not scoped or target == "mine")  # shared ones are city-wide
    if need in (Need.CITY_SURVEY, Need.CITY_DOCUMENT):
        return organizer and not scoped
    if need in (Need.PLAN_ROWS, Need.SURVEY_ROWS, Need.EDIT_PLAN_SUBJECT, Need.EDIT_DOSSIER):
        return organizer  # the row named is of the user's unit in "mine" and "own"
    raise AssertionError(f"no expectation for {need}")


# ---- the matrix -------------------------------------------------------------------------


def test_every_route_has_a_declared_need(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    undeclared = sorted(endpoints - set(NEED_OF))
    assert not undeclared, f"declare these endpoints in survey_app/services/permissions.ROUTES: {undeclared}"
    stale = sorted(set(NEED_OF) - endpoints)
    assert not stale, f"remove these endpoints, which no longer exist, from permissions.ROUTES: {stale}"


def test_an_undeclared_route_is_refused(app, client, auth):
    """Fail closed: a route nobody declared answers 403 even to an administrator."""
    app.add_url_rule("/admin/undeclared", "undeclared_probe", lambda: "secret")
    auth.login("root", Role.ADMIN)
    response = client.get("/admin/undeclared")
    assert response.status_code == 403 and b"secret" not in response.data


#: GETs allowed to answer 404 to an allowed user: the object named by a sample value does
#: not exist (evidence 1), or the page needs more than the world has (a trend needs two
#: years, an archive checksum a sealed survey).
MAY_BE_MISSING = {"dossiers.edit_evidence", "dossiers.confirm_remove_evidence", "dossiers.trend_chart",
                  "reports.export_checksum", "answers.choice_chart"}


@pytest.mark.parametrize("role", [None, *ROLES])
@pytest.mark.parametrize("target", TARGETS)
def test_every_page_answers_each_role_as_the_matrix_says(app, world, role, target):
    client = _login(app, role) if role else app.test_client()
    checked = 0
    for endpoint, need, method, url, _arguments in _routes(app, world, target, role):
        if method != "GET" or need in (Need.PUBLIC, Need.TOKEN):
            continue
        response = client.get(url)
        assert response.status_code < 500, (endpoint, url, response.status_code)
        if _may(role, need, target):
            ok = response.status_code in (200, 302, 303) and not _refused(response)
            assert ok or (endpoint in MAY_BE_MISSING and response.status_code == 404), (
                role, target, endpoint, url, response.status_code)
        else:
            assert _refused(response), (role, target, endpoint, url, response.status_code)
            if role is None:
                assert "/auth/login" in response.headers.get("Location", ""), endpoint
        checked += 1
    assert checked > 40


@pytest.mark.parametrize("role", [None, *ROLES])
@pytest.mark.parametrize("target", TARGETS)
def test_refused_posts_change_nothing(app, world, role, target):
    client = _login(app, role) if role else app.test_client()
    with app.app_context():
        before = db_snapshot()
    refused = 0
    for endpoint, need, method, url, _arguments in _routes(app, world, target, role):
        if method != "POST" or _may(role, need, target):
            continue
        response = client.post(url, data=JUNK)
        assert _refused(response), (role, target, endpoint, url, response.status_code)
        refused += 1
    with app.app_context():
        assert db_snapshot() == before
    if role in (None, "viewer", "scoped_viewer") or (role == "scoped_organizer" and target == "other"):
        assert refused > 30, refused
    if role == "scoped_organizer" and target == "own":
        assert refused > 20, refused  # a shared survey's or plan's lifecycle, structure, codes


def test_staff_cannot_revoke_each_others_tokens(app, world):
    client = _login(app, "viewer")
    token_id = world["tokens"]["organizer"][0]
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert api_tokens.authenticate(world["tokens"]["organizer"][1], date(2026, 11, 24)) is not None


# ---- results: scope and the API ---------------------------------------------------------


def _api(app, world, role: str, target: str):
    return app.test_client().get(f"/api/v1/surveys/{world[target]['survey_id']}/results",
                                 headers={"Authorization": f"Bearer {world['tokens'][role][1]}"})


@pytest.mark.parametrize("role", list(ROLES))
def test_results_api_follows_the_token_owners_scope(app, world, role):
    reporter = ROLES[role][1] is Role.REPORTER  # reads no survey, even of their unit
    assert _api(app, world, role, "own").status_code == (404 if reporter else 200)
    assert _api(app, world, role, "other").status_code == (404 if ROLES[role][2] else 200)
    assert app.test_client().get(f"/api/v1/surveys/{world['own']['survey_id']}/results").status_code == 401


def test_a_scoped_viewer_sees_nothing_of_another_unit(app, world):
    """王强 (市财政局) is rated in the shared survey: his name, unit and figures appear in no
    results page, chart, export or API answer of a viewer scoped to 市发改委 (the survey's
    read-only structure page still lists every subject rated in it)."""
    survey_id = world["own"]["survey_id"]
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        hidden = next(s for s in survey.subjects if s.key == "C3")
        hidden_id = hidden.id
        row = next(r for r in reports.survey_report(survey).subjects if r.key == "C3")
        figure = f"{row.index:.1f}"
    client = _login(app, "scoped_viewer")
    base = f"/admin/reports/{survey_id}"
    for url in (base, f"{base}/charts/ranking.svg", f"{base}/export.xlsx", f"{base}/export.pdf",
                f"/admin/assessments/{world['own']['plan_id']}", "/admin/dossiers/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data()
        if response.mimetype.endswith("spreadsheetml.sheet"):
            body = _xlsx_text(body).encode()
        elif response.mimetype == "application/pdf":
            body = (pdf_text(body, layout=False) or "").encode()
        for secret in ("王强", "市财政局"):
            assert secret.encode() not in body, (url, secret)
    assert figure.encode() not in client.get(base).get_data()
    for url in (f"{base}/subjects/{hidden_id}", f"{base}/subjects/{hidden_id}/export.pdf",
                f"{base}/subjects/{hidden_id}/charts/dimensions.svg", "/admin/dossiers/C3"):
        assert client.get(url).status_code == 404, url
    data = _api(app, world, "scoped_viewer", "own").get_data(as_text=True)
    assert "王强" not in data and "市财政局" not in data


def _xlsx_text(data: bytes) -> str:
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    return " ".join(str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row)


# ---- respondents ------------------------------------------------------------------------


def test_no_respondent_route_reveals_a_result(app, world):
    """A respondent with a code or an open link sees the ballot, never an index, a rank or
    another respondent's answer."""
    survey_id = world["own"]["survey_id"]
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, survey_id))
        figures = {f"{row.index:.1f}" for row in report.subjects if row.index is not None}
        figures |= {f"{row.index:.2f}" for row in report.subjects if row.index is not None}
    assert figures
    respondent = app.test_client()
    own = world["own"]
    pages = [respondent.get(url) for url in ("/", "/s", f"/s/{own['code']}", f"/o/{own['open_token']}",
                                             f"/s/thanks/{survey_id}", "/healthz", "/auth/login")]
    pages.append(respondent.post("/api/v1/ballot-forms", json={"code": own["code"]}))
    pages.append(respondent.post(f"/s/{own['code']}", data={"idempotency_key": "k" * 22}))  # refused: incomplete
    for response in pages:
        assert response.status_code < 500
        text = response.get_data(as_text=True)
        for figure in figures:
            assert not re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", text), (response.request.path, figure)
        for word in ("满意度指数", "排名", "index", "rank"):
            assert word not in text, (response.request.path, word)


# ---- odd identifiers --------------------------------------------------------------------


def test_no_route_answers_500_to_an_id_out_of_range(app, world):
    client = _login(app, "admin")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not any(name.endswith("_id") for name in rule.arguments):
            continue
        values = {**_values(rule, world, "own", "admin"),
                  **{name: 10**20 for name in rule.arguments if name.endswith("_id") and name != "ballot_id"}}
        url = rule.build(values, append_unknown=False)[1]
        assert client.get(url).status_code == 404, url


# ---- headers ----------------------------------------------------------------------------


def test_every_page_sends_the_security_headers(client, world):
    for url in ("/auth/login", "/s", "/healthz", f"/s/{world['own']['code']}"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
