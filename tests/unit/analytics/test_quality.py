"""Data-quality flags per ballot: straight-lining, speeders, open-link bursts."""

from __future__ import annotations

import numpy as np

from analytics import AnalysisSettings, ballot_quality, flag_burst_buckets, speeders, straight_lining
from tests.unit.analytics.builders import COMPETENT, EXCELLENT, UNKNOWN, option_ballots

SAME_FOUR = {0: [EXCELLENT, EXCELLENT], 1: [EXCELLENT, EXCELLENT]}


def test_straight_lining_needs_four_identical_ratings() -> None:
    answers = option_ballots(
        (0, SAME_FOUR),
        (0, {0: [EXCELLENT, EXCELLENT], 1: [EXCELLENT]}),  # only three ratings
        (0, {0: [EXCELLENT, EXCELLENT], 1: [EXCELLENT, COMPETENT]}),  # one differs
        (
            0,
            {0: [COMPETENT, COMPETENT], 1: [COMPETENT, UNKNOWN], 2: [COMPETENT, COMPETENT]},
        ),  # 不了解 ignored
    )
    assert straight_lining(answers, 4).tolist() == [True, False, False, True]
    assert straight_lining(answers, 4, min_ratings=6).tolist() == [False, False, False, False]


def test_speeders_are_below_a_third_of_the_median() -> None:
    durations = [300.0, 90.0, 110.0, np.nan, 330.0, 100.0]  # median of known: 110
    assert speeders(durations).tolist() == [False, False, False, False, False, False]
    assert speeders([300.0, 99.0, 310.0, 36.0, 320.0]).tolist() == [False, True, False, True, False]
    assert speeders([np.nan, np.nan]).tolist() == [False, False]


def test_burst_buckets_exceed_median_of_busy_buckets_times_factor() -> None:
    counts = [2, 0, 3, 0, 0, 10, 2, 3]  # busy median 3 → threshold 9
    assert np.flatnonzero(flag_burst_buckets(counts)).tolist() == [5]
    assert not flag_burst_buckets([0, 0]).any()
    assert np.flatnonzero(flag_burst_buckets(counts, factor=0.9)).tolist() == [2, 5, 7]


def test_ballot_quality_lists_flagged_ballots() -> None:
    answers = option_ballots(
        *[(0, SAME_FOUR) if b == 1 else (0, {0: [EXCELLENT, COMPETENT]}) for b in range(6)]
    )
    durations = [200.0, 210.0, 30.0, 190.0, np.nan, 220.0]
    buckets = [0, 1, 1, 1, 1, -1]  # bucket 1 holds 4, bucket 0 holds 1 → busy median 2.5
    quality = ballot_quality(
        answers, durations=durations, ballot_bucket=buckets, settings=AnalysisSettings(burst_factor=1.5)
    )
    assert quality.n_ballots == 6
    assert quality.straight_lining == (1,)
    assert quality.speeders == (2,)
    assert quality.burst_buckets == (1,)
    assert quality.in_burst == (1, 2, 3, 4)
    assert quality.flagged == (1, 2, 3, 4)


def test_ballot_quality_without_timing_flags_only_straight_lining() -> None:
    quality = ballot_quality(option_ballots((0, SAME_FOUR)), n_ballots=3)
    assert (quality.n_ballots, quality.straight_lining, quality.speeders, quality.in_burst) == (
        3,
        (0,),
        (),
        (),
    )


def test_ballot_quality_takes_too_fast_flags_judged_on_submission() -> None:
    answers = option_ballots(*[(0, {0: [EXCELLENT, COMPETENT]}) for _ in range(4)])
    quality = ballot_quality(answers, too_fast=[False, True, False, True], durations=[1.0, 500.0, 1.0, 500.0])
    assert quality.speeders == (1, 3)  # the stored flags win: the app keeps no durations
    assert ballot_quality(answers, too_fast=[False] * 4).speeders == ()
