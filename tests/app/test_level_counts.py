"""A level-bonus leaf's year-end result as counts per level (国家 / 省 / 市 → 项数): the unit's
自评 and the 效能办's 核验 give counts, refused input changes nothing, hand-in and close
need them (all zeros is an answer), and scores come from the engine's LevelBonus.

The demo leaf 3.2 创新经验推广: 4 points, 国家 2、省 1.5、市 1 分 per award, at most 4.
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, Role
from survey_app.models.target import TargetResult
from survey_app.services.platform import users
from survey_app.services.targets import level_counts, scores, verification, year_end
from survey_app.services.targets.verification import VerifyEntry
from survey_app.services.targets.year_end import SelfEntry
from tests.app import target_scores_helpers as h
from tests.app.year_end_helpers import NOW, approved_sheet, target_of, unit_named, use_tmp_file_store

TODAY = date(2026, 12, 8)


@pytest.fixture
def env(app, tmp_path):
    use_tmp_file_store(app, tmp_path)
    with app.app_context():
        admin = users.create_user("boss", "correct horse battery", Role.ADMIN, display_name="boss")
        unit = unit_named("市发改委")
        sheet = approved_sheet(unit.id, admin)
        reporter = users.create_user("rep", "correct horse battery", Role.REPORTER, display_name="rep",
                                     unit_ids=[unit.id])
        db.session.commit()
        yield sheet, reporter, admin


def _ids(sheet) -> dict[str, int]:
    return {target.node.code: target.id for target in sheet.targets}


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def _others(ids) -> dict[int, SelfEntry]:
    return {ids["1.1"]: SelfEntry("48"), ids["1.2"]: SelfEntry("9"), ids["3.1"]: SelfEntry("88")}


def test_the_units_counts_are_saved_per_level_and_audited(env):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    assert year_end.save_self_assessment(sheet, {ids["3.2"]: SelfEntry(counts=["1", " 2 ", ""])}, reporter, NOW) == 1
    result = target_of(sheet, "3.2").result
    assert result.self_counts == {"国家": 1, "省": 2, "市": 0} and result.self_value is None
    year_end.save_self_assessment(sheet, {ids["3.2"]: SelfEntry(counts=["1", "3", "0"])}, reporter, NOW)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "target_result.self_assess")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.detail["changes"] == {"self_counts": [{"国家": 1, "省": 2, "市": 0}, {"国家": 1, "省": 3, "市": 0}]}
    # The same counts again change nothing (no audit entry).
    before = _audits()
    assert year_end.save_self_assessment(sheet, {ids["3.2"]: SelfEntry(counts=["1", "3", "0"])}, reporter, NOW) == 0
    assert _audits() == before


@pytest.mark.parametrize("counts, words", [
    (["-1", "0", "0"], "国家级数量不能为负数"),
    (["0", "1.5", "0"], "省级数量“1.5”应为整数"),
    (["0", "0", "两"], "市级数量“两”应为整数"),
    (["1001", "0", "0"], "超出范围"),
])
def test_refused_counts_change_nothing(env, counts, words):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    year_end.save_self_assessment(sheet, {ids["3.2"]: SelfEntry(counts=["0", "1", "0"])}, reporter, NOW)
    db.session.commit()
    before = _audits()
    with pytest.raises(ValidationFailed) as caught:
        year_end.save_self_assessment(sheet, {ids["1.1"]: SelfEntry("48"), ids["3.2"]: SelfEntry(counts=counts)},
                                      reporter, NOW)
    db.session.rollback()
    assert any(words in message for message in caught.value.errors), caught.value.errors
    assert target_of(sheet, "3.2").result.self_counts == {"国家": 0, "省": 1, "市": 0}
    assert target_of(sheet, "1.1").result is None and _audits() == before


def test_hand_in_needs_the_counts_and_takes_all_zeros(env):
    sheet, reporter, _admin = env
    ids = _ids(sheet)
    year_end.save_self_assessment(sheet, _others(ids), reporter, NOW)
    with pytest.raises(ValidationFailed, match="创新经验推广"):
        year_end.hand_in(sheet, reporter, NOW)
    year_end.save_self_assessment(sheet, {ids["3.2"]: SelfEntry(counts=["", "", ""])}, reporter, NOW)  # blank: none
    with pytest.raises(ValidationFailed, match="创新经验推广"):
        year_end.hand_in(sheet, reporter, NOW)
    year_end.save_self_assessment(sheet, {ids["3.2"]: SelfEntry(counts=["0", "0", "0"])}, reporter, NOW)
    year_end.hand_in(sheet, reporter, NOW)
    assert sheet.self_assessed_at == NOW


def _verify(counts, note=""):
    return VerifyEntry(note=note, verified_on=TODAY.isoformat(), way="documents", counts=counts)


def test_the_verifier_confirms_or_corrects_the_counts_and_close_needs_them(env):
    sheet, reporter, admin = env
    ids = _ids(sheet)
    year_end.save_self_assessment(sheet, {**_others(ids), ids["3.2"]: SelfEntry(counts=["1", "2", "0"])},
                                  reporter, NOW)
    year_end.hand_in(sheet, reporter, NOW)
    target = target_of(sheet, "3.2")
    assert verification.prefill_counts(target) == ["1", "2", "0"]  # the unit's own
    # Left as prefilled, nothing else typed: not verified now.
    assert verification.save_verification(sheet, {ids["3.2"]: VerifyEntry(counts=["1", "2", "0"])}, admin, TODAY) == 0
    with pytest.raises(ValidationFailed, match="请填写“创新经验推广”各级别的核验数量"):
        verification.save_verification(sheet, {ids["3.2"]: _verify(["", "", ""])}, admin, TODAY)
    with pytest.raises(ValidationFailed, match="不能为负数"):
        verification.save_verification(sheet, {ids["3.2"]: _verify(["1", "-2", "0"])}, admin, TODAY)
    assert target.result.verified_counts is None
    verification.save_verification(sheet, {ids["1.1"]: VerifyEntry("48", "", "", TODAY.isoformat(), "data"),
                                           ids["1.2"]: VerifyEntry("9", "", "", TODAY.isoformat(), "data"),
                                           ids["2.1"]: VerifyEntry("", "18", "", TODAY.isoformat(), "data"),
                                           ids["3.1"]: VerifyEntry("88", "", "", TODAY.isoformat(), "data")},
                                   admin, TODAY)
    with pytest.raises(ValidationFailed, match="创新经验推广"):
        verification.close_verification(sheet, admin, NOW)
    verification.save_verification(sheet, {ids["3.2"]: _verify(["1", "1", "0"], "省级一项未见文件")}, admin, TODAY)
    assert target.result.verified_counts == {"国家": 1, "省": 1, "市": 0}
    assert target.result.self_counts == {"国家": 1, "省": 2, "市": 0}  # the unit's own stays
    assert verification.prefill_counts(target) == ["1", "1", "0"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "target_result.verify")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.detail["leaf"] == "3.2" and entry.detail["changes"]["verified_counts"] == [
        None, {"国家": 1, "省": 1, "市": 0}]
    verification.close_verification(sheet, admin, NOW)
    assert sheet.verified_at == NOW


def test_scores_come_from_the_counts_with_the_cap(app):
    """By hand: 甲 (final) 国家 1 + 省 2 → 2 + 3 = 5, capped at 4; 乙 (final) 省 1 + 市 1 → 2.5;
    丙 (provisional) its own 市 3 → 3; 丁 (final) verified none although it claimed some → 0."""
    with app.app_context():
        system = h.demo_system()
        h.sheet(system, "甲局", {"3.2": (None, {"国家": 1, "省": 2, "市": 0}, {"国家": 2}, None, 1)})
        h.sheet(system, "乙局", {"3.2": (None, {"省": 1, "市": 1}, {"省": 1, "市": 1}, None, 1)})
        h.sheet(system, "丙局", {"3.2": (None, None, {"市": 3}, None, 1)}, verified=False)
        h.sheet(system, "丁局", {"3.2": (None, None, {"国家": 1}, None, 1)})
        units = {u.unit_name: u for u in scores.score_system(system).units}
        leaf = {name: next(x for x in u.leaves if x.code == "3.2") for name, u in units.items()}
        assert {name: row.earned for name, row in leaf.items()} == pytest.approx(
            {"甲局": 4, "乙局": 2.5, "丙局": 3, "丁局": 0})
        assert leaf["甲局"].wording == "国家级 1 项 × 2 分 = 2；省级 2 项 × 1.5 分 = 3；加分合计 5，最多 4 分：4 分"
        assert leaf["甲局"].source == "verified" and leaf["甲局"].value == 3  # three awards
        assert leaf["乙局"].wording == "省级 1 项 × 1.5 分 = 1.5；市级 1 项 × 1 分 = 1；加分合计 2.5：2.5 分"
        assert leaf["丙局"].is_provisional and leaf["丙局"].wording == "预估（自评值）：市级 3 项 × 1 分 = 3；加分合计 3：3 分"
        assert leaf["丁局"].is_missing and leaf["丁局"].wording == "未填报，计 0 分"
        assert db.session.scalar(select(func.count()).select_from(TargetResult)) == 4


def test_a_level_already_named_with_its_grade_is_not_doubled():
    """A 考核细则 may name its levels 国家 / 省 / 市 or 国家级 / 省级 / 市级: both read 国家级."""
    assert [level_counts.level_label(name) for name in ("国家", "国家级", "市")] == ["国家级", "国家级", "市级"]
