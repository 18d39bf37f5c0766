"""Crafted .xlsx uploads that cost far more to read than their size suggests (issue #12,
finding 11), written part by part with zipfile so that building them stays cheap."""

import zipfile
from pathlib import Path

from survey_app.services.design import roster_format

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    f'<sheet name="{roster_format.SUBJECT_SHEET}" sheetId="1" r:id="rId1"/>'
    f'<sheet name="{roster_format.GROUP_SHEET}" sheetId="2" r:id="rId2"/>'
    "</sheets></workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet2.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
_EMPTY_SHEET = _SHEET_HEAD + _SHEET_TAIL
_SST_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _header_row(number: int, headers) -> str:
    cells = "".join(
        f'<c r="{chr(65 + index)}{number}" t="inlineStr"><is><t>{header}</t></is></c>'
        for index, header in enumerate(headers)
    )
    return f'<row r="{number}">{cells}</row>'


def _write_chunks(archive: zipfile.ZipFile, name: str, head: str, chunks, tail: str) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        part.write(head.encode())
        for chunk in chunks:
            part.write(chunk.encode())
        part.write(tail.encode())


def _package(path: Path, subject_sheet_writer, shared_strings_writer) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        subject_sheet_writer(archive)
        archive.writestr("xl/worksheets/sheet2.xml", _EMPTY_SHEET)
        shared_strings_writer(archive)
    return path


def huge_shared_strings(path: Path, megabytes: int = 178) -> Path:
    """A small workbook whose shared-strings part inflates to `megabytes` MB (the review's
    3.5 MB file with a 178 MB part)."""
    headers = [column.header for column in roster_format.SUBJECT_COLUMNS]

    def sheet(archive):
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + _header_row(1, headers) + _SHEET_TAIL)

    def strings(archive):
        target = megabytes * 1024 * 1024

        def chunks():
            written, number = 0, 0
            while written < target:
                chunk = "".join(f"<si><t>市直部门评议对象名称{(number + i) % 600:x}</t></si>" for i in range(5000))
                number += 5000
                written += len(chunk.encode())
                yield chunk

        _write_chunks(archive, "xl/sharedStrings.xml", _SST_HEAD, chunks(), "</sst>")

    return _package(path, sheet, strings)


def rows_in_an_ignored_column(path: Path, rows: int = 1_400_000) -> Path:
    """A roster whose subject sheet has `rows` rows filled only in column Z, which no
    importer reads (the review's 7.7 MB file with 1.4 M rows)."""
    headers = [column.header for column in roster_format.SUBJECT_COLUMNS]

    def sheet(archive):
        def chunks():
            for start in range(2, rows + 2, 10_000):
                yield "".join(f'<row r="{n}"><c r="Z{n}"><v>1</v></c></row>'
                              for n in range(start, min(start + 10_000, rows + 2)))

        _write_chunks(archive, "xl/worksheets/sheet1.xml", _SHEET_HEAD + _header_row(1, headers), chunks(),
                      _SHEET_TAIL)

    def strings(archive):
        archive.writestr("xl/sharedStrings.xml", _SST_HEAD + "</sst>")

    return _package(path, sheet, strings)


def long_cell(path: Path, chars: int) -> Path:
    """A roster whose second row has a name of `chars` characters (Excel stops at 32,767;
    openpyxl writes no longer cell, but reads one)."""
    headers = [column.header for column in roster_format.SUBJECT_COLUMNS]
    row = ["C1", "长" * chars, "干部", "市发改委", "市直部门", "局长"]

    def sheet(archive):
        archive.writestr("xl/worksheets/sheet1.xml",
                         _SHEET_HEAD + _header_row(1, headers) + _header_row(2, row) + _SHEET_TAIL)

    def strings(archive):
        archive.writestr("xl/sharedStrings.xml", _SST_HEAD + "</sst>")

    return _package(path, sheet, strings)
