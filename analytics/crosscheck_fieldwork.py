"""Cross-checking (相互印证) of visit findings against evaluation results.

A cadre is *well rated* when the latest satisfaction index is at least ``high_index`` or
ranks in the top ``top_share`` of the ranked subjects, *poorly rated* when it is below
``low_index`` or ranks in the bottom ``bottom_share``; ranks count only among at least
``min_ranked`` subjects. A cadre both (a high index at the bottom of a strong field) or
neither is not judged. Findings are dossier items recorded on visits.

- a well-rated cadre with problems found on site (open: 待核实 or 存疑; or verified) is
  flagged ``WELL_RATED_WITH_PROBLEMS``;
- a poorly rated cadre with verified achievements found on site is flagged
  ``POORLY_RATED_WITH_ACHIEVEMENTS``;
- otherwise the two sources agree (or one is silent) and there is no flag.

Pure: no I/O, no i18n; the caller words the flag from the numbers it carries.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rating:
    """The latest evaluation result: index (None: 样本不足), rank among ``ranked`` subjects."""

    index: float | None
    rank: int | None = None
    ranked: int = 0


@dataclass(frozen=True, slots=True)
class Findings:
    """Counts of dossier items found on visits (refuted ones are not passed)."""

    open_problems: int = 0
    verified_problems: int = 0
    verified_achievements: int = 0


@dataclass(frozen=True, slots=True)
class Thresholds:
    high_index: float = 90.0
    low_index: float = 70.0
    top_share: float = 0.25
    bottom_share: float = 0.25
    min_ranked: int = 4


class Standing(enum.StrEnum):
    HIGH = "high"
    LOW = "low"
    NEUTRAL = "neutral"  # neither, both, or no index


class FlagKind(enum.StrEnum):
    WELL_RATED_WITH_PROBLEMS = "well_rated_with_problems"
    POORLY_RATED_WITH_ACHIEVEMENTS = "poorly_rated_with_achievements"


@dataclass(frozen=True, slots=True)
class StandingResult:
    """How the rating stands, and which tests made it so."""

    standing: Standing
    by_index: bool  # the index passed its threshold (≥ high or < low)
    by_rank: bool  # the rank is in the top (or bottom) share
    band: int  # how many ranks the share covers (0 when ranks do not count)


@dataclass(frozen=True, slots=True)
class FieldFlag:
    kind: FlagKind
    standing: StandingResult
    rating: Rating
    findings: Findings


def _band(ranked: int, share: float, minimum: int) -> int:
    return math.ceil(ranked * share) if ranked >= minimum else 0


def rating_standing(rating: Rating, thresholds: Thresholds = Thresholds()) -> StandingResult:
    """Return whether the rating is high, low or neither under the thresholds."""
    if rating.index is None:
        return StandingResult(Standing.NEUTRAL, False, False, 0)
    top = _band(rating.ranked, thresholds.top_share, thresholds.min_ranked)
    bottom = _band(rating.ranked, thresholds.bottom_share, thresholds.min_ranked)
    rank = rating.rank
    high_index, low_index = rating.index >= thresholds.high_index, rating.index < thresholds.low_index
    top_rank = bool(top and rank is not None and rank <= top)
    bottom_rank = bool(bottom and rank is not None and rank > rating.ranked - bottom)
    high, low = high_index or top_rank, low_index or bottom_rank
    if high and not low:
        return StandingResult(Standing.HIGH, high_index, top_rank, top)
    if low and not high:
        return StandingResult(Standing.LOW, low_index, bottom_rank, bottom)
    return StandingResult(Standing.NEUTRAL, False, False, 0)


def crosscheck_fieldwork(rating: Rating | None, findings: Findings,
                         thresholds: Thresholds = Thresholds()) -> FieldFlag | None:
    """Flag where visit findings and the latest evaluation disagree; None when they agree."""
    if rating is None:
        return None
    result = rating_standing(rating, thresholds)
    if result.standing is Standing.HIGH and findings.open_problems + findings.verified_problems > 0:
        return FieldFlag(FlagKind.WELL_RATED_WITH_PROBLEMS, result, rating, findings)
    if result.standing is Standing.LOW and findings.verified_achievements > 0:
        return FieldFlag(FlagKind.POORLY_RATED_WITH_ACHIEVEMENTS, result, rating, findings)
    return None
