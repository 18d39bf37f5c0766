"""Where uploaded files live: one interface, two back ends (docs/operations.md, "Evidence files").

- `LocalFileStore`: a folder in the instance directory (`instance/files/`), the embedded
  default for one app server.
- `S3FileStore`: an S3-compatible object store (MinIO, or any S3 service) through boto3,
  shared by several app servers.

`FILES_BACKEND` ("local" or "s3") picks one; `init_app` creates it once per app and
`file_store()` returns it (as an extension would).

Keys are content addresses, `sha256/<2 hex>/<64 hex>`, for four reasons:
- no name a user typed ever reaches a path or an object key (no traversal, no clash);
- identical content is stored once (the same PDF attached to ten targets is one object);
- an object never changes once written, so a retried upload or two app servers writing at
  the same moment write the same bytes under the same key, with no lock and no race;
- reading verifies itself: the bytes must hash to their key (`read`).

Faults of the back end (S3 down, disk full) raise `StorageUnavailable` with a Chinese
message, which the error pages answer with 503, never 500. A missing key raises `NotFound`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app
from flask_babel import gettext as _

from survey_app.errors import FileCorrupted, NotFound, StorageUnavailable

KEY_PATTERN = re.compile(r"sha256/([0-9a-f]{2})/([0-9a-f]{64})")
#: Bytes per chunk when streaming a file to the client.
CHUNK_SIZE = 64 * 1024
EXTENSION_KEY = "pingyi_file_store"



def _missing() -> NotFound:
    return NotFound(_("文件不存在或已被删除"))


def _unavailable() -> StorageUnavailable:
    return StorageUnavailable(_("文件存储暂时无法访问，请稍后重试；本次操作未完成"))


def key_for(data: bytes) -> str:
    """The content address of `data`."""
    digest = hashlib.sha256(data).hexdigest()
    return f"sha256/{digest[:2]}/{digest}"


def digest_of(key: str) -> str:
    """The SHA-256 hex digest a key names; refuses anything that is not a content address."""
    match = KEY_PATTERN.fullmatch(key)
    if match is None or match.group(2)[:2] != match.group(1):
        raise _missing()
    return match.group(2)


class FileStore(Protocol):
    """What every back end offers. Keys come from `put`, never from user input."""

    def put(self, data: bytes, content_type: str) -> str:
        """Store `data` (idempotent: the same bytes give the same key) and return its key."""

    def open(self, key: str) -> Iterable[bytes]:
        """The file's bytes in chunks, for streaming; `NotFound` when there is none."""

    def read(self, key: str) -> bytes:
        """The whole file, checked against its key's checksum."""

    def delete(self, key: str) -> None:
        """Remove the file; deleting a missing key is not an error."""

    def exists(self, key: str) -> bool:
        """Whether the store holds the file."""


def _checked(key: str, data: bytes) -> bytes:
    if hashlib.sha256(data).hexdigest() != digest_of(key):
        raise FileCorrupted(_("文件校验失败（内容与校验和不符），请联系管理员从备份恢复"))
    return data


class LocalFileStore:
    """Files under one folder: `<root>/sha256/ab/abcdef…`, written atomically."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        digest = digest_of(key)  # only a well-formed content address becomes a path
        return self.root / "sha256" / digest[:2] / digest

    def put(self, data: bytes, content_type: str) -> str:
        """Writes even when the file exists (the same bytes, atomically): a copy damaged on
        disk is healed by the next upload of the original."""
        key = key_for(data)
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write_atomically(path, data)
        except OSError as error:
            current_app.logger.error("local file store: cannot write %s: %s", key, error)
            raise _unavailable() from error
        return key

    @staticmethod
    def _write_atomically(path: Path, data: bytes) -> None:
        """A temporary file in the same folder, synced, then renamed over the target: a
        reader never sees half a file, and a crash leaves at most a stray `.tmp`."""
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o640)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power loss
        finally:
            os.close(folder)

    def open(self, key: str) -> Iterable[bytes]:
        try:
            file = self._path(key).open("rb")
        except FileNotFoundError as error:
            raise _missing() from error
        except OSError as error:
            raise _unavailable() from error
        return _Chunks(file)

    def read(self, key: str) -> bytes:
        return _checked(key, b"".join(self.open(key)))

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            raise _unavailable() from error

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class _Chunks:
    """A file's bytes in chunks; `close` (WSGI servers call it when the response ends, even
    one never read) closes the file or the S3 stream."""

    def __init__(self, file):
        self._file = file

    def __iter__(self) -> Iterator[bytes]:
        with self._file:
            while chunk := self._file.read(CHUNK_SIZE):
                yield chunk

    def close(self) -> None:
        self._file.close()


class S3FileStore:
    """Objects in one bucket of an S3-compatible store (MinIO: path-style addressing)."""

    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, config) -> S3FileStore:
        import boto3  # only deployments with an object store pay for importing boto3
        from botocore.config import Config as BotoConfig

        def setting(name: str, default: str | None = None) -> str | None:
            # from_prefixed_env parses values as JSON: a numeric secret would arrive as int.
            value = config.get(name)
            return default if value in (None, "") else str(value)

        timeout = float(config.get("FILES_S3_TIMEOUT", 5))
        client = boto3.client(
            "s3",
            endpoint_url=setting("FILES_S3_ENDPOINT_URL"),
            region_name=setting("FILES_S3_REGION", "us-east-1"),
            # None: boto3's own chain (AWS_* variables, ~/.aws, an instance role).
            aws_access_key_id=setting("FILES_S3_ACCESS_KEY_ID"),
            aws_secret_access_key=setting("FILES_S3_SECRET_ACCESS_KEY"),
            config=BotoConfig(
                s3={"addressing_style": setting("FILES_S3_ADDRESSING_STYLE", "path")},
                connect_timeout=timeout,
                read_timeout=timeout,
                # A store that is down fails the upload in seconds, not after a worker timeout.
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        )
        return cls(client, setting("FILES_S3_BUCKET"))

    def _call(self, operation: str, **arguments):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **arguments)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise _missing() from error
            self._log(operation, error)
            raise _unavailable() from error
        except BotoCoreError as error:  # connection refused, timeout, bad credentials setup
            self._log(operation, error)
            raise _unavailable() from error

    def _log(self, operation: str, error: Exception) -> None:
        current_app.logger.error("object store %s on bucket %s failed: %s: %s", operation, self.bucket,
                                 type(error).__name__, str(error)[:200])

    def put(self, data: bytes, content_type: str) -> str:
        key = key_for(data)
        if not self.exists(key):
            # botocore adds a CRC32 checksum the store verifies; `read` checks the SHA-256.
            self._call("put_object", Key=key, Body=data, ContentType=content_type)
        return key

    def open(self, key: str) -> Iterable[bytes]:
        digest_of(key)
        body = self._call("get_object", Key=key)["Body"]
        return _Chunks(body)

    def read(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError

        chunks = self.open(key)
        try:
            data = b"".join(chunks)
        except BotoCoreError as error:  # the connection dropped while reading
            self._log("read", error)
            raise _unavailable() from error
        return _checked(key, data)

    def delete(self, key: str) -> None:
        digest_of(key)
        self._call("delete_object", Key=key)

    def exists(self, key: str) -> bool:
        digest_of(key)
        try:
            self._call("head_object", Key=key)
        except NotFound:
            return False
        return True


def create_store(app: Flask) -> FileStore:
    """The back end `FILES_BACKEND` names, from the app's config."""
    backend = app.config.get("FILES_BACKEND", "local")
    if backend == "local":
        return LocalFileStore(app.config.get("FILES_LOCAL_DIR") or Path(app.instance_path) / "files")
    if backend == "s3":
        if not app.config.get("FILES_S3_BUCKET"):
            raise RuntimeError("FILES_BACKEND=s3 needs SURVEY_FILES_S3_BUCKET")
        return S3FileStore.from_config(app.config)
    raise RuntimeError(f"FILES_BACKEND must be 'local' or 's3', not {backend!r}")


def init_app(app: Flask) -> None:
    """Create the app's store once, at start-up: a wrong configuration stops the app here."""
    app.extensions[EXTENSION_KEY] = create_store(app)


def file_store() -> FileStore:
    """The current app's store."""
    return current_app.extensions[EXTENSION_KEY]
