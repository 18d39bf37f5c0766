"""The chart of a choice question's tally: the share of respondents choosing each option,
one bar per respondent group and one for the total. Drawn like every chart in
``analytics.charts`` (Figure API, CJK font, PNG or SVG bytes); labels come from the caller.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.ticker import PercentFormatter

from analytics.charts import ChartFormat, _chart_style, _matrix, _new_figure, _render, _row_height, _titles


def choice_shares_chart(
    option_labels: Sequence[str],
    series_labels: Sequence[str],
    shares: Sequence[Sequence[float | None]],
    *,
    title: str = "",
    fmt: ChartFormat = "png",
) -> bytes:
    """Draw horizontal bars of option shares (0–1): ``shares[series][option]``.

    Bars are side by side, not stacked: with multiple choice a series' shares add up to
    more than 100 %. None draws no bar.
    """
    matrix = _matrix(shares, len(series_labels), len(option_labels)) * 100.0
    with _chart_style():
        figure = _new_figure(7.5, _row_height(len(option_labels) * max(1, len(series_labels)) // 2 + 1) + 0.6)
        axes = figure.subplots()
        rows = np.arange(len(option_labels))
        height = 0.8 / max(1, len(series_labels))
        for i, (label, values) in enumerate(zip(series_labels, matrix, strict=True)):
            present = np.isfinite(values)
            offsets = rows - 0.4 + height * (i + 0.5)
            axes.barh(offsets[present], values[present], height=height, label=label)
        axes.set_yticks(rows, list(option_labels))
        axes.invert_yaxis()
        axes.set_xlim(0.0, 100.0)
        axes.xaxis.set_major_formatter(PercentFormatter(100.0))
        if len(series_labels) > 0:
            figure.legend(loc="outside lower center", ncols=min(4, len(series_labels)), fontsize="small")
        _titles(axes, title)
        return _render(figure, fmt)
