"""Year-end assessment: composites, ranks and grades under quotas, computed by hand.

The worked plan (also in docs/assessment.md): bands 称职 ≥ 70, 基本称职 ≥ 60, 不称职 below;
优秀 quota 20 %, raised to 40 % for subjects meeting the conditions; bonus cap 3,
deduction cap 5; veto above a 1/3 不称职 share.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import analytics
from analytics.assessment import (
    AssessmentResult,
    Category,
    Component,
    GradeBand,
    NotExcellent,
    Outcome,
    Rules,
    SubjectInput,
    assess,
    competition_ranks,
    composite,
    quota,
    round2,
)

BANDS = (GradeBand("称职", 70), GradeBand("基本称职", 60), GradeBand("不称职", 0))
RULES = Rules(bands=BANDS, quota_percent=20, raised_quota_percent=40, bonus_cap=3, deduction_cap=5,
              negative_share_threshold=1 / 3)
COUNTIES = Category("县市区", (Component("指标考评", 60), Component("公众评议", 20), Component("领导评价", 20)))
DEPARTMENTS = Category("市直经济部门", (
    Component("业务实绩", 40), Component("自身建设", 15), Component("机制创新", 5),
    Component("公众评议", 20), Component("领导评价", 20),
))


def subject(key, category, scores, **flags) -> SubjectInput:
    return SubjectInput(key=key, category=category.name, scores=tuple(scores), **flags)


PLAN = (
    # 县市区: 7 subjects, 3 meet the raised conditions → ⌊(20·4 + 40·3)/100⌋ = 2 places.
    subject("A1", COUNTIES, (95, 90, 90), bonuses=(2, 2), meets_raised_condition=True),  # 93 + 3 (cap) = 96
    subject("A2", COUNTIES, (90, 90, 90), meets_raised_condition=True, negative_share=0.4),  # 90, vetoed
    subject("A3", COUNTIES, (80, 85, 90), is_priority=True),  # 48 + 17 + 18 = 83
    subject("A4", COUNTIES, (88, 90, 85), deductions=(1.5, 4, 1)),  # 87.8 − 5 (cap) = 82.8
    subject("A5", COUNTIES, (85, 85, 85), meets_raised_condition=True),  # 85
    subject("A6", COUNTIES, (70, None, 80)),  # 公众评议 missing: 缺项
    subject("A7", COUNTIES, (50, 60, 40), deductions=(2,)),  # 30 + 12 + 8 − 2 = 48
    # 市直经济部门: 5 subjects, none raised → ⌊20·5/100⌋ = 1 place.
    subject("B1", DEPARTMENTS, (90, 90, 80, 85, 90)),  # 36 + 13.5 + 4 + 17 + 18 = 88.5
    subject("B2", DEPARTMENTS, (88, 90, 90, 88, 90), deductions=(0.3,)),  # 88.8 − 0.3 = 88.5: tied with B1
    subject("B3", DEPARTMENTS, (80, 80, 80, 80, 80), bonuses=(1,)),  # 81
    subject("B4", DEPARTMENTS, (95, 95, 95, 95, 95), is_vetoed=True),  # 95, the organizer's veto
    subject("B5", DEPARTMENTS, (2, 2, 2, 2, 2), deductions=(3, 3)),  # 2 − 5 = −3 → clipped to 0
)


@pytest.fixture(scope="module")
def result() -> AssessmentResult:
    return assess((COUNTIES, DEPARTMENTS), PLAN, RULES)


def test_composites_follow_the_weights_bonus_and_deduction_caps(result):
    values = {s.key: s.composite.value for s in result.subjects}
    assert values == {"A1": 96.0, "A2": 90.0, "A3": 83.0, "A4": 82.8, "A5": 85.0, "A6": None, "A7": 48.0,
                      "B1": 88.5, "B2": 88.5, "B3": 81.0, "B4": 95.0, "B5": 0.0}
    a1 = result.subject("A1").composite
    assert (a1.base, a1.bonus_items, a1.bonus, a1.deduction) == (pytest.approx(93), 4, 3, 0)
    assert [p.share for p in a1.parts] == [pytest.approx(0.6), pytest.approx(0.2), pytest.approx(0.2)]
    assert [p.points for p in a1.parts] == [pytest.approx(57), pytest.approx(18), pytest.approx(18)]
    a4 = result.subject("A4").composite
    assert (a4.deduction_items, a4.deduction) == (pytest.approx(6.5), 5)
    b5 = result.subject("B5").composite
    assert b5.is_clipped and b5.unrounded == 0 and b5.base == pytest.approx(2)
    assert not a1.is_clipped


def test_a_missing_component_means_no_composite_never_zero(result):
    a6 = result.subject("A6")
    assert a6.composite.value is None and a6.composite.base is None
    assert a6.composite.missing == ("公众评议",)
    assert a6.composite.parts[0].points == pytest.approx(42)  # the scores present still show
    assert (a6.outcome, a6.grade, a6.rank, a6.band_grade) == (Outcome.INCOMPLETE, None, None, None)


def test_ranks_within_category_share_ties(result):
    ranks = {s.key: s.rank for s in result.subjects}
    assert ranks == {"A1": 1, "A2": 2, "A5": 3, "A3": 4, "A4": 5, "A7": 6, "A6": None,
                     "B4": 1, "B1": 2, "B2": 2, "B3": 4, "B5": 5}


def test_quota_counts_raised_subjects_at_the_raised_percent(result):
    counties, departments = result.categories
    assert (counties.n, counties.n_raised, counties.quota) == (7, 3, 2)  # 1 without the raise
    assert quota(7, 0, 20, 40) == 1
    assert (departments.n, departments.n_raised, departments.quota) == (5, 0, 1)


def test_priority_first_then_composite_within_the_quota(result):
    grades = {s.key: (s.grade, s.outcome) for s in result.subjects if s.category == "县市区"}
    # Eligible order: A3 (priority, 83) before A1 96, A5 85, A4 82.8; two places.
    assert grades["A3"] == ("优秀", Outcome.EXCELLENT)
    assert grades["A1"] == ("优秀", Outcome.EXCELLENT)
    assert grades["A5"] == ("称职", Outcome.GRADED)
    assert result.subject("A5").not_excellent is NotExcellent.QUOTA_FULL
    assert result.subject("A4").not_excellent is NotExcellent.QUOTA_FULL
    assert grades["A7"] == ("不称职", Outcome.GRADED)
    assert result.subject("A7").not_excellent is NotExcellent.BELOW_MINIMUM
    assert result.category("县市区").excellent == 2


def test_a_veto_makes_a_subject_ineligible_but_it_keeps_its_band(result):
    a2, b4 = result.subject("A2"), result.subject("B4")
    assert (a2.grade, a2.not_excellent) == ("称职", NotExcellent.NEGATIVE_SHARE)
    assert (b4.grade, b4.not_excellent, b4.rank) == ("称职", NotExcellent.VETOED, 1)


def test_ties_straddling_the_quota_boundary_are_left_to_the_organizer(result):
    b1, b2, b3 = result.subject("B1"), result.subject("B2"), result.subject("B3")
    for tied in (b1, b2):
        assert (tied.outcome, tied.grade, tied.band_grade) == (Outcome.TIE_PENDING, None, "称职")
        assert (tied.tie_size, tied.open_places) == (2, 1)
    assert (b3.grade, b3.not_excellent) == ("称职", NotExcellent.QUOTA_FULL)
    departments = result.category("市直经济部门")
    assert (departments.excellent, departments.pending) == (0, 2)


def test_ties_that_fit_inside_the_quota_all_get_excellent():
    cat = Category("乡镇", (Component("指标考评", 1),))
    subjects = [subject(k, cat, (s,)) for k, s in (("T1", 90), ("T2", 90), ("T3", 80), ("T4", 80), ("T5", 70))]
    rules = Rules(bands=BANDS, quota_percent=40)  # ⌊40·5/100⌋ = 2 places for two tied firsts
    result = assess((cat,), subjects, rules)
    assert [s.outcome for s in result.subjects] == [Outcome.EXCELLENT, Outcome.EXCELLENT] + [Outcome.GRADED] * 3
    # A tie entirely beyond the quota is simply out of places.
    assert result.subject("T3").not_excellent is NotExcellent.QUOTA_FULL


def test_a_tie_of_priority_and_plain_candidates_is_no_tie():
    cat = Category("乡镇", (Component("指标考评", 1),))
    subjects = [subject("P", cat, (88,), is_priority=True), subject("Q", cat, (88,))]
    result = assess((cat,), subjects, Rules(bands=BANDS, quota_percent=50))  # 1 place
    assert result.subject("P").outcome is Outcome.EXCELLENT
    assert result.subject("Q").not_excellent is NotExcellent.QUOTA_FULL
    assert result.subject("P").rank == result.subject("Q").rank == 1


def test_small_categories_may_have_no_place_at_all():
    cat = Category("乡镇", (Component("指标考评", 1),))
    result = assess((cat,), [subject("S1", cat, (99,)), subject("S2", cat, (60,))], Rules(bands=BANDS))
    assert result.categories[0].quota == 0  # ⌊20·2/100⌋
    assert result.subject("S1").grade == "称职"
    assert result.subject("S1").not_excellent is NotExcellent.QUOTA_FULL
    assert result.subject("S2").grade == "基本称职"


def test_grades_compare_the_rounded_composite():
    cat = Category("乡镇", (Component("指标考评", 1),))
    result = assess((cat,), [subject("R", cat, (69.995,)), subject("S", cat, (69.994,))], Rules(bands=BANDS))
    assert result.subject("R").composite.value == 70.0 and result.subject("R").grade == "称职"
    assert result.subject("S").composite.value == 69.99 and result.subject("S").grade == "基本称职"


def test_round2_rounds_half_up_despite_float_noise():
    assert round2(2.675) == 2.68  # round() gives 2.67: 2.675 is 2.67499999… in binary
    assert round2(88.125) == 88.13
    assert round2(0.1 + 0.2) == 0.3
    assert round2(35.2 + 13.5 + 4.5 + 17.6 + 18 - 0.3) == 88.5


def test_competition_ranks():
    assert competition_ranks([90.0, 85.0, 90.0, None, 70.0]) == (1, 3, 1, None, 4)
    assert competition_ranks([]) == ()


def test_a_category_without_weights_gives_no_composite():
    cat = Category("乡镇", (Component("指标考评", 0),))
    result = composite(cat, subject("Z", cat, (80,)), Rules(bands=BANDS))
    assert result.value is None and result.missing == () and result.parts[0].points is None


def test_weights_need_not_sum_to_100():
    tenths = Category("乡镇", (Component("指标考评", 0.6), Component("公众评议", 0.4)))
    percents = Category("乡镇", (Component("指标考评", 60), Component("公众评议", 40)))
    s = subject("W", tenths, (90, 80))
    assert composite(tenths, s, RULES).value == composite(percents, s, RULES).value == 86.0


def test_without_a_raised_percent_every_subject_counts_at_the_base_percent():
    assert quota(3, 2, 20, None) == 1
    assert quota(10, 0, 29, None) == 2  # exact: ⌊2.9⌋, not float noise
    assert quota(100, 0, 29, None) == 29  # 0.29·100 is 28.999… in binary floats
    assert quota(0, 0, 20, 40) == 0


def test_the_automatic_veto_needs_the_share_strictly_above_the_threshold():
    cat = Category("乡镇", (Component("指标考评", 1),))
    at, above = subject("AT", cat, (95,), negative_share=1 / 3), subject("AB", cat, (94,), negative_share=0.34)
    result = assess((cat,), [at, above], Rules(bands=BANDS, quota_percent=100, negative_share_threshold=1 / 3))
    assert result.subject("AT").grade == "优秀"
    assert result.subject("AB").not_excellent is NotExcellent.NEGATIVE_SHARE
    off = assess((cat,), [above], Rules(bands=BANDS, quota_percent=100))
    assert off.subject("AB").grade == "优秀"


def test_labels_come_from_the_plan():
    bands = (GradeBand("良好", 80), GradeBand("合格", 60), GradeBand("不合格", 0))
    cat = Category("乡镇", (Component("指标考评", 1),))
    result = assess((cat,), [subject("L1", cat, (90,)), subject("L2", cat, (85,)), subject("L3", cat, (59,))],
                    Rules(bands=bands, excellent_label="好", quota_percent=34))
    assert [s.grade for s in result.subjects] == ["好", "良好", "不合格"]


@pytest.mark.parametrize(
    ("categories", "subjects", "rules"),
    [
        ((COUNTIES,), [subject("X", COUNTIES, (90, 90))], RULES),  # one score too few
        ((COUNTIES,), [subject("X", COUNTIES, (101, 90, 90))], RULES),
        ((COUNTIES,), [subject("X", COUNTIES, (90, 90, 90), bonuses=(-1,))], RULES),
        ((COUNTIES,), [subject("X", DEPARTMENTS, (90,) * 5)], RULES),  # unknown category
        ((COUNTIES,), [subject("X", COUNTIES, (90,) * 3), subject("X", COUNTIES, (80,) * 3)], RULES),
        ((Category("c", (Component("a", -1),)),), [], RULES),
        ((COUNTIES,), [], Rules(bands=(GradeBand("称职", 70),))),  # no band from 0
        ((COUNTIES,), [], Rules(bands=(GradeBand("称职", 60), GradeBand("基本称职", 70), GradeBand("x", 0)))),
        ((COUNTIES,), [], Rules(bands=(GradeBand("优秀", 60), GradeBand("x", 0)))),  # label clash
        ((COUNTIES,), [], Rules(bands=BANDS, quota_percent=30, raised_quota_percent=20)),
        ((COUNTIES,), [], Rules(bands=BANDS, bonus_cap=-1)),
    ],
)
def test_inconsistent_input_is_refused(categories, subjects, rules):
    with pytest.raises(ValueError):
        assess(categories, subjects, rules)


def test_equal_inputs_give_equal_outputs(result):
    assert assess((COUNTIES, DEPARTMENTS), PLAN, RULES) == result


def test_the_module_is_pure():
    code = (
        "import analytics.assessment, sys; "
        "bad=[m for m in ('flask','werkzeug','sqlalchemy','flask_sqlalchemy','survey_app','flask_babel') "
        "if m in sys.modules]; sys.exit(1 if bad else 0)"
    )
    completed = subprocess.run([sys.executable, "-c", code], check=False,
                               cwd=Path(analytics.__file__).parents[1])
    assert completed.returncode == 0
