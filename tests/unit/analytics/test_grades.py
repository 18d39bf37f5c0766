"""Grade shares (优秀率, 称职率, 满意率), 不了解 kept apart, and the negative-share flag."""

from __future__ import annotations

import pytest

from analytics import ScaleSpec, grade_breakdown, scale_from_labels, subject_indices
from tests.unit.analytics.builders import (
    BASIC,
    COMPETENT,
    EXCELLENT,
    INCOMPETENT,
    UNKNOWN,
    competence_scale,
    make_spec,
    option_ballots,
    worked_example,
)

approx = pytest.approx


def test_shares_keep_unknown_apart() -> None:
    grades = grade_breakdown([3, 5, 1, 0, 1], competence_scale(), 1 / 3)
    assert (grades.rated, grades.unknown) == (9, 1)
    assert grades.shares == (approx(3 / 9), approx(5 / 9), approx(1 / 9), 0.0, None)
    assert grades.top_share == approx(3 / 9)
    assert grades.pass_share == approx(8 / 9)
    assert grades.satisfied_share is None  # no 满意 options on this scale
    assert grades.negative_share == 0.0
    assert not grades.is_negative_flagged


def test_negative_flag_needs_a_share_strictly_above_the_threshold() -> None:
    at_threshold = grade_breakdown([1, 1, 0, 1, 4], competence_scale(), 1 / 3)
    above = grade_breakdown([1, 0, 0, 1, 0], competence_scale(), 1 / 3)
    assert at_threshold.negative_share == approx(1 / 3)
    assert not at_threshold.is_negative_flagged
    assert above.is_negative_flagged


def test_nothing_rated_gives_no_shares() -> None:
    grades = grade_breakdown([0, 0, 0, 0, 2], competence_scale(), 1 / 3)
    assert grades.rated == 0
    assert grades.shares == (None,) * 5
    assert (grades.top_share, grades.pass_share, grades.negative_share) == (None, None, None)
    assert not grades.is_negative_flagged


def test_subject_grades_pool_reportable_groups_and_hide_small_ones() -> None:
    answers, spec = worked_example()
    (result,) = subject_indices(answers, spec)
    assert result.grades is not None
    assert result.grades.counts == (3, 5, 1, 0, 1)  # 下级's two 不称职 are not pooled
    assert result.groups[0].grades is not None
    assert result.groups[0].grades.counts == (3, 2, 0, 0, 1)
    assert result.groups[1].grades is not None
    assert result.groups[1].grades.counts == (0, 3, 1, 0, 0)
    assert result.groups[2].grades is None


def test_negative_flag_per_group_and_subject() -> None:
    answers = option_ballots(
        (0, {0: [INCOMPETENT, INCOMPETENT]}),
        (0, {0: [INCOMPETENT, COMPETENT]}),
        (0, {0: [EXCELLENT, UNKNOWN]}),
        (1, {0: [EXCELLENT, EXCELLENT]}),
        (1, {0: [BASIC, COMPETENT]}),
    )
    spec = make_spec(
        dimension_weights=(1.0, 1.0), groups=(("A", 1.0, 1), ("B", 1.0, 1)), scale=competence_scale()
    )
    (result,) = subject_indices(answers, spec)
    assert result.groups[0].grades is not None
    assert result.groups[0].grades.negative_share == approx(3 / 5)
    assert result.groups[0].grades.is_negative_flagged
    assert result.grades is not None
    assert result.grades.negative_share == approx(3 / 9)
    assert not result.grades.is_negative_flagged


def test_typed_scores_stay_out_of_grade_counts() -> None:
    answers = option_ballots((0, {0: [EXCELLENT]}))
    (result,) = subject_indices(answers, make_spec(scale=competence_scale()))
    assert result.grades is not None
    assert result.grades.counts == (1, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("labels", "top", "passing", "satisfied", "negative"),
    [
        (("优秀", "称职", "基本称职", "不称职", "不了解"), {0}, {0, 1}, set(), {3}),
        (("好", "较好", "一般", "差"), {0}, {0, 1}, set(), {3}),
        (("满意", "基本满意", "不满意", "不了解"), {0}, set(), {0, 1}, {2}),
        (("非常满意", "满意", "一般", "不满意", "非常不满意"), {0}, set(), {0, 1}, {3, 4}),
        (("不了解", "不满意", "基本满意", "满意"), {3}, set(), {2, 3}, {1}),
    ],
)
def test_presets_derive_rate_sets_from_labels(
    labels: tuple[str, ...], top: set[int], passing: set[int], satisfied: set[int], negative: set[int]
) -> None:
    scores = [None if label == "不了解" else 50.0 for label in labels]
    scale = scale_from_labels(labels, scores)
    assert (scale.top, scale.passing, scale.satisfied, scale.negative) == (top, passing, satisfied, negative)
    assert scale.unknown == {i for i, label in enumerate(labels) if label == "不了解"}


@pytest.mark.parametrize(
    ("labels", "scores"),
    [
        (("优秀", "良好", "差"), (100.0, 80.0, 0.0)),  # not a preset
        (("满意", "满意", "基本满意", "不满意"), (100.0, 100.0, 60.0, 0.0)),  # duplicate
        (("满意", "基本满意", "不满意", "不了解"), (100.0, 60.0, 0.0, 10.0)),  # 不了解 with a score
        (("满意", "基本满意", "不满意"), (100.0, None, 0.0)),  # a real option without a score
    ],
)
def test_unknown_label_sets_are_refused(labels: tuple[str, ...], scores: tuple[float | None, ...]) -> None:
    with pytest.raises(ValueError):
        scale_from_labels(labels, scores)


def test_explicit_scale_checks_its_sets() -> None:
    with pytest.raises(ValueError, match="unscored"):
        ScaleSpec(labels=("好", "不了解"), scores=(100.0, None), top=frozenset({1}))
    with pytest.raises(ValueError, match="missing option"):
        ScaleSpec(labels=("好",), scores=(100.0,), negative=frozenset({3}))
