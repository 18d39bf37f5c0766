from analytics.target_charts import completion_heatmap


def test_the_heatmap_draws_png_and_svg_with_missing_cells():
    png = completion_heatmap(["甲局", "乙局"], ["1.1 招商", "1.2 项目"], [[93.3, None], [100, 0]], title="得分率")
    assert png.startswith(b"\x89PNG")
    svg = completion_heatmap(["甲局"], ["1.1"], [[50]], fmt="svg")
    assert b"<svg" in svg


def test_an_empty_heatmap_still_draws():
    assert completion_heatmap([], [], []).startswith(b"\x89PNG")
