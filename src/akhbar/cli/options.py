"""Options several commands share, checked while the command line is parsed (before any work or
prompt), without importing what they check against until then."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from akhbar.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


class LazyChoice(click.Choice[str]):
    """A choice among values named ``"module:attribute"``, imported when first needed (not at start-up)."""

    def __init__(self, where: str) -> None:
        self._where = where
        super().__init__([])

    @property  # type: ignore[override]  # click.Choice keeps a plain attribute; this one is read late
    def choices(self) -> Sequence[str]:
        module_name, attribute = self._where.split(":")
        return tuple(getattr(importlib.import_module(module_name), attribute))

    @choices.setter
    def choices(self, _value: Sequence[str]) -> None:
        pass


def language_option(help_text: str) -> Callable[[F], F]:
    """``--language L``, checked against the languages akhbar knows (``akhbar.services.languages``)."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        from akhbar.services.languages import check_language

        try:
            return check_language(value)
        except InputError as exc:
            raise click.BadParameter(str(exc)) from exc

    return click.option("--language", help=help_text, callback=check)


def email_argument() -> Callable[[F], F]:
    """``EMAIL``, refused at once when it is not an email address (before a password is asked for)."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
        from akhbar.services.signin import normalise_email

        try:
            return normalise_email(value)
        except InputError as exc:
            raise click.BadParameter(str(exc).removeprefix("users: ")) from exc

    return click.argument("email", callback=check)
