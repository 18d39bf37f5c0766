"""Data quality per ballot: straight-lining, speeders and open-link bursts."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from analytics.types import (
    AnalysisSettings,
    AnswerColumns,
    BallotQuality,
    BoolArray,
    FloatArray,
    IntArray,
)


def straight_lining(answers: AnswerColumns, n_ballots: int, min_ratings: int = 4) -> BoolArray:
    """Flag ballots that gave the same score to every scored rating, with at least ``min_ratings`` of them.

    Equal scores stand for equal options (options of one scale have distinct
    scores); 不了解 and unanswered items are ignored.
    """
    scored = np.isfinite(answers.score)
    ballot, score = answers.ballot[scored], answers.score[scored]
    counts = np.bincount(ballot, minlength=n_ballots)
    reference = np.zeros(n_ballots)
    reference[ballot] = score  # any one of the ballot's scores will do
    mismatches = np.bincount(ballot, weights=score != reference[ballot], minlength=n_ballots)
    flags: BoolArray = (counts >= min_ratings) & (mismatches == 0)
    return flags


def speeders(durations: npt.ArrayLike, fraction: float = 1.0 / 3.0) -> BoolArray:
    """Flag ballots completed in less than ``fraction`` of the median duration.

    NaN marks an unknown duration: never flagged, and left out of the median.
    """
    seconds: FloatArray = np.asarray(durations, dtype=np.float64)
    known = np.isfinite(seconds)
    if not np.any(known):
        return np.zeros(seconds.shape[0], dtype=np.bool_)
    threshold = fraction * float(np.median(seconds[known]))
    return known & (seconds < threshold)


def flag_burst_buckets(counts: npt.ArrayLike, factor: float = 3.0) -> BoolArray:
    """Flag time buckets holding more than ``factor`` × the median of the non-empty buckets.

    Empty buckets are left out of the median so quiet nights do not make every
    busy minute look like a burst.
    """
    per_bucket: IntArray = np.asarray(counts, dtype=np.int64)
    busy = per_bucket[per_bucket > 0]
    if busy.size == 0:
        return np.zeros(per_bucket.shape[0], dtype=np.bool_)
    return per_bucket > factor * float(np.median(busy))


def ballot_quality(
    answers: AnswerColumns,
    *,
    n_ballots: int | None = None,
    durations: npt.ArrayLike | None = None,
    ballot_bucket: npt.ArrayLike | None = None,
    settings: AnalysisSettings | None = None,
    too_fast: npt.ArrayLike | None = None,
) -> BallotQuality:
    """Run every data-quality check and list the flagged ballots.

    ``durations`` holds seconds per ballot (NaN unknown), judged against their median;
    ``too_fast`` holds flags already judged when each ballot was stored (the app keeps no
    durations), and wins over ``durations``. ``ballot_bucket``
    holds the submit-time bucket (e.g. minute) of each open-link ballot, -1 for
    ballots that came through a one-time code or whose time is unknown.
    """
    settings = settings or AnalysisSettings()
    sizes = [answers.n_ballots, n_ballots or 0]
    seconds = None if durations is None else np.asarray(durations, dtype=np.float64)
    buckets = None if ballot_bucket is None else np.asarray(ballot_bucket, dtype=np.int64)
    sizes += [
        0 if seconds is None else seconds.shape[0],
        0 if buckets is None else buckets.shape[0],
    ]
    total = max(sizes)
    straight = straight_lining(answers, total, settings.straight_line_min_ratings)
    fast = np.zeros(total, dtype=np.bool_)
    if too_fast is not None:
        judged: BoolArray = np.asarray(too_fast, dtype=np.bool_)
        fast[: judged.shape[0]] = judged
    elif seconds is not None:
        fast[: seconds.shape[0]] = speeders(seconds, settings.speeder_fraction)
    in_burst = np.zeros(total, dtype=np.bool_)
    burst_buckets = np.zeros(0, dtype=np.int64)
    if buckets is not None and np.any(buckets >= 0):
        timed = buckets >= 0
        flagged_buckets = flag_burst_buckets(np.bincount(buckets[timed]), settings.burst_factor)
        burst_buckets = np.flatnonzero(flagged_buckets)
        in_burst[: buckets.shape[0]] = timed & flagged_buckets[np.where(timed, buckets, 0)]
    return BallotQuality(
        n_ballots=total,
        straight_lining=_indices(straight),
        speeders=_indices(fast),
        in_burst=_indices(in_burst),
        burst_buckets=tuple(int(b) for b in burst_buckets.tolist()),
    )


def _indices(flags: BoolArray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(flags).tolist())
