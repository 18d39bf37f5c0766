"""Visits (考察纪实): recording one in one form with photos and a first finding, every refused
input (nothing changed), the 蹲点 daily log, photos (size, content, who is served them),
findings in the cadre's dossier linked back to the visit, unit scope and the audit log
(issue #16, docs/inspection.md)."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, EvidenceItem, EvidenceKind, EvidenceSource, Role, StoredFile, Unit
from survey_app.models.inspection import ProjectLevel, Visit, VisitDay, VisitPhoto
from survey_app.services.dossier import findings
from survey_app.services.inspection import progress, projects, visits
from survey_app.services.platform import users
from tests.app.upload_helpers import multipart

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def jpeg(size=(40, 30), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def _today() -> date:
    """The city's date now, as the pages compute it."""
    return progress.local_today(datetime.now(UTC))


def _unit(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


@pytest.fixture
def units(app, make_survey):
    """A published survey: 张伟 (C1) and 李娜 (C2) of 市发改委, 王强 (C3) of 市财政局."""
    make_survey(publish=True)
    return {"own": _unit(app, "市发改委"), "other": _unit(app, "市财政局")}


def _counts(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Visit, VisitDay, VisitPhoto, EvidenceItem, StoredFile, AuditEntry))


def _form(units, **overrides) -> dict:
    return {"unit_ids": [str(units["own"])], "starts_on": _today().isoformat(), "methods": ["site_survey", "talks"],
            "announced": "y", "cadre_keys": ["C1"], "hours": "3", "title": "发改委项目现场考察", "team": "组织部一组",
            "summary": "查看了施工现场", **overrides}


def _post(client, fields: dict, url="/admin/inspection/visits/new"):
    return client.post(url, **multipart(fields))


def _make_visit(app, unit_ids, cadres=("C1",), starts_on=date(2026, 11, 20), ends_on=None, methods=("site_survey",),
                title="现场考察", today=TODAY, **extra) -> int:
    with app.app_context():
        actor = users.find_user("factory")
        visit = visits.record_visit({"unit_ids": list(unit_ids), "cadre_keys": list(cadres), "starts_on": starts_on,
                                     "ends_on": ends_on, "methods": list(methods), "title": title, **extra},
                                    actor, None, today)
        db.session.commit()
        return visit.id


def _add_photo(app, visit_id: int, data: bytes | None = None) -> int:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        photo = visits.add_photos(visit, [(data or jpeg(), "现场.jpg")], "工地", users.find_user("factory"), NOW)[0]
        db.session.commit()
        return photo.id


# ---- recording on one form ----------------------------------------------------------------------


def test_an_organizer_records_a_visit_with_a_photo_and_a_finding_in_one_form(app, client, auth, units):
    auth.login("organizer", Role.ORGANIZER)
    response = _post(client, {**_form(units), "photos": [(jpeg(), "IMG_0001.jpg")], "finding_subject_key": "C1",
                              "finding_kind": "problem", "finding_title": "征迁进度滞后",
                              "finding_detail": "比计划晚两周"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        visit = db.session.scalars(select(Visit)).one()
        assert (visit.title, visit.starts_on, visit.ends_on, visit.hours) == ("发改委项目现场考察", _today(), _today(), 3.0)
        assert visit.methods == ["site_survey", "talks"] and visit.announced and visit.team == "组织部一组"
        assert [u.name for u in visit.units] == ["市发改委"] and [c.subject_key for c in visit.cadres] == ["C1"]
        [photo] = visit.photos
        assert db.session.get(StoredFile, photo.file_id).content_type == "image/jpeg"
        item = db.session.scalars(select(EvidenceItem)).one()
        assert (item.subject_key, item.kind, item.title, item.visit_id) == ("C1", EvidenceKind.PROBLEM, "征迁进度滞后",
                                                                           visit.id)
        assert item.source is EvidenceSource.SITE_VISIT and item.occurred_on == visit.starts_on
        assert item.status.value == "pending"
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"visit.create", "visit.photos_add", "dossier.evidence_add"} <= actions
        visit_id, photo_id = visit.id, photo.id
    page = client.get(f"/admin/inspection/visits/{visit_id}").get_data(as_text=True)
    assert "征迁进度滞后" in page and "待核实" in page and "问题清单" in page
    assert f"/admin/inspection/visits/{visit_id}/photos/{photo_id}" in page and "/admin/dossiers/C1" in page
    dossier = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "来自考察：发改委项目现场考察" in dossier and f'href="/admin/inspection/visits/{visit_id}"' in dossier


def test_the_form_is_made_for_a_phone(app, client, auth, units):
    project_id = _project(app, units)
    auth.login("organizer", Role.ORGANIZER)
    page = client.get(f"/admin/inspection/visits/new?unit_id={units['own']}").get_data(as_text=True)
    assert f'value="{_today().isoformat()}"' in page
    assert f'name="unit_ids" value="{units["own"]}" checked' in page
    assert 'accept="image/*" capture="environment" multiple' in page and 'enctype="multipart/form-data"' in page
    assert 'class="chip"' in page and 'role="switch"' in page
    from_project = client.get(f"/admin/inspection/visits/new?project_id={project_id}").get_data(as_text=True)
    assert f'<option selected value="{project_id}">' in from_project or f'value="{project_id}" selected' in from_project
    assert 'name="cadre_keys" value="C1"' in from_project


def _project(app, units) -> int:
    with app.app_context():
        project = projects.create_project({"name": "城东综合交通枢纽", "level": ProjectLevel.CITY,
                                           "starts_on": date(2026, 6, 1), "unit_ids": [units["own"]],
                                           "cadre_keys": ["C1"]}, users.find_user("factory"), None)
        db.session.commit()
        return project.id


@pytest.mark.parametrize(("overrides", "message"), [
    ({"starts_on": (date.today() + timedelta(days=3)).isoformat()}, "考察日期不能晚于今天"),
    ({"starts_on": ""}, "请填写考察日期"),
    ({"ends_on": "2026-01-01"}, "结束日期不能早于开始日期"),
    ({"unit_ids": []}, "请至少选择一个被考察单位"),
    ({"unit_ids": ["999999"]}, "所选单位不存在"),
    ({"methods": []}, "请至少选择一种考察方式"),
    ({"methods": ["site_survey", "teleport"]}, "未知的考察方式：teleport"),
    ({"cadre_keys": ["NOBODY"]}, "这些编号不是干部：NOBODY"),
    ({"cadre_keys": [], "more_cadre_keys": "市发改委"}, "这些编号不是干部：市发改委"),
    ({"hours": "25"}, "时长应大于 0 小时，不超过 24 小时"),
    ({"hours": "0"}, "时长应大于 0 小时，不超过 24 小时"),
    ({"title": "考察\x07"}, "文字中含有不可见的控制字符"),
    ({"finding_subject_key": "C1", "finding_title": "没有清单的发现"}, "请选择清单类别（任务、进度、问题、成绩）"),
    ({"finding_subject_key": "C1", "finding_kind": "problem"}, "请填写事项"),
    ({"finding_subject_key": "", "finding_kind": "problem", "finding_title": "无人"}, "请选择发现涉及的干部"),
    ({"finding_subject_key": "C2", "finding_kind": "problem", "finding_title": "别人"}, "干部 C2 不是本次考察涉及的干部"),
    ({"photos": [(b"%PDF-1.4 not a photo %%EOF", "photo.jpg")]}, "现场照片只能是 JPEG、PNG 或 WebP 图片"),
])
def test_bad_input_is_refused_and_changes_nothing(app, client, auth, units, overrides, message):
    auth.login("organizer", Role.ORGANIZER)
    before = _counts(app)
    response = _post(client, _form(units, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts(app) == before


def test_a_stay_with_hours_and_a_visit_before_its_project_are_refused(app, units):
    project_id = _project(app, units)
    with app.app_context():
        actor = users.find_user("factory")
        base = {"unit_ids": [units["own"]], "cadre_keys": ["C1"], "methods": ["site_survey"]}
        with pytest.raises(ValidationFailed) as stay:
            visits.record_visit({**base, "starts_on": date(2026, 11, 2), "ends_on": date(2026, 11, 6), "hours": 8},
                                actor, None, TODAY)
        assert "蹲点调研按天记录，不填时长" in stay.value.errors
        with pytest.raises(ValidationFailed) as early:
            visits.record_visit({**base, "starts_on": date(2026, 5, 31), "project_id": project_id}, actor, None, TODAY)
        assert "考察日期不能早于重点项目开始日期（2026-06-01）" in early.value.errors
        with pytest.raises(ValidationFailed) as future:
            visits.record_visit({**base, "starts_on": date(2026, 11, 25)}, actor, None, TODAY)
        assert "考察日期不能晚于今天（2026-11-24）" in future.value.errors
        on_the_day = visits.record_visit({**base, "starts_on": TODAY, "project_id": project_id}, actor, None, TODAY)
        assert on_the_day.project_id == project_id and not on_the_day.is_stay
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_an_unannounced_visit_is_never_announced(app, units):
    visit_id = _make_visit(app, [units["own"]], methods=("unannounced", "site_survey"), announced=True)
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit.methods == ["site_survey", "unannounced"] and visit.announced is False


# ---- scope ----------------------------------------------------------------------------------------


def test_a_scoped_organizer_records_visits_only_for_their_units_and_cadres(app, client, auth, units):
    auth.create_user("scoped-org", Role.ORGANIZER, unit_ids=[units["own"]])
    auth.login("scoped-org")
    before = _counts(app)
    other = _post(client, _form(units, unit_ids=[str(units["other"])], cadre_keys=[]))
    assert other.status_code == 400 and "只能记录本单位的考察" in other.get_data(as_text=True)
    cadre = _post(client, _form(units, cadre_keys=["C3"]))
    assert cadre.status_code == 400 and "只能选择本单位的干部：C3" in cadre.get_data(as_text=True)
    assert _counts(app) == before
    assert _post(client, _form(units)).status_code == 302
    shared = _make_visit(app, [units["own"], units["other"]], cadres=("C1", "C3"))
    assert client.get(f"/admin/inspection/visits/{shared}").status_code == 200
    before = _counts(app)
    assert client.post(f"/admin/inspection/visits/{shared}/days",
                       data={"day": "2026-11-20", "log": "x"}).status_code == 403
    assert _counts(app) == before


def test_a_scoped_viewer_sees_only_their_units_visits(app, client, auth, units):
    mine = _make_visit(app, [units["own"]], title="发改委考察")
    theirs = _make_visit(app, [units["other"]], cadres=("C3",), title="财政局考察")
    photo = _add_photo(app, theirs)
    auth.create_user("scoped", Role.VIEWER, unit_ids=[units["own"]])
    auth.login("scoped")
    listing = client.get("/admin/inspection/visits/").get_data(as_text=True)
    assert "发改委考察" in listing and "财政局考察" not in listing
    assert client.get(f"/admin/inspection/visits/{mine}").status_code == 200
    for url in (f"/admin/inspection/visits/{theirs}", f"/admin/inspection/visits/{theirs}/photos/{photo}",
                f"/admin/inspection/visits/{theirs}/edit"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/admin/inspection/visits/{mine}/edit").status_code == 403


def test_the_list_filters_by_month_and_unit(app, client, auth, units):
    _make_visit(app, [units["own"]], starts_on=date(2026, 10, 30), ends_on=date(2026, 11, 2), title="跨月蹲点")
    _make_visit(app, [units["own"]], starts_on=date(2026, 10, 5), title="十月考察")
    _make_visit(app, [units["other"]], cadres=("C3",), starts_on=date(2026, 11, 10), title="财政局考察")
    auth.login("viewer", Role.VIEWER)
    november = client.get("/admin/inspection/visits/?month=2026-11").get_data(as_text=True)
    assert "跨月蹲点" in november and "财政局考察" in november and "十月考察" not in november
    own = client.get(f"/admin/inspection/visits/?month=2026-10&unit_id={units['own']}").get_data(as_text=True)
    assert "跨月蹲点" in own and "十月考察" in own and "财政局考察" not in own
    assert client.get("/admin/inspection/visits/?month=2026-13").status_code == 200  # ignored, all shown


# ---- the 蹲点 daily log ------------------------------------------------------------------------------


def test_a_stays_daily_log(app, units):
    visit_id = _make_visit(app, [units["own"]], starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 26))
    with app.app_context():
        visit, actor = db.session.get(Visit, visit_id), users.find_user("factory")
        assert visit.is_stay and visit.hours is None
        visits.save_day(visit, date(2026, 11, 21), "列席项目推进会", actor, TODAY)
        visits.save_day(visit, date(2026, 11, 20), "进点，查阅台账", actor, TODAY)
        visits.save_day(visit, date(2026, 11, 21), "列席项目推进会，核对节点", actor, TODAY)  # rewritten
        assert sorted((d.day.day, d.log) for d in visit.days) == [(20, "进点，查阅台账"), (21, "列席项目推进会，核对节点")]
        for day, log, message in ((date(2026, 11, 19), "x", "日期不在本次考察的日期之内（2026-11-20 至 2026-11-26）"),
                                  (date(2026, 11, 25), "x", "不能记录今天（2026-11-24）以后的纪实"),
                                  (date(2026, 11, 22), "  ", "请填写当天的纪实"), (None, "x", "请填写日期")):
            with pytest.raises(ValidationFailed) as refused:
                visits.save_day(visit, day, log, actor, TODAY)
            assert message in refused.value.errors
        db.session.commit()
        with pytest.raises(ValidationFailed) as shrink:
            visits.update_visit(visit, {"unit_ids": [units["own"]], "cadre_keys": ["C1"], "methods": ["site_survey"],
                                        "starts_on": date(2026, 11, 21), "ends_on": date(2026, 11, 26)},
                                actor, None, TODAY)
        assert "已有 2026-11-20 的纪实日志，考察日期须包含这些日期" in shrink.value.errors
        db.session.rollback()
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "visit.day")).all()
        assert len(entries) == 3 and entries[-1].detail["previous"] == "列席项目推进会"


def test_the_day_log_page_form(app, client, auth, units):
    visit_id = _make_visit(app, [units["own"]], starts_on=_today() - timedelta(days=2), ends_on=_today(),
                           today=_today())
    auth.login("organizer", Role.ORGANIZER)
    response = client.post(f"/admin/inspection/visits/{visit_id}/days",
                           data={"day": _today().isoformat(), "log": "第三天：走访群众"})
    assert response.status_code == 302
    assert "第三天：走访群众" in client.get(f"/admin/inspection/visits/{visit_id}").get_data(as_text=True)
    before = _counts(app)
    client.post(f"/admin/inspection/visits/{visit_id}/days", data={"day": "2020-01-01", "log": "x"})
    assert _counts(app) == before


# ---- photos -------------------------------------------------------------------------------------


def test_photos_too_large_or_not_images_are_refused(app, client, auth, units):
    visit_id = _make_visit(app, [units["own"]])
    auth.login("organizer", Role.ORGANIZER)
    url = f"/admin/inspection/visits/{visit_id}/photos"
    before = _counts(app)
    app.config["FILES_MAX_PHOTO_BYTES"] = 2000
    big = jpeg(size=(600, 400), color=(10, 10, 10))
    noisy = Image.effect_noise((300, 300), 90).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=95)
    big = buffer.getvalue()
    assert len(big) > 2000
    response = client.post(url, **multipart({"photos": [(jpeg(), "ok.jpg"), (big, "big.jpg")], "caption": ""}),
                           follow_redirects=True)
    assert "big.jpg：文件太大" in response.get_data(as_text=True)
    app.config["FILES_MAX_PHOTO_BYTES"] = 8 * 1024 * 1024
    response = client.post(url, **multipart({"photos": [(b"<html>not a photo</html>", "photo.jpg")]}),
                           follow_redirects=True)
    assert "photo.jpg：只能上传 PDF、JPEG、PNG 或 WebP 文件" in response.get_data(as_text=True)
    broken = jpeg()[:40]  # starts like a JPEG, is not one
    response = client.post(url, **multipart({"photos": [(broken, "cut.jpg")]}), follow_redirects=True)
    assert "图片文件已损坏或无法识别" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_photos_are_served_only_to_those_allowed(app, client, auth, units):
    visit_id = _make_visit(app, [units["own"]])
    other_visit = _make_visit(app, [units["other"]], cadres=("C3",))
    data = jpeg()
    photo_id = _add_photo(app, visit_id, data)
    other_photo = _add_photo(app, other_visit)
    auth.create_user("scoped", Role.VIEWER, unit_ids=[units["own"]])
    auth.login("scoped")
    served = client.get(f"/admin/inspection/visits/{visit_id}/photos/{photo_id}")
    assert served.status_code == 200 and served.data == data and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, no-store"
    # another visit's photo under this visit's URL, and the other unit's visit
    assert client.get(f"/admin/inspection/visits/{visit_id}/photos/{other_photo}").status_code == 404
    assert client.get(f"/admin/inspection/visits/{other_visit}/photos/{other_photo}").status_code == 404
    client.post("/auth/logout")
    assert client.get(f"/admin/inspection/visits/{visit_id}/photos/{photo_id}").status_code == 302
    auth.create_user("reporter", Role.REPORTER, unit_ids=[units["own"]])
    auth.login("reporter")
    assert client.get(f"/admin/inspection/visits/{visit_id}/photos/{photo_id}").status_code == 404


def test_removing_a_photo_needs_confirmation(app, client, auth, units):
    visit_id = _make_visit(app, [units["own"]])
    photo_id = _add_photo(app, visit_id)
    auth.login("organizer", Role.ORGANIZER)
    url = f"/admin/inspection/visits/{visit_id}/photos/{photo_id}/remove"
    assert "确认删除照片" in client.get(url).get_data(as_text=True)
    client.post(url)  # not confirmed
    with app.app_context():
        assert db.session.get(VisitPhoto, photo_id) is not None
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(VisitPhoto, photo_id) is None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "visit.photo_remove")).one()
        assert entry.target_id == visit_id and entry.detail["filename"] == "现场.jpg"


# ---- findings -------------------------------------------------------------------------------------


def test_findings_go_into_the_dossier_linked_to_the_visit(app, client, auth, units):
    visit_id = _make_visit(app, [units["own"]], cadres=("C1", "C2"), methods=("talks",),
                           starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20), title="发改委蹲点")
    with app.app_context():
        visit, actor = db.session.get(Visit, visit_id), users.find_user("factory")
        item = findings.add_finding(visit, {"subject_key": "C2", "kind": "achievement", "title": "群众评价好",
                                            "occurred_on": date(2026, 11, 19)}, actor, TODAY)
        assert (item.source, item.visit_id, item.subject_name) == (EvidenceSource.INTERVIEW, visit_id, "李娜")
        chosen = findings.add_finding(visit, {"subject_key": "C1", "kind": "task", "title": "牵头征迁",
                                              "source": "documents"}, actor, TODAY)
        assert chosen.source is EvidenceSource.DOCUMENTS and chosen.occurred_on == date(2026, 11, 18)
        for data, message in (({"subject_key": "C3", "kind": "task", "title": "x"}, "干部 C3 不是本次考察涉及的干部"),
                              ({"subject_key": "C1", "title": "x"}, "请选择清单类别（任务、进度、问题、成绩）"),
                              ({"subject_key": "C1", "kind": "task", "title": "x", "occurred_on": date(2026, 11, 21)},
                               "发现日期应在考察日期之内（2026-11-18 至 2026-11-20）")):
            with pytest.raises(ValidationFailed) as refused:
                findings.add_finding(visit, data, actor, TODAY)
            assert message in refused.value.errors
        db.session.commit()
        with pytest.raises(ValidationFailed) as drop:
            visits.update_visit(visit, {"unit_ids": [units["own"]], "cadre_keys": ["C1"], "methods": ["talks"],
                                        "starts_on": date(2026, 11, 18), "ends_on": date(2026, 11, 20)},
                                actor, None, TODAY)
        assert "已有关于这些干部的考察发现，不能从涉及干部中移除：C2" in drop.value.errors
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 2
    auth.login("organizer", Role.ORGANIZER)
    dossier = client.get("/admin/dossiers/C2").get_data(as_text=True)
    assert "群众评价好" in dossier and "来自考察：发改委蹲点" in dossier
    response = client.post(f"/admin/inspection/visits/{visit_id}/findings",
                           data={"subject_key": "C1", "kind": "", "title": "没有清单"})
    assert response.status_code == 400 and "请选择清单类别" in response.get_data(as_text=True)
    assert client.post(f"/admin/inspection/visits/{visit_id}/findings",
                       data={"subject_key": "C1", "kind": "problem", "title": "台账不全"}).status_code == 302
    assert "台账不全" in client.get("/admin/dossiers/C1").get_data(as_text=True)


def test_a_dossier_reader_who_may_not_read_the_visit_gets_no_link(app, client, auth, units):
    """A city-wide organizer records a visit to 市财政局 about 张伟 (市发改委): a viewer scoped to
    市发改委 reads 张伟's dossier and the finding, but not the other unit's visit."""
    visit_id = _make_visit(app, [units["other"]], cadres=("C1",), title="财政局考察")
    with app.app_context():
        findings.add_finding(db.session.get(Visit, visit_id), {"subject_key": "C1", "kind": "problem",
                                                               "title": "协调不力"}, users.find_user("factory"), TODAY)
        db.session.commit()
    auth.create_user("scoped", Role.VIEWER, unit_ids=[units["own"]])
    auth.login("scoped")
    dossier = client.get("/admin/dossiers/C1").get_data(as_text=True)
    assert "协调不力" in dossier and "来自考察" in dossier
    assert "财政局考察" not in dossier and f"/admin/inspection/visits/{visit_id}" not in dossier


# ---- editing and the audit log ------------------------------------------------------------------


def test_editing_a_visit_is_audited(app, client, auth, units):
    visit_id = _make_visit(app, [units["own"]], starts_on=_today() - timedelta(days=1), today=_today())
    auth.login("organizer", Role.ORGANIZER)
    page = client.get(f"/admin/inspection/visits/{visit_id}/edit").get_data(as_text=True)
    assert "现场考察" in page
    response = client.post(f"/admin/inspection/visits/{visit_id}/edit", data={
        "unit_ids": [str(units["own"])], "starts_on": (_today() - timedelta(days=1)).isoformat(),
        "ends_on": _today().isoformat(), "methods": ["sitting_in"], "cadre_keys": ["C1", "C2"], "title": "两天蹲点"})
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit.is_stay and visit.title == "两天蹲点" and [c.subject_key for c in visit.cadres] == ["C1", "C2"]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "visit.update")).one()
        assert entry.detail["changes"]["methods"] == [["site_survey"], ["sitting_in"]]
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "修改了考察“两天蹲点”" in log
