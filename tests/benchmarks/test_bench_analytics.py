"""Benchmarks of the analytics package on synthetic answers from a seeded RNG.

The default run (--benchmark-disable) calls each once as a smoke test; run
``pytest tests/benchmarks --benchmark-enable`` for timings.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from analytics import (
    AnalysisSettings,
    AnswerColumns,
    GroupSpec,
    SubjectSpec,
    SurveySpec,
    UnitSpec,
    compute_results,
    scale_from_labels,
    subject_indices,
)

SUBJECTS = 25
DIMENSIONS = 4
GROUPS = (("上级", 0.4), ("同级", 0.2), ("下级", 0.2), ("服务对象", 0.2))
OPTION_SCORES = np.array([100.0, 80.0, 60.0, 0.0, np.nan])
OPTION_PROBABILITIES = [0.45, 0.35, 0.1, 0.05, 0.05]


def survey_spec() -> SurveySpec:
    """Return 25 subjects in 5 units of 3 categories, 4 dimensions, 4 groups, trimming on."""
    return SurveySpec(
        dimension_weights=(0.3, 0.3, 0.2, 0.2),
        dimension_labels=("服务意识", "担当精神", "解决实际问题", "廉洁自律"),
        groups=tuple(GroupSpec(label, weight, 5) for label, weight in GROUPS),
        subjects=tuple(
            SubjectSpec(f"干部{s}", unit=s % 5, category=f"类{s % 3}", key=f"s{s}") for s in range(SUBJECTS)
        ),
        units=tuple(UnitSpec(f"单位{u}", category=f"类{u % 3}", key=f"u{u}") for u in range(5)),
        scale=scale_from_labels(
            ["优秀", "称职", "基本称职", "不称职", "不了解"], [100.0, 80.0, 60.0, 0.0, None]
        ),
        settings=AnalysisSettings(trim_extremes=True),
    )


@functools.lru_cache(maxsize=3)
def synthetic_answers(n_answers: int) -> AnswerColumns:
    """Return every ballot rating every subject on every dimension, options drawn at random."""
    rng = np.random.default_rng(20260101 + n_answers)
    n_ballots = n_answers // (SUBJECTS * DIMENSIONS)
    per_ballot = SUBJECTS * DIMENSIONS
    ballot = np.repeat(np.arange(n_ballots, dtype=np.int64), per_ballot)
    subject = np.tile(np.repeat(np.arange(SUBJECTS, dtype=np.int64), DIMENSIONS), n_ballots)
    dimension = np.tile(np.arange(DIMENSIONS, dtype=np.int64), n_ballots * SUBJECTS)
    group = rng.integers(0, len(GROUPS), n_ballots)[ballot]
    option = rng.choice(len(OPTION_SCORES), size=ballot.size, p=OPTION_PROBABILITIES).astype(np.int64)
    return AnswerColumns(ballot, subject, dimension, group, OPTION_SCORES[option], option)


@pytest.mark.parametrize("n_answers", [10_000, 100_000, 1_000_000])
def test_bench_compute_results(benchmark, n_answers: int) -> None:  # type: ignore[no-untyped-def]
    answers, spec = synthetic_answers(n_answers), survey_spec()
    results = benchmark(compute_results, answers, spec)
    assert len(answers) == n_answers
    assert all(s.index is not None and 0.0 <= s.index <= 100.0 for s in results.subjects)
    assert results.reliability.icc is not None


def test_bench_subject_indices_1m(benchmark) -> None:  # type: ignore[no-untyped-def]
    answers = synthetic_answers(1_000_000)
    results = benchmark(subject_indices, answers, survey_spec())
    assert len(results) == SUBJECTS
