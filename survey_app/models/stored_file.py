"""Stored files (证明材料、考察照片): the record of one upload; the bytes live in the file
store (services/platform/file_store.py), outside the database, under their SHA-256.

Features link to a file with a foreign key to `stored_files.id` (a target's evidence, a
visit's photos, a dossier item's attachment). Two uploads of the same bytes are two rows
(each with its own name, uploader and time) over one stored object.
"""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, utcnow


class FilePurpose(enum.Enum):
    DOCUMENT = "document"  # 证明材料: a PDF or an image
    PHOTO = "photo"  # 现场照片: an image only


class StoredFile(Base):
    __tablename__ = "stored_files"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The file store's key: a content address derived from `sha256`, never from a name.
    key: Mapped[str] = mapped_column(String(80), index=True)
    #: SHA-256 of the bytes, hex: reading checks the bytes against it.
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    #: The type the content was recognised as (never the browser's claim).
    content_type: Mapped[str] = mapped_column(String(50))
    purpose: Mapped[FilePurpose] = mapped_column(Enum(FilePurpose, native_enum=False, length=20))
    #: The uploader's file name, cleaned (no folders, no control characters); shown and
    #: offered on download, never used as a path.
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
