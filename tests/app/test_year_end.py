"""Year-end work on an approved target sheet (issue #15): quarterly progress, the unit's 自评
with evidence, handing it in and having it returned, the 效能办's 现场核验, closing and
reopening it. Every refusal changes nothing; every change is audited."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.errors import ConfirmationRequired, NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, StoredFile
from survey_app.models.target import SheetState, TargetEvidence, TargetProgress, TargetResult
from survey_app.services.platform import audit_text, users
from survey_app.services.targets import progress, verification, year_end
from survey_app.services.targets.progress import ProgressEntry
from survey_app.services.targets.verification import VerifyEntry
from survey_app.services.targets.year_end import SelfEntry
from tests.app.year_end_helpers import (
    NOW,
    PDF_BYTES,
    approved_sheet,
    target_of,
    unit_named,
    use_tmp_file_store,
)

TODAY = date(2026, 12, 8)
HTML_BYTES = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.fixture
def env(app, tmp_path):
    """Inside an app context: an approved sheet of 市发改委 and a reporter of it."""
    use_tmp_file_store(app, tmp_path)
    with app.app_context():
        admin = users.create_user("boss", "correct horse battery", Role.ADMIN, display_name="boss")
        unit = unit_named("市发改委")
        sheet = approved_sheet(unit.id, admin)
        reporter = users.create_user("rep", "correct horse battery", Role.REPORTER, display_name="rep",
                                     unit_ids=[unit.id])
        db.session.commit()
        yield sheet, reporter, admin


def _counts() -> tuple[int, int, int, int, int]:
    """(results, evidence, stored files, progress rows, audit entries)."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (TargetResult, TargetEvidence, StoredFile, TargetProgress, AuditEntry))


def _ids(sheet) -> dict[str, int]:
    return {target.node.code: target.id for target in sheet.targets}


def _fill_and_hand_in(sheet, actor):
    ids = _ids(sheet)
    year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("48", "招商到位 48 亿元"),
                                          ids["1.2"]: SelfEntry("9"), ids["3.1"]: SelfEntry("88.5"),
                                          ids["3.2"]: SelfEntry(counts=["0", "1", "2"])}, actor, NOW)
    year_end.hand_in(sheet, actor, NOW)


# ---- values ---------------------------------------------------------------------------------


def test_values_are_plain_numbers_in_the_leafs_unit(env):
    sheet, _reporter, _admin = env
    node = target_of(sheet, "1.1").node  # 亿元
    assert year_end.parse_value(" 1,234.5 ", node) == 1234.5
    assert year_end.parse_value("", node) is None
    for bad, words in (("四十八", "不是数字"), ("12亿", "不是数字"), ("nan", "超出范围"), ("1e30", "超出范围"),
                       ("-3", "不能为负数")):
        with pytest.raises(ValidationFailed) as caught:
            year_end.parse_value(bad, node)
        assert words in caught.value.message and "招商引资到位资金" in caught.value.message


def test_a_percent_leaf_refuses_a_value_of_the_wrong_unit(env):
    sheet, _reporter, _admin = env
    node = target_of(sheet, "1.2").node
    node.unit_of_measure = "%"
    assert year_end.parse_value("96", node) == 96 and year_end.parse_value("-12.5", node) == -12.5
    for bad in ("9600", "-101"):
        with pytest.raises(ValidationFailed) as caught:
            year_end.parse_value(bad, node)
        assert "-100 到 1000" in caught.value.message and "计量单位" in caught.value.message


# ---- the 自评 -------------------------------------------------------------------------------


def test_a_self_assessment_stores_values_notes_and_evidence_and_is_audited(env):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    changed = year_end.save_self_assessment(
        sheet, {ids["1.1"]: SelfEntry("48", "到位资金以商务局台账为准", [(PDF_BYTES, "台账.pdf"), (PDF_BYTES, "b.pdf")]),
                ids["1.2"]: SelfEntry("", "")}, reporter, NOW)
    assert changed == 1  # the blank leaf had nothing and still has nothing
    result = target_of(sheet, "1.1").result
    assert (result.self_value, result.self_note) == (48.0, "到位资金以商务局台账为准")
    names = sorted(db.session.get(StoredFile, e.file_id).original_name for e in result.evidence)
    assert names == ["b.pdf", "台账.pdf"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "target_result.self_assess")).one()
    assert entry.user_id == reporter.id and entry.detail["leaf"] == "1.1"
    assert entry.detail["changes"] == {"self_value": [None, 48.0], "self_note": ["", "到位资金以商务局台账为准"]}
    assert entry.detail["files"] == ["台账.pdf", "b.pdf"]
    # Saving the same again changes nothing and writes no entry.
    before = _counts()
    assert year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("48", "到位资金以商务局台账为准")},
                                         reporter, NOW) == 0
    assert _counts() == before


@pytest.mark.parametrize("entry_of, words", [
    (lambda: SelfEntry("48", "", [(HTML_BYTES, "伪装.pdf")]), "只能上传 PDF"),
    (lambda: SelfEntry("四十八", "", [(PDF_BYTES, "a.pdf")]), "不是数字"),
    (lambda: SelfEntry("48", "x" * 2001), "不能超过 2000 字"),
    (lambda: SelfEntry("48", "", [(PDF_BYTES, f"{n}.pdf") for n in range(11)]), "最多上传 10 个"),
])
def test_a_refused_self_assessment_changes_and_stores_nothing(env, tmp_path, entry_of, words):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        year_end.save_self_assessment(sheet, {ids["1.2"]: SelfEntry("9"), ids["1.1"]: entry_of()}, reporter, NOW)
    assert any(words in message for message in caught.value.errors)
    db.session.rollback()
    assert _counts() == before
    assert not any(path.is_file() for path in (tmp_path / "files").rglob("*"))


def test_a_file_too_large_is_refused_by_name_and_nothing_is_stored(app, env, tmp_path):
    sheet, reporter, _admin = env
    app.config["FILES_MAX_DOCUMENT_BYTES"] = 1000
    big = PDF_BYTES[:-7] + b" " * 2000 + b"\n%%EOF\n"
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        year_end.save_self_assessment(sheet, {_ids(sheet)["1.1"]: SelfEntry("48", "", [(big, "大.pdf")])}, reporter, NOW)
    assert "文件太大" in caught.value.message and "大.pdf" in caught.value.message
    db.session.rollback()
    assert _counts() == before
    assert not any(p.is_file() for p in (tmp_path / "files").rglob("*"))


def test_year_end_work_needs_an_approved_sheet(env):
    sheet, reporter, admin = env
    sheet.state = SheetState.CONFIRMED
    ids = _ids(sheet)
    for call in (lambda: year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("1")}, reporter, NOW),
                 lambda: year_end.hand_in(sheet, reporter, NOW),
                 lambda: progress.save_progress(sheet, 1, {ids["1.1"]: ProgressEntry("1")}, reporter, NOW)):
        with pytest.raises(ValidationFailed, match="尚未审定"):
            call()


def test_hand_in_names_the_leaves_without_a_value(env):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("48")}, reporter, NOW)
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        year_end.hand_in(sheet, reporter, NOW)
    # 1.2 completion ratio and 3.1 rank points read a value, 3.2 counts per level; judged and count leaves need none.
    assert caught.value.message.endswith("重点项目完成数、改革创新成效、创新经验推广")
    assert sheet.self_assessed_at is None and _counts() == before


def test_hand_in_needs_confirmation_then_locks_the_self_assessment_and_progress(env):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("48", "", [(PDF_BYTES, "a.pdf")]),
                                          ids["1.2"]: SelfEntry("9"), ids["3.1"]: SelfEntry("88.5"),
                                          ids["3.2"]: SelfEntry(counts=["0", "0", "0"])}, reporter, NOW)
    with pytest.raises(ConfirmationRequired):
        year_end.hand_in(sheet, reporter, NOW, confirmed=False)
    assert sheet.self_assessed_at is None
    year_end.hand_in(sheet, reporter, NOW)
    assert sheet.self_assessed_at == NOW
    evidence = target_of(sheet, "1.1").result.evidence[0]
    before = _counts()
    for call in (lambda: year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("50")}, reporter, NOW),
                 lambda: year_end.remove_evidence(sheet, evidence, reporter),
                 lambda: progress.save_progress(sheet, 4, {ids["1.1"]: ProgressEntry("50")}, reporter, NOW),
                 lambda: year_end.hand_in(sheet, reporter, NOW)):
        with pytest.raises(ValidationFailed, match="已提交"):
            call()
    assert _counts() == before and target_of(sheet, "1.1").result.self_value == 48


def test_the_office_returns_a_handed_in_self_assessment_with_a_reason(env):
    sheet, reporter, admin = env
    with pytest.raises(ValidationFailed, match="尚未提交"):
        year_end.return_self_assessment(sheet, "请补充材料", admin)
    _fill_and_hand_in(sheet, reporter)
    with pytest.raises(ValidationFailed, match="退回原因"):
        year_end.return_self_assessment(sheet, "  ", admin)
    assert sheet.self_assessed_at is not None
    year_end.return_self_assessment(sheet, "请补充商务局台账", admin)
    assert sheet.self_assessed_at is None
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "target_sheet.return_self_assessment")).one()
    assert entry.detail["reason"] == "请补充商务局台账" and entry.user_id == admin.id
    year_end.save_self_assessment(sheet, {_ids(sheet)["1.1"]: SelfEntry("49")}, reporter, NOW)  # open again


def test_evidence_is_removed_with_confirmation_and_only_from_its_own_sheet(env):
    sheet, reporter, admin = env
    other_sheet = approved_sheet(unit_named("市财政局").id, admin, sheet.system)
    ids = _ids(sheet)
    year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("48", "", [(PDF_BYTES, "a.pdf")])}, reporter, NOW)
    evidence = target_of(sheet, "1.1").result.evidence[0]
    with pytest.raises(NotFound):
        year_end.find_evidence(other_sheet, evidence.id)
    assert year_end.find_evidence(sheet, evidence.id) is evidence
    with pytest.raises(ConfirmationRequired):
        year_end.remove_evidence(sheet, evidence, reporter, confirmed=False)
    file_id = evidence.file_id
    year_end.remove_evidence(sheet, evidence, reporter)
    assert target_of(sheet, "1.1").result.evidence == [] and db.session.get(StoredFile, file_id) is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "target_result.remove_evidence")).one()
    assert entry.detail == {"leaf": "1.1", "filename": "a.pdf"}


# ---- progress -------------------------------------------------------------------------------


def test_quarterly_progress_is_replaced_removed_and_read_as_a_share_of_the_target(env):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    progress.save_progress(sheet, 1, {ids["1.1"]: ProgressEntry("10", "一季度签约3个项目")}, reporter, NOW)
    progress.save_progress(sheet, 2, {ids["1.1"]: ProgressEntry("20", "")}, reporter, NOW)
    progress.save_progress(sheet, 2, {ids["1.1"]: ProgressEntry("25", "二季度")}, reporter, NOW)  # replaced
    row = next(r for r in progress.progress_rows(sheet) if r.target.id == ids["1.1"])
    assert row.by_quarter == (10.0, 25.0, None, None) and row.accounts[:2] == ("一季度签约3个项目", "二季度")
    assert row.latest == 25.0 and row.share == pytest.approx(0.5)  # 25 of the target 50
    count = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "target_progress.save"))
    assert count == 3
    progress.save_progress(sheet, 2, {ids["1.1"]: ProgressEntry("", "")}, reporter, NOW)  # blank: removed
    row = next(r for r in progress.progress_rows(sheet) if r.target.id == ids["1.1"])
    assert row.by_quarter == (10.0, None, None, None) and row.latest == 10.0
    lower = next(r for r in progress.progress_rows(sheet) if r.target.node.code == "2.2")
    assert lower.share is None  # a lower-is-better leaf is no share of a target


def test_refused_progress_changes_nothing(env):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    before = _counts()
    for quarter, entries, words in ((5, {ids["1.1"]: ProgressEntry("1")}, "季度应为 1 到 4"),
                                    (1, {ids["1.1"]: ProgressEntry("1"), ids["1.2"]: ProgressEntry("x")}, "不是数字"),
                                    (1, {ids["1.1"]: ProgressEntry("1", "长" * 501)}, "不能超过 500 字")):
        with pytest.raises(ValidationFailed, match=words):
            progress.save_progress(sheet, quarter, entries, reporter, NOW)
        db.session.rollback()
    assert _counts() == before


# ---- 现场核验 -------------------------------------------------------------------------------


def _entry(value="", judged="", note="", day=TODAY, way="on_site"):
    return VerifyEntry(value, judged, note, day.isoformat() if day else "", way)


def test_verification_waits_for_the_hand_in(env):
    sheet, _reporter, admin = env
    with pytest.raises(ValidationFailed, match="尚未提交年终自评"):
        verification.save_verification(sheet, {_ids(sheet)["1.1"]: _entry("48")}, admin, TODAY)


def test_verification_records_values_judged_scores_and_is_audited(app, env):
    sheet, reporter, admin = env
    _fill_and_hand_in(sheet, reporter)
    ids = _ids(sheet)
    changed = verification.save_verification(sheet, {
        ids["1.1"]: _entry("46.5", note="以商务局台账核减 1.5 亿元", way="data"),
        ids["2.1"]: _entry(judged="18", way="documents"),
        ids["1.2"]: VerifyEntry("9", "", "", "", ""),  # as prefilled: not verified now
    }, admin, TODAY)
    assert changed == 2
    first, judged = target_of(sheet, "1.1").result, target_of(sheet, "2.1").result
    assert (first.verified_value, first.verification_note, first.verified_on, first.verification_way.value,
            first.verified_by_id) == (46.5, "以商务局台账核减 1.5 亿元", TODAY, "data", admin.id)
    assert first.self_value == 48  # the unit's own value stays
    assert judged.judged_score == 18 and judged.verified_value is None
    assert target_of(sheet, "1.2").result.verified_value is None
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "target_result.verify")
                                 .order_by(AuditEntry.id)).all()
    assert [e.detail["leaf"] for e in entries] == ["1.1", "2.1"]
    assert entries[0].detail["changes"] == {
        "verified_value": [None, 46.5], "verification_note": ["", "以商务局台账核减 1.5 亿元"],
        "verified_on": [None, "2026-12-08"], "verification_way": [None, "data"]}
    with app.test_request_context():
        text = audit_text.describe(entries[0])
    assert text.sentence == f"boss 核验了指标 1.1（单位目标表 #{sheet.id}）"
    assert "核验值：（空） → 46.5" in text.details[0] and "核验方式：（空） → 数据比对" in text.details[0]


@pytest.mark.parametrize("code, entry, words", [
    ("2.1", _entry(judged="20.5"), "0 到 20 分"),  # 党建工作: 20 points
    ("2.1", _entry(judged="-1"), "0 到 20 分"),
    ("2.1", _entry(value="18"), "请填写评定得分而不是核验值"),
    ("1.1", _entry(judged="5"), "请填写核验值"),
    ("1.1", _entry("46", day=TODAY + timedelta(days=1)), "不能晚于今天"),
    ("1.1", _entry("46", day=None), "核验日期"),
    ("1.1", _entry("46", way="phone"), "核验方式"),
    ("1.1", _entry("", note="x"), "请填写“招商引资到位资金”的核验值"),
    ("1.1", _entry("-46"), "不能为负数"),
])
def test_refused_verification_changes_nothing(env, code, entry, words):
    sheet, reporter, admin = env
    _fill_and_hand_in(sheet, reporter)
    db.session.commit()
    ids = _ids(sheet)
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        verification.save_verification(sheet, {ids["1.2"]: _entry("9"), ids[code]: entry}, admin, TODAY)
    assert any(words in message for message in caught.value.errors), caught.value.errors
    db.session.rollback()
    assert _counts() == before and target_of(sheet, "1.2").result.verified_value is None


def test_closing_needs_every_scored_leaf_verified_then_locks_and_reopens_with_a_reason(env):
    sheet, reporter, admin = env
    _fill_and_hand_in(sheet, reporter)
    ids = _ids(sheet)
    verification.save_verification(sheet, {ids["1.1"]: _entry("46")}, admin, TODAY)
    with pytest.raises(ValidationFailed) as caught:
        verification.close_verification(sheet, admin, NOW)
    assert caught.value.message.endswith("重点项目完成数、党建工作、改革创新成效、创新经验推广")
    verification.save_verification(sheet, {ids["1.2"]: _entry("9"), ids["2.1"]: _entry(judged="17"),
                                           ids["3.1"]: _entry("88.5")}, admin, TODAY)
    with pytest.raises(ValidationFailed, match="创新经验推广"):
        verification.close_verification(sheet, admin, NOW)
    # The level leaf is verified when its counts are given: all zeros is an answer.
    verification.save_verification(sheet, {ids["3.2"]: VerifyEntry(counts=["0", "0", "0"], verified_on=TODAY.isoformat(),
                                                                    way="documents")}, admin, TODAY)
    with pytest.raises(ConfirmationRequired):
        verification.close_verification(sheet, admin, NOW, confirmed=False)
    verification.close_verification(sheet, admin, NOW)
    assert sheet.verified_at == NOW
    before = _counts()
    for call, words in ((lambda: verification.save_verification(sheet, {ids["1.1"]: _entry("40")}, admin, TODAY),
                         "已结束"),
                        (lambda: year_end.return_self_assessment(sheet, "再补", admin), "核验已结束"),
                        (lambda: verification.reopen_verification(sheet, "", admin), "原因")):
        with pytest.raises(ValidationFailed, match=words):
            call()
    assert _counts() == before and target_of(sheet, "1.1").result.verified_value == 46
    verification.reopen_verification(sheet, "统计局数据更正", admin)
    assert sheet.verified_at is None
    verification.save_verification(sheet, {ids["1.1"]: _entry("47")}, admin, TODAY)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "target_sheet")).all()
    assert {"target_sheet.close_verification", "target_sheet.reopen_verification"} <= set(actions)
    reopened = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "target_sheet.reopen_verification")).one()
    assert reopened.detail["reason"] == "统计局数据更正"
