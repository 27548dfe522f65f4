"""``akhbar db upgrade`` and ``akhbar config``."""

from __future__ import annotations

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.config import REGISTRY


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_context
def upgrade_command(ctx: Context) -> None:
    """Migrate the database to the newest schema."""
    from akhbar.services import database

    revision = database.upgrade(ctx.settings().database_url)
    click.echo(f"database at revision {revision}")


@click.command("config")
@format_option
@pass_context
def config_command(ctx: Context, output_format: str) -> None:
    """Print the effective settings (secrets masked) and where each comes from."""
    settings = ctx.settings()
    shown = settings.masked()
    if output_format == "json":
        echo_json(shown)
        return
    for setting in REGISTRY:
        click.echo(
            f"{setting.name} = {shown[setting.name]}    # {settings.origins[setting.name]}; {setting.help}"
        )
