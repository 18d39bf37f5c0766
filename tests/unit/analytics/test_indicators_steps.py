"""The arithmetic of a score worded from templates passed in (Chinese here, as the app will)."""

from __future__ import annotations

import pytest

from analytics.targets import (
    CompletionRatio,
    CountDeduction,
    LinearDeduction,
    RankPoints,
    format_number,
    format_steps,
    score_one,
    score_population,
)

ZH = {
    "linear_deduction.percent.higher": "完成率 {rate_pct}%，每低{step}%扣{per_step}分：{points} − {deduction} = {result}",
    "completion_ratio.higher": "完成率 {rate_pct}%（计 {used_pct}%）：{points} × {used_pct}% = {result}",
    "difficulty": "难度系数 {coefficient}：{earned} × {coefficient} = {result}",
    "difficulty.capped": "难度系数 {coefficient}：{earned} × {coefficient} = {raw}，以分值 {points} 封顶",
    "count_deduction.capped": "发现问题 {count} 次，每次扣{per_occurrence}分，最多扣{limit}分：{points} − {deduction} = {result}",
    "rank_points.place.tied": "并列第{place}名（{tied}个单位）：{result}分",
    "missing": "未填报实际值：0分",
}


def test_the_issue_sentence() -> None:
    score = score_one(LinearDeduction(step=1, per_step=0.2), 10, 96, 100)
    assert format_steps(score.steps, ZH) == "完成率 96%，每低1%扣0.2分：10 − 0.8 = 9.2"


def test_several_steps_are_joined() -> None:
    # 95 % of 10 = 9.5; × 1.2 = 11.4 → capped at 10
    score = score_one(CompletionRatio(), 10, 95, 100, difficulty=1.2)
    assert format_steps(score.steps, ZH) == (
        "完成率 95%（计 95%）：10 × 95% = 9.5；难度系数 1.2：9.5 × 1.2 = 11.4，以分值 10 封顶"
    )
    assert format_steps(score.steps, ZH, separator="\n").count("\n") == 1


def test_other_rules_word_through_their_own_keys() -> None:
    assert format_steps(score_one(CountDeduction(1, cap=3), 5, 4).steps, ZH) == (
        "发现问题 4 次，每次扣1分，最多扣3分：5 − 3 = 2"
    )
    tied = score_population(RankPoints((60, 57)), 60, [9, 9])[0]
    assert format_steps(tied.steps, ZH) == "并列第1名（2个单位）：60分"
    assert format_steps(score_one(CompletionRatio(), 10, None, 100).steps, ZH) == "未填报实际值：0分"


def test_a_missing_template_names_the_step() -> None:
    score = score_one(CompletionRatio(lower_is_better=True), 10, 5, 4)
    with pytest.raises(KeyError, match="completion_ratio.lower"):
        format_steps(score.steps, ZH)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (9.200000000000001, 2, "9.2"),
        (10.0, 2, "10"),
        (0.96 * 100, 2, "96"),
        (2.345, 2, "2.35"),  # half up, not banker's
        (1 / 3, 3, "0.333"),
        (-0.0, 2, "0"),
        (float("inf"), 2, "∞"),
        (120.0, 0, "120"),
    ],
)
def test_format_number(value: float, decimals: int, text: str) -> None:
    assert format_number(value, decimals) == text
