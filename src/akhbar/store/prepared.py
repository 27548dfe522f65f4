"""Reads on the pages' hot paths: a statement built once, run on SQLite through the driver's cursor.

SQLAlchemy's handling of an execution (its context, the cache key of the statement, the result's
metadata and rows) cost about 65 µs per statement on this project's machine, three times what SQLite
took to answer the same query by primary key, and an article page runs six of them. :func:`read`
compiles a statement once per dialect, then binds its values in the compiled order, runs it on the
connection's own driver connection (in the connection's transaction, as SQLAlchemy would), and
converts each value with the processor SQLAlchemy itself would have used (dates, JSON, booleans).

Rows are named tuples: ``row.title`` and ``row[1]`` read them, as they read SQLAlchemy's rows, which
is what every other database gets (:func:`read` runs the statement through SQLAlchemy there).
"""

from __future__ import annotations

import re
import sqlite3
import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

_EXPANDING = re.compile(r"\(__\[POSTCOMPILE_(\w+)\]\)")
_EMPTY = "SELECT 1 FROM (SELECT 1) WHERE 1!=1"  # SQLAlchemy's empty set on SQLite
_Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for one dialect: its SQL cut around its expanding (``IN``) parameters,
    its parameters in the order they are bound, and how each row is made from what SQLite returns."""

    pieces: tuple[str, ...]  # the SQL between the expanding parameters (one more than them)
    binds: tuple[tuple[str, bool, _Convert | None, Any], ...]  # name, expanding, processor, default
    required: frozenset[str]  # the parameters without a default, which a read must give
    row: Any  # the named tuple class of a row
    converted: tuple[tuple[int, _Convert], ...]  # (column, processor) of the columns converted

    def sql(self, parameters: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The SQL and values for ``parameters``. An empty list is written as SQLAlchemy writes it for
        SQLite, a query of no rows: ``IN ()`` is valid SQLite too, but beside an ``OR`` it kept the
        planner from the indexes (a scan of every article for each article page)."""
        missing = self.required.difference(parameters)
        if missing:
            raise sa.exc.ArgumentError(f"a value is required for {', '.join(sorted(missing))}")
        values: list[Any] = []
        marks: list[str] = []
        for name, expanding, convert, default in self.binds:
            value = parameters.get(name, default)
            if expanding:
                items = list(value)
                marks.append(",".join("?" * len(items)) if items else _EMPTY)
                values.extend(map(convert, items) if convert else items)
            else:
                values.append(convert(value) if convert and value is not None else value)
        text = self.pieces[0]
        for mark, piece in zip(marks, self.pieces[1:], strict=True):
            text += f"({mark}){piece}"
        return text, tuple(values)

    def rows(self, found: list[tuple[Any, ...]]) -> list[Any]:
        make = self.row._make
        if not self.converted:
            return list(map(make, found))
        converted = []
        for values in found:
            row = list(values)
            for at, convert in self.converted:
                row[at] = convert(row[at])
            converted.append(make(row))
        return converted


_plans: weakref.WeakKeyDictionary[sa.Dialect, dict[int, _Plan | None]] = weakref.WeakKeyDictionary()


def _plan(statement: sa.Select[Any], dialect: sa.Dialect) -> _Plan | None:
    """How to run ``statement`` through the driver; None when its columns cannot name a tuple's
    fields (the statement then always goes through SQLAlchemy)."""
    compiled = statement.compile(dialect=dialect)
    keys = list(statement.selected_columns.keys())
    try:
        row = namedtuple("Row", keys)  # type: ignore[misc]  # names known only here
    except ValueError:
        return None
    pieces = tuple(_EXPANDING.split(compiled.string)[0::2])
    binds, required = _binds(compiled, dialect)
    converted = []
    for at, column in enumerate(statement.selected_columns):
        convert = column.type._cached_result_processor(dialect, None)
        if convert is not None:
            converted.append((at, convert))
    return _Plan(pieces, binds, required, row, tuple(converted))


def _binds(
    compiled: Any, dialect: sa.Dialect
) -> tuple[tuple[tuple[str, bool, _Convert | None, Any], ...], frozenset[str]]:
    """A compiled statement's parameters in the order they are bound (name, expanding, processor,
    default), and those without a default, which a caller must give."""
    binds, required = [], set()
    for name in compiled.positiontup or ():
        bound = compiled.binds[name]
        binds.append(
            (name, bool(bound.expanding), bound.type._cached_bind_processor(dialect), bound.effective_value)
        )
        if bound.required:
            required.add(name)
    return tuple(binds), frozenset(required)


def read(
    connection: sa.Connection, statement: sa.Select[Any], parameters: Mapping[str, Any] | None = None
) -> Sequence[Any]:
    """The rows of ``statement`` (built once, its values given as bound parameters) for
    ``parameters``: on SQLite through the driver, on other databases through SQLAlchemy.

    A failure is raised as SQLAlchemy raises it (:class:`sqlalchemy.exc.DBAPIError`)."""
    parameters = parameters or {}
    dialect = connection.dialect
    if dialect.name != "sqlite":
        return connection.execute(statement, parameters).all()
    kept = _plans.get(dialect)
    if kept is None:
        kept = _plans[dialect] = {}
    key = id(statement)
    if key not in kept:
        kept[key] = _plan(statement, dialect)
        weakref.finalize(statement, kept.pop, key, None)  # an id is only unique while its object lives
    plan = kept[key]
    if plan is None:
        return connection.execute(statement, parameters).all()
    return plan.rows(fetched(connection, *plan.sql(parameters)))


def fetched(connection: sa.Connection, sql: str, parameters: tuple[object, ...]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` on SQLite as the driver returns them (tuples), read through its own
    cursor, in the connection's transaction as SQLAlchemy's statements are; a failure is raised
    as SQLAlchemy would raise it (:class:`sqlalchemy.exc.DBAPIError`)."""
    driver: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]  # None only once closed
    try:
        return driver.execute(sql, parameters).fetchall()
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, parameters, exc, sqlite3.Error) from exc


def first(connection: sa.Connection, statement: sa.Select[Any], parameters: Mapping[str, Any]) -> Any | None:
    """The first row :func:`read` gives, or None."""
    found = read(connection, statement, parameters)
    return found[0] if found else None


@dataclass(frozen=True)
class _Write:
    """A write statement compiled for one dialect and one set of value names: its SQL, and its
    parameters in the order they are bound (name, processor, default)."""

    sql: str
    binds: tuple[tuple[str, _Convert | None, Any], ...]
    required: frozenset[str]

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        missing = self.required.difference(row)
        if missing:
            raise sa.exc.ArgumentError(f"a value is required for {', '.join(sorted(missing))}")
        out = []
        for name, convert, default in self.binds:
            value = row.get(name, default)
            out.append(convert(value) if convert else value)  # None too, as SQLAlchemy (JSON: "null")
        return tuple(out)


_writes: weakref.WeakKeyDictionary[sa.Dialect, dict[tuple[int, frozenset[str]], _Write | None]] = (
    weakref.WeakKeyDictionary()
)


def _write_plan(
    statement: sa.Insert | sa.Update | sa.Delete, dialect: sa.Dialect, names: frozenset[str]
) -> _Write | None:
    """How to run ``statement`` with values named ``names`` through the driver; None when SQLAlchemy
    must run it: values it makes itself (a column's Python default), rows it returns, lists."""
    compiled: Any = statement.compile(dialect=dialect, column_keys=sorted(names))
    if compiled.insert_prefetch or compiled.update_prefetch or compiled.effective_returning:
        return None
    binds, required = _binds(compiled, dialect)
    if any(expanding for _, expanding, _, _ in binds):
        return None
    return _Write(
        compiled.string, tuple((name, convert, default) for name, _, convert, default in binds), required
    )


def write(
    connection: sa.Connection,
    statement: sa.Insert | sa.Update | sa.Delete,
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> None:
    """Run a write built once (an INSERT of many rows, say) for one row of values or many: on
    SQLite through the driver, converting each value as SQLAlchemy would, in the connection's
    transaction; on other databases, and for what the driver cannot be given as is (see
    :func:`_write_plan`), through SQLAlchemy. A failure is raised as SQLAlchemy raises it."""
    many = [rows] if isinstance(rows, Mapping) else list(rows)
    if not many:
        return
    given = rows if isinstance(rows, Mapping) else many  # as SQLAlchemy is given them, when it runs them
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(statement, given)
        return
    kept = _writes.get(dialect)
    if kept is None:
        kept = _writes[dialect] = {}
    key = (id(statement), frozenset(many[0]))
    if key not in kept:
        kept[key] = _write_plan(statement, dialect, key[1])
        weakref.finalize(statement, _forget, kept, key[0])
    plan = kept[key]
    if plan is None or any(frozenset(row) != key[1] for row in many[1:]):
        connection.execute(statement, given)
        return
    values = [plan.values(row) for row in many]
    driver: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]  # None only once closed
    try:
        if len(values) == 1:
            driver.execute(plan.sql, values[0])
        else:
            driver.executemany(plan.sql, values)
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(plan.sql, values, exc, sqlite3.Error) from exc


def _forget(kept: dict[tuple[int, frozenset[str]], _Write | None], statement_id: int) -> None:
    for key in [key for key in kept if key[0] == statement_id]:
        kept.pop(key, None)
