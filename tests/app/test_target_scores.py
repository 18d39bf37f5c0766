"""Scores of an indicator system, by hand (docs/targets.md, "Scores"): tests/app/
target_scores_helpers.py has the values.

甲局 (final): 1.1 96 of 100 → 4% short × 0.5 = 2 → 28; 1.2 8 of 10 = 80% → 24, × 1.1 = 26.4;
2.1 judged 18; 2.2 one problem → 10 − 2 = 8; 3.1 90, tied first with 乙局 → 6; 3.2 省级 2 × 1.5 = 3.
Total 89.4 (业务实绩 54.4, 自身建设 26, 机制创新 9).
乙局 (final): 30 + 30 (12 of 10, capped) + 15 + 10 + 6 + 4 (国家级 2 × 2 + 市级 1 = 5, capped at 4) = 95.
丙局 (预估: its own values): 1.1 80 of 100 → 20% × 0.5 = 10 → 20; 1.2 5 of 5 → 30; 2.1 no
judged score → 未填报 0; 2.2 three → 10 − 6 = 4; 3.1 70, third → 4; 3.2 nothing → 0. Total 58.
"""

import pytest
from sqlalchemy import select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models.target import TargetResult
from survey_app.services.targets import scores
from tests.app import target_scores_helpers as h


def _by_name(result):
    return {u.unit_name: u for u in result.units}


def test_the_worked_example_scores_ranks_and_sums_up_the_tree(app):
    with app.app_context():
        result = scores.score_system(h.worked_example())
        units = _by_name(result)
        assert [u.unit_name for u in result.units] == ["乙局", "甲局", "丙局"]  # 丁局 is not approved
        assert [(u.rank, u.total) for u in result.units] == [(1, pytest.approx(95)), (2, pytest.approx(89.4)),
                                                             (3, pytest.approx(58))]
        assert [t.name for t in result.top_level] == ["业务实绩", "自身建设", "机制创新"]
        assert units["甲局"].subtotals == pytest.approx((54.4, 26, 9))
        assert units["乙局"].subtotals == pytest.approx((60, 25, 10))
        assert units["丙局"].subtotals == pytest.approx((50, 4, 4))
        leaves = {leaf.code: leaf for leaf in units["甲局"].leaves}
        assert [leaves[c].earned for c in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2")] == pytest.approx(
            [28, 26.4, 18, 8, 6, 3])
        assert leaves["1.1"].wording == "完成率 96%，每低1%扣0.5分：30 − 2 = 28"
        assert "难度系数 1.1：24 × 1.1 = 26.4" in leaves["1.2"].wording
        assert leaves["2.1"].wording == "核验评定：18 分（满分 20）" and leaves["2.1"].source == "judged"
        assert leaves["3.1"].wording == "实际 90，并列第1名（2个单位）：6 分"
        assert units["甲局"].is_final and not units["甲局"].missing and units["甲局"].provisional == 0


def test_provisional_values_and_missing_leaves_are_said(app):
    with app.app_context():
        c = _by_name(scores.score_system(h.worked_example()))["丙局"]
        assert not c.is_final and c.provisional == 4
        leaves = {leaf.code: leaf for leaf in c.leaves}
        assert leaves["1.1"].is_provisional and leaves["1.1"].source == "self"
        assert leaves["1.1"].wording == "预估（自评值）：完成率 80%，每低1%扣0.5分：30 − 10 = 20"
        assert leaves["3.1"].wording.endswith("第3名：4 分")
        for code in ("2.1", "3.2"):
            assert leaves[code].is_missing and leaves[code].earned == 0 and leaves[code].wording == "未填报，计 0 分"
        assert c.missing == ("2.1 党建工作", "3.2 创新经验推广")


def test_a_final_sheet_uses_verified_values_only(app):
    """Once 核验 is closed a leaf without a verified value is 未填报, not the unit's claim."""
    with app.app_context():
        system = h.demo_system()
        values = dict(h.A, **{"1.1": (100, None, 100, None, 1)})
        h.sheet(system, "甲局", values)
        leaf = next(x for x in scores.score_system(system).units[0].leaves if x.code == "1.1")
        assert leaf.is_missing and leaf.earned == 0


def test_equal_totals_share_a_rank_and_the_next_is_skipped(app):
    with app.app_context():
        system = h.demo_system()
        for name, values in (("甲局", h.A), ("乙局", h.A), ("丙局", h.C)):
            h.sheet(system, name, values)
        result = scores.score_system(system)
        assert [(u.unit_name, u.rank) for u in result.units] == [("乙局", 1), ("甲局", 1), ("丙局", 3)]


def test_the_previous_year_gives_each_units_change(app):
    with app.app_context():
        before = h.demo_system(2025)
        h.sheet(before, "甲局", h.B)
        h.sheet(before, "乙局", h.A)
        result = scores.score_system(h.worked_example(2026))
        units = _by_name(result)
        assert units["甲局"].previous_total == pytest.approx(95) and units["甲局"].previous_rank == 1
        assert units["甲局"].total_change == pytest.approx(-5.6) and units["甲局"].rank_change == -1
        assert units["乙局"].rank_change == 1
        assert units["丙局"].previous_total is None and units["丙局"].rank_change is None


def test_a_scoped_view_keeps_own_rows_with_the_ranks_among_all(app):
    with app.app_context():
        result = scores.score_system(h.worked_example())
        own = scores.scoped(result, {h.unit("丙局").id})
        assert [(u.unit_name, u.rank) for u in own.units] == [("丙局", 3)] and own.ranked == 3


def test_a_system_without_sheets_scores_nobody(app):
    with app.app_context():
        result = scores.score_system(h.demo_system())
        assert result.units == () and result.ranked == 0


def test_a_stored_value_the_method_refuses_is_a_chinese_message(app):
    with app.app_context():
        system = h.worked_example()
        row = db.session.scalars(select(TargetResult).where(TargetResult.judged_score == 18)).one()
        row.judged_score = 25  # above the leaf's 20 points
        db.session.flush()
        with pytest.raises(ValidationFailed, match="指标 2.1“党建工作”无法计分：核验评定分 25 超出 0 至 20 分"):
            scores.score_system(system)
