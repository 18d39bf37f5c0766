"""Confidential talks (个别谈话): only administrators and the inspection team (考察组成员) read
them, within their unit scope; every view is logged without the content; a talk's content
appears nowhere else — not in the dossier page or PDF, the brief, results exports, the audit
log text or the app log — for anyone (docs/inspection.md, "Talks")."""

import logging
from datetime import date

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, Talk, Unit, User
from survey_app.services.inspection import talks
from survey_app.services.platform import audit_text, users
from tests.app.documents import pdf_text
from tests.app.factories import cast

PASSWORD = "correct horse battery"
SUMMARY = "谈话要点-SECRET-7f3a9c"
PERSON = "谈话人-NAME-41b2"
PLACE = "地点-PLACE-55e1"

#: name: (role, scoped unit or None, on the inspection team)
ACCOUNTS = {
    "admin": (Role.ADMIN, None, False),
    "inspector": (Role.ORGANIZER, None, True),
    "unit_inspector": (Role.ORGANIZER, "市发改委", True),
    "organizer": (Role.ORGANIZER, None, False),
    "unit_organizer": (Role.ORGANIZER, "市发改委", False),
    "viewer": (Role.VIEWER, None, False),
    "unit_viewer": (Role.VIEWER, "市发改委", False),
    "reporter": (Role.REPORTER, "市发改委", False),
    "other_inspector": (Role.ORGANIZER, "市财政局", True),
}
READERS = ("admin", "inspector", "unit_inspector")
REFUSED = tuple(name for name in ACCOUNTS if name not in READERS)


@pytest.fixture
def world(app, make_survey):
    """A published 民主测评 rating 张伟 (C1, 市发改委), one account per role and scope, and a
    talk about 张伟 with a name, a place and a summary that appear nowhere else."""
    survey_id = make_survey(publish=True)
    for ratings in ({"C1": ("优秀", "称职"), "C2": ("称职", "称职"), "C3": ("称职", "称职")},) * 3:
        cast(app, survey_id, "superior", ratings)
    with app.app_context():
        units = {u.name: u.id for u in db.session.scalars(select(Unit))}
        for name, (role, unit, inspector) in ACCOUNTS.items():
            user = users.create_user(name, PASSWORD, role, display_name=name, unit_ids=[units[unit]] if unit else ())
            user.is_inspector = inspector
        admin = users.find_user("admin")
        talk = talks.add_talk({"subject_key": "C1", "held_on": date(2026, 11, 2), "relation": "subordinate",
                               "person_name": PERSON, "place": PLACE, "summary": SUMMARY}, admin,
                              date(2026, 11, 24), None)
        db.session.commit()
        return {"survey_id": survey_id, "talk_id": talk.id, "units": units}


def _client(app, name: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"username": name, "password": PASSWORD}).status_code == 302
    return client


def _text(response) -> str:
    if response.mimetype == "application/pdf":
        return pdf_text(response.get_data(), layout=False) or response.get_data().decode("latin-1")
    if response.mimetype.endswith("spreadsheetml.sheet"):
        import io

        from openpyxl import load_workbook
        book = load_workbook(io.BytesIO(response.get_data()))
        return " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row)
    return response.get_data(as_text=True)


def _reachable(world) -> list[str]:
    """Every page and export that shows the cadre, the unit or the log."""
    sid, unit = world["survey_id"], world["units"]["市发改委"]
    return ["/admin/dossiers/C1", "/admin/dossiers/C1/dossier.pdf", "/admin/briefs/cadres/C1",
            "/admin/briefs/cadres/C1/brief.pdf", f"/admin/briefs/units/{unit}", f"/admin/briefs/units/{unit}/brief.pdf",
            f"/admin/reports/{sid}", f"/admin/reports/{sid}/export.xlsx", f"/admin/reports/{sid}/export.pdf",
            "/admin/dossiers/", "/admin/audit", "/admin/talks/", "/admin/inspection/"]


@pytest.mark.parametrize("name", REFUSED)
def test_no_one_off_the_team_reaches_a_talk_or_its_content(app, world, name):
    client = _client(app, name)
    talk = world["talk_id"]
    assert client.get("/admin/talks/").status_code in (403, 404) or name == "other_inspector"
    assert client.get("/admin/talks/new").status_code in (403, 404) or name == "other_inspector"
    for url in (f"/admin/talks/{talk}", f"/admin/talks/{talk}/edit"):
        assert client.get(url).status_code == 404, url  # its existence is not revealed
    assert client.post(f"/admin/talks/{talk}/edit", data={"summary": "x"}).status_code == 404
    with app.app_context():
        assert db.session.get(Talk, talk).summary == SUMMARY
    reached = 0
    for url in _reachable(world):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            reached += 1
            text = _text(response)
            for secret in (SUMMARY, PERSON, PLACE):
                assert secret not in text, (name, url, secret)
            assert "dossier-talks" not in text  # not even a count of the talks
    assert reached >= (0 if name == "reporter" else 3), name


def test_an_inspector_of_another_unit_lists_nothing_of_this_one(app, world):
    client = _client(app, "other_inspector")
    page = client.get("/admin/talks/")
    assert page.status_code == 200 and "张伟" not in page.get_data(as_text=True)
    assert client.get(f"/admin/talks/{world['talk_id']}").status_code == 404
    response = client.post("/admin/talks/new", data={"subject_key": "C1", "held_on": "2026-11-01",
                                                     "relation": "peer", "summary": "越权记录"})
    assert response.status_code == 400 and "只能记录本单位干部的谈话" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Talk)) == 1


@pytest.mark.parametrize("name", READERS)
def test_the_team_reads_it_and_every_view_is_logged_without_the_content(app, world, name):
    client = _client(app, name)
    talk = world["talk_id"]
    listing = client.get("/admin/talks/").get_data(as_text=True)
    assert "张伟" in listing and SUMMARY not in listing and PERSON not in listing  # the list shows no content
    for url in (f"/admin/talks/{talk}", f"/admin/talks/{talk}", f"/admin/talks/{talk}/edit"):
        response = client.get(url)
        assert response.status_code == 200 and SUMMARY in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "private, no-store"
    dossier = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "个别谈话（1）" in dossier and SUMMARY not in dossier
    with app.app_context():
        user = users.find_user(name)
        views = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "talk.view",
                                                            AuditEntry.user_id == user.id)).all()
        assert [v.detail["format"] for v in views] == ["page", "page", "edit"]
        assert all(v.target_type == "talk" and v.target_id == talk and v.detail["key"] == "C1" for v in views)
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "talk")).all()
        for entry in entries:
            said = repr(entry.detail) + audit_text.describe(entry).sentence + "".join(audit_text.describe(entry).details)
            for secret in (SUMMARY, PERSON, PLACE):
                assert secret not in said, entry.action
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "查阅了一次关于“张伟”的个别谈话" in log and SUMMARY not in log and PERSON not in log


def test_a_city_organizer_off_the_team_does_not_see_talk_entries_in_the_audit_log(app, world):
    _client(app, "admin").get(f"/admin/talks/{world['talk_id']}")
    log = _client(app, "organizer").get("/admin/audit").get_data(as_text=True)
    assert "个别谈话" not in log


def test_by_relation_only_is_the_default(app, world):
    client = _client(app, "inspector")
    form = client.get("/admin/talks/new?key=C1").get_data(as_text=True)
    assert "默认只记关系" in form and 'name="person_name"' in form
    response = client.post("/admin/talks/new", data={"subject_key": "C1", "held_on": "2026-11-20",
                                                     "relation": "served", "summary": "群众反映办事效率提高"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "按关系记录，未记姓名" in page and "服务对象" in page
    with app.app_context():
        talk = db.session.scalars(select(Talk).order_by(Talk.id.desc())).first()
        assert talk.person_name == "" and talk.unit.name == "市发改委" and talk.subject_name == "张伟"


@pytest.mark.parametrize(("data", "message"), [
    ({"held_on": "2999-01-01"}, "谈话日期不能晚于今天"),
    ({"subject_key": "NOBODY"}, "没有找到编号为“NOBODY”的干部"),
    ({"summary": "   "}, "请填写谈话要点"),
    ({"relation": "cousin"}, "请选择谈话对象与干部的关系"),
    ({"held_on": ""}, "请填写谈话日期"),
    ({"visit_id": "999"}, "所选考察记录不涉及该干部或其单位"),
])
def test_bad_input_is_refused_with_a_message_and_stores_nothing(app, world, data, message):
    client = _client(app, "inspector")
    good = {"subject_key": "C1", "held_on": "2026-11-20", "relation": "peer", "summary": "要点"}
    response = client.post("/admin/talks/new", data={**good, **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Talk)) == 1


def test_the_service_refuses_a_future_date_with_today_passed_in(app, world):
    with app.app_context():
        with pytest.raises(Exception, match="谈话日期不能晚于今天"):
            talks.clean_talk({"subject_key": "C1", "held_on": date(2026, 3, 2), "relation": "peer",
                              "summary": "x"}, date(2026, 3, 1), None)
        assert talks.clean_talk({"subject_key": "C1", "held_on": date(2026, 3, 1), "relation": "peer",
                                 "summary": "x"}, date(2026, 3, 1), None)["person_name"] == ""


def test_editing_is_audited_by_field_names_only(app, world):
    client = _client(app, "inspector")
    talk = world["talk_id"]
    response = client.post(f"/admin/talks/{talk}/edit", data={
        "subject_key": "C1", "held_on": "2026-11-02", "relation": "subordinate", "person_name": "",
        "place": PLACE, "summary": SUMMARY + "（补充）"})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "talk.update")).one()
        assert entry.detail["fields"] == ["person_name", "summary"]
        assert SUMMARY not in repr(entry.detail) and PERSON not in repr(entry.detail)
        assert db.session.get(Talk, talk).person_name == ""


def test_the_app_log_holds_no_content(app, world, caplog):
    client = _client(app, "inspector")
    with caplog.at_level(logging.DEBUG):
        client.post("/admin/talks/new", data={"subject_key": "C1", "held_on": "2026-11-20", "relation": "peer",
                                              "person_name": PERSON, "summary": SUMMARY})
        client.get(f"/admin/talks/{world['talk_id']}")
        client.post("/admin/talks/new", data={"subject_key": "C1", "held_on": "2999-11-20", "relation": "peer",
                                              "person_name": PERSON, "summary": SUMMARY})
    assert caplog.records
    assert SUMMARY not in caplog.text and PERSON not in caplog.text


def test_only_organizers_and_admins_join_the_inspection_team(app, world, client, auth):
    auth.login("root", Role.ADMIN)
    with app.app_context():
        viewer_id, organizer_id = users.find_user("viewer").id, users.find_user("organizer").id
    refused = client.post(f"/admin/users/{viewer_id}", data={"role": "viewer", "is_active": "y", "is_inspector": "y"})
    assert refused.status_code == 400 and "只有组织人员和系统管理员可以列为考察组成员" in refused.get_data(as_text=True)
    assert client.post(f"/admin/users/{organizer_id}", data={"role": "organizer", "is_active": "y",
                                                             "is_inspector": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, organizer_id).is_inspector
        assert not db.session.get(User, viewer_id).is_inspector
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.update")).all()[-1]
        assert entry.detail["inspector"] is True
    assert _client(app, "organizer").get(f"/admin/talks/{world['talk_id']}").status_code == 200
