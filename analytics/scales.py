"""Answer scales: derive the rate sets of the standard Chinese presets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analytics.types import ScaleSpec

UNKNOWN_LABELS = frozenset({"不了解", "不清楚"})


@dataclass(frozen=True, slots=True)
class _Preset:
    labels: frozenset[str]
    top: frozenset[str]
    passing: frozenset[str]
    satisfied: frozenset[str]
    negative: frozenset[str]


# 好/较好 counts as the "pass" rate of the 好-scale (好评率), by analogy with 称职率.
_PRESETS: tuple[_Preset, ...] = (
    _Preset(
        labels=frozenset({"优秀", "称职", "基本称职", "不称职"}),
        top=frozenset({"优秀"}),
        passing=frozenset({"优秀", "称职"}),
        satisfied=frozenset(),
        negative=frozenset({"不称职"}),
    ),
    _Preset(
        labels=frozenset({"好", "较好", "一般", "差"}),
        top=frozenset({"好"}),
        passing=frozenset({"好", "较好"}),
        satisfied=frozenset(),
        negative=frozenset({"差"}),
    ),
    _Preset(
        labels=frozenset({"满意", "基本满意", "不满意"}),
        top=frozenset({"满意"}),
        passing=frozenset(),
        satisfied=frozenset({"满意", "基本满意"}),
        negative=frozenset({"不满意"}),
    ),
    _Preset(
        labels=frozenset({"非常满意", "满意", "一般", "不满意", "非常不满意"}),
        top=frozenset({"非常满意"}),
        passing=frozenset(),
        satisfied=frozenset({"非常满意", "满意"}),
        negative=frozenset({"不满意", "非常不满意"}),
    ),
)


def scale_from_labels(labels: Sequence[str], scores: Sequence[float | None]) -> ScaleSpec:
    """Build a scale whose rate sets follow the standard preset its labels match.

    Recognised presets (plus an optional 不了解/不清楚 option, whose score must be
    None): 优秀/称职/基本称职/不称职; 好/较好/一般/差; 满意/基本满意/不满意;
    非常满意/满意/一般/不满意/非常不满意. Raise ValueError for any other label set:
    build the ScaleSpec with explicit index sets instead.
    """
    cleaned = tuple(label.strip() for label in labels)
    for label, score in zip(cleaned, scores, strict=True):
        if (label in UNKNOWN_LABELS) != (score is None):
            raise ValueError(f"option {label!r}: only 不了解/不清楚 may (and must) have no score")
    scored = frozenset(label for label in cleaned if label not in UNKNOWN_LABELS)
    preset = next((p for p in _PRESETS if p.labels == scored), None)
    if preset is None or len(scored) != len(cleaned) - _count_unknown(cleaned):
        raise ValueError(f"labels {cleaned!r} match no standard preset; pass the index sets explicitly")

    def indices(wanted: frozenset[str]) -> frozenset[int]:
        return frozenset(i for i, label in enumerate(cleaned) if label in wanted)

    return ScaleSpec(
        labels=cleaned,
        scores=tuple(scores),
        top=indices(preset.top),
        passing=indices(preset.passing),
        satisfied=indices(preset.satisfied),
        negative=indices(preset.negative),
    )


def _count_unknown(labels: tuple[str, ...]) -> int:
    return sum(1 for label in labels if label in UNKNOWN_LABELS)
