"""How commands talk to the person running them: notes, empty results, counts and times.

Standard output carries the results (text, or JSON Lines with ``--format json``); standard error
carries everything about them: notes, empty results in JSON mode, totals in JSON mode, progress.
``-q`` silences standard error except warnings and errors.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click

from akhbar.cli.app import quiet


def note(message: str) -> None:
    """One line about the work on standard error (``akhbar: ...``), unless ``-q``."""
    if not quiet():
        click.echo(f"akhbar: {message}", err=True)


def nothing(message: str, output_format: str) -> None:
    """Say that a result is empty: on standard output in text, as a note in JSON (JSON Lines stay clean)."""
    if output_format == "json":
        note(message)
    else:
        click.echo(message)


def total(message: str, output_format: str) -> None:
    """A closing total: the last line of the text output; a note beside JSON Lines."""
    nothing(message, output_format)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 article``, ``2 articles``, ``0 stories`` (give ``plural_form`` when it is not ``+s``)."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def megabytes(size: int) -> str:
    """``0.34 MB``, ``12.3 MB``, ``1234.5 MB``: a size in megabytes, small ones with two decimals."""
    return f"{size / 1_000_000:.2f} MB" if size < 10_000_000 else f"{size / 1_000_000:.1f} MB"


def one_line(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces (snippets, titles)."""
    return " ".join(text.split())


def when(value: datetime | str | None) -> str:
    """A time as people read it, with its offset: ``2023-08-30 14:52 +02:00``.

    An article's time is shown as the article gives it, in its own offset (as the portal shows
    it); a time akhbar recorded itself (stored in UTC) is shown in this machine's time zone. A date
    alone stays a date. ``-`` when there is none.
    """
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return _labelled(value.astimezone())
    if len(value) <= 10:
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return _labelled(parsed) if parsed.tzinfo is not None else f"{parsed:%Y-%m-%d %H:%M}"


def _labelled(value: datetime) -> str:
    offset = value.strftime("%z")
    label = "UTC" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
    return f"{value:%Y-%m-%d %H:%M} {label}"


def command(arguments: str) -> str:
    """An akhbar command as the person can type it in their shell: ``./akhbar ARGS`` at the root of the
    checkout whose environment runs this process (its wrapper script; ``akhbar`` is on no PATH
    there), else ``akhbar ARGS``."""
    here = Path.cwd()
    wrapper = here / "akhbar"
    in_checkout = Path(sys.prefix).resolve() == (here / ".venv").resolve()
    if in_checkout and wrapper.is_file() and os.access(wrapper, os.X_OK):
        return f"./akhbar {arguments}"
    return f"akhbar {arguments}"
