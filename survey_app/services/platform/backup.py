"""Backups and restores of the whole database (docs/operations.md, "Backups").

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot
while the app keeps writing (WAL lets it read beside the writer); the copy is then
VACUUMed (no free page keeps erased data such as idempotency hashes cleared by sealing),
switched to a single self-contained file and checked with `PRAGMA integrity_check`.
PostgreSQL: `pg_dump --format=custom`, checked by listing it with `pg_restore --list`;
restored with `pg_restore --clean --if-exists` in one transaction.

Backups copy the tables as they are, sealed or not: docs/anonymity.md says what a backup
taken while a survey is open holds. Every file is written with mode 0600 beside a
`.sha256` file in `sha256sum` format.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Engine, exists, inspect, select, table
from sqlalchemy.engine import URL

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Ballot, Survey, SurveyStatus

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: Tables that say nothing about whether a database holds data.
_BOOKKEEPING = {"alembic_version"}


class BackupError(DomainError):
    """A backup or restore that could not be done; nothing was changed."""


@dataclass(frozen=True, slots=True)
class BackupFile:
    path: Path
    size: int
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _backend(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError(_("内存数据库无法备份"))
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"不支持备份 {url.get_backend_name()} 数据库")


def default_name(url: URL, now: datetime) -> str:
    """Return a timestamped file name, e.g. pingyi-20261124T073000Z.db (or .dump)."""
    suffix = ".db" if _backend(url) == "sqlite" else ".dump"
    return f"pingyi-{now.strftime('%Y%m%dT%H%M%SZ')}{suffix}"


def _target(url: URL, output: Path | None, default_dir: Path, now: datetime) -> Path:
    if output is None:
        default_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        output = default_dir
    if output.is_dir():
        output = output / default_name(url, now)
    if output.exists():
        raise BackupError(f"文件已存在，不会覆盖：{output}")
    if not output.parent.is_dir():
        raise BackupError(f"目录不存在：{output.parent}")
    return output


def unsealed_surveys(url: URL) -> list[Survey]:
    """Surveys whose ballots a PostgreSQL dump would list in submission order: open ones
    with ballots (closing seals them). SQLite copies are VACUUMed, so none there."""
    if _backend(url) != "postgresql":
        return []
    has_ballots = exists().where(Ballot.survey_id == Survey.id)
    return list(db.session.scalars(select(Survey).where(Survey.status == SurveyStatus.PUBLISHED, has_ballots)))


def _private_file(path: Path) -> None:
    """Create an empty file only its owner can read: backups hold every ballot."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def backup(url: URL, output: Path | None, default_dir: Path, now: datetime) -> BackupFile:
    """Back up the database at `url` to `output` (a file, or a directory for a timestamped
    name; default `default_dir`), check the copy and return its path, size and SHA-256."""
    target = _target(url, output, default_dir, now)
    partial = target.with_name(target.name + ".part")
    _private_file(partial)
    try:
        if _backend(url) == "sqlite":
            _sqlite_backup(Path(url.database), partial)
        else:
            _pg_dump(url, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    result = BackupFile(target, target.stat().st_size, file_sha256(target))
    sidecar = target.with_name(target.name + ".sha256")
    sidecar.write_text(f"{result.sha256}  {target.name}\n", encoding="utf-8")
    return result


# ---- SQLite --------------------------------------------------------------------------------


def _sqlite_check(connection: sqlite3.Connection, what: str) -> None:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    if rows != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in rows[:5])
        raise BackupError(f"{what}未通过完整性检查（PRAGMA integrity_check）：{problems}")


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"数据库文件不存在：{source}")
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(target)) as copy:
        # One step (pages=-1) inside one read transaction: a consistent snapshot, WAL included,
        # while the app's writers go on.
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        copy.execute("VACUUM")
        _sqlite_check(copy, "备份文件")


def _sqlite_restore(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup_copy:
        _sqlite_check(backup_copy, "备份文件")
        with closing(sqlite3.connect(target, timeout=30)) as live:
            backup_copy.backup(live)  # replaces every page of the live database in one step
            _sqlite_check(live, "恢复后的数据库")


# ---- PostgreSQL ----------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：postgresql-client），版本不低于数据库服务器"
        )
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq connection URI without the password, and the environment carrying it
    (a password on the command line would show in `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)  # URL.set() keeps a password
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {completed.returncode}）：{completed.stderr.strip()[-2000:]}")
    return completed.stdout


def _pg_dump(url: URL, target: Path) -> None:
    conninfo, env = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={conninfo}"], env, "pg_dump")
    _run([_tool("pg_restore"), "--list", str(target)], env, "检查备份文件（pg_restore --list）")


def _pg_restore(url: URL, source: Path) -> None:
    conninfo, env = _libpq(url)
    tool = _tool("pg_restore")
    _run([tool, "--list", str(source)], env, "检查备份文件（pg_restore --list）")
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(source)], env, "pg_restore")


# ---- restore -------------------------------------------------------------------------------


def holds_data(engine: Engine) -> bool:
    """Tell whether any table (but Alembic's bookkeeping) has a row."""
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names()) - _BOOKKEEPING
        return any(connection.execute(select(1).select_from(table(name)).limit(1)).first() for name in names)


def _kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"无法识别的备份文件（既不是 SQLite 数据库，也不是 pg_dump -Fc 文件）：{path}")


def _check_sidecar(source: Path) -> None:
    sidecar = source.with_name(source.name + ".sha256")
    if not sidecar.is_file():
        return
    expected = sidecar.read_text(encoding="utf-8").split()[:1]
    if expected and expected[0].lower() != file_sha256(source):
        raise BackupError(f"备份文件与 {sidecar.name} 中的 SHA-256 不符：文件可能已损坏或被改动")


def restore(engine: Engine, source: Path, *, force: bool) -> None:
    """Replace the database behind `engine` with the backup at `source`.

    Refuses a target that holds data unless `force`, a backup of the other backend, and a
    file whose `.sha256` beside it does not match. The engine's pooled connections are
    closed before and after, so nothing keeps reading the old data.
    """
    url = engine.url
    backend = _backend(url)
    if _kind_of(source) != backend:
        raise BackupError(_("备份文件与当前数据库类型不符（SQLite 与 PostgreSQL 不能互相恢复）"))
    _check_sidecar(source)
    if not force and holds_data(engine):
        raise BackupError(_("目标数据库已有数据；确认要覆盖时请加 --force"))
    engine.dispose()
    try:
        if backend == "sqlite":
            _sqlite_restore(source, Path(url.database))
        else:
            _pg_restore(url, source)
    finally:
        engine.dispose()
