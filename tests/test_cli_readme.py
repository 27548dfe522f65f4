"""The README's "First steps" type commands that exist and parse as written (what each one does is
tested in the other test_cli_* files)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from akhbar.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def first_steps() -> list[list[str]]:
    """The ``./akhbar ...`` lines of the section, as argument lists (comments dropped)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## First steps", 1)[1].split("\n## ", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for line in section.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("./akhbar ")]


def parse(args: list[str]) -> click.Context:
    """Parse ``akhbar ARGS`` down to its last command, running option checks but not the command."""
    ctx = cli.make_context("akhbar", list(args))
    command: click.Command = cli
    while isinstance(command, click.Group):
        rest = [
            *ctx._protected_args,
            *ctx.args,
        ]  # as click.Group.invoke reads them (the property is deprecated)
        name, found, rest = command.resolve_command(ctx, rest)
        assert found is not None and name is not None, f"no command in {args}"
        command, ctx = found, found.make_context(name, rest, parent=ctx)
    return ctx


def test_first_steps_walk_from_the_demo_to_an_editor() -> None:
    steps = first_steps()
    commands = [" ".join(step[:2]) for step in steps]
    assert commands[0] == "articles list"
    for needed in ("sources add", "refresh", "users add"):
        assert any(c.startswith(needed) for c in commands), needed
    assert any(step[0] == "search" for step in steps)
    for step in steps:
        parse(step)
    assert re.search(r"^make demo\b", README.read_text(encoding="utf-8"), re.MULTILINE)
