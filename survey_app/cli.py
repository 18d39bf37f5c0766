"""Command-line interface: thin commands that call a service, commit and print."""

import json
from pathlib import Path
from typing import BinaryIO, NoReturn

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from survey_app import labels
from survey_app.errors import DomainError, ValidationFailed
from survey_app.extensions import db
from survey_app.models import Role, Survey, User
from survey_app.services.design import definitions, surveys
from survey_app.services.platform import users
from survey_app.services.targets import score_exports, scores, systems, workbook

survey_cli = AppGroup("survey", help="Survey definitions: list, import, export.")


def _fail(*lines: str) -> NoReturn:
    """Print each line to stderr and exit with status 1."""
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(1)


def _actor(username: str | None) -> User | None:
    """Return the named account, or None (the "system" actor) when no name is given."""
    if username is None:
        return None
    return users.find_user(username) or _fail(f"没有用户名为“{username}”的账号")


@survey_cli.command("list")
def list_survey_definitions() -> None:
    """List surveys: id, year, kind, status, subject count and title (tab-separated)."""
    items = surveys.list_surveys()
    if not items:
        click.echo("还没有任何问卷。")
        return
    click.echo("编号\t年度\t类型\t状态\t对象数\t标题")
    with force_locale("zh_CN"):  # no request here to choose a locale from
        for survey in items:
            kind, status = labels.SURVEY_KIND[survey.kind], labels.SURVEY_STATUS[survey.status]
            click.echo(f"{survey.id}\t{survey.year}\t{kind}\t{status}\t{len(survey.subjects)}\t{survey.title}")


@survey_cli.command("export")
@click.argument("survey_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
def export_survey_definition(survey_id: int, output: Path | None) -> None:
    """Print a survey's definition as JSON (UTF-8), or write it to a file."""
    survey = db.session.get(Survey, survey_id) or _fail(f"没有编号为 {survey_id} 的问卷")
    text = json.dumps(definitions.export_definition(survey), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"已导出问卷 {survey_id} 到 {output}", err=True)


@survey_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--user", "username", help="Attribute the import to this account (default: system).")
def import_survey_definition(file: BinaryIO, username: str | None) -> None:
    """Create a draft survey from a definition file (JSON); "-" reads stdin."""
    actor = _actor(username)
    try:
        survey = definitions.import_definition(file.read(), actor)
    except ValidationFailed as error:
        db.session.rollback()
        _fail(f"{error.message}，共 {len(error.errors)} 处，未导入任何内容：", *error.errors)
    db.session.commit()
    click.echo(f"已导入为草稿，问卷编号 {survey.id}：{survey.title}")


@click.command("create-admin")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value)
@click.option("--password", help="Omit to generate one and print it once.")
@with_appcontext
def create_admin(username: str, role: str, password: str | None) -> None:
    """Create a staff account and print its password once."""
    password = password or users.generate_password()
    try:
        users.create_user(username, password, Role(role))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"已创建账号 {username}（{role}），密码：{password}")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo surveys and print the admin password once (skips if already loaded)."""
    from survey_app import demo

    password = demo.seed()
    db.session.commit()
    if password:
        click.echo(f"演示数据已载入。管理员账号 admin，密码：{password}（只显示这一次）")
    else:
        click.echo("演示数据已存在，未重复载入。")



# ---- codes (一人一码) ---------------------------------------------------------------------

codes_cli = AppGroup("codes", help="One-time codes: issue with PDF slips and CSV, count, void, seal.")


def _survey(survey_id: int) -> Survey:
    return db.session.get(Survey, survey_id) or _fail(f"没有编号为 {survey_id} 的问卷")


@codes_cli.command("issue")
@click.argument("survey_id", type=int)
@click.option("--group", "group_key", required=True, help="Key of the respondent group.")
@click.option("--count", type=click.IntRange(1, 5000), required=True)
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="Write A4 slips here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the codes here.")
def issue_codes(survey_id: int, group_key: str, count: int, pdf_path: Path | None, csv_path: Path | None) -> None:
    """Issue COUNT codes for a group; the plain codes exist only in the files written."""
    from survey_app.services.respondents import codes, slips

    if not pdf_path and not csv_path:
        _fail("请用 --pdf 和/或 --csv 指定输出文件：评议码只在这次输出中以明文出现")
    survey = _survey(survey_id)
    try:
        issued = codes.issue_batch(survey, codes.find_group(survey, group_key), count, actor=None)
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    with force_locale("zh_CN"):
        if pdf_path:
            pdf_path.write_bytes(slips.slips_pdf(survey.title, issued.group.name, issued.codes))
        if csv_path:
            csv_path.write_bytes(slips.codes_csv(survey.title, issued.group.name, issued.batch.id, issued.codes))
    db.session.commit()  # only once the files exist, so no code is issued unprinted
    click.echo(f"已发放 {count} 个评议码（批次 {issued.batch.id}，{issued.group.name}）")


@codes_cli.command("counts")
@click.argument("survey_id", type=int)
def code_counts(survey_id: int) -> None:
    """Print issued / used / void codes and ballots per group (tab-separated)."""
    from survey_app.services.respondents import codes

    click.echo("代码\t评议主体\t已发放\t已使用\t已作废\t未使用\t答卷")
    for c in codes.group_counts(_survey(survey_id)):
        click.echo(f"{c.group.key}\t{c.group.name}\t{c.issued}\t{c.used}\t{c.void}\t{c.unused}\t{c.ballots}")


@codes_cli.command("void-batch")
@click.argument("batch_id", type=int)
def void_code_batch(batch_id: int) -> None:
    """Void the unused codes of a batch (ballots already cast stay)."""
    from survey_app.models import CodeBatch
    from survey_app.services.respondents import codes

    batch = db.session.get(CodeBatch, batch_id) or _fail(f"没有编号为 {batch_id} 的批次")
    voided = codes.void_batch(batch, actor=None)
    db.session.commit()
    click.echo(f"已作废批次 {batch_id} 中未使用的 {voided} 个评议码")


@codes_cli.command("seal")
@click.argument("survey_id", type=int)
def seal_codes(survey_id: int) -> None:
    """After closing: erase storage-level traces linking codes and ballots (docs/anonymity.md)."""
    from survey_app.services.respondents import sealing

    try:
        sealing.seal_survey(_survey(survey_id))
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    click.echo(f"问卷 {survey_id} 已封存：评议码与答卷之间的存储痕迹已清除")


@codes_cli.command("simulate")
@click.argument("survey_id", type=int)
@click.option("--per-group", type=int, help="Ballots per group (default: about the expected count).")
@click.option("--seed", type=int, default=2026)
def simulate_codes(survey_id: int, per_group: int | None, seed: int) -> None:
    """Fill a published survey with plausible random ballots through the real path."""
    import random

    from survey_app.services.respondents import simulation

    survey = _survey(survey_id)
    counts = {g.key: per_group for g in survey.groups} if per_group is not None else None
    try:
        stored = simulation.simulate_ballots(survey, counts, random.Random(seed))
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    click.echo(f"已模拟提交 {stored} 份答卷")


# ---- results (exports) --------------------------------------------------------------------


@click.command("results")
@click.argument("survey_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx", "pdf"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (required for xlsx and pdf; json goes to stdout without it).")
@with_appcontext
def export_results(survey_id: int, fmt: str, output: Path | None) -> None:
    """Export a survey's full results (every unit) as JSON, Excel or PDF."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from flask import current_app

    from survey_app.services.results import answer_exports, answers, archive, exports, report_pdfs, reports

    if fmt != "json" and output is None:
        _fail(f"--format {fmt} 需要用 -o 指定输出文件")
    survey = db.session.get(Survey, survey_id) or _fail(f"没有编号为 {survey_id} 的问卷")
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    today = datetime.now(zone).date()
    seal = archive.seal_of(survey, zone)
    with force_locale("zh_CN"):
        report = reports.survey_report(survey)
        texts = answers.answers_view(survey, report, None)  # masked, as every export
        if fmt == "json":
            body = exports.results_json(report) | {"answers": answer_exports.answers_json(texts)}
            data = (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        elif fmt == "xlsx":
            data = exports.results_workbook(report, today, archive=seal, answers=texts)
        else:
            data = report_pdfs.survey_pdf(report, today, archive=seal, answers=texts)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    output.write_bytes(data)
    click.echo(f"已导出问卷 {survey_id} 的评议结果到 {output}", err=True)


# ---- archive checksum, backup and restore (docs/operations.md) -----------------------------


@click.command("verify-archive")
@click.argument("survey_id", type=int)
@with_appcontext
def verify_archive(survey_id: int) -> None:
    """Recompute an archived survey's checksum and say whether it matches (exit 1 if not)."""
    from survey_app.services.results import archive

    survey = _survey(survey_id)
    try:
        result = archive.verify(survey, actor=None)
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()  # the audit entry of the check
    click.echo(f"记录的校验值：{result.recorded}")
    click.echo(f"重新计算的值：{result.current.archive_sha256}")
    if not result.is_match:
        _fail("不一致：归档后答卷或其名称（评议主体、维度、选项）有改动，请查看操作日志")
    click.echo("一致：答卷自归档以来没有改动")


@click.command("backup")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to FILE, or into DIRECTORY under a timestamped name (default: instance/backups/).")
@with_appcontext
def backup_database(output: Path | None) -> None:
    """Back up the database (SQLite: online backup API; PostgreSQL: pg_dump -Fc) and check the copy."""
    from datetime import UTC, datetime

    from flask import current_app

    from survey_app.services.platform import backup

    try:
        for survey in backup.unsealed_surveys(db.engine.url):
            click.echo(f"注意：问卷 {survey.id}（{survey.title}）仍在进行中，本备份中它的答卷按提交顺序排列；"
                       "结束（封存）后请重新备份并销毁此备份（docs/operations.md）", err=True)
        db.session.remove()  # no transaction of ours stays open beside the copy
        result = backup.backup(db.engine.url, output, Path(current_app.instance_path) / "backups", datetime.now(UTC))
    except backup.BackupError as error:
        _fail(error.message)
    click.echo(f"已备份到：{result.path}")
    click.echo(f"大小：{result.size} 字节")
    click.echo(f"SHA-256：{result.sha256}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
@click.confirmation_option("--yes", prompt="用备份替换当前数据库的全部内容，确定吗？",
                           help="Confirm without being asked.")
@with_appcontext
def restore_database(path: Path, force: bool) -> None:
    """Replace the configured database with a backup made by `flask backup`."""
    from survey_app.services.platform import backup

    db.session.remove()
    try:
        backup.restore(db.engine, path, force=force)
    except backup.BackupError as error:
        _fail(error.message)
    click.echo(f"已从 {path} 恢复数据库。若应用版本比备份新，请再运行 flask --app wsgi db upgrade。")


# ---- indicator systems (考核细则) -------------------------------------------------------------

targets_cli = AppGroup("targets", help="Indicator systems (考核细则): import and export (JSON or Excel).")


@targets_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", help="Attribute the import to this account (default: system).")
def import_targets(file: Path, username: str | None) -> None:
    """Store a 考核细则 file (.json or .xlsx) as a new draft; nothing is stored when it is wrong."""
    actor = _actor(username)
    data = file.read_bytes()
    try:
        system = (workbook.import_workbook(data, actor) if file.suffix.lower() == ".xlsx"
                  else systems.import_system(data, actor, source="cli"))
    except ValidationFailed as error:
        db.session.rollback()
        _fail(f"{error.message}，共 {len(error.errors)} 处：", *error.errors)
    db.session.commit()
    click.echo(f"已导入为草稿，编号 {system.id}：{system.title}（{len(system.nodes)} 个指标）")


@targets_cli.command("export")
@click.argument("year", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx or FILE.json.")
@click.option("--category", help="The unit category, when the year has systems for several.")
def export_targets(year: int, output: Path, category: str | None) -> None:
    """Write a year's indicator system to FILE.xlsx or FILE.json (the published one, else the newest draft)."""
    if output.suffix.lower() not in (".xlsx", ".json"):
        _fail("输出文件应以 .xlsx 或 .json 结尾")
    found = [s for s in systems.systems_of_year(year) if category is None or s.category == category]
    categories = sorted({s.category for s in found})
    if not found:
        _fail(f"{year} 年度没有{'“' + category + '”的' if category else ''}考核细则")
    if len(categories) > 1:
        _fail(f"{year} 年度有多个单位类别的考核细则，请用 --category 指定：" + "、".join(categories))
    system = max(found, key=lambda s: (s.is_locked, s.id))
    with force_locale("zh_CN"):
        if output.suffix.lower() == ".xlsx":
            output.write_bytes(workbook.export_workbook(system))
        else:
            text = json.dumps(systems.export_system(system), ensure_ascii=False, indent=2) + "\n"
            output.write_text(text, encoding="utf-8")
    click.echo(f"已导出考核细则 {system.id}（{system.title}）到 {output}", err=True)


@targets_cli.command("scores")
@click.argument("year", type=int)
@click.option("--category", help="Only this unit category (default: every category of the year).")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (json goes to standard output without it; xlsx needs it).")
def target_scores_command(year: int, category: str | None, fmt: str, output: Path | None) -> None:
    """Scores of a year's indicator systems: units ranked, subtotals, every leaf's arithmetic."""
    if fmt == "xlsx" and output is None:
        _fail("导出 Excel 时请用 -o 指定输出文件")
    categories = sorted({s.category for s in systems.systems_of_year(year)
                         if category is None or s.category == category})
    if not categories:
        _fail(f"{year} 年度没有{'“' + category + '”的' if category else ''}考核细则")
    with force_locale("zh_CN"):
        try:
            found = [scores.score_system(scores.system_for(year, name)) for name in categories]
        except DomainError as error:
            _fail(error.message)
        if fmt == "xlsx":
            output.write_bytes(score_exports.write_workbook(found))
        else:
            text = json.dumps({"year": year, "systems": [score_exports.as_json(s) for s in found]},
                              ensure_ascii=False, indent=2) + "\n"
            if output is None:
                click.echo(text, nl=False)
            else:
                output.write_text(text, encoding="utf-8")
    if output is not None:
        click.echo(f"已导出 {year} 年度 {len(found)} 个单位类别的指标考评得分到 {output}", err=True)


files_cli = AppGroup("files", help="Evidence files: check the store against the database.")


@files_cli.command("check")
@click.option("--checksums", is_flag=True, help="Read every file and verify its SHA-256 (slower).")
@with_appcontext
def check_files(checksums: bool) -> None:
    """Say whether every recorded evidence file is in the file store (exit 1 if not)."""
    from survey_app.services.platform import evidence_files

    try:
        result = evidence_files.check_stored_files(verify_checksums=checksums)
    except DomainError as error:
        _fail(error.message)
    click.echo(f"已检查 {result.rows} 条文件记录（{result.objects} 个存储对象）")
    for label, rows in (("缺失", result.missing), ("校验不符", result.corrupt)):
        for stored in rows:
            click.echo(f"{label}：#{stored.id} {stored.original_name}（{stored.key}）", err=True)
    if not result.is_sound:
        _fail("文件存储与数据库不一致：请从同一次备份恢复文件（docs/operations.md）")
    click.echo("一致：每条记录的文件都在" + ("，且校验值相符" if checksums else ""))


def register(app: Flask) -> None:
    """Add every command to the app's `flask` CLI."""
    for command in (create_admin, seed_demo, survey_cli, codes_cli, export_results, verify_archive,
                    backup_database, restore_database, targets_cli, files_cli):
        app.cli.add_command(command)
