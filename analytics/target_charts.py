"""The 指标考评 chart: each unit's share of each leaf's points (得分率), as a heat map.

Like analytics.charts (whose style, fonts and rendering it shares): Figure API only, every
label passed in, PNG or SVG bytes out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps

from analytics.charts import ChartFormat, _chart_style, _matrix, _new_figure, _render, _titles


def completion_heatmap(
    unit_labels: Sequence[str],
    leaf_labels: Sequence[str],
    shares: Sequence[Sequence[float | None]],
    *,
    title: str = "",
    missing_label: str = "—",
    fmt: ChartFormat = "png",
) -> bytes:
    """Draw ``shares[unit][leaf]`` (0–100, None: no value) as coloured cells with their
    numbers: units down, leaves across, in the order given."""
    matrix = _matrix(shares, len(unit_labels), len(leaf_labels))
    with _chart_style():
        figure = _new_figure(max(5.0, 0.75 * len(leaf_labels) + 3.0), max(2.4, 0.42 * len(unit_labels) + 1.8))
        axes = figure.subplots()
        if matrix.size == 0:
            axes.set_axis_off()
            axes.text(0.5, 0.5, missing_label, ha="center", va="center")
            _titles(axes, title)
            return _render(figure, fmt)
        cmap = colormaps["RdYlGn"].with_extremes(bad="#dddddd")
        image = axes.imshow(np.ma.masked_invalid(matrix), cmap=cmap, vmin=0.0, vmax=100.0, aspect="auto")
        if len(unit_labels) * len(leaf_labels) <= 600:
            for (row, column), value in np.ndenumerate(matrix):
                axes.text(column, row, missing_label if np.isnan(value) else f"{value:.0f}",
                          ha="center", va="center", fontsize="x-small", color="#222222")
        axes.set_xticks(np.arange(len(leaf_labels)), list(leaf_labels), rotation=45, ha="right")
        axes.set_yticks(np.arange(len(unit_labels)), list(unit_labels))
        figure.colorbar(image, ax=axes, shrink=0.8)
        _titles(axes, title)
        return _render(figure, fmt)
