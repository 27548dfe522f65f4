"""``akhbar db upgrade``, ``backup``, ``advise`` and ``compress``, and ``akhbar config``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from akhbar.cli.app import Context, echo_json, format_option, pass_context
from akhbar.cli.output import megabytes, plural
from akhbar.cli.progress import bars
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
    click.echo(f"backed up to {target} ({megabytes(size)})")


@db_group.command("compress")
@click.option(
    "--vacuum",
    is_flag=True,
    help="Then give the freed space back to the disk (SQLite: rewrites the file, writers wait).",
)
@pass_context
def compress_command(ctx: Context, vacuum: bool) -> None:
    """Compress the raw documents stored before akhbar compressed them (to about a fifth of their size).

    akhbar keeps each fetched page to re-extract it (`akhbar reprocess`). It now stores them
    compressed; this compresses those stored earlier, a batch at a time, while akhbar runs. SQLite
    keeps the freed space for new rows until the file is rewritten: --vacuum does it, and needs
    as much free disk as the database takes.
    """
    from akhbar.services import database

    store = ctx.store()
    started = time.monotonic()
    with bars() as display:
        bar = display.add("raw documents", database.last_raw_id(store), "documents")  # by id
        done = database.compress_raw(store, progress=lambda n: bar.update(completed=n))
    summary = f"compressed {plural(done.documents, 'raw document')} in {time.monotonic() - started:.1f} s"
    if done.documents:
        smaller = done.before / max(done.after, 1)
        summary += f": {megabytes(done.before)} → {megabytes(done.after)}, {smaller:.1f} times smaller"
    click.echo(summary)
    if vacuum:
        database.vacuum(store)
        click.echo("space given back to the disk")
    elif done.documents and store.dialect == "sqlite":
        click.echo("the database file keeps its size, its free space reused by new rows; --vacuum shrinks it")


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


@db_group.command("advise")
@click.option(
    "--memory-gb",
    type=click.FloatRange(0.25, 4096),
    help="RAM of the database server (default: this machine's).",
)
@click.option(
    "--cores",
    type=click.IntRange(1, 1024),
    help="CPU cores of the database server (default: this machine's).",
)
@pass_context
def advise_command(ctx: Context, memory_gb: float | None, cores: int | None) -> None:
    """PostgreSQL settings akhbar needs (postgresql.conf lines), and how the configured server compares."""
    from akhbar.store import advice

    here_memory, here_cores = advice.this_machine()
    memory = int(memory_gb * advice.GB) if memory_gb else here_memory
    cores = cores or here_cores
    click.echo(f"# postgresql.conf for akhbar: {memory / advice.GB:.1f} GB of RAM, {cores} cores")
    for item in advice.advised(memory, cores):
        click.echo(f"{item.name} = '{item.value}'    # {item.why}")
    click.echo(
        "# search at scale needs the rum extension: apt-get install postgresql-NN-rum, then akhbar db upgrade"
    )
    url = ctx.settings().database_url
    if not url.startswith("postgresql"):
        click.echo("# the configured database is SQLite: these apply once database_url is PostgreSQL")
        return
    import sqlalchemy as sa

    engine = sa.create_engine(url)  # not ctx.store(): advice holds before `db upgrade` too
    try:
        with engine.connect() as connection:
            checks = advice.check(connection, memory, cores)
    finally:
        engine.dispose()
    click.echo("# the configured server now:")
    for found in checks:
        verdict = "ok" if found.ok else f"advised {found.advised}"
        click.echo(f"#   {found.name:32} {found.current:24} {verdict}")
