"""``akhbar db upgrade``, ``akhbar db backup`` and ``akhbar config``."""

from __future__ import annotations

from pathlib import Path

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


@db_group.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def backup_command(ctx: Context, target: Path) -> None:
    """Copy the SQLite database to TARGET while akhbar runs (SQLite's online backup).

    Restore: stop akhbar, put TARGET in place of the data directory's akhbar.db, start akhbar.
    PostgreSQL: use pg_dump (docs/deploy.md).
    """
    from akhbar.services import database

    size = database.backup(ctx.settings().database_url, target)
    click.echo(f"backed up to {target} ({size / 1_000_000:.1f} MB)")


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
