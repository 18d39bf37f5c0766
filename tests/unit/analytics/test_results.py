"""compute_results end to end: units, rankings, reliability, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analytics import AnswerColumns, SubjectSpec, UnitSpec, compute_results, unit_indices
from tests.unit.analytics.builders import make_spec, score_ballots, worked_example

UNIT_SUBJECTS = (
    SubjectSpec("局长", unit=0, category="部门"),
    SubjectSpec("副局长", unit=0, category="部门"),
    SubjectSpec("无单位", unit=-1),
)
UNITS = (UnitSpec("甲局", category="部门", key="u0"), UnitSpec("乙办", category="部门", key="u1"))


def unit_answers() -> AnswerColumns:
    return score_ballots(
        (0, {0: [100.0, 80.0], 1: [60.0, None], 2: [0.0, 0.0]}),
        (0, {0: [50.0, 50.0]}),
    )


def test_unit_pools_all_rows_of_its_subjects_per_respondent() -> None:
    spec = make_spec(subjects=UNIT_SUBJECTS, units=UNITS, dimension_weights=(1.0, 1.0))
    first, second = unit_indices(unit_answers(), spec)
    # Ballot 0: (100 + 80 + 60) / 3 = 80 (not the mean of 90 and 60); ballot 1: 50.
    assert first.index == pytest.approx(65.0)
    assert (first.n_raw, first.n) == (2, 2)
    assert first.dimensions == (pytest.approx(70.0), pytest.approx(65.0))
    assert second.index is None
    assert (first.label, first.key, first.unit) == ("甲局", "u0", -1)


def test_compute_results_ranks_units_and_subjects() -> None:
    spec = make_spec(subjects=UNIT_SUBJECTS, units=UNITS, dimension_weights=(1.0, 1.0))
    results = compute_results(unit_answers(), spec)
    assert [u.rank_overall for u in results.units] == [1, None]
    assert [s.rank_overall for s in results.subjects] == [1, 2, 3]
    assert [e.label for e in results.unit_ranking.entries] == ["甲局", "乙办"]
    assert [r.category for r in results.unit_rankings_by_category] == ["部门"]


def test_compute_results_on_the_worked_example() -> None:
    answers, spec = worked_example()
    results = compute_results(answers, spec)
    (subject,) = results.subjects
    assert subject.index == pytest.approx(83.2)
    assert subject.rank_overall == 1
    assert results.units == ()
    assert results.survey_average == pytest.approx(83.2)
    # Ballot 6 is 下级's only one (below its minimum): not even α may use it.
    assert results.reliability.alpha_cases == 4
    assert results.reliability.icc is None  # one subject: no targets to tell apart
    assert results.quality.n_ballots == 6


def test_empty_survey_computes_without_error() -> None:
    spec = make_spec(subjects=UNIT_SUBJECTS, units=UNITS)
    results = compute_results(AnswerColumns.empty(), spec)
    assert [s.index for s in results.subjects] == [None, None, None]
    assert results.survey_average is None
    assert results.reliability.alpha is None
    assert results.quality.n_ballots == 0


def test_equal_inputs_give_equal_results() -> None:
    answers, spec = worked_example()
    copy = AnswerColumns(*(np.array(getattr(answers, f.name)) for f in dataclasses.fields(answers)))
    assert compute_results(answers, spec) == compute_results(copy, spec)


def test_results_are_frozen() -> None:
    answers, spec = worked_example()
    results = compute_results(answers, spec)
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.subjects[0].index = 100.0  # type: ignore[misc]
