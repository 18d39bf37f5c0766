"""Pixel checks that text is drawn with real glyphs, not a placeholder box ("tofu").

A character no font in the list has is drawn as a box and matplotlib only warns: the box
of matplotlib's Last Resort font (which shows which Unicode block is missing) or a font's
.notdef glyph. Here each character is rendered alone and compared, pixel by pixel, with
those boxes: a real glyph has ink and differs from all of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

LAST_RESORT_FAMILY = "Last Resort High-Efficiency"
#: A private-use character no font here has: it renders as a font's .notdef.
NO_SUCH_CHARACTER = "\ue000"


def render(text: str, families: Sequence[str]) -> np.ndarray:
    """Return the ink (dark pixels) of `text` drawn alone in the family list, cropped to it."""
    with rc_context({"font.family": list(families)}):
        figure = Figure(figsize=(0.6, 0.6), dpi=80)
        figure.text(0.5, 0.5, text, fontsize=28, ha="center", va="center")
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        ink = np.asarray(canvas.buffer_rgba())[:, :, :3].mean(axis=2) < 128
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return ink[:0, :0]
    return ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]


def _boxes(character: str, families: Sequence[str]) -> list[np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing glyph is the point here
        boxes = [render(character, [LAST_RESORT_FAMILY])]
        boxes += [render(NO_SUCH_CHARACTER, [family]) for family in families]
    return boxes


def looks_alike(first: np.ndarray, second: np.ndarray) -> bool:
    """Same shape within a pixel and at most 8% of pixels differing: anti-aliasing and pen
    positions move a few edge pixels between two drawings of one box, a glyph moves many."""
    if abs(first.shape[0] - second.shape[0]) > 1 or abs(first.shape[1] - second.shape[1]) > 1:
        return False
    rows, columns = min(first.shape[0], second.shape[0]), min(first.shape[1], second.shape[1])
    if rows == 0 or columns == 0:
        return first.size == second.size
    differing = np.count_nonzero(first[:rows, :columns] != second[:rows, :columns])
    return differing <= 0.08 * rows * columns


def assert_draws(text: str, families: Sequence[str]) -> None:
    """Fail naming every character of `text` drawn as nothing or as a box."""
    missing = []
    for character in dict.fromkeys(text.replace(" ", "")):
        pixels = render(character, families)
        if pixels.size == 0 or any(looks_alike(pixels, box) for box in _boxes(character, families)):
            missing.append(character)
    assert not missing, f"drawn as empty boxes with {list(families)}: {''.join(missing)}"
