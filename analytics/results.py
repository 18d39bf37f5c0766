"""One call for a results page: indices, units, rankings, reliability, comparisons, quality."""

from __future__ import annotations

from collections.abc import Mapping

import numpy.typing as npt

from analytics.comparisons import average_index, compare_results
from analytics.disclosure import answer_subset, disclosed_composites, disclosed_tables
from analytics.indices import (
    ballot_groups,
    build_results,
    subject_entities,
    unit_entities,
    validate_answers,
)
from analytics.quality import ballot_quality
from analytics.ranking import rank_results
from analytics.reliability import reliability_from
from analytics.types import AnswerColumns, SurveyResults, SurveySpec


def compute_results(
    answers: AnswerColumns,
    spec: SurveySpec,
    *,
    previous: Mapping[str, float | None] | None = None,
    predecessors: Mapping[str, str] | None = None,
    durations: npt.ArrayLike | None = None,
    ballot_bucket: npt.ArrayLike | None = None,
    too_fast: npt.ArrayLike | None = None,
) -> SurveyResults:
    """Compute everything a results page needs from the scored answers in one call.

    ``previous`` and ``predecessors`` feed the subject comparisons (see
    compare_results); ``durations`` or ``too_fast``, and ``ballot_bucket``, feed the
    speeder and burst checks (see ballot_quality). Every figure is computed from the
    disclosed answers only (analytics.disclosure): no hidden cell can be solved from what
    is returned.
    """
    validate_answers(answers, spec)
    groups_of_ballots = ballot_groups(answers)
    decimals = spec.settings.rank_decimals

    subject_side = subject_entities(spec)
    subject_tables, disclosed = disclosed_tables(answers, spec, subject_side, groups_of_ballots)
    subjects, subject_ranking, subject_by_category = rank_results(
        build_results(subject_tables, subject_side, spec), decimals
    )
    disclosed_answers = answer_subset(answers, disclosed)
    unit_side = unit_entities(spec)
    unit_tables, _ = disclosed_tables(disclosed_answers, spec, unit_side, groups_of_ballots)
    units, unit_ranking, unit_by_category = rank_results(
        build_results(unit_tables, unit_side, spec),
        decimals,
    )
    return SurveyResults(
        subjects=subjects,
        units=units,
        subject_ranking=subject_ranking,
        subject_rankings_by_category=subject_by_category,
        unit_ranking=unit_ranking,
        unit_rankings_by_category=unit_by_category,
        survey_average=average_index(subjects),
        reliability=reliability_from(disclosed_answers, spec, disclosed_composites(subject_tables)),
        comparisons=compare_results(subjects, previous=previous, predecessors=predecessors),
        quality=ballot_quality(
            answers,
            durations=durations,
            ballot_bucket=ballot_bucket,
            settings=spec.settings,
            too_fast=too_fast,
        ),
    )
