"""Registers of 正向激励 and 效能督查 (issue 15): recording, editing, approval and its
withdrawal, evidence files served only to those allowed, the pages, and the sync of a unit
plan's bonus and deduction items from the approved items of its year."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from survey_app.errors import ConfirmationRequired, DomainError, InvalidTransition, ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, RegisterEntry, Role, StoredFile, Unit
from survey_app.models.assessment import AdjustmentKind, AssessmentPlan, PlanStatus, PlanSubjectKind
from survey_app.models.register import RegisterState
from survey_app.services.assessment import plans, register_sync, scoring
from survey_app.services.platform import file_store, users
from survey_app.services.targets import registers
from tests.app.upload_helpers import multipart

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
PASSWORD = "correct horse battery"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(1)</script>"


@pytest.fixture
def world(app, tmp_path):
    """Two units, a user per role (the scoped ones and the reporter in 市发改委), files in a
    temporary folder."""
    app.config.update(FILES_BACKEND="local", FILES_LOCAL_DIR=str(tmp_path / "files"))
    file_store.init_app(app)
    with app.app_context():
        own, other = Unit(name="市发改委", category="市直经济部门"), Unit(name="市财政局", category="市直经济部门")
        db.session.add_all([own, other])
        db.session.flush()
        ids = {"own": own.id, "other": other.id}
        for name, role, scoped in (("organizer", Role.ORGANIZER, False), ("scoped", Role.ORGANIZER, True),
                                   ("viewer", Role.VIEWER, False), ("scoped_viewer", Role.VIEWER, True),
                                   ("other_viewer", Role.VIEWER, None), ("reporter", Role.REPORTER, True),
                                   ("admin", Role.ADMIN, False)):
            units = [own.id] if scoped else [other.id] if scoped is None else []
            ids[name] = users.create_user(name, PASSWORD, role, unit_ids=units).id
        db.session.commit()
    return ids


def _user(name: str):
    return users.find_user(name)


def _data(unit_id: int, **changes) -> dict:
    data = {"year": 2026, "occurred_on": date(2026, 5, 6), "unit_id": unit_id, "kind": "deduction",
            "source": "efficiency_office", "title": "窗口办件超时办结", "points": "1.5",
            "document": "市效能办督查通报〔2026〕7号", "finding": "超时办结 3 件", "detail": ""}
    return {**data, **changes}


def _record(unit_id: int, actor: str = "organizer", **changes) -> RegisterEntry:
    return registers.record_entry(_data(unit_id, **changes), _user(actor), NOW, TODAY)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions(entry_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "register_entry", AuditEntry.target_id == entry_id).order_by(AuditEntry.id)))


def _login(app, name: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"username": name, "password": PASSWORD}).status_code == 302
    return client


# ---- the service's rules ----------------------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    ({"finding": ""}, "扣分须填写督查发现的问题"),
    ({"document": "  "}, "扣分须填写督查通报文号"),
    ({"kind": "bonus", "document": ""}, "加分须填写依据（表彰文件或批示）"),
    ({"points": "0"}, "分值应大于 0，且不超过 10 分"),
    ({"points": "-1"}, "分值应大于 0，且不超过 10 分"),
    ({"points": "10.5"}, "分值应大于 0，且不超过 10 分"),
    ({"points": "nan"}, "分值应大于 0，且不超过 10 分"),
    ({"points": "三分"}, "分值应大于 0，且不超过 10 分"),
    ({"title": ""}, "请填写标题"),
    ({"kind": "other"}, "请选择类型（正向激励或效能督查）"),
    ({"source": "nobody"}, "请选择来源"),
    ({"occurred_on": date(2026, 11, 21)}, "日期不能晚于今天（2026-11-20）"),
    ({"occurred_on": date(2024, 5, 6)}, "日期应在 2026 年内（年初记录上一年度的事项时，可在次年）"),
    ({"year": "1999"}, "年度应在 2000–2100 之间"),
    ({"title": "超时\x00办结"}, "标题中含有不可见的控制字符"),
])
def test_bad_items_are_refused_with_a_message_and_nothing_is_stored(app, world, changes, message):
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            _record(world["own"], **changes)
        assert message in refused.value.errors
        db.session.rollback()
        assert _count(RegisterEntry) == 0 and _count(AuditEntry) == 0


def test_a_deduction_records_its_finding_and_a_bonus_drops_one(app, world):
    with app.app_context():
        deduction = _record(world["own"])
        bonus = _record(world["own"], kind="bonus", document="省政府办公厅通报表扬〔2026〕3号", points="2",
                        source="commendation", finding="不应保存")
        db.session.commit()
        assert (deduction.state, deduction.points, deduction.finding) == (RegisterState.RECORDED, 1.5, "超时办结 3 件")
        assert bonus.finding == "" and bonus.kind is AdjustmentKind.BONUS
        assert _actions(deduction.id) == ["register.record"]


def test_a_scoped_organizer_records_for_their_own_unit_only(app, world):
    with app.app_context():
        assert _record(world["own"], actor="scoped").unit.name == "市发改委"
        with pytest.raises(ValidationFailed, match="只能为本人负责的单位登记"):
            _record(world["other"], actor="scoped")
        with pytest.raises(InvalidTransition):
            _record(world["own"], actor="viewer")


def test_an_approved_item_is_locked_until_the_approval_is_withdrawn_with_a_reason(app, world):
    with app.app_context():
        entry = _record(world["own"])
        registers.approve_entry(entry, _user("organizer"), NOW)
        db.session.commit()
        with pytest.raises(InvalidTransition, match="已锁定"):
            registers.update_entry(entry, _data(world["own"], points="3"), _user("organizer"), NOW, TODAY)
        with pytest.raises(InvalidTransition, match="已锁定"):
            registers.attach_evidence(entry, [(PDF, "通报.pdf")], _user("organizer"), NOW)
        with pytest.raises(ConfirmationRequired):
            registers.withdraw_approval(entry, _user("organizer"), NOW, "分值有误", confirmed=False)
        with pytest.raises(ValidationFailed, match="请说明撤回审核的理由"):
            registers.withdraw_approval(entry, _user("organizer"), NOW, " ")
        db.session.rollback()
        entry = db.session.get(RegisterEntry, entry.id)
        assert (entry.state, entry.points, len(entry.evidence)) == (RegisterState.APPROVED, 1.5, 0)
        registers.withdraw_approval(entry, _user("admin"), NOW, "分值有误")
        assert registers.update_entry(entry, _data(world["own"], points="3"), _user("organizer"), NOW, TODAY)
        db.session.commit()
        assert (entry.state, entry.points, entry.decided_by_id) == (RegisterState.RECORDED, 3.0, None)
        assert _actions(entry.id) == ["register.record", "register.approve", "register.withdraw", "register.update"]
        withdrawal = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "register.withdraw")).one()
        assert withdrawal.detail["reason"] == "分值有误" and withdrawal.username == "admin"


def test_approval_by_a_scoped_organizer_is_refused_and_changes_nothing(app, world):
    with app.app_context():
        entry = _record(world["own"], actor="scoped")
        db.session.commit()
        for decide in (lambda: registers.approve_entry(entry, _user("scoped"), NOW),
                       lambda: registers.reject_entry(entry, _user("scoped"), NOW, "不属实"),
                       lambda: registers.approve_entry(entry, _user("viewer"), NOW)):
            with pytest.raises(InvalidTransition, match="只有全市范围的组织人员或管理员可以审核"):
                decide()
        db.session.rollback()
        assert db.session.get(RegisterEntry, entry.id).state is RegisterState.RECORDED
        assert _actions(entry.id) == ["register.record"]


def test_a_rejection_needs_a_reason_and_editing_records_the_item_again(app, world):
    with app.app_context():
        entry = _record(world["own"])
        with pytest.raises(ValidationFailed, match="请说明不予通过的理由"):
            registers.reject_entry(entry, _user("organizer"), NOW, "")
        registers.reject_entry(entry, _user("organizer"), NOW, "通报中无此问题")
        assert entry.state is RegisterState.REJECTED and entry.decision_note == "通报中无此问题"
        with pytest.raises(InvalidTransition):
            registers.reject_entry(entry, _user("organizer"), NOW, "再次退回")
        registers.update_entry(entry, _data(world["own"], title="窗口办件超时办结（更正）"), _user("scoped"), NOW, TODAY)
        assert (entry.state, entry.decision_note, entry.decided_at) == (RegisterState.RECORDED, "", None)


def test_lists_follow_scope_and_filters_and_totals_count_approved_items_only(app, world):
    with app.app_context():
        approved = [_record(world["own"], points="2"), _record(world["own"], kind="bonus", points="3",
                                                              document="市委批示", source="commendation")]
        for entry in approved:
            registers.approve_entry(entry, _user("organizer"), NOW)
        _record(world["own"], points="4")  # waiting
        _record(world["other"], points="1")
        _record(world["own"], year=2025, occurred_on=date(2025, 7, 1))
        assert len(registers.list_entries(None)) == 5
        assert {e.unit_id for e in registers.list_entries({world["own"]})} == {world["own"]}
        assert len(registers.list_entries(None, registers.Filters(year=2026, kind=AdjustmentKind.DEDUCTION,
                                                                   state=RegisterState.RECORDED))) == 2
        totals = {(t.year, t.unit): t for t in registers.unit_totals(registers.list_entries(None))}
        own = totals[(2026, "市发改委")]
        assert (own.bonus, own.deduction, own.net, own.pending) == (3.0, 2.0, 1.0, 1)
        assert totals[(2026, "市财政局")].pending == 1 and totals[(2025, "市发改委")].bonus == 0


# ---- pages ------------------------------------------------------------------------------------


def _form(unit_id: int, **changes) -> dict:
    data = _data(unit_id, **changes)
    data["occurred_on"] = data["occurred_on"].isoformat() if isinstance(data["occurred_on"], date) else data["occurred_on"]
    return {key: str(value) for key, value in data.items()}


def test_an_organizer_records_an_item_and_finds_it_in_the_list_with_totals(app, world):
    client = _login(app, "organizer")
    assert "正向激励与效能督查" in client.get("/admin/assessments/").get_data(as_text=True)
    response = client.post("/admin/registers/new", data=_form(world["own"], occurred_on="2026-05-06"))
    assert response.status_code == 302
    with app.app_context():
        entry_id = db.session.scalars(select(RegisterEntry.id)).one()
    page = client.get(f"/admin/registers/{entry_id}").get_data(as_text=True)
    assert "超时办结 3 件" in page and "待审核" in page and "审核通过" in page
    listing = client.get("/admin/registers/?year=2026&kind=deduction").get_data(as_text=True)
    assert "窗口办件超时办结" in listing and "市发改委" in listing
    assert "窗口办件超时办结" not in client.get("/admin/registers/?kind=bonus").get_data(as_text=True)


def test_a_bad_form_is_shown_again_in_chinese_and_stores_nothing(app, world):
    client = _login(app, "scoped")
    response = client.post("/admin/registers/new", data=_form(world["own"], finding="", points="20"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "扣分须填写督查发现的问题" in text and "分值应大于 0，且不超过 10 分" in text
    response = client.post("/admin/registers/new", data=_form(world["other"]))
    assert response.status_code == 400 and "只能为本人负责的单位登记" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(RegisterEntry) == 0


def test_approval_pages_lock_the_item_and_a_scoped_organizer_may_not_approve(app, world):
    with app.app_context():
        entry_id = _record(world["own"], actor="scoped").id
        db.session.commit()
    scoped = _login(app, "scoped")
    assert scoped.post(f"/admin/registers/{entry_id}/approve").status_code == 403
    assert "审核通过</button>" not in scoped.get(f"/admin/registers/{entry_id}").get_data(as_text=True)
    organizer = _login(app, "organizer")
    assert organizer.post(f"/admin/registers/{entry_id}/approve", data={"note": "属实"}).status_code == 302
    with app.app_context():
        assert db.session.get(RegisterEntry, entry_id).state is RegisterState.APPROVED
    edit = scoped.post(f"/admin/registers/{entry_id}/edit", data=_form(world["own"], points="2"))
    assert edit.status_code == 302
    assert "已锁定" in scoped.get(f"/admin/registers/{entry_id}").get_data(as_text=True)
    assert organizer.post(f"/admin/registers/{entry_id}/withdraw", data={"reason": "x"}).status_code == 302
    with app.app_context():
        entry = db.session.get(RegisterEntry, entry_id)
        assert (entry.state, entry.points) == (RegisterState.APPROVED, 1.5)  # no confirm=yes: nothing changed
    assert organizer.get(f"/admin/registers/{entry_id}/withdraw").status_code == 200
    organizer.post(f"/admin/registers/{entry_id}/withdraw", data={"reason": "分值有误", "confirm": "yes"})
    with app.app_context():
        assert db.session.get(RegisterEntry, entry_id).state is RegisterState.RECORDED


def test_evidence_is_uploaded_checked_and_served_only_within_the_units_scope(app, world):
    with app.app_context():
        entry_id = _record(world["own"]).id
        other_id = _record(world["other"]).id
        db.session.commit()
    organizer = _login(app, "scoped")
    refused = organizer.post(f"/admin/registers/{entry_id}/files", **multipart({"files": (HTML, "通报.pdf")}))
    assert refused.status_code == 302
    with app.app_context():
        assert _count(StoredFile) == 0
    response = organizer.post(f"/admin/registers/{entry_id}/files",
                              **multipart({"files": [(PDF, "督查通报.pdf"), (PDF, "整改报告.pdf")]}))
    assert response.status_code == 302
    with app.app_context():
        files = [e.file_id for e in db.session.get(RegisterEntry, entry_id).evidence]
        assert len(files) == 2 and "register.attach" in _actions(entry_id)
    url = f"/admin/registers/{entry_id}/files/{files[0]}"
    download = organizer.get(url)
    assert download.status_code == 200 and download.data == PDF and download.headers["Cache-Control"] == "private, no-store"
    assert _login(app, "other_viewer").get(url).status_code == 404
    reporter = _login(app, "reporter")
    assert reporter.get(url).status_code == 404
    assert reporter.get(f"/admin/registers/{entry_id}").status_code == 404
    unit_page = reporter.get(f"/admin/registers/units/{world['own']}")
    assert unit_page.status_code == 200 and "督查通报.pdf" in unit_page.get_data(as_text=True)
    assert "正向激励与效能督查</a>" not in unit_page.get_data(as_text=True)  # no staff nav link
    assert f'href="/admin/registers/units/{world["own"]}" id="unit-registers"' in unit_page.get_data(as_text=True)
    assert reporter.get(f"/admin/registers/units/{world['own']}/files/{files[0]}").data == PDF
    assert reporter.get(f"/admin/registers/units/{world['other']}").status_code == 404
    assert reporter.get(f"/admin/registers/units/{world['other']}/files/{files[0]}").status_code == 404
    assert _login(app, "organizer").get(f"/admin/registers/units/{world['other']}/files/{files[0]}").status_code == 404
    assert organizer.get(f"/admin/registers/{other_id}/files/{files[0]}").status_code == 404
    removal = f"/admin/registers/{entry_id}/files/{files[1]}/remove"
    assert organizer.post(removal).status_code == 302  # no confirm=yes: to the confirmation page
    organizer.post(removal, data={"confirm": "yes"})
    with app.app_context():
        assert [e.file_id for e in db.session.get(RegisterEntry, entry_id).evidence] == files[:1]


# ---- into the assessment ----------------------------------------------------------------------


def _unit_plan(world, actor) -> AssessmentPlan:
    plan = plans.create_plan({"title": "2026年度绩效考评", "year": 2026, "subject_kind": PlanSubjectKind.UNIT}, actor)
    category = plans.add_category(plan, "市直经济部门", actor)
    plans.add_subject(plan, {"key": "FGW", "name": "市发改委", "unit_name": "市发改委", "category_id": category.id}, actor)
    return plan


def _approved(world, unit: str = "own", **changes) -> RegisterEntry:
    entry = _record(world[unit], **changes)
    registers.approve_entry(entry, _user("organizer"), NOW)
    return entry


def test_a_sync_brings_the_approved_items_of_the_year_and_keeps_manual_ones(app, world):
    with app.app_context():
        actor = _user("organizer")
        plan = _unit_plan(world, actor)
        subject = plan.subjects[0]
        manual = scoring.add_adjustment(subject, {"kind": AdjustmentKind.BONUS, "points": 1, "reason": "手工"}, actor)
        deduction = _approved(world)
        bonus = _approved(world, kind="bonus", points="2", document="省通报表扬", source="commendation")
        _approved(world, year=2025, occurred_on=date(2025, 8, 1))  # another year
        _approved(world, unit="other")  # a unit not in the plan
        _record(world["own"], points="4")  # not approved
        preview = register_sync.preview_sync(plan)
        assert preview.changes == 2 and {e.id for e in preview.subjects[0].added} == {deduction.id, bonus.id}
        register_sync.sync_plan(plan, actor)
        db.session.commit()
        synced = {a.register_entry_id: a for a in subject.adjustments if a.register_entry_id}
        assert set(synced) == {deduction.id, bonus.id} and manual in subject.adjustments
        assert (synced[deduction.id].kind, synced[deduction.id].points, synced[deduction.id].document) == (
            AdjustmentKind.DEDUCTION, 1.5, "市效能办督查通报〔2026〕7号")
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "assessment.register_sync")).one()
        assert list(entry.detail["composite"]) == ["FGW"] and len(entry.detail["changes"][0]["added"]) == 2
        assert register_sync.preview_sync(plan).changes == 0
        # the register changes: the bonus is withdrawn, the deduction corrected and approved again
        registers.withdraw_approval(bonus, actor, NOW, "依据不足")
        registers.withdraw_approval(deduction, actor, NOW, "分值有误")
        registers.update_entry(deduction, _data(world["own"], points="0.5"), actor, NOW, TODAY)
        registers.approve_entry(deduction, actor, NOW)
        preview = register_sync.sync_plan(plan, actor)
        assert [len(preview.subjects[0].updated), len(preview.subjects[0].removed)] == [1, 1]
        assert [(a.reason, a.points, a.register_entry_id) for a in subject.adjustments] == [
            ("手工", 1.0, None), ("窗口办件超时办结", 0.5, deduction.id)]
        with pytest.raises(ValidationFailed, match="请在登记中修改"):
            scoring.remove_adjustment(synced[deduction.id], actor)


def test_a_confirmed_or_cadre_plan_refuses_a_sync(app, world):
    with app.app_context():
        actor = _user("organizer")
        plan = _unit_plan(world, actor)
        _approved(world)
        plan.status = PlanStatus.CONFIRMED
        with pytest.raises(DomainError, match="考核结果已确认"):
            register_sync.sync_plan(plan, actor)
        cadres = plans.create_plan({"title": "干部考核", "year": 2026, "subject_kind": PlanSubjectKind.CADRE}, actor)
        with pytest.raises(ValidationFailed, match="只有以单位为考核对象的方案"):
            register_sync.preview_sync(cadres)
        assert not plan.subjects[0].adjustments


def test_the_sync_pages_preview_then_sync_and_the_subject_page_links_each_item(app, world):
    with app.app_context():
        plan = _unit_plan(world, _user("organizer"))
        entry_id = _approved(world).id
        plan_id, subject_id = plan.id, plan.subjects[0].id
        db.session.commit()
    client = _login(app, "organizer")
    assert "从登记簿同步加减分" in client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    preview = client.get(f"/admin/assessments/{plan_id}/registers/sync").get_data(as_text=True)
    assert "窗口办件超时办结" in preview and "新增" in preview
    bare = client.post(f"/admin/assessments/{plan_id}/registers/sync")
    assert bare.headers["Location"].endswith(f"/admin/assessments/{plan_id}/registers/sync")
    with app.app_context():
        assert not db.session.get(AssessmentPlan, plan_id).subjects[0].adjustments
    client.post(f"/admin/assessments/{plan_id}/registers/sync", data={"confirm": "yes"})
    page = client.get(f"/admin/assessments/{plan_id}/subjects/{subject_id}").get_data(as_text=True)
    assert "来自登记簿：效能办，2026-05-06" in page and f"/admin/registers/{entry_id}" in page
    assert "在登记簿中修改" in page
    with app.app_context():
        item_id = db.session.get(AssessmentPlan, plan_id).subjects[0].adjustments[0].id
    assert client.post(f"/admin/assessments/{plan_id}/adjustments/{item_id}/remove",
                       data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert len(db.session.get(AssessmentPlan, plan_id).subjects[0].adjustments) == 1
    assert "无需同步" in client.get(f"/admin/assessments/{plan_id}/registers/sync").get_data(as_text=True)


def test_the_demo_registers_hold_approved_waiting_and_rejected_items(app):
    from survey_app.demo.registers import DEMO_ITEMS, seed_registers

    with app.app_context():
        db.session.add_all([Unit(name=name, category="市直单位") for name in {item[0] for item in DEMO_ITEMS}])
        admin = users.create_user("demo-admin", PASSWORD, Role.ADMIN)
        assert seed_registers(admin) == len(DEMO_ITEMS)
        assert seed_registers(admin) == 0  # once
        states = {e.title: e.state for e in registers.list_entries(None)}
        assert set(states.values()) == set(RegisterState)
        kinds = {e.kind for e in registers.list_entries(None, registers.Filters(state=RegisterState.APPROVED))}
        assert kinds == {AdjustmentKind.BONUS, AdjustmentKind.DEDUCTION}
