"""Grade distributions: counts and shares per scale option, 优秀率/称职率/满意率."""

from __future__ import annotations

from collections.abc import Sequence

from analytics.types import GradeBreakdown, ScaleSpec


def grade_breakdown(counts: Sequence[int], scale: ScaleSpec, negative_threshold: float) -> GradeBreakdown:
    """Summarise option counts; keep 不了解 apart and out of every denominator.

    A rate is None when its option set is empty for this scale or nothing was
    rated. The negative flag is raised when the negative share exceeds the
    threshold (strictly).
    """
    if len(counts) != len(scale.labels):
        raise ValueError("one count per scale option is required")
    unknown = scale.unknown
    rated = sum(int(c) for i, c in enumerate(counts) if i not in unknown)
    shares = tuple(None if i in unknown or rated == 0 else int(c) / rated for i, c in enumerate(counts))

    def rate(options: frozenset[int]) -> float | None:
        if not options or rated == 0:
            return None
        return sum(int(counts[i]) for i in options) / rated

    negative_share = rate(scale.negative)
    return GradeBreakdown(
        counts=tuple(int(c) for c in counts),
        rated=rated,
        unknown=sum(int(counts[i]) for i in unknown),
        shares=shares,
        top_share=rate(scale.top),
        pass_share=rate(scale.passing),
        satisfied_share=rate(scale.satisfied),
        negative_share=negative_share,
        is_negative_flagged=negative_share is not None and negative_share > negative_threshold,
    )
