"""Charts: PNG and SVG bytes, and Chinese text set in a font that has the glyphs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable

import pytest
from matplotlib.ft2font import FT2Font

from analytics import charts

CHINESE = "优秀称职满意度"
DIMENSIONS = ["服务意识", "担当精神", "解决实际问题", "廉洁自律"]

Chart = Callable[[charts.ChartFormat], bytes]

CHARTS: dict[str, Chart] = {
    "ranking": lambda fmt: charts.ranking_chart(
        ["张三", "李四", "王五"],
        [88.5, None, 71.0],
        [84.0, None, 60.0],
        [93.0, None, 80.0],
        title="满意度指数排名",
        axis_label="指数",
        missing_label="样本不足",
        fmt=fmt,
    ),
    "profile_bars": lambda fmt: charts.dimension_profile_chart(
        DIMENSIONS, [80.0, 75.5, None, 90.0], title="维度", fmt=fmt
    ),
    "profile_radar": lambda fmt: charts.dimension_profile_chart(
        DIMENSIONS, [80.0, 75.5, 66.0, 90.0], title="维度", kind="radar", fmt=fmt
    ),
    "groups": lambda fmt: charts.group_bars_chart(
        ["张三", "李四"],
        ["上级", "同级", "服务对象"],
        [[80.0, 70.0], [None, 90.0], [60.0, 65.0]],
        title="分组",
        fmt=fmt,
    ),
    "grades": lambda fmt: charts.grade_distribution_chart(
        ["张三", "李四"],
        ["优秀", "称职", "基本称职", "不称职"],
        [[0.5, 0.3, 0.1, 0.1], [0.2, 0.3, None, 0.5]],
        title="等次分布",
        fmt=fmt,
    ),
    "trend": lambda fmt: charts.trend_chart(
        ["2023年", "2024年", "2025年"],
        [("张三", [80.0, None, 85.0]), ("单位平均", [78.0, 79.0, 81.0])],
        fmt=fmt,
    ),
}


def test_cjk_font_is_installed_and_has_the_glyphs() -> None:
    family = charts.find_cjk_font()
    assert family is not None, (
        "No CJK font found: install Debian's fonts-noto-cjk (CI does) so Chinese chart text does "
        f"not render as empty boxes. Families looked for: {', '.join(charts.CJK_FAMILIES)}"
    )
    location = charts.find_cjk_font_file()
    assert location is not None
    path, face = location
    charmap = FT2Font(path, face_index=face).get_charmap()
    missing = [character for character in CHINESE if ord(character) not in charmap]
    assert not missing, f"{family} ({path}) lacks {''.join(missing)}"


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_png_has_the_png_signature(name: str) -> None:
    # filterwarnings=error also turns any "Glyph missing from font" warning into a failure.
    assert CHARTS[name]("png").startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_svg_parses_and_draws_text_as_paths(name: str) -> None:
    svg = CHARTS[name]("svg")
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not list(root.iter("{http://www.w3.org/2000/svg}text"))  # glyphs are embedded as paths


def test_equal_inputs_give_equal_bytes() -> None:
    assert CHARTS["ranking"]("svg") == CHARTS["ranking"]("svg")
    assert CHARTS["grades"]("png") == CHARTS["grades"]("png")


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        charts.ranking_chart(["张三"], [80.0, 70.0])
    with pytest.raises(ValueError):
        charts.trend_chart(["2024"], [("张三", [80.0, 81.0])])
    with pytest.raises(ValueError):
        charts.ranking_chart(["张三"], [80.0], fmt="gif")  # type: ignore[arg-type]


def test_bundled_font_draws_chinese_where_no_cjk_font_is_installed():
    """A fresh machine has no CJK font: the subset shipped in analytics/fonts must serve."""
    script = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("error")  # a missing glyph warns: make it fail
        from matplotlib import font_manager
        import analytics.charts as charts
        manager = font_manager.fontManager
        manager.ttflist = [f for f in manager.ttflist if f.name not in charts.CJK_FAMILIES]
        charts.CJK_FONT_FILES = charts.CJK_FONT_FILES[-1:]
        charts.find_cjk_font.cache_clear()
        assert charts.find_cjk_font() == "Noto Sans CJK SC", charts.find_cjk_font()
        assert "analytics/fonts" in charts.find_cjk_font_file()[0]
        png = charts.ranking_chart(["张伟", "李娜"], [91.5, 80.0], title="满意度指数排名")
        assert png.startswith(b"\\x89PNG")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_charts_drawn_in_parallel_threads_all_keep_the_cjk_font():
    """A threaded web server draws several charts at once; none may lose the CJK font."""
    from concurrent.futures import ThreadPoolExecutor

    def draw(i: int) -> bytes:
        labels = ["满意", "基本满意", "不满意"]
        return charts.grade_distribution_chart(["曹明远"], labels, [[0.5, 0.4, 0.1]], title=f"评价等次分布{i}", fmt="svg")

    with ThreadPoolExecutor(max_workers=8) as pool:
        svgs = list(pool.map(draw, range(40)))
    # SVG glyph ids name their font: every glyph must come from the CJK face, none from
    # the fallback (which would draw the Chinese as empty boxes).
    assert all(b"NotoSansCJK" in svg and b"DejaVu" not in svg for svg in svgs)
