"""What an operator asks of a running akhbar: is the database reachable, is its schema current,
and how much work there is (``/readyz``, ``/metrics`` and ``akhbar status`` all read it here).

Nothing here raises for an unreachable or outdated database: the answer says so.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from akhbar.store.engine import current_revision, head_revision
from akhbar.store.tables import articles, seen_urls, sources

log = logging.getLogger(__name__)
_JOBS = sa.text(
    "SELECT status, count(*) FROM procrastinate_jobs"
    " WHERE task_name <> 'akhbar.retry_stalled' GROUP BY status"
)


@dataclass(frozen=True)
class Readiness:
    database: bool
    revision: str | None
    head: str
    problem: str | None = None

    @property
    def ready(self) -> bool:
        return self.database and self.revision == self.head


@dataclass(frozen=True)
class Status:
    """Readiness plus the figures: articles, sources, pages by status, jobs by state, queue depth."""

    readiness: Readiness
    articles: int = 0
    sources: int = 0
    unhealthy_sources: int = 0
    pages: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, int] = field(default_factory=dict)
    queue_depth: int = 0

    def to_json(self) -> dict[str, Any]:
        shown = asdict(self)
        shown["readiness"]["ready"] = self.readiness.ready
        return shown


def readiness(engine: sa.Engine) -> Readiness:
    """Whether the database answers and its schema is the one this code needs."""
    head = head_revision()
    try:
        revision = current_revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return Readiness(False, None, head, f"database unreachable: {reason}")
    if revision != head:
        problem = (
            f"schema at revision {revision or 'none'}, this akhbar needs {head}: run `akhbar db upgrade`"
        )
        return Readiness(True, revision, head, problem)
    return Readiness(True, revision, head)


def _jobs(connection: sa.Connection) -> dict[str, int]:
    if connection.dialect.name != "postgresql" or not sa.inspect(connection).has_table("procrastinate_jobs"):
        return {}
    return {str(state): int(n) for state, n in connection.execute(_JOBS)}


def status(engine: sa.Engine) -> Status:
    """The readiness and, when the schema is current, every figure (one short read)."""
    ready = readiness(engine)
    if not ready.ready:
        return Status(ready)
    try:
        with engine.connect() as connection:
            count = sa.select(sa.func.count())
            pages = connection.execute(
                sa.select(seen_urls.c.status, sa.func.count()).group_by(seen_urls.c.status)
            )
            by_status = {str(state): int(n) for state, n in pages}
            jobs = _jobs(connection)
            return Status(
                ready,
                articles=int(connection.execute(count.select_from(articles)).scalar_one()),
                sources=int(connection.execute(count.select_from(sources)).scalar_one()),
                unhealthy_sources=int(
                    connection.execute(
                        count.select_from(sources).where(sources.c.healthy.is_(False))
                    ).scalar_one()
                ),
                pages=by_status,
                jobs=jobs,
                queue_depth=jobs.get("todo", 0) if jobs else by_status.get("queued", 0),
            )
    except sa.exc.SQLAlchemyError as exc:
        log.warning("status: cannot read the figures: %s", exc)
        return Status(Readiness(False, ready.revision, ready.head, f"database error: {exc}"))
