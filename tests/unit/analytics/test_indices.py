"""Hand-computed cases for the default index (docs/analytics.md §1–7)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import (
    AnswerColumns,
    CategoryWeights,
    IndexResult,
    SubjectSpec,
    subject_indices,
)
from tests.unit.analytics.builders import (
    BASIC,
    COMPETENT,
    EXCELLENT,
    INCOMPETENT,
    UNKNOWN,
    competence_scale,
    make_spec,
    option_ballots,
    score_ballots,
    worked_example,
)

approx = pytest.approx


def only(answers: AnswerColumns, **spec_options: object) -> IndexResult:
    (result,) = subject_indices(answers, make_spec(**spec_options))  # type: ignore[arg-type]
    return result


# ---------------------------------------------------------------- worked example


def test_worked_example_group_indices_and_counts() -> None:
    answers, spec = worked_example()
    (result,) = subject_indices(answers, spec)
    superiors, served, subordinates = result.groups
    assert superiors.index == approx(268 / 3)
    assert (superiors.n_raw, superiors.n) == (3, 3)
    assert served.index == approx(74.0)
    assert (served.n_raw, served.n) == (2, 2)
    assert (result.n_raw, result.n) == (5, 5)
    assert not subordinates.is_reportable


def test_worked_example_overall_index_se_and_interval() -> None:
    answers, spec = worked_example()
    (result,) = subject_indices(answers, spec)
    # I = 0.6·89.333 + 0.4·74; SE² = 0.36·101.333/3 + 0.16·72/2 = 17.92
    assert result.index == approx(83.2)
    assert result.se == approx(math.sqrt(17.92))
    assert result.interval is not None
    assert result.interval.low == approx(83.2 - 1.96 * math.sqrt(17.92))
    assert result.interval.high == approx(83.2 + 1.96 * math.sqrt(17.92))


def test_worked_example_dimension_profile() -> None:
    answers, spec = worked_example()
    (result,) = subject_indices(answers, spec)
    # 服务意识: 0.6·(100+80+80)/3 + 0.4·(60+80)/2; 廉洁自律: 0.6·100 + 0.4·80
    assert result.dimensions == (approx(80.0), approx(92.0))
    assert result.groups[0].dimension_means == (approx(260 / 3), approx(100.0))
    assert result.groups[1].dimension_means == (approx(70.0), approx(80.0))


def test_worked_example_disagreement_is_flagged() -> None:
    answers, spec = worked_example()
    (result,) = subject_indices(answers, spec)
    assert result.disagreement is not None
    assert result.disagreement.gap == approx(268 / 3 - 74)
    assert (result.disagreement.high_group, result.disagreement.low_group) == (0, 1)
    assert result.disagreement.is_flagged


# ---------------------------------------------------------------- composites


def test_unknown_answer_carries_no_score() -> None:
    answers = option_ballots((0, {0: [EXCELLENT, UNKNOWN]}), (0, {0: [BASIC, BASIC]}))
    result = only(answers, dimension_weights=(1.0, 1.0), scale=competence_scale())
    # Ballot 0 composite is 100 (not (100 + 0) / 2); ballot 1 is 60.
    assert result.index == approx(80.0)


def test_composite_uses_scored_dimensions_only() -> None:
    answers = score_ballots((0, {0: [90.0, None, 70.0]}), (0, {0: [None, 40.0, None]}))
    result = only(answers, dimension_weights=(1.0, 2.0, 1.0))
    # (90 + 70) / 2 = 80 and 40 → mean 60
    assert result.index == approx(60.0)
    assert result.n == 2


def test_unanswered_items_count_the_same_with_or_without_rows() -> None:
    with_rows = score_ballots((0, {0: [90.0, None]}))
    without_rows = option_ballots((0, {0: [EXCELLENT, None]}))
    assert only(with_rows, dimension_weights=(1.0, 1.0)).index == approx(90.0)
    assert only(without_rows, dimension_weights=(1.0, 1.0), scale=competence_scale()).index == approx(100.0)


def test_zero_dimension_weight_ignores_dimension_and_undefined_composite_is_not_counted() -> None:
    answers = score_ballots((0, {0: [80.0, 0.0]}), (0, {0: [None, 10.0]}))
    result = only(answers, dimension_weights=(1.0, 0.0))
    assert result.index == approx(80.0)
    assert result.n == 1  # ballot 1 scored only the zero-weight dimension
    assert result.dimensions == (approx(80.0), approx(5.0))


# ---------------------------------------------------------------- groups


TWO_GROUPS = (("上级", 0.5, 2), ("服务对象", 0.5, 3))


def test_group_below_minimum_size_is_excluded_and_hidden() -> None:
    answers = score_ballots(
        (0, {0: [90.0, 70.0]}),
        (0, {0: [70.0, 90.0]}),
        (1, {0: [10.0, 10.0]}),
        (1, {0: [20.0, 20.0]}),
    )
    result = only(answers, dimension_weights=(1.0, 1.0), groups=TWO_GROUPS, scale=None)
    assert result.index == approx(80.0)
    hidden = result.groups[1]
    assert not hidden.is_reportable
    assert hidden.index is None
    assert hidden.dimension_means == (None, None)
    assert hidden.grades is None
    assert hidden.n_raw == 2
    assert result.n_raw == 2  # only counted groups


def test_no_eligible_group_gives_no_index_never_zero() -> None:
    answers = score_ballots((1, {0: [50.0]}), (1, {0: [60.0]}))
    result = only(answers, groups=TWO_GROUPS)
    assert result.index is None
    assert result.se is None
    assert result.interval is None
    assert result.dimensions == (None,)
    assert not result.has_index


def test_zero_group_weight_is_reported_but_not_counted() -> None:
    answers = score_ballots((0, {0: [90.0]}), (1, {0: [30.0]}))
    result = only(answers, groups=(("A", 1.0, 1), ("B", 0.0, 1)))
    assert result.index == approx(90.0)
    assert result.groups[1].is_reportable
    assert result.groups[1].index == approx(30.0)


def test_all_group_weights_zero_gives_no_index() -> None:
    answers = score_ballots((0, {0: [90.0]}), (1, {0: [30.0]}))
    result = only(answers, groups=(("A", 0.0, 1), ("B", 0.0, 1)))
    assert result.index is None
    assert result.groups[0].index == approx(90.0)


def test_category_weights_override_group_and_dimension_weights() -> None:
    subjects = (SubjectSpec("县区", category="county"), SubjectSpec("部门", category="department"))
    answers = score_ballots(
        (0, {0: [100.0, 0.0], 1: [100.0, 0.0]}),
        (1, {0: [50.0, 50.0], 1: [50.0, 50.0]}),
    )
    county, department = subject_indices(
        answers,
        make_spec(
            subjects=subjects,
            dimension_weights=(1.0, 1.0),
            groups=(("A", 1.0, 1), ("B", 1.0, 1)),
            category_weights=(
                CategoryWeights("county", group_weights=(3.0, 1.0), dimension_weights=(1.0, 0.0)),
            ),
        ),
    )
    assert county.index == approx((3 * 100.0 + 1 * 50.0) / 4)
    assert department.index == approx((50.0 + 50.0) / 2)


# ---------------------------------------------------------------- uncertainty


def test_se_on_a_hand_case() -> None:
    answers = score_ballots(
        *[(0, {0: [x]}) for x in (60.0, 80.0, 100.0)], *[(1, {0: [x]}) for x in (40.0, 60.0)]
    )
    result = only(answers, groups=(("A", 3.0, 1), ("B", 1.0, 1)))
    # G = 80 (var 400, n 3) and 50 (var 200, n 2); I = 0.75·80 + 0.25·50 = 72.5
    assert result.index == approx(72.5)
    se = math.sqrt(0.75**2 * 400 / 3 + 0.25**2 * 200 / 2)
    assert result.se == approx(se)
    assert result.interval is not None
    assert (result.interval.low, result.interval.high) == (approx(72.5 - 1.96 * se), approx(72.5 + 1.96 * se))


def test_interval_is_clipped_to_scale() -> None:
    answers = score_ballots(*[(0, {0: [x]}) for x in (100.0, 100.0, 0.0)])
    result = only(answers)
    # mean 66.67, SE = sqrt(3333.3 / 3) = 33.33: the upper bound would be 132
    assert result.interval is not None
    assert result.interval.low == approx(200 / 3 - 1.96 * 100 / 3)
    assert result.interval.high == 100.0


def test_single_respondent_group_has_index_but_unknown_se() -> None:
    result = only(score_ballots((0, {0: [70.0]})))
    assert result.index == approx(70.0)
    assert result.se is None
    assert result.interval is None


# ---------------------------------------------------------------- trimming


def test_trimming_drops_one_highest_and_one_lowest_from_five() -> None:
    answers = score_ballots(*[(0, {0: [x]}) for x in (0.0, 50.0, 60.0, 70.0, 100.0)])
    result = only(answers, trim_extremes=True)
    assert result.index == approx(60.0)
    assert (result.groups[0].n_raw, result.groups[0].n) == (5, 3)
    assert result.se == approx(math.sqrt(100.0 / 3))


def test_trimming_leaves_groups_under_five_alone() -> None:
    answers = score_ballots(*[(0, {0: [x]}) for x in (0.0, 50.0, 70.0, 100.0)])
    result = only(answers, trim_extremes=True)
    assert result.index == approx(55.0)
    assert result.groups[0].n == 4


def test_trimming_drops_only_one_of_tied_extremes() -> None:
    answers = score_ballots(*[(0, {0: [x]}) for x in (100.0, 100.0, 100.0, 40.0, 40.0)])
    result = only(answers, trim_extremes=True)
    assert result.index == approx(80.0)  # 100, 100, 40 remain


def test_trimming_is_off_by_default() -> None:
    answers = score_ballots(*[(0, {0: [x]}) for x in (0.0, 50.0, 60.0, 70.0, 100.0)])
    assert only(answers).index == approx(56.0)


# ---------------------------------------------------------------- edges


def test_empty_input_gives_no_index() -> None:
    (result,) = subject_indices(AnswerColumns.empty(), make_spec(scale=competence_scale()))
    assert result.index is None
    assert result.n == 0
    assert result.grades is not None
    assert result.grades.rated == 0
    assert result.grades.top_share is None


def test_all_minimum_gives_zero_and_all_maximum_gives_hundred() -> None:
    lowest = option_ballots(*[(0, {0: [INCOMPETENT, INCOMPETENT]}) for _ in range(3)])
    highest = option_ballots(*[(0, {0: [EXCELLENT, EXCELLENT]}) for _ in range(3)])
    low = only(lowest, dimension_weights=(1.0, 1.0), scale=competence_scale())
    high = only(highest, dimension_weights=(1.0, 1.0), scale=competence_scale())
    assert (low.index, low.se) == (0.0, 0.0)
    assert (high.index, high.se) == (100.0, 0.0)
    assert high.interval is not None
    assert (high.interval.low, high.interval.high) == (100.0, 100.0)


def test_dimension_answered_by_too_few_is_left_out_of_every_figure() -> None:
    # One respondent alone scored the second dimension: his 称职 must not surface as the
    # dimension index, in the grade counts or through his composite (issue #12.7).
    answers = option_ballots(
        (0, {0: [EXCELLENT, COMPETENT]}),
        (0, {0: [EXCELLENT, UNKNOWN]}),
        (0, {0: [COMPETENT, UNKNOWN]}),
    )
    result = only(answers, dimension_weights=(1.0, 1.0), groups=(("A", 1.0, 2),), scale=competence_scale())
    assert result.groups[0].dimension_means == (approx(280 / 3), None)
    assert result.dimensions == (approx(280 / 3), None)
    assert result.index == approx(280 / 3)
    assert result.grades is not None
    assert result.grades.counts == (2, 1, 0, 0, 2)  # 优秀 2, 称职 1 (dimension 1 only), 不了解 2


def test_dimension_index_uses_groups_that_answered_the_dimension() -> None:
    answers = score_ballots((0, {0: [80.0, 60.0]}), (1, {0: [40.0, None]}))
    result = only(answers, dimension_weights=(1.0, 1.0), groups=(("A", 1.0, 1), ("B", 3.0, 1)))
    assert result.dimensions == (approx(0.25 * 80 + 0.75 * 40), approx(60.0))


def test_every_subject_gets_a_result_even_without_answers() -> None:
    answers = score_ballots((0, {1: [70.0]}))
    results = subject_indices(answers, make_spec(subjects=3))
    assert [r.index for r in results] == [None, approx(70.0), None]
    assert [r.entity for r in results] == [0, 1, 2]


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ((0, 5, 0, 0, 50.0, -1), "subject"),
        ((0, 0, 3, 0, 50.0, -1), "dimension"),
        ((0, 0, 0, 9, 50.0, -1), "group"),
        ((0, 0, 0, 0, 50.0, 7), "option"),
        ((-1, 0, 0, 0, 50.0, -1), "ballot"),
        ((0, 0, 0, 0, 120.0, -1), "scores"),
        ((0, 0, 0, 0, 50.0, UNKNOWN), "不了解"),
    ],
)
def test_invalid_rows_are_refused(row: tuple[int, int, int, int, float, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        subject_indices(AnswerColumns.from_rows([row]), make_spec(scale=competence_scale()))


def test_ballot_with_two_groups_is_refused() -> None:
    answers = AnswerColumns.from_rows([(0, 0, 0, 0, 50.0, -1), (0, 0, 0, 1, 50.0, -1)])
    with pytest.raises(ValueError, match="group"):
        subject_indices(answers, make_spec(groups=(("A", 1.0, 1), ("B", 1.0, 1))))


def test_columns_are_read_only_views_of_the_callers_arrays() -> None:
    ballots = np.zeros(2, dtype=np.int64)
    answers = AnswerColumns(ballots, ballots, ballots, ballots, np.array([1.0, 2.0]), ballots - 1)
    assert not answers.ballot.flags.writeable
    assert ballots.flags.writeable
    with pytest.raises(ValueError, match="same length"):
        AnswerColumns(ballots, ballots, ballots, ballots, np.array([1.0]), ballots)


# ---------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),  # group
            st.integers(0, 1),  # subject
            st.lists(st.one_of(st.none(), st.floats(0.0, 100.0)), min_size=3, max_size=3),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_indices_stay_within_scale(ballots: list[tuple[int, int, list[float | None]]], trim: bool) -> None:
    answers = score_ballots(*[(group, {subject: scores}) for group, subject, scores in ballots])
    spec = make_spec(
        subjects=2,
        dimension_weights=(1.0, 0.5, 0.0),
        groups=(("A", 1.0, 1), ("B", 2.0, 2), ("C", 0.5, 3)),
        trim_extremes=trim,
    )
    for result in subject_indices(answers, spec):
        values = [result.index, *result.dimensions, *(g.index for g in result.groups)]
        assert all(0.0 <= v <= 100.0 for v in values if v is not None)
        if result.interval is not None:
            assert 0.0 <= result.interval.low <= result.interval.high <= 100.0
