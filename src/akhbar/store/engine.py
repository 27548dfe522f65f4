"""Opening the database: engine options per dialect and schema migrations (Alembic).

SQLite and PostgreSQL are siblings: the same tables and queries, with only the connection set-up
differing here. A database with an outdated schema is refused until ``akhbar db upgrade`` runs.
"""

from __future__ import annotations

import json
import logging
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from akhbar.errors import StoreError
from akhbar.store import prepared

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA = "0026_raw_compression"
"""The schema revision this code reads and writes: the newest migration (a test holds it to the
migrations directory's head). Opening a database compares it with the database's own, so a process
loads Alembic (about 11 MB and 80 ms) only when it migrates."""
VERSIONS = "alembic_version"  # Alembic's table of the database's revisions


def upsert_into(connection: sa.Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` in the connection's dialect, which knows ON CONFLICT (both do)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


_UPSERTS: dict[tuple[str, str, Hashable], Any] = {}


def built_upsert(
    connection: sa.Connection,
    table: sa.Table,
    shape: Hashable,
    build: Callable[[postgresql.Insert | sqlite.Insert], Any],
) -> Any:
    """``build(upsert_into(connection, table))``, built once per dialect, table and ``shape`` (what
    tells the caller's variants apart): its values are bound at each call, so SQLAlchemy neither
    builds it again nor computes its cache key anew."""
    key = (connection.dialect.name, table.name, shape)
    found = _UPSERTS.get(key)
    if found is None:
        found = _UPSERTS[key] = build(upsert_into(connection, table))
    return found


def insert_ignoring(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping those whose key is already there (PostgreSQL and SQLite alike)."""
    prepared.write(
        connection,
        built_upsert(connection, table, "ignoring", lambda insert: insert.on_conflict_do_nothing()),
        rows,
    )


def inserted_id(result: sa.CursorResult[Any], table: sa.Table) -> int:
    """The integer primary key of the row an INSERT just wrote; StoreError if the driver gives none."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise StoreError(f"store: the database returned no key for the new {table.name} row")
    return int(key[0])


class _Held:
    """A thread's connection, in an object whose end (with the thread's locals) closes it."""

    __slots__ = ("__weakref__", "connection")

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection


class HeldConnections:
    """One reading connection per thread, kept open between uses (``Store.reading``).

    Checking a connection out of SQLAlchemy's pool and back in for every read took a lock that all
    the web server's threads fought over (and, past the pool's size, opened a new connection): a
    thread now keeps its own. Each read block ends its transaction (a rollback), so a reader never
    holds an old snapshot between requests (which would keep SQLite from checkpointing its WAL).
    A block nested in another on the same thread shares its connection and leaves the ending to the
    outer one. A connection that failed (invalidated: the server went away) is dropped and the next
    read opens another. A thread's connection closes when the thread ends, and all of them with
    :meth:`close`.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: weakref.WeakSet[sa.Connection] = weakref.WeakSet()

    def _connection(self) -> sa.Connection:
        holder: _Held | None = getattr(self._local, "held", None)
        held = holder.connection if holder is not None else None
        if held is None or held.closed or held.invalidated:
            held = self.engine.connect()
            with self._lock:
                self._open.add(held)
            holder = _Held(held)
            weakref.finalize(holder, held.close)  # when the thread ends and its locals go
            self._local.held = holder
        return held

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        depth: int = getattr(self._local, "depth", 0)
        connection = self._connection()
        self._local.depth = depth + 1
        try:
            yield connection
        finally:
            self._local.depth = depth
            if depth == 0:
                self._end(connection)

    def _end(self, connection: sa.Connection) -> None:
        try:
            connection.rollback()
        except sa.exc.DBAPIError:
            log.warning("store: a reading connection failed; the next read opens another", exc_info=True)
            connection.invalidate()
        if connection.invalidated:
            self._local.held = None
            connection.close()

    def separate(self) -> sa.Connection:
        """A connection of the caller's own (not a thread's), closed with the others by :meth:`close`."""
        connection = self.engine.connect()
        with self._lock:
            self._open.add(connection)
        return connection

    def close(self) -> None:
        """Close every thread's connection (from any thread: the database is going away; a later
        read opens a new one)."""
        with self._lock:
            held, self._open = list(self._open), weakref.WeakSet()
        for connection in held:
            connection.close()


def json_text(value: Any) -> str:
    """A JSON column's value as stored: text as it is written (UTF-8 in the database), where the
    json module's default escapes every non-ASCII character. An Arabic letter escaped as
    ``\\uXXXX`` took 6 bytes instead of 2: the bodies of the bench's 100k articles (Arabic, French
    and English) took 246 MB instead of 136 MB, more rows spilled to overflow pages, and a body was
    decoded 3.4 times as slowly (20 µs against 6 on average). A value holding a lone surrogate (not
    encodable as UTF-8) is stored escaped, as before; rows stored escaped are read as they were."""
    text = json.dumps(value, ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(value)
    return text


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout on every connection;
    JSON values are stored as :func:`json_text` writes them."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"store: invalid database URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        options: dict[str, Any] = {}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # No bound on connections: each thread that reads keeps its own (HeldConnections),
            # and the web server's thread pool alone has 40 threads.
            options["max_overflow"] = -1
        engine = sa.create_engine(parsed, connect_args={"timeout": 30}, json_serializer=json_text, **options)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # connect_timeout: a connection attempt while the server restarts fails instead of hanging a job
        return sa.create_engine(
            parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10}, json_serializer=json_text
        )
    raise StoreError(f"store: unsupported database {parsed.get_backend_name()!r} (use sqlite or postgresql)")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Copy the WAL back into the database every 10,000 pages (40 MB) rather than 1,000: ingest
    # writes a few dozen pages per article, and each copy ends with an fsync that cost every
    # commit 0.5 ms on average at the default.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migration_heads() -> frozenset[str]:
    """The newest revision of each branch of the migrations directory (normally exactly one)."""
    from alembic.script import ScriptDirectory

    heads = frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())
    if not heads:
        raise StoreError(f"store: the migrations directory {MIGRATIONS} has no revision")
    return heads


def head_revision() -> str:
    """The revision this code needs, as a label like :func:`current_revision`'s."""
    return SCHEMA


def current_revisions(engine: sa.Engine) -> frozenset[str]:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSIONS):
            return frozenset()
        return frozenset(connection.execute(sa.text(f"SELECT version_num FROM {VERSIONS}")).scalars())


def current_revision(engine: sa.Engine) -> str | None:
    """The database's revisions as one label (``0002``, or ``0003+0004`` while branches are open),
    None when unversioned."""
    return "+".join(sorted(current_revisions(engine))) or None


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision, one transaction per migration run."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "heads")
    log.info("store: schema at revision %s", head_revision())


def check_schema(engine: sa.Engine, *, create: bool) -> None:
    """Refuse an outdated schema; create a missing one when ``create`` (a brand-new database)."""
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:
        raise StoreError(f"store: cannot open database: {exc.orig}") from exc
    head = head_revision()
    if current == head:
        return
    if current is None and create:
        upgrade(engine)
        return
    raise StoreError(
        f"store: database schema is at revision {current or 'none'}, akhbar needs {head}: "
        "run `akhbar db upgrade`"
    )
