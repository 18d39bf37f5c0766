"""相互印证 of visit findings against the latest evaluation: hand-made cases, both
directions, agreement, and the thresholds' edges (analytics/crosscheck_fieldwork.py)."""

import pytest

from analytics.crosscheck_fieldwork import (
    Findings,
    FlagKind,
    Rating,
    Standing,
    Thresholds,
    crosscheck_fieldwork,
    rating_standing,
)


@pytest.mark.parametrize(("rating", "standing", "by_index", "by_rank"), [
    (Rating(90.0), Standing.HIGH, True, False),  # ≥ 90 is high
    (Rating(89.9, 5, 20), Standing.HIGH, False, True),  # 5 of 20: the top quarter is ranks 1–5
    (Rating(89.9, 6, 20), Standing.NEUTRAL, False, False),
    (Rating(69.9), Standing.LOW, True, False),  # below 70 is low
    (Rating(75.0, 16, 20), Standing.LOW, False, True),  # ranks 16–20 are the bottom quarter
    (Rating(75.0, 3, 3), Standing.NEUTRAL, False, False),  # three ranked: ranks do not count
    (Rating(92.0, 20, 20), Standing.NEUTRAL, False, False),  # high index, bottom rank: not judged
    (Rating(None), Standing.NEUTRAL, False, False),
])
def test_standing_by_index_or_rank(rating, standing, by_index, by_rank):
    result = rating_standing(rating)
    assert (result.standing, result.by_index, result.by_rank) == (standing, by_index, by_rank)


def test_a_well_rated_cadre_with_problems_found_on_site_is_flagged():
    flag = crosscheck_fieldwork(Rating(93.2, 2, 20), Findings(open_problems=1, verified_problems=1))
    assert flag is not None and flag.kind is FlagKind.WELL_RATED_WITH_PROBLEMS
    assert flag.standing.band == 5 and flag.findings.open_problems == 1


def test_a_poorly_rated_cadre_with_verified_achievements_is_flagged():
    flag = crosscheck_fieldwork(Rating(65.0, 19, 20), Findings(verified_achievements=2))
    assert flag is not None and flag.kind is FlagKind.POORLY_RATED_WITH_ACHIEVEMENTS


@pytest.mark.parametrize(("rating", "findings"), [
    (Rating(93.2), Findings(verified_achievements=3)),  # well rated, achievements: agree
    (Rating(65.0), Findings(open_problems=2, verified_problems=1)),  # poorly rated, problems: agree
    (Rating(65.0), Findings()),
    (Rating(80.0, 10, 20), Findings(open_problems=2, verified_achievements=2)),  # middling: not judged
    (None, Findings(open_problems=1)),
])
def test_no_flag_when_the_sources_agree_or_one_is_silent(rating, findings):
    assert crosscheck_fieldwork(rating, findings) is None


def test_thresholds_are_parameters():
    strict = Thresholds(high_index=95.0)
    assert crosscheck_fieldwork(Rating(93.0), Findings(open_problems=1), strict) is None
    assert crosscheck_fieldwork(Rating(96.0), Findings(open_problems=1), strict) is not None
