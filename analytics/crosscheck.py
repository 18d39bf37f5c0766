"""Cross-checking (相互印证): flag sharp disagreement between respondent groups."""

from __future__ import annotations

from collections.abc import Sequence

from analytics.types import Disagreement


def find_disagreement(group_indices: Sequence[float | None], gap: float) -> Disagreement | None:
    """Return the widest gap between two groups' indices, flagged when it exceeds ``gap``.

    Pass None for groups that are not reportable; they never take part. Return
    None when fewer than two groups have an index. Ties go to the lower group index.
    """
    present = [(value, group) for group, value in enumerate(group_indices) if value is not None]
    if len(present) < 2:
        return None
    high_value, high_group = max(present, key=lambda item: (item[0], -item[1]))
    low_value, low_group = min(present, key=lambda item: (item[0], item[1]))
    widest = high_value - low_value
    return Disagreement(gap=widest, high_group=high_group, low_group=low_group, is_flagged=widest > gap)
