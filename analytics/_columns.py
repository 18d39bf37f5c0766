"""Vectorised column helpers shared by the analytics modules (private)."""

from __future__ import annotations

import numpy as np

from analytics.types import BoolArray, FloatArray, IntArray

# Below this ratio of key space to rows a dense bincount beats a sort.
_DENSE_KEY_SPACE_PER_ROW = 8
_DENSE_KEY_SPACE_MIN = 1 << 16


def compact_keys(keys: IntArray, key_space: int) -> tuple[IntArray, IntArray]:
    """Map keys in [0, key_space) to dense codes; return (codes, sorted unique keys)."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if key_space <= _DENSE_KEY_SPACE_PER_ROW * keys.size + _DENSE_KEY_SPACE_MIN:
        present = np.bincount(keys, minlength=key_space) > 0
        lookup = np.cumsum(present, dtype=np.int64) - 1
        return lookup[keys], np.flatnonzero(present).astype(np.int64)
    unique, codes = np.unique(keys, return_inverse=True)
    return codes.astype(np.int64).reshape(-1), unique.astype(np.int64)


def safe_divide(numerator: FloatArray | IntArray, denominator: FloatArray | IntArray) -> FloatArray:
    """Divide element-wise, giving NaN where the denominator is zero."""
    out = np.full(np.broadcast_shapes(np.shape(numerator), np.shape(denominator)), np.nan)
    np.divide(numerator, denominator, out=out, where=np.asarray(denominator) != 0)
    return out


def grouped_mean_var(
    values: FloatArray, cells: IntArray, n_cells: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Return count, mean and sample variance (ddof 1) of values per cell.

    Means are NaN for empty cells, variances NaN for cells with fewer than two values.
    """
    counts = np.bincount(cells, minlength=n_cells).astype(np.int64)
    means = safe_divide(np.bincount(cells, weights=values, minlength=n_cells), counts)
    # Two passes rather than Σx² − n·mean², which cancels badly on tight score clusters.
    deviations = values - means[cells]
    squares = np.bincount(cells, weights=deviations * deviations, minlength=n_cells)
    variances = safe_divide(squares, np.where(counts >= 2, counts - 1, 0))
    return counts, means, variances


def trim_extremes_mask(values: FloatArray, cells: IntArray, n_cells: int, min_count: int) -> BoolArray:
    """Mark values to keep after dropping one lowest and one highest per cell of size >= min_count."""
    keep = np.ones(values.shape[0], dtype=np.bool_)
    if values.size == 0:
        return keep
    order = np.lexsort((values, cells))
    counts = np.bincount(cells, minlength=n_cells)
    ends = np.cumsum(counts)
    starts = ends - counts
    trimmed = np.flatnonzero(counts >= min_count)
    keep[order[starts[trimmed]]] = False
    keep[order[ends[trimmed] - 1]] = False
    return keep


def clip_scores(values: FloatArray) -> FloatArray:
    """Clip to [0, 100], leaving NaN alone (guards float noise at the ends)."""
    return np.clip(values, 0.0, 100.0)
