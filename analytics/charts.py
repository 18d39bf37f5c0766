"""Charts as PNG or SVG bytes, drawn with matplotlib's Figure API (never pyplot).

Every label is passed in by the caller (no i18n here). Text is set in a list of
families (font_families) with per-glyph fallback: the first family that has a glyph
draws it. The list is chosen by what each font can draw, not by what matplotlib's font
cache happens to hold: a cache built before Noto CJK was installed may know only Droid
Sans Fallback, which has Chinese but no Latin digits (every number became a box).
SVG output converts glyphs to paths (svg.fonttype "path") so a browser without
the font still shows the Chinese text; files are larger but render anywhere.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal

import matplotlib
import numpy as np
from matplotlib import colormaps, font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import PercentFormatter

from analytics.types import FloatArray

ChartFormat = Literal["png", "svg"]

# Simplified-Chinese families first; the Serif and other-region faces still carry the glyphs.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Noto Serif CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
)
#: Shipped with the package: Noto Sans CJK SC subset to GB2312 with TrueType outlines
#: (fonts/README.md), so every machine draws Chinese and digits, and PDFs can embed it.
BUNDLED_FONT_FILE = Path(__file__).with_name("fonts") / "PingyiSansSC-GB2312.ttf"
BUNDLED_FAMILY = "Pingyi Sans SC"
#: matplotlib ships DejaVu Sans: Latin, digits and symbols whatever the machine has.
LATIN_FAMILY = "DejaVu Sans"
_DPI = 120
_SCALE_MAX = 100.0

#: What every chart must be able to draw, by capability name (numbers, Chinese labels).
PROBES: dict[str, str] = {
    "digits": "0123456789.%",
    "latin": "ABCXYZabcxyz",
    "chinese": "评议满意度指数优秀称职",
}

# Debian's packages, registered by file when matplotlib's font cache predates them.
CJK_FONT_FILES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@dataclass(frozen=True, slots=True)
class FontCheck:
    """The chart font list and the capabilities (PROBES keys) none of its fonts draws."""

    families: tuple[str, ...]
    missing: dict[str, str]  # capability -> the characters no family in the list has

    @property
    def ok(self) -> bool:
        return not self.missing


@functools.lru_cache(maxsize=1)
def font_families() -> tuple[str, ...]:
    """Return the chart font list, best first, for matplotlib's per-glyph fallback.

    Installed CJK fonts that draw both Chinese and digits come first (they cover rare
    characters the bundled GB2312 subset lacks), then the bundled font, then CJK fonts
    without digits (only for characters nothing before them has), then DejaVu Sans.
    """
    _register_font_files()
    installed = [family for family in CJK_FAMILIES if _font_entry(family) is not None]
    complete = [f for f in installed if _draws(f, PROBES["chinese"]) and _draws(f, PROBES["digits"])]
    partial = [f for f in installed if f not in complete and _draws(f, PROBES["chinese"])]
    return (*complete, BUNDLED_FAMILY, *partial, LATIN_FAMILY)


def check_fonts() -> FontCheck:
    """Report which PROBES characters no font of font_families() can draw."""
    families = font_families()
    charmaps = [_charmap(family) for family in families]
    missing = {}
    for capability, characters in PROBES.items():
        absent = "".join(c for c in characters if not any(ord(c) in charmap for charmap in charmaps))
        if absent:
            missing[capability] = absent
    return FontCheck(families=families, missing=missing)


def font_file(family: str) -> tuple[str, int] | None:
    """Return (path, face index in the collection) of the regular face of `family`."""
    entry = _font_entry(family)
    return (entry.fname, entry.index) if entry is not None else None


def _register_font_files() -> None:
    """Add the bundled font, and CJK font files the cache predates, to matplotlib's list."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in (*CJK_FONT_FILES, str(BUNDLED_FONT_FILE)):
        if path not in known and Path(path).is_file():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable file is simply not a candidate


def _font_entry(family: str) -> font_manager.FontEntry | None:
    faces = [entry for entry in font_manager.fontManager.ttflist
             if entry.name == family and entry.style == "normal"]
    return min(faces, key=lambda entry: abs(_weight(entry.weight) - 400)) if faces else None


def _charmap(family: str) -> dict[int, int]:
    location = font_file(family)
    return _file_charmap(*location) if location is not None else {}


@functools.lru_cache(maxsize=16)
def _file_charmap(path: str, index: int) -> dict[int, int]:
    # A charmap entry pointing at glyph 0 is .notdef, the empty box: not a glyph.
    return {code: glyph for code, glyph in FT2Font(path, face_index=index).get_charmap().items() if glyph}


def _draws(family: str, characters: str) -> bool:
    charmap = _charmap(family)
    return all(ord(c) in charmap for c in characters)


def _weight(weight: int | str) -> int:
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)


#: matplotlib's rcParams are one process-wide dict: a thread leaving rc_context would reset
#: the CJK font under another thread still drawing (empty boxes in a threaded web server),
#: so charts are drawn one at a time.
_STYLE_LOCK = threading.Lock()


def chart_rc() -> dict[str, object]:
    """Return the rcParams every chart is drawn with (the font list included)."""
    return {
        # A family *list* (not "sans-serif"): matplotlib falls back glyph by glyph along it.
        "font.family": list(font_families()),
        "axes.unicode_minus": False,  # CJK faces often lack U+2212
        "svg.fonttype": "path",
        "svg.hashsalt": "pingyi-analytics",  # stable ids: equal input, equal SVG
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


@contextmanager
def _chart_style() -> Iterator[None]:
    rc = chart_rc()
    with _STYLE_LOCK, matplotlib.rc_context(rc):
        yield


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=_DPI, layout="constrained")


def _render(figure: Figure, fmt: ChartFormat) -> bytes:
    if fmt not in ("png", "svg"):
        raise ValueError("fmt must be 'png' or 'svg'")
    buffer = BytesIO()
    # No Date metadata: a clock read would make equal inputs give different bytes.
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {"Software": None}
    figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def _as_floats(values: Sequence[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64).reshape(-1)


def _matrix(rows: Sequence[Sequence[float | None]], n_rows: int, n_columns: int) -> FloatArray:
    if len(rows) != n_rows or any(len(row) != n_columns for row in rows):
        raise ValueError(f"expected {n_rows} rows of {n_columns} values")
    matrix = np.full((n_rows, n_columns), np.nan)
    for i, row in enumerate(rows):
        matrix[i] = _as_floats(row)
    return matrix


def _row_height(rows: int) -> float:
    return max(2.4, 0.38 * rows + 1.2)


def _titles(axes: Axes, title: str, x_label: str = "", y_label: str = "") -> None:
    if title:
        axes.set_title(title, wrap=True)  # a long (English) title wraps within the figure
    if x_label:
        axes.set_xlabel(x_label)
    if y_label:
        axes.set_ylabel(y_label)


def ranking_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    lows: Sequence[float | None] | None = None,
    highs: Sequence[float | None] | None = None,
    *,
    title: str = "",
    axis_label: str = "",
    missing_label: str = "—",
    fmt: ChartFormat = "png",
) -> bytes:
    """Draw horizontal index bars, top row first, with 95% interval whiskers.

    Pass rows in ranking order. A None value draws no bar but ``missing_label``
    (e.g. 样本不足); a None bound draws no whisker.
    """
    count = len(labels)
    scores = _as_floats(values)
    low = _as_floats(lows) if lows is not None else np.full(count, np.nan)
    high = _as_floats(highs) if highs is not None else np.full(count, np.nan)
    if not (scores.size == low.size == high.size == count):
        raise ValueError("labels, values, lows and highs must have the same length")
    with _chart_style():
        figure = _new_figure(7.5, _row_height(count))
        axes = figure.subplots()
        rows = np.arange(count)
        axes.barh(rows, np.nan_to_num(scores), color="#3b6ea8", height=0.6)
        whiskered = np.isfinite(scores) & np.isfinite(low) & np.isfinite(high)
        if np.any(whiskered):
            spread = np.vstack([scores - low, high - scores])[:, whiskered]
            axes.errorbar(
                scores[whiskered],
                rows[whiskered],
                xerr=spread,
                fmt="none",
                ecolor="#222222",
                capsize=3,
            )
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            text = missing_label if np.isnan(score) else f"{score:.1f}"
            axes.text(
                0.5 if np.isnan(score) else 1.0,
                row,
                text,
                va="center",
                ha="left",
                color="white" if score > 12 else "#222222",
            )
        axes.set_yticks(rows, list(labels))
        axes.invert_yaxis()
        axes.set_xlim(0.0, _SCALE_MAX)
        _titles(axes, title, axis_label)
        return _render(figure, fmt)


def dimension_profile_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str = "",
    kind: Literal["bar", "radar"] = "bar",
    fmt: ChartFormat = "png",
) -> bytes:
    """Draw a dimension profile as bars or as a radar; None leaves a gap."""
    scores = _as_floats(values)
    if scores.size != len(labels):
        raise ValueError("labels and values must have the same length")
    with _chart_style():
        if kind == "radar":
            figure = _new_figure(5.5, 5.5)
            axes = figure.add_subplot(projection="polar")
            angles = np.linspace(0.0, 2 * np.pi, scores.size, endpoint=False)
            closed_angles = np.append(angles, angles[:1])
            closed_scores = np.append(scores, scores[:1])
            axes.plot(closed_angles, closed_scores, color="#3b6ea8", marker="o")
            if np.all(np.isfinite(scores)):
                # Filling through a missing dimension would draw it as a zero.
                axes.fill(closed_angles, closed_scores, color="#3b6ea8", alpha=0.2)
            axes.set_xticks(angles, list(labels))
            axes.set_ylim(0.0, _SCALE_MAX)
        elif kind == "bar":
            figure = _new_figure(max(4.0, 1.1 * scores.size + 1.5), 4.0)
            axes = figure.subplots()
            positions = np.arange(scores.size)
            bars = axes.bar(positions, np.nan_to_num(scores), color="#3b6ea8", width=0.6)
            axes.bar_label(
                bars,
                labels=["" if np.isnan(s) else f"{s:.1f}" for s in scores.tolist()],
                padding=2,
            )
            axes.set_xticks(positions, list(labels))
            axes.set_ylim(0.0, _SCALE_MAX)
        else:
            raise ValueError("kind must be 'bar' or 'radar'")
        _titles(axes, title)
        return _render(figure, fmt)


def group_bars_chart(
    categories: Sequence[str],
    series_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str = "",
    axis_label: str = "",
    fmt: ChartFormat = "png",
) -> bytes:
    """Draw grouped bars: one bar per series (e.g. respondent group) within each category.

    ``values[series][category]``; None (e.g. a non-reportable group) draws no bar.
    """
    matrix = _matrix(values, len(series_labels), len(categories))
    with _chart_style():
        figure = _new_figure(
            max(5.0, 0.9 * len(categories) * max(1, len(series_labels)) ** 0.5 + 2.0),
            4.2,
        )
        axes = figure.subplots()
        positions = np.arange(len(categories))
        width = 0.8 / max(1, len(series_labels))
        for i, (label, row) in enumerate(zip(series_labels, matrix, strict=True)):
            present = np.isfinite(row)
            offsets = positions - 0.4 + width * (i + 0.5)
            axes.bar(offsets[present], row[present], width=width, label=label)
        axes.set_xticks(positions, list(categories))
        axes.set_ylim(0.0, _SCALE_MAX)
        if len(series_labels) > 0:
            figure.legend(loc="outside right upper", fontsize="small")
        _titles(axes, title, "", axis_label)
        return _render(figure, fmt)


def grade_distribution_chart(
    row_labels: Sequence[str],
    option_labels: Sequence[str],
    shares: Sequence[Sequence[float | None]],
    *,
    title: str = "",
    fmt: ChartFormat = "png",
) -> bytes:
    """Draw stacked horizontal bars of option shares (0–1) per row, best option first.

    ``shares[row][option]``; pass the scored options only (不了解 is shown apart).
    """
    matrix = np.nan_to_num(_matrix(shares, len(row_labels), len(option_labels)))
    colours = colormaps["RdYlGn"](np.linspace(0.85, 0.1, max(1, len(option_labels))))
    with _chart_style():
        figure = _new_figure(7.5, _row_height(len(row_labels)) + 0.4)
        axes = figure.subplots()
        rows = np.arange(len(row_labels))
        left = np.zeros(len(row_labels))
        for option, label in enumerate(option_labels):
            width = matrix[:, option] * 100.0
            axes.barh(rows, width, left=left, height=0.6, label=label, color=colours[option])
            left = left + width
        axes.set_yticks(rows, list(row_labels))
        axes.invert_yaxis()
        axes.set_xlim(0.0, 100.0)
        axes.xaxis.set_major_formatter(PercentFormatter(100.0))
        if len(option_labels) > 0:
            figure.legend(loc="outside lower center", ncols=len(option_labels), fontsize="small")
        _titles(axes, title)
        return _render(figure, fmt)


def trend_chart(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str = "",
    axis_label: str = "",
    fmt: ChartFormat = "png",
) -> bytes:
    """Draw one line per series across periods (e.g. years); None leaves a gap."""
    with _chart_style():
        figure = _new_figure(max(5.0, 0.8 * len(periods) + 3.0), 4.0)
        axes = figure.subplots()
        positions = np.arange(len(periods))
        for label, values in series:
            points = _as_floats(values)
            if points.size != len(periods):
                raise ValueError(f"series {label!r} needs one value per period")
            axes.plot(positions, points, marker="o", label=label)
        axes.set_xticks(positions, list(periods))
        axes.set_ylim(0.0, _SCALE_MAX)
        if series:
            # Below the plot: long (English) series names must not squeeze the plot.
            figure.legend(loc="outside lower center", ncols=min(len(series), 2), fontsize="small")
        _titles(axes, title, "", axis_label)
        return _render(figure, fmt)


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
