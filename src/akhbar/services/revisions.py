"""Revisions of the newsroom's articles: the history, what changed between two, and restoring one.

Every save keeps the whole form (:mod:`akhbar.services.drafts`); a diff compares two revisions field
by field and line by line (difflib), and the page shows it escaped like any text. Restoring copies
an older revision as the newest one; publishing it then shows it to readers (a correction).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from akhbar.errors import InputError
from akhbar.extract import editorial as form
from akhbar.services.drafts import Entry, save
from akhbar.store import Store
from akhbar.store import drafts as rows
from akhbar.store.drafts import Revision
from akhbar.store.users import User

__all__ = ["Line", "Revision", "diff", "history", "restore"]


def restore(store: Store, user: User, entry_id: int, number: int, *, now: datetime | None = None) -> Entry:
    """Make revision ``number`` the latest again (as a new revision); publish it to show it to readers."""
    with store.reading() as connection:
        found = rows.revision(connection, entry_id, number)
    if found is None:
        raise InputError.about("article {article} has no revision {number}", article=entry_id, number=number)
    return save(store, user, form.draft_of(found.form), entry_id=entry_id, kind="restore", now=now)


def history(store: Store, entry_id: int) -> list[Revision]:
    with store.reading() as connection:
        return rows.revisions(connection, entry_id)


@dataclass(frozen=True)
class Line:
    """One line of a diff: ``kind`` is ``same``, ``added``, ``removed`` or ``at`` (a field name)."""

    kind: str
    text: str


def _lines(values: dict[str, object]) -> list[str]:
    shown = []
    for name, value in form.form_fields(form.draft_of(values)).items():
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value or "")
        shown.extend([f"[{name}]", *text.splitlines()])
    return shown


def diff(store: Store, entry_id: int, older: int, newer: int) -> list[Line]:
    """What changed from revision ``older`` to ``newer``, field by field, line by line."""
    with store.reading() as connection:
        a, b = rows.revision(connection, entry_id, older), rows.revision(connection, entry_id, newer)
    if a is None or b is None:
        raise InputError.about(
            "article {article} has no revision {number}", article=entry_id, number=newer if a else older
        )
    shown = []
    for line in difflib.unified_diff(_lines(a.form), _lines(b.form), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "at", "+": "added", "-": "removed"}.get(line[:1], "same")
        shown.append(Line(kind, line[1:] if kind != "at" else line))
    return shown
