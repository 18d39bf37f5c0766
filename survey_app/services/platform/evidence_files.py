"""Uploaded evidence (证明材料) and photos (现场照片): checked, stored, served.

- `check_upload` decides what a file is from its first bytes, never from its name or the
  browser's content type: PDF, JPEG, PNG or WebP; images are also opened with Pillow, so
  a file that only starts like an image is refused. HEIC (iPhone photos) is recognised
  and refused with a request to export as JPEG: most browsers cannot show it and Pillow
  here cannot read it to check it. Everything else is refused, and nothing is stored.
- `store_upload` puts the checked bytes in the file store and records a `StoredFile`.
  Originals are kept as uploaded, nothing stripped or re-encoded (a photo keeps its EXIF,
  location included: it is evidence of where and when).
- `send_stored_file` answers a download for a view that has already checked access.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import Response, current_app
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import select

from survey_app.errors import FileCorrupted, NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import FilePurpose, StoredFile, User
from survey_app.services.platform.file_store import digest_of, file_store

MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]
    pillow_format: str | None  # None: not an image

    @property
    def is_image(self) -> bool:
        return self.pillow_format is not None


PDF = FileKind("application/pdf", (".pdf",), None)
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
PNG = FileKind("image/png", (".png",), "PNG")
WEBP = FileKind("image/webp", (".webp",), "WEBP")

#: ISO base media brands of HEIF images (iPhone photos are "heic"; "mif1" is plain HEIF).
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff(data: bytes) -> FileKind:
    """What the bytes are, by their signature; `ValidationFailed` for anything refused."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:  # where readers look for it: a cut-off upload lacks it
            raise ValidationFailed(_("PDF 文件不完整（可能上传中断），请重新上传"))
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        raise ValidationFailed(_("暂不支持 HEIC/HEIF 格式的照片：请在手机上导出为 JPEG（iPhone：设置 → 相机 → "
                                 "格式 → 兼容性最佳）后上传"))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # zip (docx, xlsx) and old Office files
        raise ValidationFailed(_("不接受压缩包或 Word、Excel 等文档：请另存为 PDF 后上传"))
    raise ValidationFailed(_("只能上传 PDF、JPEG、PNG 或 WebP 文件（按文件内容识别，与文件名无关）"))


def _check_image(data: bytes, kind: FileKind) -> None:
    """Pillow must read the header as the same format, and the structure must hold."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                image.verify()
    except Exception as error:  # Pillow raises many types for a damaged or hostile file
        raise ValidationFailed(_("图片文件已损坏或无法识别，请重新导出后上传")) from error


def size_limit(purpose: FilePurpose) -> int:
    key = "FILES_MAX_PHOTO_BYTES" if purpose is FilePurpose.PHOTO else "FILES_MAX_DOCUMENT_BYTES"
    return int(current_app.config[key])


def check_upload(data: bytes, purpose: FilePurpose) -> FileKind:
    """The file's kind if it may be stored for `purpose`; otherwise `ValidationFailed`."""
    if not data:
        raise ValidationFailed(_("文件是空的，请重新选择"))
    limit = size_limit(purpose)
    if len(data) > limit:
        raise ValidationFailed(_("文件太大（%(size)s），不能超过 %(limit)s", size=_megabytes(len(data)),
                                 limit=_megabytes(limit)))
    kind = sniff(data)
    if purpose is FilePurpose.PHOTO and not kind.is_image:
        raise ValidationFailed(_("现场照片只能是 JPEG、PNG 或 WebP 图片"))
    if kind.is_image:
        _check_image(data, kind)
    return kind


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def clean_name(name: str | None, kind: FileKind) -> str:
    """The uploader's file name, safe to show and to offer on download: no folders, no
    control or format characters, at most 200 characters, ending in the real type's
    extension (a PNG named "报告.pdf" becomes "报告.pdf.png")."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".") or _("文件")
    if not name.lower().endswith(kind.extensions):
        name += kind.extensions[0]
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: MAX_NAME_LENGTH - len(suffix) - 1] + dot + suffix
    return name


def store_upload(data: bytes, original_name: str | None, purpose: FilePurpose, uploaded_by: User | None,
                 now: datetime) -> StoredFile:
    """Check `data`, put it in the file store and record it (flushed, not committed).

    A refused file raises `ValidationFailed` before anything is stored. If the caller's
    transaction rolls back after this, the stored object stays unreferenced: harmless (a
    later upload of the same bytes reuses it).
    """
    kind = check_upload(data, purpose)
    key = file_store().put(data, kind.content_type)
    stored = StoredFile(
        key=key,
        sha256=digest_of(key),
        size_bytes=len(data),
        content_type=kind.content_type,
        purpose=purpose,
        original_name=clean_name(original_name, kind),
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
        uploaded_at=now,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def content_disposition(name: str, disposition: str = "inline") -> str:
    """`inline; filename="ascii"; filename*=UTF-8''…` (RFC 6266 with RFC 5987 encoding):
    browsers show the Chinese name; old clients get an ASCII stand-in."""
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    ascii_name = (_ascii(stem) or "file") + (dot + _ascii(suffix) if _ascii(suffix) else "")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._ -]", "_", text).strip(" ._")


#: A PDF opens as a sandboxed document (a unique origin): a hostile PDF's scripts, forms or
#: links cannot act as this site or read its cookies.
PDF_POLICY = "sandbox"


def send_stored_file(stored_file: StoredFile, as_attachment: bool = False) -> Response:
    """Stream a stored file from either back end, for a view that has already checked access.

    Raises `NotFound` (the object is gone) or `StorageUnavailable` before anything is sent.
    """
    chunks = file_store().open(stored_file.key)
    response = Response(chunks, mimetype=stored_file.content_type, direct_passthrough=True)
    response.content_length = stored_file.size_bytes
    response.headers["Content-Disposition"] = content_disposition(
        stored_file.original_name, "attachment" if as_attachment else "inline")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Evidence is confidential: never kept by a shared computer's browser or a proxy.
    response.headers["Cache-Control"] = "private, no-store"
    if stored_file.content_type == PDF.content_type:
        response.headers["Content-Security-Policy"] = PDF_POLICY
    return response


@dataclass(frozen=True, slots=True)
class StoreCheck:
    """What `check_stored_files` found: rows whose object is missing or changed."""

    rows: int
    objects: int
    missing: tuple[StoredFile, ...]
    corrupt: tuple[StoredFile, ...]

    @property
    def is_sound(self) -> bool:
        return not self.missing and not self.corrupt


def check_stored_files(verify_checksums: bool) -> StoreCheck:
    """Whether every recorded file's object is in the store (and, with `verify_checksums`,
    still hashes to its key): the check after a restore, when the database and the files
    come from two backups (docs/operations.md, "Backups of files")."""
    by_key: dict[str, list[StoredFile]] = {}
    for stored in db.session.scalars(select(StoredFile).order_by(StoredFile.id)):
        by_key.setdefault(stored.key, []).append(stored)
    store = file_store()
    found: dict[str, list[StoredFile]] = {"missing": [], "corrupt": [], "sound": []}
    for key, rows in by_key.items():
        found[_object_state(store, key, verify_checksums)].extend(rows)
    return StoreCheck(sum(map(len, by_key.values())), len(by_key), tuple(found["missing"]),
                      tuple(found["corrupt"]))


def _object_state(store, key: str, verify_checksum: bool) -> str:
    try:
        if verify_checksum:
            store.read(key)
            return "sound"
        return "sound" if store.exists(key) else "missing"
    except NotFound:
        return "missing"
    except FileCorrupted:
        return "corrupt"
