"""Backups and a tested restore: `flask backup` copies the database (SQLite: the online
backup API, consistent while the app writes; PostgreSQL: pg_dump -Fc) and checks the copy;
`flask restore` puts it back, refusing a database that holds data without --force.

These run on the test database of the run: SQLite by default, PostgreSQL when
TEST_DATABASE_URL names one (then pg_dump and pg_restore must be on PATH, else they skip)."""

import hashlib
import re
import shutil
import sqlite3
import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from survey_app.extensions import db
from survey_app.models import Ballot, Rating, Survey
from survey_app.services.platform import backup
from tests.app.factories import cast

NOW = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


@pytest.fixture
def backend(app):
    with app.app_context():
        name = db.engine.url.get_backend_name()
    if name == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    return name


@pytest.fixture
def voted(app, make_survey):
    survey_id = make_survey(publish=True)
    for labels in (["优秀", "称职"], ["称职", None], ["基本称职", "不称职"]):
        cast(app, survey_id, "superior", {"C1": labels, "C2": labels, "C3": labels})
    return survey_id


def _state(app, survey_id):
    """What a restore must bring back: the title, the ballots and every rating."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        ratings = db.session.execute(
            select(Rating.ballot_id, Rating.subject_id, Rating.dimension_id, Rating.option_id, Rating.score)
            .join(Ballot, Ballot.id == Rating.ballot_id).where(Ballot.survey_id == survey_id)
        ).all()
        return survey.title if survey else None, sorted(map(tuple, ratings))


def _backup(runner, target):
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    return result.output


def test_backup_prints_path_size_and_sha256_of_a_checked_private_copy(app, runner, backend, voted, tmp_path):
    output = _backup(runner, tmp_path)
    path = tmp_path / re.search(r"已备份到：.*/([^/\s]+)", output).group(1)
    assert re.fullmatch(r"pingyi-\d{8}T\d{6}Z\.(db|dump)", path.name)
    data = path.read_bytes()
    assert f"大小：{len(data)} 字节" in output
    assert f"SHA-256：{hashlib.sha256(data).hexdigest()}" in output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sidecar = path.with_name(path.name + ".sha256").read_text()
    assert sidecar == f"{hashlib.sha256(data).hexdigest()}  {path.name}\n"
    assert data.startswith(backup.SQLITE_MAGIC if backend == "sqlite" else backup.PG_DUMP_MAGIC)
    if backend == "sqlite":
        with sqlite3.connect(path) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            assert copy.execute("SELECT count(*) FROM ballots").fetchone() == (3,)
    assert not list(tmp_path.glob("*.part"))
    # A dump lists an open survey's rows in submission order: PostgreSQL backups say so.
    assert ("仍在进行中" in output) == (backend == "postgresql")


def test_backup_never_overwrites_a_file(app, runner, backend, voted, tmp_path):
    target = tmp_path / "pingyi.bak"
    target.write_bytes(b"keep me")
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 1
    assert "不会覆盖" in result.output
    assert target.read_bytes() == b"keep me"


def test_restore_brings_back_changed_and_deleted_data(app, runner, backend, voted, tmp_path):
    before = _state(app, voted)
    target = tmp_path / "before.bak"
    _backup(runner, target)
    with app.app_context():  # a rating changed, a ballot deleted, the survey renamed
        ballots = db.session.scalars(select(Ballot).where(Ballot.survey_id == voted).order_by(Ballot.id)).all()
        ballots[0].ratings[0].score = 0.0
        db.session.delete(ballots[1])
        db.session.get(Survey, voted).title = "被改动的标题"
        db.session.commit()
    assert _state(app, voted) != before

    refused = runner.invoke(args=["restore", str(target), "--yes"])
    assert refused.exit_code == 1
    assert "已有数据" in refused.output and "--force" in refused.output
    assert _state(app, voted)[0] == "被改动的标题"  # nothing changed

    result = runner.invoke(args=["restore", str(target), "--yes", "--force"])
    assert result.exit_code == 0, result.output
    assert _state(app, voted) == before


def test_restore_into_an_empty_database_needs_no_force(app, runner, backend, voted, tmp_path):
    before = _state(app, voted)
    target = tmp_path / "before.bak"
    _backup(runner, target)
    with app.app_context():
        db.drop_all()
        db.create_all()  # empty tables, as after `flask db upgrade` on a new server
        db.session.commit()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert _state(app, voted) == before


def test_restore_asks_for_confirmation(app, runner, backend, voted, tmp_path):
    target = tmp_path / "before.bak"
    _backup(runner, target)
    result = runner.invoke(args=["restore", str(target), "--force"], input="n\n")
    assert result.exit_code != 0
    assert "Aborted" in result.output


def test_restore_refuses_a_damaged_backup(app, runner, backend, voted, tmp_path):
    target = tmp_path / "before.bak"
    _backup(runner, target)
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    before = _state(app, voted)
    result = runner.invoke(args=["restore", str(target), "--yes", "--force"])
    assert result.exit_code == 1
    assert "SHA-256 不符" in result.output
    assert _state(app, voted) == before


def test_restore_refuses_a_file_that_is_no_backup(app, runner, backend, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("hello")
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 1
    assert "无法识别的备份文件" in result.output


def test_sqlite_backup_is_consistent_while_a_writer_holds_a_transaction(app, runner, voted, tmp_path):
    """The app keeps writing during a backup: the copy holds the committed state only, and
    neither side waits for the other (WAL)."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's online backup")
    writer = sqlite3.connect(url.database, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM ratings")
        writer.execute("UPDATE surveys SET title = 'uncommitted'")
        output = _backup(runner, tmp_path / "during.db")
        writer.rollback()
    finally:
        writer.close()
    assert "SHA-256" in output
    with sqlite3.connect(tmp_path / "during.db") as copy:
        assert copy.execute("SELECT count(*) FROM ratings").fetchone() == (18,)
        assert copy.execute("SELECT title FROM surveys").fetchone() == ("2026年度民主测评",)


def test_pg_dump_missing_is_a_clear_error(app, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql+psycopg", database="nowhere")
    with pytest.raises(backup.BackupError, match="找不到 pg_dump"):
        backup.backup(url, tmp_path, tmp_path, NOW)


def test_the_password_never_reaches_the_command_line(app, monkeypatch, tmp_path):
    seen = {}

    def fake_run(command, env, **_kwargs):
        seen.setdefault("commands", []).append(command)
        seen["env"] = env

        class Done:
            returncode, stdout, stderr = 0, "", ""
        return Done()

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    url = make_url("postgresql+psycopg://pingyi:s3cret@db.internal:5432/pingyi?sslmode=require")
    backup.backup(url, tmp_path / "x.dump", tmp_path, NOW)
    assert all("s3cret" not in " ".join(command) for command in seen["commands"])
    assert seen["env"]["PGPASSWORD"] == "s3cret"
    assert "--dbname=postgresql://pingyi@db.internal:5432/pingyi?sslmode=require" in seen["commands"][0]
    assert "--format=custom" in seen["commands"][0]

