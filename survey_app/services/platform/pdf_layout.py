"""PDF building blocks shared by every PDF export: A4 pages with an embedded CJK font
(`pdf_fonts`), numbered
"第 n 页，共 N 页" with a footer line, wrapped CJK paragraphs and tables, and charts scaled
to fit."""

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from survey_app.services.platform.pdf_fonts import CJK_FONT, register_fonts

register_fonts()

STYLES = {
    "title": ParagraphStyle("title", fontName=CJK_FONT, fontSize=17, leading=23, spaceAfter=4, wordWrap="CJK"),
    "subtitle": ParagraphStyle("subtitle", fontName=CJK_FONT, fontSize=9.5, leading=13,
                               textColor=colors.HexColor("#555555"), spaceAfter=8, wordWrap="CJK"),
    "h2": ParagraphStyle("h2", fontName=CJK_FONT, fontSize=12.5, leading=17, spaceBefore=10, spaceAfter=5,
                         wordWrap="CJK"),
    "body": ParagraphStyle("body", fontName=CJK_FONT, fontSize=9, leading=13, wordWrap="CJK"),
    "notice": ParagraphStyle("notice", fontName=CJK_FONT, fontSize=9, leading=13, wordWrap="CJK",
                             textColor=colors.HexColor("#8a4b00"), spaceAfter=4),
    "cell": ParagraphStyle("cell", fontName=CJK_FONT, fontSize=8, leading=10, wordWrap="CJK"),
}
FRAME_WIDTH = A4[0] - 36 * mm
MAX_IMAGE_HEIGHT = 150 * mm


class _PagedCanvas(Canvas):
    """A canvas that writes "第 n 页，共 N 页" and a footer line once the page count is known."""

    footer = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self):  # noqa: N802 — reportlab's name
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont(CJK_FONT, 8)
            self.setFillColor(colors.HexColor("#666666"))
            self.drawString(18 * mm, 10 * mm, self.footer)
            self.drawRightString(A4[0] - 18 * mm, 10 * mm, _("第 %(page)d 页，共 %(total)d 页",
                                                               page=self._pageNumber, total=total))
            super().showPage()
        super().save()


def build_pdf(title: str, footer: str, story: list) -> bytes:
    """Lay out `story` on numbered A4 pages with `footer`; reproducible bytes (invariant)."""
    buffer = io.BytesIO()
    canvas_class = type("_FooterCanvas", (_PagedCanvas,), {"footer": footer})
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
        title=title, author="Pingyi", creator="Pingyi", invariant=True,
        initialFontName=CJK_FONT,  # not reportlab's Helvetica, which is never embedded
    )
    document.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


def paragraph(text: str, style: str = "body") -> Paragraph:
    """Plain text (escaped, never markup) in one of `STYLES`."""
    return Paragraph(escape(text), STYLES[style])


def table(header: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float] | None = None) -> Table:
    """A CJK table with a repeated header; strings are wrapped as paragraphs."""
    data = [[paragraph(str(h), "cell") for h in header]]
    data += [[paragraph(str(value), "cell") if not isinstance(value, Paragraph) else value for value in row]
             for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),  # reportlab sets it even for paragraph cells
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def image(png: bytes, max_width: float = FRAME_WIDTH, max_height: float = MAX_IMAGE_HEIGHT) -> Image:
    """Embed a chart PNG as large as fits `max_width` × `max_height`, keeping its shape."""
    width, height = ImageReader(io.BytesIO(png)).getSize()
    scale = min(max_width / width, max_height / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale)


def header(title: str, subtitle: str) -> list:
    """A document title and its grey subtitle line."""
    return [paragraph(title, "title"), paragraph(subtitle, "subtitle")]
