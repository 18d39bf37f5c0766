"""Disclosure control: no hidden cell can be solved from the published figures (#12.7).

A cell is *solvable* when the published figures determine it. The property test below
shows the opposite directly: for every hidden cell it builds two surveys that differ only
in that cell (all its answers 优秀, or all 不称职) and asserts that everything published
is identical. Two different values of the cell are then consistent with the same
publication, so no combination of published sums, counts and means (linear or not) can
recover it. A scoped viewer reads a subset of the same publication, so what holds for the
whole holds for every scope.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analytics import AnswerColumns, SubjectSpec, UnitSpec, compute_results, unit_indices
from tests.unit.analytics.builders import (
    COMPETENT,
    EXCELLENT,
    INCOMPETENT,
    SCORES,
    UNKNOWN,
    competence_scale,
    make_spec,
    option_ballots,
)

# ---------------------------------------------------------------- the cases


def _second_bureau():
    """Issue #12.7: 上级 (min 3); 二局 with 乙 and 丙; 丙 rated 不称职 twice, 不了解 once."""
    spec = make_spec(
        subjects=(SubjectSpec("乙", unit=0, key="yi"), SubjectSpec("丙", unit=0, key="bing")),
        units=(UnitSpec("二局", key="2"),),
        groups=(("上级", 1.0, 3),),
        scale=competence_scale(),
    )
    answers = option_ballots(
        (0, {0: [EXCELLENT], 1: [INCOMPETENT]}),
        (0, {0: [EXCELLENT], 1: [INCOMPETENT]}),
        (0, {0: [EXCELLENT], 1: [UNKNOWN]}),
    )
    return answers, spec


def test_unit_index_leaves_out_a_subject_cell_below_its_minimum() -> None:
    answers, spec = _second_bureau()
    results = compute_results(answers, spec)
    yi, bing = results.subjects
    (unit,) = results.units
    assert bing.index is None  # 样本不足
    assert yi.index == 100.0
    # Before: 66.7, from which 丙's two hidden 不称职 follow (3 × 66.7 − 100 = 2 × 50).
    assert unit.index == 100.0
    assert unit.grades is not None and unit.grades.counts[INCOMPETENT] == 0


def test_unit_indices_alone_apply_the_same_rule() -> None:
    answers, spec = _second_bureau()
    (unit,) = unit_indices(answers, spec)
    assert unit.index == 100.0


def test_lone_answer_on_a_dimension_shows_in_no_figure() -> None:
    # 3 上级 (min 3) rate 甲 on two dimensions; only one of them scored the second, 不称职.
    spec = make_spec(dimension_weights=(1.0, 1.0), groups=(("上级", 1.0, 3),), scale=competence_scale())
    answers = option_ballots(
        (0, {0: [EXCELLENT, INCOMPETENT]}),
        (0, {0: [EXCELLENT, UNKNOWN]}),
        (0, {0: [EXCELLENT, UNKNOWN]}),
    )
    (subject,) = compute_results(answers, spec).subjects
    assert subject.dimensions == (100.0, None)  # before: (100.0, 0.0)
    assert subject.grades is not None
    assert subject.grades.counts[INCOMPETENT] == 0  # before: 1 × 不称职
    assert subject.index == 100.0  # his composite no longer mixes the lone 0 in


# ---------------------------------------------------------------- the property


@st.composite
def small_surveys(draw):
    """Random small surveys: groups with minimums, units with subjects, dimensions, 不了解."""
    n_groups = draw(st.integers(1, 3))
    groups = tuple((f"g{g}", draw(st.sampled_from((0.5, 1.0, 2.0))), draw(st.integers(1, 3))) for g in range(n_groups))
    n_units = draw(st.integers(0, 2))
    n_subjects = draw(st.integers(1, 4))
    subjects = tuple(
        SubjectSpec(f"s{s}", unit=draw(st.integers(-1, n_units - 1)), key=f"s{s}") for s in range(n_subjects)
    )
    units = tuple(UnitSpec(f"u{u}", key=f"u{u}") for u in range(n_units))
    n_dimensions = draw(st.integers(1, 3))
    weights = tuple(draw(st.sampled_from((1.0, 2.0, 0.5))) for _ in range(n_dimensions))
    option = st.sampled_from((EXCELLENT, COMPETENT, 2, INCOMPETENT, UNKNOWN, UNKNOWN, None))
    ballots = []
    for _ in range(draw(st.integers(1, 9))):
        group = draw(st.integers(0, n_groups - 1))
        rated = draw(st.sets(st.integers(0, n_subjects - 1), min_size=1))
        ballots.append((group, {s: [draw(option) for _ in range(n_dimensions)] for s in sorted(rated)}))
    spec = make_spec(
        subjects=subjects,
        units=units,
        dimension_weights=weights,
        groups=groups,
        scale=competence_scale(),
        trim_extremes=draw(st.booleans()),
    )
    return option_ballots(*ballots), spec


def hidden_cells(answers: AnswerColumns, spec) -> list[np.ndarray]:
    """Row masks of every hidden cell, counted here from the raw rows, independently.

    (subject, group) cells with fewer respondents than the group's minimum, and
    (subject, group, dimension) cells with fewer scored answers than that minimum.
    """
    scored = np.isfinite(answers.score)
    respondents: dict[tuple[int, int], set[int]] = defaultdict(set)
    dimension_answers: dict[tuple[int, int, int], int] = defaultdict(int)
    for row in np.flatnonzero(scored):
        s, g, d = int(answers.subject[row]), int(answers.group[row]), int(answers.dimension[row])
        respondents[s, g].add(int(answers.ballot[row]))
        dimension_answers[s, g, d] += 1
    cells = []
    for (s, g), people in respondents.items():
        if len(people) < spec.groups[g].min_size:
            cells.append(scored & (answers.subject == s) & (answers.group == g))
    for (s, g, d), count in dimension_answers.items():
        if count < spec.groups[g].min_size:
            cells.append(scored & (answers.subject == s) & (answers.group == g) & (answers.dimension == d))
    return cells


def with_cell_set_to(answers: AnswerColumns, cell: np.ndarray, option: int) -> AnswerColumns:
    options = np.where(cell, option, answers.option)
    scores = np.where(cell, SCORES[option], answers.score)
    return AnswerColumns(answers.ballot, answers.subject, answers.dimension, answers.group, scores, options)


def published(answers: AnswerColumns, spec):
    """Everything any viewer can read of a survey's results (quality flags are per ballot,
    for organizers reviewing ballots, not an aggregate)."""
    results = compute_results(answers, spec)
    return (
        results.subjects,
        results.units,
        results.subject_ranking,
        results.subject_rankings_by_category,
        results.unit_ranking,
        results.unit_rankings_by_category,
        results.survey_average,
        results.reliability,
        results.comparisons,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_surveys())
@example(_second_bureau())
def test_no_hidden_cell_can_be_solved_from_what_is_published(survey) -> None:
    answers, spec = survey
    for cell in hidden_cells(answers, spec):
        assert published(with_cell_set_to(answers, cell, EXCELLENT), spec) == published(
            with_cell_set_to(answers, cell, INCOMPETENT), spec
        ), "a hidden cell changes a published figure, so it can be solved from them"


def test_the_property_detects_the_leak_it_guards_against() -> None:
    # The check itself must be able to fail: a publication that includes the hidden cell
    # (here: 丙's raw ratings pooled into one mean) differs between the two variants.
    answers, spec = _second_bureau()
    (cell,) = [c for c in hidden_cells(answers, spec) if c.any()][:1]

    def leaky(variant: AnswerColumns) -> float:
        return float(np.nanmean(variant.score))

    assert leaky(with_cell_set_to(answers, cell, EXCELLENT)) != pytest.approx(
        leaky(with_cell_set_to(answers, cell, INCOMPETENT))
    )


def test_a_group_left_below_its_minimum_by_the_rule_is_hidden_whole() -> None:
    # 上级 (min 3): two rate 服务意识 only, the third rates 廉洁自律 only. Both dimension
    # cells are below 3, so no answer is disclosed, and the group (3 respondents) must not
    # show an index built from them.
    spec = make_spec(dimension_weights=(1.0, 1.0), groups=(("上级", 1.0, 3),), scale=competence_scale())
    answers = option_ballots(
        (0, {0: [EXCELLENT, None]}),
        (0, {0: [COMPETENT, None]}),
        (0, {0: [None, INCOMPETENT]}),
    )
    (subject,) = compute_results(answers, spec).subjects
    assert subject.index is None and subject.groups[0].is_reportable is False
    assert subject.dimensions == (None, None)
