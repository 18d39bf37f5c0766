"""The fonts of every PDF: chosen by what they can draw, and embedded in the file.

A PDF that names a font without embedding it (reportlab's CID font STSong-Light, or the
base-14 Helvetica and Courier) is drawn with whatever the reader substitutes: a phone or
a printer's RIP without Adobe's Asian font pack shows boxes or wrong widths. reportlab
embeds (a subset of) every TrueType font registered with it, so the PDFs use only those.

reportlab cannot embed PostScript (CFF) outlines, which rules out Debian's Noto CJK; the
candidates are TrueType CJK fonts a server may have (they cover rare characters in names
that GB2312 lacks) and, always present, the GB2312 subset of Noto Sans CJK SC bundled with
analytics, converted to TrueType outlines (analytics/fonts/README.md). A candidate must
draw Chinese, digits and Latin letters (Droid Sans Fallback, for one, has no digits).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from analytics.charts import BUNDLED_FONT_FILE, PROBES

CJK_FONT = "PingyiCJK"
CODE_FONT = "PingyiCode"

#: (file, face index in a collection), best coverage first; the bundled font last.
CJK_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    (str(BUNDLED_FONT_FILE), 0),
)
#: Besides PROBES, what the PDFs themselves print (page footers, tables, headings).
PDF_CHARACTERS = "第页共，。：；（）《》、—…–%"
#: The code on a slip: monospaced and bold, so 0/O and 1/I never look alike (matplotlib
#: ships DejaVu, so it is always there).
CODE_FONT_FILE = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSansMono-Bold.ttf"


@dataclass(frozen=True)
class FontChoice:
    """The CJK font registered for PDFs, and the capabilities it lacks (name → characters)."""

    path: str
    missing: dict[str, str]


def _required() -> dict[str, str]:
    return {**PROBES, "punctuation": PDF_CHARACTERS}


def _missing(font: TTFont) -> dict[str, str]:
    characters = font.face.charToGlyph
    missing = {}
    for capability, text in _required().items():
        absent = "".join(c for c in text if not characters.get(ord(c)))
        if absent:
            missing[capability] = absent
    return missing


def _load(path: str, index: int) -> TTFont | None:
    if not Path(path).is_file():
        return None
    try:
        return TTFont(CJK_FONT, path, subfontIndex=index)
    except (TTFError, OSError, ValueError):
        return None  # PostScript outlines, a damaged file: not a candidate


@functools.lru_cache(maxsize=1)
def register_fonts() -> FontChoice:
    """Register CJK_FONT (the first candidate that draws everything) and CODE_FONT."""
    fallback: tuple[TTFont, str, dict[str, str]] | None = None
    for path, index in CJK_CANDIDATES:
        font = _load(path, index)
        if font is None:
            continue
        missing = _missing(font)
        if not missing:
            return _register(font, path, missing)
        if fallback is None or _count(missing) < _count(fallback[2]):
            fallback = (font, path, missing)
    if fallback is None:
        raise RuntimeError(f"no TrueType CJK font for PDFs: the bundled {BUNDLED_FONT_FILE} is missing")
    return _register(*fallback)


def _count(missing: dict[str, str]) -> int:
    return sum(len(characters) for characters in missing.values())


def _register(font: TTFont, path: str, missing: dict[str, str]) -> FontChoice:
    pdfmetrics.registerFont(font)
    pdfmetrics.registerFont(TTFont(CODE_FONT, str(CODE_FONT_FILE)))
    return FontChoice(path=path, missing=missing)
