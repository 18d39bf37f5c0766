"""Comparisons with last year, the predecessor in the post, the unit and the survey average."""

from __future__ import annotations

import pytest

from analytics import SubjectSpec, UnitSpec, compare_results, compute_results, subject_indices
from tests.unit.analytics.builders import make_spec, score_ballots

SUBJECTS = (
    SubjectSpec("局长", unit=0, key="a"),
    SubjectSpec("副局长", unit=0, key="b"),
    SubjectSpec("主任", unit=1, key="c"),
    SubjectSpec("新任", unit=1, key="d"),
)


def subjects_scoring(*scores: float | None) -> tuple:
    answers = score_ballots((0, {s: [x] for s, x in enumerate(scores) if x is not None}))
    spec = make_spec(subjects=SUBJECTS, units=(UnitSpec("甲局"), UnitSpec("乙办")))
    return subject_indices(answers, spec)


def test_deltas_against_previous_predecessor_unit_and_survey() -> None:
    results = subjects_scoring(90.0, 80.0, 70.0, 60.0)
    comparisons = compare_results(
        results, previous={"a": 85.0, "b": None, "x": 75.0}, predecessors={"d": "x"}
    )
    first, second, _, newcomer = comparisons
    assert (first.previous, first.delta_previous) == (85.0, pytest.approx(5.0))
    assert (second.previous, second.delta_previous) == (None, None)
    assert (first.unit_average, first.delta_unit) == (pytest.approx(85.0), pytest.approx(5.0))
    assert (first.survey_average, first.delta_survey) == (pytest.approx(75.0), pytest.approx(15.0))
    assert (newcomer.predecessor_key, newcomer.predecessor_index) == ("x", 75.0)
    assert newcomer.delta_predecessor == pytest.approx(-15.0)
    assert newcomer.previous is None


def test_missing_index_gives_no_deltas_and_is_left_out_of_averages() -> None:
    results = subjects_scoring(90.0, 80.0, None, 60.0)
    comparisons = compare_results(results, previous={"c": 70.0})
    assert comparisons[2].delta_previous is None
    assert comparisons[2].unit_average == pytest.approx(60.0)
    assert comparisons[0].survey_average == pytest.approx(230.0 / 3)


def test_compute_results_carries_comparisons() -> None:
    answers = score_ballots((0, {0: [90.0], 1: [70.0]}))
    spec = make_spec(subjects=SUBJECTS, units=(UnitSpec("甲局"), UnitSpec("乙办")))
    results = compute_results(answers, spec, previous={"a": 80.0})
    assert results.comparisons[0].delta_previous == pytest.approx(10.0)
    assert results.survey_average == pytest.approx(80.0)
