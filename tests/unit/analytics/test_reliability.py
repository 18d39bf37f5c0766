"""Cronbach's α and the Shrout–Fleiss ICCs against hand and published values."""

from __future__ import annotations

import numpy as np
import pytest

from analytics import cronbach_alpha, intraclass_correlations, survey_reliability
from tests.unit.analytics.builders import make_spec, score_ballots

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_shrout_fleiss_mean_squares() -> None:
    icc = intraclass_correlations(SHROUT_FLEISS)
    assert icc is not None
    # Published: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02
    assert (round(icc.bms, 2), round(icc.wms, 2), round(icc.jms, 2), round(icc.ems, 2)) == (
        11.24,
        6.26,
        32.49,
        1.02,
    )
    assert (icc.n_targets, icc.n_raters) == (6, 4)


def test_shrout_fleiss_six_forms() -> None:
    icc = intraclass_correlations(SHROUT_FLEISS)
    assert icc is not None
    forms = (icc.icc1_1, icc.icc2_1, icc.icc3_1, icc.icc1_k, icc.icc2_k, icc.icc3_k)
    # Exact values from BMS = 11.2417, WMS = 6.2639, JMS = 32.4861, EMS = 1.0194:
    exact = (0.1657, 0.2898, 0.7148, 0.4428, 0.6201, 0.9093)
    assert forms == pytest.approx(exact, abs=5e-5)
    published = (0.17, 0.29, 0.71, 0.44, 0.62, 0.91)
    assert tuple(round(value, 2) for value in forms if value is not None) == published


def test_icc_needs_two_targets_and_two_raters() -> None:
    assert intraclass_correlations([[1.0, 2.0]]) is None
    assert intraclass_correlations([[1.0], [2.0]]) is None
    icc = intraclass_correlations([[5.0, 5.0], [5.0, 5.0]])
    assert icc is not None
    assert icc.icc1_1 is None  # all mean squares are zero


def test_alpha_on_a_hand_case() -> None:
    items = [[2, 1, 3], [4, 3, 3], [6, 5, 7], [8, 7, 7]]
    # item variances 20/3, 20/3, 16/3; totals 6, 10, 18, 22 → variance 160/3
    assert cronbach_alpha(items) == pytest.approx(3 / 2 * (1 - (56 / 3) / (160 / 3)))
    assert cronbach_alpha(items) == pytest.approx(0.975)


def test_alpha_matches_published_values() -> None:
    # 8 cases × 4 items; 0.409 as computed by R's psych::alpha.
    small = [
        [3, 4, 3, 3],
        [5, 4, 4, 3],
        [1, 3, 4, 5],
        [4, 5, 4, 2],
        [1, 3, 4, 1],
        [3, 3, 3, 1],
        [3, 4, 5, 1],
        [1, 2, 1, 3],
    ]
    assert cronbach_alpha(small) == pytest.approx(0.409, abs=5e-4)
    # mtcars[, c("cyl", "gear", "carb", "hp")]: 0.09463206 in easystats/performance's tests.
    cyl = [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4]
    gear = [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5, 4]
    carb = [4, 4, 1, 1, 2, 1, 4, 2, 2, 4, 4, 3, 3, 3, 4, 4, 4, 1, 2, 1, 1, 2, 2, 4, 2, 1, 2, 2, 4, 6, 8, 2]
    hp = [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215, 230, 66, 52, 65, 97, 150, 150,
          245, 175, 66, 91, 113, 264, 175, 335, 109]  # fmt: skip
    assert cronbach_alpha(np.column_stack([cyl, gear, carb, hp])) == pytest.approx(0.09463206, abs=1e-8)


def test_alpha_degenerate_cases() -> None:
    assert cronbach_alpha([[1.0], [2.0]]) is None  # one item
    assert cronbach_alpha([[1.0, 2.0]]) is None  # one case
    assert cronbach_alpha([[3.0, 3.0], [3.0, 3.0]]) is None  # no variance
    assert cronbach_alpha([[2, 1, 3], [4, 3, 3], [np.nan, 1, 1], [6, 5, 7], [8, 7, 7]]) == pytest.approx(
        0.975
    )


def test_survey_alpha_uses_ballot_subject_cases_with_every_dimension_scored() -> None:
    rows = [[20.0, 10.0, 30.0], [40.0, 30.0, 30.0], [60.0, 50.0, 70.0], [80.0, 70.0, 70.0]]
    answers = score_ballots(*[(0, {0: row}) for row in rows], (0, {0: [50.0, None, 10.0]}))
    reliability = survey_reliability(answers, make_spec(dimension_weights=(1.0, 1.0, 1.0)))
    assert reliability.alpha == pytest.approx(0.975)
    assert reliability.alpha_cases == 4


def test_survey_icc_uses_subjects_as_targets_and_complete_ballots_as_raters() -> None:
    judges = np.array(SHROUT_FLEISS, dtype=float).T * 10.0  # ballots × subjects
    ballots = [(0, {s: [float(score)] for s, score in enumerate(row)}) for row in judges]
    partial = (0, {0: [50.0], 1: [60.0]})  # rated two subjects only: not a rater for the ICC
    reliability = survey_reliability(score_ballots(*ballots, partial), make_spec(subjects=6))
    assert reliability.icc is not None
    assert (reliability.icc.n_targets, reliability.icc.n_raters) == (6, 4)
    assert reliability.icc.icc2_1 == pytest.approx(0.2898, abs=5e-5)
    assert reliability.alpha is None  # a single dimension has no internal consistency
