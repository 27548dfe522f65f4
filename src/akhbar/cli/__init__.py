"""The ``akhbar`` command. Each command group lives in its own module and calls services only.

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input (with a one-line reason on stderr).
"""

from __future__ import annotations

import sys

import click

from akhbar.cli.app import cli
from akhbar.cli.articles import articles_group, rejections_group
from akhbar.cli.bench import bench_group
from akhbar.cli.breaking import breaking_group
from akhbar.cli.db import config_command, db_group
from akhbar.cli.evaluation import eval_group
from akhbar.cli.ingest import extract_command, ingest_command, reprocess_command
from akhbar.cli.refresh import refresh_command
from akhbar.cli.search import search_group
from akhbar.cli.serve import demo_command, serve_command
from akhbar.cli.sources import sources_group
from akhbar.cli.stories import stories_group
from akhbar.cli.users import users_group
from akhbar.cli.worker import worker_command
from akhbar.errors import AkhbarError, ConfigError, InputError

for command in (
    articles_group,
    rejections_group,
    bench_group,
    breaking_group,
    users_group,
    config_command,
    db_group,
    extract_command,
    ingest_command,
    reprocess_command,
    demo_command,
    serve_command,
    sources_group,
    stories_group,
    refresh_command,
    worker_command,
    search_group,
    eval_group,
):
    cli.add_command(command)


def main() -> None:
    """Entry point: run the command, turning akhbar's errors into a one-line reason and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("akhbar: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (ConfigError, InputError) as exc:
        click.echo(f"akhbar: {exc}", err=True)
        sys.exit(2)
    except AkhbarError as exc:
        click.echo(f"akhbar: {exc}", err=True)
        sys.exit(1)
