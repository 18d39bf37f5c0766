"""Reading exported documents back in tests."""

import shutil
import subprocess

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
