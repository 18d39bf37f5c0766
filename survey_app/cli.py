"""Command-line interface: thin commands that call a service, commit and print."""

import json
from pathlib import Path
from typing import BinaryIO, NoReturn

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from survey_app import labels
from survey_app.errors import DomainError, ValidationFailed
from survey_app.extensions import db
from survey_app.models import Role, Survey, User
from survey_app.services import definitions, surveys, users

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
    from survey_app.services import demo

    password = demo.seed()
    db.session.commit()
    if password:
        click.echo(f"演示数据已载入。管理员账号 admin，密码：{password}（只显示这一次）")
    else:
        click.echo("演示数据已存在，未重复载入。")


def register(app: Flask) -> None:
    """Add every command to the app's `flask` CLI."""
    for command in (create_admin, seed_demo, survey_cli):
        app.cli.add_command(command)
