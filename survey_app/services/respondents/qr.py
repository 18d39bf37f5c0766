"""Absolute respondent URLs and their QR codes.

URLs come from PUBLIC_BASE_URL, not from the request, so the CLI can print slips and a
proxy's internal host name never ends up on paper.
"""

import io

import qrcode
from flask import current_app
from qrcode.constants import ERROR_CORRECT_M

#: Quiet zone in modules; the QR standard asks for four.
QUIET_ZONE = 4


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def code_url(code: str) -> str:
    """Return the absolute URL a code's QR encodes: PUBLIC_BASE_URL/s/CODE."""
    return f"{base_url()}/s/{code}"


def entry_url() -> str:
    """Return the page where a code can be typed in."""
    return f"{base_url()}/s"


def open_link_url(token: str) -> str:
    return f"{base_url()}/o/{token}"


def _qr(data: str) -> qrcode.QRCode:
    # Level M survives a smudge or a fold and keeps a short URL at version 3 (29×29).
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_matrix(data: str) -> list[list[bool]]:
    """Return the QR modules for `data`, quiet zone included (True = dark)."""
    return _qr(data).get_matrix()


def qr_png(data: str, box_size: int = 10) -> bytes:
    """Return a PNG of the QR code for `data`."""
    qr = _qr(data)
    qr.box_size = box_size
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return buffer.getvalue()
