"""A command group whose subcommands are imported on first use, so ``akhbar --help`` starts fast.

Each subcommand is named by ``"module:attribute"``; the module is imported only when the command
runs, its help is shown or the shell completes it. Command modules keep their own heavy imports
(the store, extraction, the web stack) inside their functions for the same reason.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

import click


class LazyGroup(click.Group):
    """A :class:`click.Group` that imports ``lazy_subcommands`` (name -> ``"module:attribute"``) on use."""

    def __init__(self, *args: object, lazy_subcommands: Mapping[str, str] | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # click's own signature, passed through
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> click.Command:
        module_name, attribute = self.lazy_subcommands[name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_subcommands[name]} is not a click command")
        return command
