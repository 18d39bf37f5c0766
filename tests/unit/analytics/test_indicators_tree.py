"""Indicator trees: validation that lists every node that does not add up, and totals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import analytics
from analytics.targets import (
    CompletionRatio,
    CountDeduction,
    Indicator,
    InputError,
    Judged,
    LeafValues,
    Level,
    LevelBonus,
    LinearDeduction,
    RankPoints,
    Tier,
    Tiers,
    TreeError,
    compile_tree,
    score_tree,
    validate_tree,
)


def city_department_tree() -> Indicator:
    """A 市直单位 system: 业务实绩 60 (two leaves 30/30 by weight), 自身建设 30, 机制创新 10."""
    return Indicator(
        "root", "市直单位", 100,
        children=(
            Indicator("business", "业务实绩", 60, children=(
                Indicator("investment", "招商引资", weight=0.5, method=LinearDeduction(step=1, per_step=0.5)),
                Indicator("projects", "重点项目", weight=0.5, method=CompletionRatio()),
            )),
            Indicator("self", "自身建设", 30, children=(
                Indicator("party", "党建工作", 20, method=Judged()),
                Indicator("discipline", "作风纪律", 10, method=CountDeduction(per_occurrence=2)),
            )),
            Indicator("innovation", "机制创新", 10, method=RankPoints((10, 8, 6))),
        ),
    )


def test_a_sound_tree_flattens_depth_first() -> None:
    tree = compile_tree(city_department_tree())
    assert tree.node_keys == ("root", "business", "investment", "projects", "self", "party", "discipline",
                              "innovation")
    assert tree.leaf_keys == ("investment", "projects", "party", "discipline", "innovation")
    # Weighted leaves take their share of the parent's points: 60 × 0.5 = 30
    assert tree.leaf_points.tolist() == [30, 30, 20, 10, 10]
    assert tree.node_points.tolist() == [100, 60, 30, 30, 30, 20, 10, 10]
    assert tree.depths == (0, 1, 2, 2, 1, 2, 2, 1)


def test_validation_lists_every_node_that_does_not_add_up() -> None:
    m = CompletionRatio()
    root = Indicator(
        "root", "总", 100,
        children=(
            Indicator("a", "甲", 50, children=(Indicator("a1", "", 20, method=m), Indicator("a2", "", 20, method=m))),
            Indicator("b", "乙", 40, children=(Indicator("b1", "", weight=0.6, method=m),
                                              Indicator("b2", "", weight=0.3, method=m))),
            Indicator("c", "丙", 0, children=(Indicator("c1", "", 1, method=m), Indicator("c2", "", weight=1,
                                                                                          method=m))),
        ),
    )
    problems = {(p.key, p.reason): dict(p.values) for p in validate_tree(root)}
    # root: 50 + 40 + 0 = 90 ≠ 100; a: 20 + 20 = 40 ≠ 50; b: 0.6 + 0.3 = 0.9 ≠ 1; c mixes both kinds
    assert problems[("root", "points_do_not_add_up")] == {"points": 100, "sum": 90}
    assert problems[("a", "points_do_not_add_up")] == {"points": 50, "sum": 40}
    assert problems[("b", "weights_do_not_add_up")]["sum"] == pytest.approx(0.9)
    assert ("c", "mixed_children") in problems
    with pytest.raises(TreeError) as caught:
        compile_tree(root)
    assert len(caught.value.problems) == len(problems)


def test_sums_within_tolerance_pass() -> None:
    # 0.1 + 0.2 = 0.30000000000000004: within 1e-9 of 0.3
    m = Judged()
    root = Indicator("r", "", 0.3, children=(Indicator("x", "", 0.1, method=m), Indicator("y", "", 0.2, method=m)))
    assert validate_tree(root) == ()
    thirds = Indicator("r", "", 9, children=tuple(Indicator(k, "", weight=1 / 3, method=m) for k in "xyz"))
    assert validate_tree(thirds) == ()


def test_ill_formed_nodes_are_listed() -> None:
    root = Indicator(
        "r", "", 30,
        children=(
            Indicator("no_method", "", 10),
            Indicator("both", "", 10, weight=0.5, method=Judged()),
            Indicator("dup", "", 5, method=Judged()),
            Indicator("dup", "", 5, method=Tiers((Tier(1, 8),))),  # a tier worth 8 > leaf's 5
        ),
    )
    reasons = {(p.key, p.reason) for p in validate_tree(root)}
    assert reasons == {
        ("no_method", "leaf_without_method"),
        ("both", "points_or_weight"),
        ("r", "mixed_children"),  # "both" counts as weighted beside pointed siblings
        ("dup", "duplicate_key"),
        ("dup", "method_parameters"),
    }
    parameters = next(p for p in validate_tree(root) if p.reason == "method_parameters")
    assert dict(parameters.values)["rule"] == "above_points"
    parent_with_method = Indicator("r", "", 5, method=Judged(), children=(Indicator("x", "", 5, method=Judged()),))
    assert [p.reason for p in validate_tree(parent_with_method)] == ["method_on_parent"]
    assert [p.reason for p in validate_tree(Indicator("r", "", weight=1, method=Judged()))] == [
        "root_needs_points"
    ]


def test_scores_sum_up_the_tree() -> None:
    tree = compile_tree(city_department_tree())
    values = {
        # unit 0: 招商 96 % → 30 − 4 × 0.5 = 28; unit 1: 100 % → 30; unit 2: missing → 0
        "investment": LeafValues([96, 120, None], [100, 100, 100]),
        # 重点项目 8/10 → 30 × 0.8 = 24; 10/10 → 30; 5/10 → 15
        "projects": LeafValues([8, 10, 5], [10, 10, 10]),
        # 党建 judged 18, 20, 15
        "party": LeafValues([18, 20, 15]),
        # 作风 1, 0, 6 problems × 2 → 10 − 2 = 8, 10, 10 − min(12, 10) = 0
        "discipline": LeafValues([1, 0, 6]),
        # 机制创新 values 7, 9, 7 → places 2, 1, 2 → 8, 10, 8
        "innovation": LeafValues([7, 9, 7]),
    }
    scores = score_tree(tree, 3, values)
    expected = [[28, 24, 18, 8, 8], [30, 30, 20, 10, 10], [0, 15, 15, 0, 8]]
    np.testing.assert_allclose(scores.earned, expected)
    # business = 28 + 24 = 52; self = 18 + 8 = 26; root = 52 + 26 + 8 = 86
    assert scores.total("root").tolist() == pytest.approx([86, 100, 38])
    assert scores.total("business").tolist() == pytest.approx([52, 60, 15])
    assert scores.total("self").tolist() == pytest.approx([26, 30, 15])
    assert scores.missing[:, 0].tolist() == [False, False, True]
    assert scores.explain(2, "investment").steps[0].key == "missing"
    assert scores.explain(0, "investment").earned == pytest.approx(28)


def test_a_leaf_without_values_is_missing_for_every_unit() -> None:
    tree = compile_tree(city_department_tree())
    scores = score_tree(tree, 2, {"party": LeafValues([20, 10])})
    assert scores.total("root").tolist() == [20, 10]
    assert scores.missing.sum() == 2 * 4


def test_difficulty_is_per_unit_and_capped_at_the_leaf() -> None:
    tree = compile_tree(city_department_tree())
    # 重点项目 8/10 → 24; unit 0 × 1.1 = 26.4; unit 1 × 1.5 = 36 → capped at 30
    scores = score_tree(tree, 2, {"projects": LeafValues([8, 8], [10, 10], difficulty=[1.1, 1.5])})
    assert scores.total("business").tolist() == pytest.approx([26.4, 30])


def test_bad_leaf_values_name_the_leaf() -> None:
    tree = compile_tree(city_department_tree())
    with pytest.raises(InputError) as caught:
        score_tree(tree, 2, {"party": LeafValues([20, 25])})
    assert caught.value.reason == "judged_out_of_range"
    assert caught.value.values["leaf"] == "party"
    with pytest.raises(InputError) as unknown:
        score_tree(tree, 2, {"nope": LeafValues([1, 2])})
    assert unknown.value.reason == "unknown_leaf"
    with pytest.raises(InputError) as length:
        score_tree(tree, 3, {"party": LeafValues([20, 10])})
    assert length.value.reason == "length_mismatch"


def test_scoring_no_units() -> None:
    scores = score_tree(compile_tree(city_department_tree()), 0, {})
    assert scores.totals.shape == (0, 8)


def test_a_level_bonus_leaf_reads_a_counts_matrix() -> None:
    bonus = LevelBonus((Level("国家", 3), Level("省", 2), Level("市", 1)))
    root = Indicator("r", "", 10, children=(Indicator("awards", "表彰", 5, method=bonus),
                                            Indicator("party", "党建", 5, method=Judged())))
    tree = compile_tree(root)
    # unit 0: 省 + 市 = 3; unit 1: 国家 × 2 = 6 → leaf's 5; unit 2: no row given (NaN) → missing
    counts = [[0, 1, 1], [2, 0, 0], [np.nan, np.nan, np.nan]]
    scores = score_tree(tree, 3, {"awards": LeafValues(counts), "party": LeafValues([4, 4, 4])})
    assert scores.total("r").tolist() == [7, 9, 4]
    assert scores.missing[:, 0].tolist() == [False, False, True]
    assert score_tree(tree, 0, {}).totals.shape == (0, 3)


def test_targets_package_imports_no_web_or_database_code() -> None:
    forbidden = ("flask", "werkzeug", "flask_sqlalchemy", "sqlalchemy", "survey_app", "matplotlib")
    code = (
        "import analytics.targets, sys; "
        f"bad=[m for m in {forbidden!r} if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    root = Path(analytics.__file__).parents[1]
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=root).returncode == 0
    for source in (root / "analytics" / "targets").glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for name in ("flask", "sqlalchemy", "werkzeug", "survey_app", "gettext", "babel", "datetime", "time"):
            assert f"import {name}" not in text and f"from {name}" not in text, (source.name, name)


def test_many_units_score_in_one_pass() -> None:
    # 200 units × 5 leaves; vectorised columns agree with one-unit scoring
    rng = np.random.default_rng(7)
    tree = compile_tree(city_department_tree())
    actual = rng.uniform(50, 120, 200)
    scores = score_tree(tree, 200, {"projects": LeafValues(actual, np.full(200, 100.0))})
    assert scores.total("projects").tolist() == pytest.approx(np.minimum(actual / 100, 1) * 30)


def test_score_columns_are_read_only() -> None:
    scores = score_tree(compile_tree(city_department_tree()), 2, {"party": LeafValues([20, 10])})
    with pytest.raises(ValueError, match="read-only"):
        scores.totals[0, 0] = 100.0
