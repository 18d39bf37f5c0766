"""Evidence files (issues #15 and #16): both back ends of the file store, the content checks
and the download helper. The S3 back end runs against moto's standalone S3 server, started
once per session on a free port (no MinIO server is available to CI here)."""

import hashlib
import io
import socket
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from survey_app.errors import NotFound, StorageUnavailable, ValidationFailed
from survey_app.extensions import db
from survey_app.models import FilePurpose, Role, StoredFile
from survey_app.services.platform import evidence_files, file_store, users
from survey_app.services.platform.file_store import LocalFileStore, S3FileStore, key_for

NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_BYTES = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def _image(fmt: str, size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server in a thread for the whole session: its URL."""
    server_module = pytest.importorskip("moto.server", reason="moto[server] is not installed: S3 tests skipped")
    port = _free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _use_s3(app, endpoint: str, bucket: str) -> None:
    app.config.update(FILES_BACKEND="s3", FILES_S3_BUCKET=bucket, FILES_S3_ENDPOINT_URL=endpoint,
                      FILES_S3_ACCESS_KEY_ID="test-key", FILES_S3_SECRET_ACCESS_KEY="test-secret",
                      FILES_S3_TIMEOUT=2)
    file_store.init_app(app)


@pytest.fixture(params=["local", "s3"])
def store(request, app, tmp_path):
    """The app's file store, one test per back end; a fresh folder or bucket each time."""
    if request.param == "local":
        app.config.update(FILES_BACKEND="local", FILES_LOCAL_DIR=str(tmp_path / "files"))
        file_store.init_app(app)
    else:
        bucket = f"pingyi-test-{uuid.uuid4().hex[:12]}"
        _use_s3(app, request.getfixturevalue("s3_endpoint"), bucket)
        app.extensions[file_store.EXTENSION_KEY].client.create_bucket(Bucket=bucket)
    with app.app_context():
        yield file_store.file_store()


def _objects(store) -> list[str]:
    if isinstance(store, LocalFileStore):
        return sorted(path.name for path in store.root.rglob("*") if path.is_file()) if store.root.exists() else []
    listing = store.client.list_objects_v2(Bucket=store.bucket)
    return sorted(item["Key"].rsplit("/", 1)[1] for item in listing.get("Contents", []))


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


# --- the store: both back ends -------------------------------------------------------------

def test_put_and_read_round_trip_with_checksum(store):
    data = _image("PNG")
    key = store.put(data, "image/png")
    digest = hashlib.sha256(data).hexdigest()
    assert key == f"sha256/{digest[:2]}/{digest}"
    assert store.exists(key)
    assert store.read(key) == data
    chunks = store.open(key)
    assert b"".join(chunks) == data
    chunks.close()
    assert _objects(store) == [digest]


def test_identical_content_is_stored_once(store):
    data = PDF_BYTES
    assert store.put(data, "application/pdf") == store.put(data, "application/pdf")
    other = store.put(_image("JPEG"), "image/jpeg")
    assert other != key_for(data)
    assert len(_objects(store)) == 2


def test_delete_removes_the_file_and_deleting_again_is_harmless(store):
    key = store.put(PDF_BYTES, "application/pdf")
    store.delete(key)
    assert not store.exists(key)
    assert _objects(store) == []
    store.delete(key)  # idempotent, as S3's DELETE is
    with pytest.raises(NotFound):
        store.read(key)


def test_a_missing_key_is_not_found(store):
    key = key_for(b"never stored")
    assert not store.exists(key)
    with pytest.raises(NotFound, match="文件不存在"):
        store.open(key)
    with pytest.raises(NotFound):
        store.read(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "sha256/aa/../../secret", "sha256/00/" + "a" * 64,
                                 "SHA256/AB/" + "AB" * 32])
def test_anything_but_a_content_address_is_refused_as_a_key(store, key):
    with pytest.raises(NotFound):
        store.open(key)
    with pytest.raises(NotFound):
        store.delete(key)


def test_a_storage_fault_is_a_clear_error_and_stores_nothing(app, store, tmp_path):
    if isinstance(store, LocalFileStore):
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a file where the folder should be")
        app.config["FILES_LOCAL_DIR"] = str(blocker)
    else:
        _use_s3(app, f"http://127.0.0.1:{_free_port()}", store.bucket)  # nothing listens there
    file_store.init_app(app)
    with pytest.raises(StorageUnavailable, match="文件存储暂时无法访问") as refused:
        evidence_files.store_upload(PDF_BYTES, "报告.pdf", FilePurpose.DOCUMENT, None, NOW)
    assert _rows() == 0
    with app.test_request_context("/admin/files/1"):
        response = app.make_response(app.handle_user_exception(refused.value))
    assert response.status_code == 503
    assert "文件存储暂时无法访问" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


def test_the_local_store_refuses_changed_bytes_and_a_new_upload_heals_them(app, tmp_path):
    store = LocalFileStore(tmp_path / "files")
    key = store.put(PDF_BYTES, "application/pdf")
    store._path(key).write_bytes(PDF_BYTES.replace(b"Catalog", b"Catalox"))
    with app.app_context():
        with pytest.raises(StorageUnavailable, match="校验失败"):
            store.read(key)
        assert store.put(PDF_BYTES, "application/pdf") == key  # uploading the original heals it
        assert store.read(key) == PDF_BYTES


# --- checks on upload ----------------------------------------------------------------------

def test_a_png_named_pdf_is_stored_as_png(app, store):
    user = users.create_user("uploader", "correct horse battery", Role.ORGANIZER)
    data = _image("PNG")
    stored = evidence_files.store_upload(data, "C:\\扫描件\\验收报告.pdf", FilePurpose.DOCUMENT, user, NOW)
    assert (stored.content_type, stored.size_bytes, stored.sha256) == ("image/png", len(data),
                                                                      hashlib.sha256(data).hexdigest())
    assert stored.original_name == "验收报告.pdf.png"
    assert stored.uploaded_by_id == user.id and stored.uploaded_at == NOW
    assert store.read(stored.key) == data


def test_the_same_bytes_uploaded_twice_are_two_records_over_one_object(app, store):
    first = evidence_files.store_upload(PDF_BYTES, "a.pdf", FilePurpose.DOCUMENT, None, NOW)
    second = evidence_files.store_upload(PDF_BYTES, "b.pdf", FilePurpose.DOCUMENT, None, NOW)
    assert first.id != second.id and first.key == second.key
    assert len(_objects(store)) == 1


@pytest.mark.parametrize(("data", "name", "message"), [
    (HTML_BYTES, "photo.jpg", "只能上传 PDF、JPEG、PNG 或 WebP"),
    (_docx(), "报告.docx", "请另存为 PDF"),
    (_docx(), "报告.pdf", "请另存为 PDF"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "IMG_0001.HEIC", "导出为 JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"not really an image" * 4, "chart.png", "图片文件已损坏"),
    (PDF_BYTES[:-7], "cut.pdf", "PDF 文件不完整"),
    (b"", "empty.pdf", "文件是空的"),
])
def test_files_that_are_not_accepted_are_refused_and_nothing_is_stored(app, store, data, name, message):
    with pytest.raises(ValidationFailed, match=message):
        evidence_files.store_upload(data, name, FilePurpose.DOCUMENT, None, NOW)
    assert _objects(store) == []
    assert _rows() == 0


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                                   ("WEBP", "image/webp")])
def test_photos_may_be_jpeg_png_or_webp(app, fmt, content_type):
    with app.app_context():
        kind = evidence_files.check_upload(_image(fmt), FilePurpose.PHOTO)
    assert kind.content_type == content_type


def test_a_photo_must_be_an_image(app):
    with app.app_context(), pytest.raises(ValidationFailed, match="现场照片只能是"):
        evidence_files.check_upload(PDF_BYTES, FilePurpose.PHOTO)


def test_size_limits_default_to_10_mb_for_documents_and_8_mb_for_photos(app):
    assert app.config["FILES_MAX_DOCUMENT_BYTES"] == 10 * 1024 * 1024
    assert app.config["FILES_MAX_PHOTO_BYTES"] == 8 * 1024 * 1024


def test_the_size_limit_is_checked_before_anything_is_stored(app, store):
    app.config.update(FILES_MAX_DOCUMENT_BYTES=len(PDF_BYTES), FILES_MAX_PHOTO_BYTES=100)
    evidence_files.store_upload(PDF_BYTES, "exact.pdf", FilePurpose.DOCUMENT, None, NOW)  # at the limit
    too_big = PDF_BYTES.replace(b"%%EOF", b" %%EOF")
    with pytest.raises(ValidationFailed, match="文件太大.*不能超过"):
        evidence_files.store_upload(too_big, "big.pdf", FilePurpose.DOCUMENT, None, NOW)
    with pytest.raises(ValidationFailed, match="文件太大"):
        evidence_files.store_upload(_image("PNG", (64, 64)), "big.png", FilePurpose.PHOTO, None, NOW)
    assert _rows() == 1 and len(_objects(store)) == 1


@pytest.mark.parametrize(("name", "cleaned"), [
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Users\\张三\\述职报告.PDF", "述职报告.PDF"),
    ("a\x00b\u202ecod.pdf", "abcod.pdf"),
    ("   ", "文件.pdf"),
    (".hidden.pdf", "hidden.pdf"),
    ("长" * 300 + ".pdf", "长" * 196 + ".pdf"),
])
def test_original_names_are_cleaned(app, name, cleaned):
    with app.test_request_context():
        assert evidence_files.clean_name(name, evidence_files.PDF) == cleaned


# --- serving -------------------------------------------------------------------------------

def test_send_stored_file_streams_with_safe_headers(app, store):
    stored = evidence_files.store_upload(PDF_BYTES, "2026年度 目标\"完成\"情况.pdf", FilePurpose.DOCUMENT, None, NOW)
    with app.test_request_context():
        response = evidence_files.send_stored_file(stored)
        response.direct_passthrough = False
        body = response.get_data()
    assert body == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.content_length == len(PDF_BYTES)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="2026.pdf";')
    assert "filename*=UTF-8''2026%E5%B9%B4%E5%BA%A6%20%E7%9B%AE%E6%A0%87%22%E5%AE%8C%E6%88%90%22" in disposition


def test_images_are_served_without_the_pdf_sandbox_and_may_be_attachments(app, store):
    stored = evidence_files.store_upload(_image("JPEG"), "现场.jpg", FilePurpose.PHOTO, None, NOW)
    with app.test_request_context():
        response = evidence_files.send_stored_file(stored, as_attachment=True)
        response.close()
    assert response.mimetype == "image/jpeg"
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["Content-Disposition"].startswith('attachment; filename="file.jpg"')


def test_serving_a_file_whose_object_is_gone_is_not_found(app, store):
    stored = evidence_files.store_upload(PDF_BYTES, "a.pdf", FilePurpose.DOCUMENT, None, NOW)
    store.delete(stored.key)
    with app.test_request_context(), pytest.raises(NotFound):
        evidence_files.send_stored_file(stored)


# --- configuration -------------------------------------------------------------------------

def test_the_s3_store_uses_path_style_urls_for_minio(app):
    _use_s3(app, "http://127.0.0.1:9000", "pingyi-files")
    store = app.extensions[file_store.EXTENSION_KEY]
    assert isinstance(store, S3FileStore)
    assert store.client.meta.config.s3["addressing_style"] == "path"
    assert store.client.meta.endpoint_url == "http://127.0.0.1:9000"


def test_numeric_s3_settings_from_the_environment_still_reach_boto3_as_text(app, monkeypatch):
    """from_prefixed_env parses SURVEY_* values as JSON: a secret of digits arrives as an int."""
    monkeypatch.setenv("SURVEY_FILES_S3_SECRET_ACCESS_KEY", "12345678")
    app.config.update(FILES_BACKEND="s3", FILES_S3_BUCKET="pingyi-files", FILES_S3_ACCESS_KEY_ID="pingyi-app")
    app.config.from_prefixed_env("SURVEY")
    assert app.config["FILES_S3_SECRET_ACCESS_KEY"] == 12345678
    store = file_store.create_store(app)
    assert store.client._request_signer._credentials.secret_key == "12345678"


@pytest.mark.parametrize(("settings", "message"), [
    ({"FILES_BACKEND": "s3"}, "SURVEY_FILES_S3_BUCKET"),
    ({"FILES_BACKEND": "ftp"}, "'local' or 's3'"),
])
def test_a_wrong_backend_configuration_stops_the_app_at_start(app, settings, message):
    app.config.update(settings)
    with pytest.raises(RuntimeError, match=message):
        file_store.init_app(app)


def test_the_local_store_lives_in_the_instance_folder_by_default(app):
    app.config["FILES_LOCAL_DIR"] = None  # the suite's app sets a folder of the test
    store = file_store.create_store(app)
    assert store.root == Path(app.instance_path) / "files"


# --- after a restore: the store against the database ---------------------------------------

def _replace_object(store, key: str, data: bytes) -> None:
    """Simulate a file changed in the store behind the app's back."""
    if isinstance(store, LocalFileStore):
        store._path(key).write_bytes(data)
    else:
        store.client.put_object(Bucket=store.bucket, Key=key, Body=data)


def test_files_check_reports_missing_and_changed_files(app, store):
    kept = evidence_files.store_upload(PDF_BYTES, "kept.pdf", FilePurpose.DOCUMENT, None, NOW)
    lost = evidence_files.store_upload(_image("PNG"), "lost.png", FilePurpose.PHOTO, None, NOW)
    twin = evidence_files.store_upload(_image("PNG"), "twin.png", FilePurpose.PHOTO, None, NOW)
    changed = evidence_files.store_upload(_image("JPEG"), "changed.jpg", FilePurpose.PHOTO, None, NOW)
    db.session.commit()
    store.delete(lost.key)
    _replace_object(store, changed.key, b"not the original bytes")

    quick = evidence_files.check_stored_files(verify_checksums=False)
    assert (quick.rows, quick.objects) == (4, 3)
    assert {row.id for row in quick.missing} == {lost.id, twin.id} and quick.corrupt == ()
    full = evidence_files.check_stored_files(verify_checksums=True)
    assert [row.id for row in full.corrupt] == [changed.id] and not full.is_sound
    assert kept not in full.missing + full.corrupt

    result = app.test_cli_runner().invoke(args=["files", "check", "--checksums"])
    assert result.exit_code == 1
    assert "已检查 4 条文件记录（3 个存储对象）" in result.output
    assert f"缺失：#{lost.id} lost.png" in result.stderr and f"校验不符：#{changed.id} changed.jpg" in result.stderr


def test_files_check_passes_when_every_file_is_there(app, store):
    evidence_files.store_upload(PDF_BYTES, "a.pdf", FilePurpose.DOCUMENT, None, NOW)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["files", "check", "--checksums"])
    assert result.exit_code == 0, result.output
    assert "一致：每条记录的文件都在，且校验值相符" in result.output
