"""Command-line interface: thin commands that call a service, commit and print."""

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.services import users

survey_cli = AppGroup("survey", help="Survey definitions: list, import, export.")


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
