"""Charts: PNG and SVG bytes, and Chinese text set in a font that has the glyphs."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib.ft2font import FT2Font

from analytics import charts
from tests.unit.analytics.glyphs import assert_draws

ROOT = Path(__file__).parents[3]

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


def test_chart_fonts_draw_chinese_digits_and_latin() -> None:
    check = charts.check_fonts()
    assert check.ok, f"chart fonts {check.families} cannot draw {check.missing}"
    assert charts.font_families()[-1] == charts.LATIN_FAMILY


def test_an_installed_cjk_font_comes_before_the_bundled_subset() -> None:
    """An installed font covers characters GB2312 lacks (names like 堃); CI installs Noto CJK."""
    families = charts.font_families()
    assert families[0] != charts.BUNDLED_FAMILY, (
        "No installed CJK font draws Chinese and digits: install Debian's fonts-noto-cjk (CI does); "
        f"charts fall back to the GB2312 subset. Families looked for: {', '.join(charts.CJK_FAMILIES)}")
    path, face = charts.font_file(families[0])
    assert ord("堃") in FT2Font(path, face_index=face).get_charmap()


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


# Run in a fresh interpreter with a fresh MPLCONFIGDIR: matplotlib builds its font cache
# from the machine's fonts, then the script rewrites that cache into the one of a server
# where Debian's fonts-droid-fallback (Chinese, but no Latin digits) was installed and
# Noto CJK was not (yet). `noto_on_disk` says whether Noto was installed afterwards.
_STALE_CACHE_SCRIPT = """
import sys, warnings
warnings.simplefilter("error")  # a missing glyph warns: make it fail
from matplotlib import font_manager
import analytics.charts as charts
from tests.unit.analytics.glyphs import assert_draws

digitless, noto_on_disk = sys.argv[1], sys.argv[2] == "1"
manager = font_manager.fontManager
manager.ttflist = [f for f in manager.ttflist if f.name not in charts.CJK_FAMILIES and "CJK" not in f.name]
manager.addfont(digitless)
assert "Droid Sans Fallback" in {f.name for f in manager.ttflist}
if not noto_on_disk:
    charts.CJK_FONT_FILES = ()

check = charts.check_fonts()
assert check.ok, check
families = charts.font_families()
assert families.index(charts.BUNDLED_FAMILY) < families.index("Droid Sans Fallback"), families
assert_draws("0123456789.% 评议满意度指数排名 Index 2026年", families)
charts.ranking_chart(["张伟", "李娜"], [91.5, 80.0], [88.0, None], [95.0, None],
                     title="满意度指数排名 2026", axis_label="指数")
charts.grade_distribution_chart(["张伟"], ["优秀", "称职"], [[0.5, 0.5]], title="等次")
charts.trend_chart(["2024", "2025"], [("张伟", [80.0, 82.5])], title="历年", fmt="svg")
print(families)
"""


def _digitless_cjk_font(directory: Path) -> Path:
    """A Chinese font without Latin digits or letters, named like Debian's Droid Sans Fallback."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(charts.BUNDLED_FONT_FILE)
    subsetter = subset.Subsetter()
    subsetter.populate(text="评议满意度指数排名优秀称职基本不张伟李娜等次历年维度分组上级同级服务对象")
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = "Droid Sans Fallback"
        elif record.nameID in (4, 6):
            record.string = "DroidSansFallback"
    path = directory / "DroidSansFallback-test.ttf"
    font.save(path)
    return path


@pytest.mark.parametrize("noto_on_disk", [True, False], ids=["noto-installed-after-cache", "no-noto"])
def test_a_cache_built_without_noto_still_draws_every_glyph(tmp_path: Path, noto_on_disk: bool) -> None:
    """The issue's server: the cache knows Droid Sans Fallback only; digits must not be boxes."""
    font = _digitless_cjk_font(tmp_path)
    environment = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    result = subprocess.run(
        [sys.executable, "-c", _STALE_CACHE_SCRIPT, str(font), "1" if noto_on_disk else "0"],
        capture_output=True, text=True, check=False, env=environment, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert ("Noto Sans CJK SC" in result.stdout) is noto_on_disk, result.stdout


def test_every_glyph_of_chart_text_is_drawn_not_a_box() -> None:
    assert_draws("0123456789.% ABCabc 满意度指数排名（含95%置信区间）优秀称职—", charts.font_families())


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
