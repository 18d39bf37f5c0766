"""Per-unit scoring methods of analytics.targets against hand-computed examples."""

from __future__ import annotations

import math

import pytest

from analytics.targets import (
    Basis,
    CompletionRatio,
    CountDeduction,
    InputError,
    Judged,
    Level,
    LevelBonus,
    LinearDeduction,
    ParameterError,
    StepRounding,
    Tier,
    Tiers,
    score_one,
)

LEVELS = LevelBonus((Level("国家", 3), Level("省", 2), Level("市", 1)))


# ---- completion ratio ---------------------------------------------------------------------------


def test_completion_ratio_scores_points_times_ratio() -> None:
    # 96 / 120 = 0.8; 10 × 0.8 = 8
    score = score_one(CompletionRatio(), 10, 96, 120)
    assert score.earned == pytest.approx(8.0)
    assert score.steps[-1].key == "completion_ratio.higher"
    assert score.steps[-1].number("rate_pct") == pytest.approx(80.0)


def test_completion_above_cap_is_capped() -> None:
    # 130 / 100 = 1.3 → clamp to cap 1 → 10 × 1 = 10
    assert score_one(CompletionRatio(), 10, 130, 100).earned == pytest.approx(10.0)
    # cap 0.9: 10 × 0.9 = 9 even at 130 %
    assert score_one(CompletionRatio(cap=0.9), 10, 130, 100).earned == pytest.approx(9.0)


def test_completion_floor_is_reached() -> None:
    # 20 / 100 = 0.2 < floor 0.5 → 10 × 0.5 = 5
    score = score_one(CompletionRatio(floor=0.5), 10, 20, 100)
    assert score.earned == pytest.approx(5.0)
    assert score.steps[-1].number("used_pct") == pytest.approx(50.0)


def test_completion_lower_is_better_uses_target_over_actual() -> None:
    # target 4 incidents, actual 5: 4 / 5 = 0.8 → 10 × 0.8 = 8
    score = score_one(CompletionRatio(lower_is_better=True), 10, 5, 4)
    assert score.earned == pytest.approx(8.0)
    assert score.steps[-1].key == "completion_ratio.lower"
    # actual 2 below the limit 4: 4 / 2 = 2 → capped at 1 → 10
    assert score_one(CompletionRatio(lower_is_better=True), 10, 2, 4).earned == pytest.approx(10.0)


def test_completion_zero_target() -> None:
    # Higher is better, target 0: any actual meets it (ratio inf → cap) → 10; 0 of 0 is met (1) → 10
    positive = score_one(CompletionRatio(), 10, 3, 0)
    assert positive.earned == pytest.approx(10.0)
    assert positive.steps[0].key == "completion_ratio.zero_denominator"
    assert score_one(CompletionRatio(), 10, 0, 0).earned == pytest.approx(10.0)
    # Lower is better, target 0 incidents: 0 → met (10); 2 → ratio 0/2 = 0 → 0
    assert score_one(CompletionRatio(lower_is_better=True), 10, 0, 0).earned == pytest.approx(10.0)
    assert score_one(CompletionRatio(lower_is_better=True), 10, 2, 0).earned == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"cap": 1.2}, "cap_out_of_range"),
        ({"cap": 0}, "cap_out_of_range"),
        ({"floor": -0.1}, "negative"),
        ({"floor": 0.8, "cap": 0.6}, "floor_above_cap"),
        ({"cap": math.nan}, "not_finite"),
    ],
)
def test_completion_parameters_out_of_range_are_refused(kwargs: dict[str, float], reason: str) -> None:
    with pytest.raises(ParameterError) as caught:
        CompletionRatio(**kwargs)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


def test_completion_refuses_negative_values_and_missing_target() -> None:
    with pytest.raises(InputError) as caught:
        score_one(CompletionRatio(), 10, -1, 100)
    assert caught.value.reason == "negative_value"
    assert caught.value.values["value"] == -1
    with pytest.raises(InputError) as missing_target:
        score_one(CompletionRatio(), 10, 50, None)
    assert missing_target.value.reason == "target_missing"


def test_missing_actual_scores_zero_with_a_step() -> None:
    score = score_one(CompletionRatio(), 10, None, 100)
    assert (score.earned, score.missing) == (0.0, True)
    assert [s.key for s in score.steps] == ["missing"]


# ---- linear deduction ---------------------------------------------------------------------------


def test_linear_deduction_the_speech_example() -> None:
    # 完成率 96%，每低1%扣0.2分: shortfall 4 % → 4 steps × 0.2 = 0.8; 10 − 0.8 = 9.2
    score = score_one(LinearDeduction(step=1, per_step=0.2), 10, 96, 100)
    assert score.earned == pytest.approx(9.2)
    only = score.steps[0]
    assert only.key == "linear_deduction.percent.higher"
    assert (only.number("rate_pct"), only.number("steps"), only.number("deduction")) == pytest.approx(
        (96, 4, 0.8)
    )


def test_linear_deduction_stops_at_the_floor() -> None:
    # 50 %: 50 steps × 0.2 = 10 → limited to 10 − floor 0 = 10 → 0 (扣完为止)
    assert score_one(LinearDeduction(step=1, per_step=0.2), 10, 50, 100).earned == pytest.approx(0.0)
    # floor 4: deduction limited to 10 − 4 = 6 → 4
    assert score_one(LinearDeduction(step=1, per_step=0.2, floor=4), 10, 50, 100).earned == pytest.approx(4.0)


def test_linear_deduction_target_met_or_exceeded_earns_full_points() -> None:
    assert score_one(LinearDeduction(step=1, per_step=0.2), 10, 100, 100).earned == pytest.approx(10.0)
    assert score_one(LinearDeduction(step=1, per_step=0.2), 10, 140, 100).earned == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        # 95.5 %: shortfall 4.5 steps of 1 %
        (StepRounding.PRORATE, 10 - 4.5 * 0.2),  # 9.1
        (StepRounding.STARTED, 10 - 5 * 0.2),  # 9.0
        (StepRounding.COMPLETED, 10 - 4 * 0.2),  # 9.2
    ],
)
def test_linear_deduction_partial_steps(rounding: StepRounding, expected: float) -> None:
    method = LinearDeduction(step=1, per_step=0.2, rounding=rounding)
    assert score_one(method, 10, 95.5, 100).earned == pytest.approx(expected)


def test_linear_deduction_whole_steps_ignore_float_noise() -> None:
    # 0.96 is not exact in binary: the 4 % shortfall must count as 4 started steps, not 5.
    method = LinearDeduction(step=1, per_step=0.2, rounding=StepRounding.STARTED)
    assert score_one(method, 10, 0.96, 1).earned == pytest.approx(9.2)


def test_linear_deduction_absolute_and_lower_is_better() -> None:
    # 每少1家扣0.5分: target 20, actual 17 → 3 × 0.5 = 1.5 → 8.5
    absolute = LinearDeduction(step=1, per_step=0.5, basis=Basis.ABSOLUTE)
    assert score_one(absolute, 10, 17, 20).earned == pytest.approx(8.5)
    # lower is better, 每超1%扣1分: limit 50, actual 53 → excess 3/50 = 6 % → 6 → 4
    lower = LinearDeduction(step=1, per_step=1, lower_is_better=True)
    score = score_one(lower, 10, 53, 50)
    assert score.earned == pytest.approx(4.0)
    assert score.steps[0].key == "linear_deduction.percent.lower"


def test_linear_deduction_zero_target_percent_basis() -> None:
    # Lower is better, limit 0 and 1 occurrence: infinite relative excess → everything deducted
    lower = LinearDeduction(step=1, per_step=1, lower_is_better=True)
    assert score_one(lower, 10, 1, 0).earned == pytest.approx(0.0)
    assert score_one(lower, 10, 0, 0).earned == pytest.approx(10.0)


def test_linear_deduction_parameters() -> None:
    with pytest.raises(ParameterError) as caught:
        LinearDeduction(step=0, per_step=0.2)
    assert (caught.value.reason, caught.value.values["name"]) == ("not_positive", "step")
    with pytest.raises(ParameterError) as above:
        score_one(LinearDeduction(step=1, per_step=0.2, floor=12), 10, 96, 100)
    assert above.value.reason == "above_points"
    assert dict(above.value.values) == {"name": "floor", "value": 12, "points": 10}


# ---- tiers --------------------------------------------------------------------------------------

COMPLETION_TIERS = Tiers((Tier(100, 10), Tier(90, 8), Tier(80, 5)), basis=Basis.PERCENT)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(105, 10), (100, 10), (95, 8), (90, 8), (85, 5), (80, 5), (79.9, 0)],
)
def test_tiers_on_completion(actual: float, expected: float) -> None:
    # ≥100 % → 10, ≥90 % → 8, ≥80 % → 5, below → 0 (target 100, so percent = actual)
    assert score_one(COMPLETION_TIERS, 10, actual, 100).earned == pytest.approx(expected)


def test_tiers_on_the_value_lower_is_better() -> None:
    # ≤2 days → 5, ≤5 days → 3, otherwise 1
    method = Tiers((Tier(2, 5), Tier(5, 3)), otherwise=1, lower_is_better=True)
    assert [score_one(method, 5, days).earned for days in (1, 2, 3, 5, 6)] == [5, 5, 3, 3, 1]
    below = score_one(method, 5, 6)
    assert below.steps[0].key == "tiers.absolute.lower.below"


def test_tiers_parameters() -> None:
    with pytest.raises(ParameterError) as caught:
        Tiers((Tier(100, 5), Tier(90, 8)))
    assert caught.value.reason == "tiers_not_monotone"
    with pytest.raises(ParameterError) as duplicate:
        Tiers((Tier(90, 5), Tier(90, 8)))
    assert duplicate.value.reason == "duplicate_threshold"
    with pytest.raises(ParameterError) as empty:
        Tiers(())
    assert empty.value.reason == "no_tiers"
    with pytest.raises(ParameterError) as above:
        score_one(COMPLETION_TIERS, 8, 100, 100)
    assert above.value.reason == "above_points"


# ---- count deductions ---------------------------------------------------------------------------


def test_count_deduction() -> None:
    # 发现问题一次扣1分, cap 3: 2 → 5 − 2 = 3; 4 → 5 − min(4, 3) = 2; 0 → 5
    method = CountDeduction(per_occurrence=1, cap=3)
    assert [score_one(method, 5, count).earned for count in (0, 2, 4)] == [5, 3, 2]
    assert score_one(method, 5, 4).steps[0].key == "count_deduction.capped"
    # No cap: 扣完为止 at the leaf's points: 7 × 1 → 5 − 5 = 0
    assert score_one(CountDeduction(per_occurrence=1), 5, 7).earned == 0


def test_count_deduction_refuses_fractional_and_negative_counts() -> None:
    with pytest.raises(InputError) as fractional:
        score_one(CountDeduction(per_occurrence=1), 5, 1.5)
    assert fractional.value.reason == "count_not_whole"
    with pytest.raises(InputError) as negative:
        score_one(CountDeduction(per_occurrence=1), 5, -1)
    assert negative.value.reason == "negative_value"
    with pytest.raises(ParameterError):
        CountDeduction(per_occurrence=0)


# ---- level bonuses ------------------------------------------------------------------------------


def test_level_bonuses_add_up() -> None:
    # 国家 + 省 + 市 × 2 = 3 + 2 + 1 × 2 = 7, leaf worth 10
    score = score_one(LEVELS, 10, LEVELS.counts(["国家", "省", "市", "市"]))
    assert score.earned == pytest.approx(7.0)
    assert [(s.key, s.label, s.result) for s in score.steps] == [
        ("level_bonus.level", "国家", 3.0),
        ("level_bonus.level", "省", 2.0),
        ("level_bonus.level", "市", 2.0),
        ("level_bonus.total", "", 7.0),
    ]


def test_level_bonuses_are_capped() -> None:
    # cap 4: 3 + 2 = 5 → 4; no cap but leaf of 4 points: also 4
    capped = LevelBonus(LEVELS.levels, cap=4)
    assert score_one(capped, 10, LEVELS.counts(["国家", "省"])).earned == pytest.approx(4.0)
    assert score_one(LEVELS, 4, LEVELS.counts(["国家", "省"])).earned == pytest.approx(4.0)
    assert score_one(LEVELS, 4, LEVELS.counts([])).earned == 0


def test_level_bonus_refuses_unknown_levels_and_bad_parameters() -> None:
    with pytest.raises(InputError) as unknown:
        LEVELS.counts(["县"])
    assert (unknown.value.reason, unknown.value.values["level"]) == ("unknown_level", "县")
    with pytest.raises(ParameterError) as duplicate:
        LevelBonus((Level("省", 2), Level("省", 1)))
    assert duplicate.value.reason == "level_names_not_distinct"


# ---- judged -------------------------------------------------------------------------------------


def test_judged_score_is_taken_within_range() -> None:
    assert score_one(Judged(), 5, 3.5).earned == pytest.approx(3.5)
    for bad in (-0.5, 5.5):
        with pytest.raises(InputError) as caught:
            score_one(Judged(), 5, bad)
        assert caught.value.reason == "judged_out_of_range"
        assert caught.value.values["points"] == 5


# ---- difficulty ---------------------------------------------------------------------------------


def test_difficulty_multiplies_and_is_capped_at_points() -> None:
    # 80 % of 10 = 8; × 1.1 = 8.8 (under 10, kept)
    raised = score_one(CompletionRatio(), 10, 80, 100, difficulty=1.1)
    assert raised.earned == pytest.approx(8.8)
    assert raised.steps[-1].key == "difficulty"
    # 95 % → 9.5 × 1.2 = 11.4 → capped at the leaf's 10
    capped = score_one(CompletionRatio(), 10, 95, 100, difficulty=1.2)
    assert capped.earned == pytest.approx(10.0)
    assert capped.steps[-1].key == "difficulty.capped"
    assert capped.steps[-1].number("raw") == pytest.approx(11.4)
    # 0.9 lowers: 8 × 0.9 = 7.2; coefficient 1 adds no step
    assert score_one(CompletionRatio(), 10, 80, 100, difficulty=0.9).earned == pytest.approx(7.2)
    assert len(score_one(CompletionRatio(), 10, 80, 100).steps) == 1


@pytest.mark.parametrize("coefficient", [0.0, -1.0, 2.5, math.nan])
def test_difficulty_out_of_range_is_refused(coefficient: float) -> None:
    with pytest.raises(ParameterError) as caught:
        score_one(CompletionRatio(), 10, 80, 100, difficulty=coefficient)
    assert caught.value.reason == "difficulty_out_of_range"


def test_leaf_points_out_of_range_are_refused() -> None:
    with pytest.raises(ParameterError) as caught:
        score_one(Judged(), -1, 0)
    assert caught.value.reason == "points_out_of_range"
