"""The ``akhbar`` command. Each command group lives in its own module and calls services only.

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input (with a one-line reason on stderr).
The command modules are imported when used (:data:`akhbar.cli.app.COMMANDS`), so start-up is fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from akhbar.cli.app import cli
from akhbar.cli.output import command
from akhbar.errors import AkhbarError, ConfigError, InputError

__all__ = ["cli", "main"]


def main(args: Sequence[str] | None = None) -> None:
    """Entry point: run the command, turning akhbar's errors into a one-line reason and an exit code."""
    try:
        cli.main(args=list(args) if args is not None else None, prog_name="akhbar", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("akhbar: aborted", err=True)
        sys.exit(1)
    except click.exceptions.NoArgsIsHelpError as exc:  # a group alone: its help, as click shows it
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"akhbar: {_one_line(exc)}", err=True)
        sys.exit(exc.exit_code)
    except (ConfigError, InputError) as exc:
        click.echo(f"akhbar: {exc}", err=True)
        sys.exit(2)
    except AkhbarError as exc:
        click.echo(f"akhbar: {exc}", err=True)
        sys.exit(1)


def _one_line(exc: click.ClickException) -> str:
    """Click's message on one line, with where to read more for a usage error."""
    message = " ".join(exc.format_message().split())
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        path = exc.ctx.command_path.partition(" ")[2]
        return f"{message} (see: {command(f'{path} --help'.strip())})"
    return message
