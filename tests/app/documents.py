"""Reading exported documents back in tests."""

import base64
import re
import shutil
import subprocess
import tempfile
import zlib
from html import unescape
from typing import NamedTuple

import pytest


def pdf_text(data: bytes, *, layout: bool = True) -> str | None:
    """Return the PDF's text by poppler's pdftotext, or None where it is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    command = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout.decode("utf-8")


def pdf_text_or_skip(data: bytes) -> str:
    """`pdf_text` (layout kept), skipping the test where pdftotext is not installed."""
    text = pdf_text(data)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    return text


def _poppler_or_skip(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed: PDF fonts not checked")


def pdf_fonts(data: bytes) -> list[dict[str, str]]:
    """Return poppler's pdffonts table: one dict per font (name, type, emb, sub, uni)."""
    _poppler_or_skip("pdffonts")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        lines = subprocess.run(["pdffonts", file.name], capture_output=True, check=True,
                               text=True).stdout.splitlines()
    # Fixed columns, as the dashes under the header show; a name may hold spaces.
    columns = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[1])]
    keys = ("name", "type", "encoding", "emb", "sub", "uni", "object", "generation")
    return [{key: line[start:end + 1].strip() for key, (start, end) in zip(keys, columns, strict=False)}
            for line in lines[2:] if line.strip()]


def assert_fonts_embedded(data: bytes) -> list[dict[str, str]]:
    """Fail unless every font of the PDF is embedded (poppler's pdffonts says emb yes)."""
    fonts = pdf_fonts(data)
    assert fonts, "the PDF names no font"
    bare = [font["name"] for font in fonts if font["emb"] != "yes"]
    assert not bare, f"fonts not embedded: {bare}"
    return fonts


class Word(NamedTuple):
    """A word on a PDF page, its box in points from the top left (pdftotext -bbox)."""

    text: str
    page: int
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def height(self) -> float:
        """The box height: about the font size."""
        return self.y_max - self.y_min


def pdf_words(data: bytes) -> list[Word]:
    """Return every word of the PDF with its page and box, by poppler's pdftotext -bbox."""
    _poppler_or_skip("pdftotext")
    html = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")
    words = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        for box in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                               page):
            x_min, y_min, x_max, y_max = map(float, box.groups()[:4])
            words.append(Word(unescape(box.group(5)), number, x_min, y_min, x_max, y_max))
    return words


def _stream_contents(data: bytes) -> list[bytes]:
    """Decode the PDF's streams: Flate (reportlab puts ASCII85 before it on pages) or raw."""
    contents = []
    for match in re.finditer(rb"<<((?:(?!>>).)*?/Length\s+(\d+)(?:(?!>>).)*)>>\s*stream\r?\n", data, re.DOTALL):
        dictionary, stream = match.group(1), data[match.end():match.end() + int(match.group(2))]
        if b"ASCII85Decode" in dictionary:
            stream = base64.a85decode(stream.strip().removesuffix(b"~>"))
        contents.append(zlib.decompress(stream) if b"FlateDecode" in dictionary else stream)
    return contents


def pdf_font_sizes(data: bytes) -> list[float]:
    """Return the size of every `Tf` (set font) operator in the PDF's content streams."""
    return [float(size) for content in _stream_contents(data)
            for size in re.findall(rb"/[\w+-]+\s+([\d.]+)\s+Tf\b", content)]
