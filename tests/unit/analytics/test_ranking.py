"""Competition ranks (1, 2, 2, 4), rounding, unranked subjects, per-category rankings."""

from __future__ import annotations

from analytics import SubjectSpec, competition_ranks, compute_results
from tests.unit.analytics.builders import make_spec, score_ballots


def test_ties_share_a_rank_and_skip_the_next() -> None:
    assert competition_ranks([90.0, 85.0, 85.0, 80.0]) == (1, 2, 2, 4)


def test_order_of_input_does_not_matter() -> None:
    assert competition_ranks([80.0, 85.0, 90.0, 85.0]) == (4, 2, 1, 2)


def test_float_noise_does_not_break_ties() -> None:
    assert competition_ranks([85.0 + 1e-9, 85.0 - 1e-9, 84.99]) == (1, 1, 3)


def test_subjects_without_index_are_unranked() -> None:
    assert competition_ranks([None, 70.0, None, 75.0]) == (None, 2, None, 1)
    assert competition_ranks([]) == ()


def test_rankings_overall_and_within_category() -> None:
    subjects = (
        SubjectSpec("甲", category="县区"),
        SubjectSpec("乙", category="部门"),
        SubjectSpec("丙", category="县区"),
        SubjectSpec("丁", category="部门"),
    )
    answers = score_ballots((0, {0: [90.0], 1: [80.0], 2: [80.0]}))
    results = compute_results(answers, make_spec(subjects=subjects))
    assert [r.rank_overall for r in results.subjects] == [1, 2, 2, None]
    assert [r.rank_in_category for r in results.subjects] == [1, 1, 2, None]
    assert [(e.label, e.rank) for e in results.subject_ranking.entries] == [
        ("甲", 1),
        ("乙", 2),
        ("丙", 2),
        ("丁", None),
    ]
    by_category = {
        r.category: [(e.label, e.rank) for e in r.entries] for r in results.subject_rankings_by_category
    }
    assert by_category == {"县区": [("甲", 1), ("丙", 2)], "部门": [("乙", 1), ("丁", None)]}
    assert results.subject_ranking.category is None
