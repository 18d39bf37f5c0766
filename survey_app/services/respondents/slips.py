"""Printable code slips (A4 PDF) and the codes as CSV.

Ten slips per A4 page (2 × 5), each with the survey title, the group, the QR code drawn
as vector squares (sharp at any printer resolution), the code in clear and a one-line
instruction, separated by dashed cut lines. The fonts are embedded (`pdf_fonts`), so a
phone or print shop without Chinese fonts prints the slip as designed.
"""

import csv
import io
from collections.abc import Iterable

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from survey_app.services.platform.pdf_fonts import CJK_FONT, CODE_FONT, register_fonts
from survey_app.services.platform.sheets import safe_text
from survey_app.services.respondents import qr
from survey_app.services.respondents.codes import display_code

COLUMNS, ROWS = 2, 5
MARGIN = 10 * mm
QR_SIZE = 34 * mm  # a version-3 code at about 0.9 mm per module: easy for any phone
PADDING = 4 * mm
LINK_SIZE = 8.5  # points: the entry link and the sentence above it
FALLBACK_LEADING = 10.5
LINES_MAX = 3  # three lines stay below the code's baseline (15 mm above the slip's foot)

register_fonts()


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Break text into lines of at most `width` points, character by character (CJK)."""
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = char
        else:
            line += char
    lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _fit(text: str, font: str, size: float, width: float, smallest: float = 5.5) -> float:
    """Return the largest font size up to `size` at which `text` fits `width` on one line."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    matrix = qr.qr_matrix(data)
    module = size / len(matrix)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                path.rect(x + col * module, y + size - (row + 1) * module, module, module)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_slip(canvas: Canvas, x: float, y: float, w: float, h: float, code: str, text: dict) -> None:
    _draw_qr(canvas, qr.code_url(code), x + PADDING - 2 * mm, y + h - PADDING - QR_SIZE + 2 * mm, QR_SIZE)
    left = x + PADDING + QR_SIZE
    width = w - (left - x) - PADDING
    top = y + h - PADDING - 4 * mm
    canvas.setFont(CJK_FONT, 10.5)
    for line in _wrap(text["title"], CJK_FONT, 10.5, width, 2):
        canvas.drawString(left, top, line)
        top -= 13
    canvas.setFont(CJK_FONT, 9)
    canvas.drawString(left, top - 2, text["group"][:24])
    canvas.setFont(CJK_FONT, 8)
    canvas.drawString(left, y + 22 * mm, text["code_label"])
    canvas.setFont(CODE_FONT, 17)
    canvas.drawString(left, y + 15 * mm, display_code(code))
    _draw_fallback(canvas, x + PADDING, y + PADDING, w - 2 * PADDING, text)


def _draw_fallback(canvas: Canvas, x: float, y: float, width: float, text: dict) -> None:
    """The instruction and, on a line of its own, the entry link, bottom up from `y`.

    Whoever cannot scan types the link, often an older respondent: it is never cut and
    never smaller than LINK_SIZE (a one-line sentence shrunk to fit was 5 pt). Both fit
    below the code, beside nothing: LINES_MAX lines of FALLBACK_LEADING.
    """
    link_size = _fit(text["url"], CJK_FONT, LINK_SIZE + 1, width, smallest=LINK_SIZE)
    link_lines = _wrap(text["url"], CJK_FONT, link_size, width, LINES_MAX - 1)
    sentence = _wrap_words(text["instruction"], CJK_FONT, LINK_SIZE, width, LINES_MAX - len(link_lines))
    for line in reversed(link_lines):
        canvas.setFont(CJK_FONT, link_size)
        canvas.drawString(x, y, line)
        y += FALLBACK_LEADING
    canvas.setFont(CJK_FONT, LINK_SIZE)
    for line in reversed(sentence):
        canvas.drawString(x, y, line)
        y += FALLBACK_LEADING


def _wrap_words(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Break at spaces where there are some (English), inside a too-long word or CJK run."""
    lines = []
    for chunk in simpleSplit(text, font, size, width):
        lines += _wrap(chunk, font, size, width, max_lines)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _draw_cut_lines(canvas: Canvas, w: float, h: float) -> None:
    canvas.saveState()
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    page_w, page_h = A4
    for col in range(COLUMNS + 1):
        canvas.line(MARGIN + col * w, MARGIN / 2, MARGIN + col * w, page_h - MARGIN / 2)
    for row in range(ROWS + 1):
        canvas.line(MARGIN / 2, MARGIN + row * h, page_w - MARGIN / 2, MARGIN + row * h)
    canvas.restoreState()


def slips_pdf(survey_title: str, group_name: str, codes: Iterable[str]) -> bytes:
    """Return an A4 PDF of code slips, ten per page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=CJK_FONT)
    canvas.setTitle(f"{survey_title} · {group_name}")
    page_w, page_h = A4
    w, h = (page_w - 2 * MARGIN) / COLUMNS, (page_h - 2 * MARGIN) / ROWS
    text = {
        "title": survey_title,
        "group": _("评议主体：%(group)s", group=group_name),
        "code_label": _("评议码（仅限使用一次）"),
        "instruction": _("扫码参加评议；无法扫码时，打开下面的网址输入评议码："),
        "url": qr.entry_url(),
    }
    codes = list(codes)
    per_page = COLUMNS * ROWS
    for start in range(0, len(codes), per_page):
        _draw_cut_lines(canvas, w, h)
        for index, code in enumerate(codes[start:start + per_page]):
            col, row = index % COLUMNS, index // COLUMNS
            _draw_slip(canvas, MARGIN + col * w, page_h - MARGIN - (row + 1) * h, w, h, code, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def codes_csv(survey_title: str, group_name: str, batch_id: int, codes: Iterable[str]) -> bytes:
    """Return the codes as CSV (UTF-8 with BOM, so Excel shows the Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("评议码"), _("链接"), _("评议活动"), _("评议主体"), _("批次")])
    for code in codes:
        writer.writerow([display_code(code), qr.code_url(code), safe_text(survey_title), safe_text(group_name), batch_id])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
