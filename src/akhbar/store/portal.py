"""Read queries of the portal, the feeds and the API: light article summaries, pages, stories, sites."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from akhbar.models import ArticleSummary, as_utc
from akhbar.store import prepared
from akhbar.store.tables import article_deletions, articles

SUMMARY_COLUMNS = (
    articles.c.id,
    articles.c.title,
    articles.c.site_name,
    articles.c.published,
    articles.c.language,
    articles.c.url,
    articles.c.image_url,
    articles.c.story_id,
    articles.c.source_id,
    articles.c.updated_at,
    articles.c.section,
)


def newest_first(connection: sa.Connection) -> tuple[sa.UnaryExpression[Any], ...]:
    """Newest first, undated articles last, then by arrival; the published index serves it."""
    published = articles.c.published.desc()
    if connection.dialect.name != "sqlite":  # SQLite already sorts NULLs last in DESC order
        published = published.nulls_last()
    return published, articles.c.id.desc()


def _after(dated: bool) -> sa.ColumnElement[bool]:
    """Rows after the cursor (``after_published``, ``after_id``) in :func:`newest_first` order, for a
    cursor on a dated row or (not ``dated``) an undated one."""
    c = articles.c
    published, last_id = (
        sa.bindparam("after_published", type_=sa.String),
        sa.bindparam("after_id", type_=sa.Integer),
    )
    if not dated:
        return sa.and_(c.published.is_(None), c.id < last_id)
    return sa.or_(
        c.published < published,
        sa.and_(c.published == published, c.id < last_id),
        c.published.is_(None),
    )


@dataclass(frozen=True)
class Filters:
    """Which articles a list shows; every field is optional.

    With ``collapse``, a syndicated copy (``duplicate_of`` set) is listed only when no earlier copy of
    the same text passes the other filters: the home page shows the original, a site's page shows the
    site's own first copy, never the same text twice.
    """

    language: str | None = None
    source_id: int | None = None
    site_name: str | None = None
    story_id: int | None = None
    article_id: int | None = None
    since: str | None = None
    title_like: str | None = None
    section: str | None = None
    collapse: bool = False


SUMMARY_NAMES = tuple(column.name for column in SUMMARY_COLUMNS)
_FIELD_NAMES = tuple(field.name for field in fields(ArticleSummary))
if _FIELD_NAMES != SUMMARY_NAMES:  # summary_from passes the values in this order
    raise RuntimeError("SUMMARY_COLUMNS must name ArticleSummary's fields, in their order")
_UPDATED = SUMMARY_NAMES.index("updated_at")


def summary_of(row: sa.Row[tuple[object, ...]]) -> ArticleSummary:
    """An article summary from a row holding :data:`SUMMARY_COLUMNS` (read by name)."""
    m = row._mapping
    return summary_from([m[name] for name in SUMMARY_NAMES])


def summary_from(values: Sequence[Any], updated: Callable[[Any], datetime] = as_utc) -> ArticleSummary:
    """An article summary from the values of :data:`SUMMARY_COLUMNS` in their order (values after
    them are left out); ``updated`` makes ``updated_at`` an aware time from what was read."""
    shown = list(values[: len(SUMMARY_NAMES)])
    shown[_UPDATED] = updated(shown[_UPDATED])
    return ArticleSummary(*shown)


_FIELDS = ("language", "source_id", "site_name", "story_id", "article_id", "since", "title_like", "section")


def _conditions(table: sa.FromClause, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The conditions of ``filters`` on ``table``, each value a bound parameter named after its
    field (:func:`_values` gives them), so one statement serves every value of a shape."""
    c = table.c
    found: list[sa.ColumnElement[bool]] = []
    if filters.language is not None:
        found.append(c.language == sa.bindparam("language"))
    if filters.source_id is not None:
        found.append(c.source_id == sa.bindparam("source_id"))
    if filters.site_name is not None:
        found.append(c.site_name == sa.bindparam("site_name"))
    if filters.story_id is not None:
        found.append(c.story_id == sa.bindparam("story_id"))
    if filters.article_id is not None:
        found.append(c.id == sa.bindparam("article_id"))
    if filters.since is not None:
        found.append(c.published >= sa.bindparam("since"))
    if filters.title_like:
        found.append(c.title.ilike(sa.bindparam("title_like"), escape="\\"))
    if filters.section is not None:
        found.append(c.section == sa.bindparam("section"))
    return found


def _values(filters: Filters) -> dict[str, object]:
    """The bound values of :func:`_conditions`."""
    found: dict[str, object] = {name: getattr(filters, name) for name in _FIELDS}
    found["title_like"] = f"%{_escaped(filters.title_like)}%" if filters.title_like else None
    return {name: value for name, value in found.items() if value is not None}


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern: its own % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


CONTAINMENT = ("contained_in", "contains")  # duplicate kinds that are not the same text (NULL: same)


def _same_text(table: sa.FromClause) -> sa.ColumnElement[bool]:
    """A copy of the same text (older rows have no kind: they are such copies)."""
    kind = table.c.duplicate_kind
    return sa.or_(kind.is_(None), kind.not_in(CONTAINMENT))


def _first_listed_copy(filters: Filters) -> sa.ColumnElement[bool]:
    """An original, or a copy none of whose earlier copies (its original, earlier siblings) is listed.

    Only copies of the same text collapse: a roundup printing a wire item, or the item printed
    alone after a roundup, is listed as any article. The original is the earliest stored copy, so it
    has the smallest id of its group; both lookups go through an index (the primary key and
    ``ix_articles_duplicate_of``) and run for copies only.
    """
    c = articles.c
    earlier = articles.alias("earlier")
    listed = _conditions(earlier, filters)
    original = sa.exists().where(earlier.c.id == c.duplicate_of, *listed)
    sibling = sa.exists().where(
        earlier.c.duplicate_of == c.duplicate_of, earlier.c.id < c.id, _same_text(earlier), *listed
    )
    return sa.or_(c.duplicate_of.is_(None), c.duplicate_kind.in_(CONTAINMENT), sa.and_(~original, ~sibling))


def _where(query: sa.Select[tuple[object, ...]], filters: Filters) -> sa.Select[tuple[object, ...]]:
    conditions = _conditions(articles, filters)
    if filters.collapse:
        conditions.append(_first_listed_copy(filters))
    return query.where(*conditions) if conditions else query


# Statements by shape (dialect, which filters are set, collapse, kind of cursor): built once each,
# so a list costs binding its values, not building and hashing a statement (pure values, the
# same in every process).
_Shape = tuple[str, tuple[bool, ...], bool, int]
_STATEMENTS: dict[_Shape, sa.Select[tuple[object, ...]]] = {}


def _shape(connection: sa.Connection, filters: Filters, after: tuple[str, int] | None) -> _Shape:
    cursor = 0 if after is None else 1 if after[0] else 2
    set_ = tuple(bool(getattr(filters, name)) if name == "title_like" else getattr(filters, name) is not None
                 for name in _FIELDS)  # fmt: skip
    return connection.dialect.name, set_, filters.collapse, cursor


def _statement(
    connection: sa.Connection, filters: Filters, after: tuple[str, int] | None
) -> sa.Select[tuple[object, ...]]:
    shape = _shape(connection, filters, after)
    found = _STATEMENTS.get(shape)
    if found is None:
        query = _where(sa.select(*SUMMARY_COLUMNS), filters)
        if after is not None:
            query = query.where(_after(bool(after[0])))
        found = _STATEMENTS[shape] = query.order_by(*newest_first(connection)).limit(
            sa.bindparam("limit", type_=sa.Integer)
        )
    return found


def _bound(filters: Filters, after: tuple[str, int] | None, limit: int) -> dict[str, object]:
    values = _values(filters)
    values["limit"] = limit
    if after is not None:
        values["after_published"], values["after_id"] = after
    return values


def summaries_query(
    connection: sa.Connection,
    filters: Filters = Filters(),
    *,
    after: tuple[str, int] | None = None,
    limit: int = 50,
) -> sa.Select[tuple[object, ...]]:
    """The statement :func:`summaries` runs, its values bound (tests read its query plan)."""
    return _statement(connection, filters, after).params(_bound(filters, after, limit))


def summaries(
    connection: sa.Connection,
    filters: Filters = Filters(),
    *,
    after: tuple[str, int] | None = None,
    limit: int = 50,
) -> list[ArticleSummary]:
    """Newest first; ``after`` is the (published or '', id) of the last item of the previous page."""
    found = prepared.read(connection, _statement(connection, filters, after), _bound(filters, after, limit))
    return [summary_from(row) for row in found]


# a story's articles in the order they were published: undated ones last, then by arrival
_IN_STORY = articles.c.story_id == sa.bindparam("story_id", type_=sa.Integer)
_AS_PUBLISHED = (articles.c.published.is_(None), articles.c.published, articles.c.id)
_EARLIEST_IN_STORY = (
    sa.select(*SUMMARY_COLUMNS)
    .where(_IN_STORY)
    .order_by(*_AS_PUBLISHED)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


class Outline(NamedTuple):
    """An article of a story in short: what a story's totals and its chart are counted from."""

    id: int
    site_name: str | None
    language: str | None
    published: str | None


# every article of a story in the order they were published, in short (four small columns)
_OUTLINE = (
    sa.select(articles.c.id, articles.c.site_name, articles.c.language, articles.c.published)
    .where(_IN_STORY)
    .order_by(*_AS_PUBLISHED)
)


def story_outline(connection: sa.Connection, story_id: int) -> list[Outline]:
    """Every article of the story, in short, earliest first (undated ones last, then by id)."""
    return [Outline._make(row) for row in prepared.read(connection, _OUTLINE, {"story_id": story_id})]


def earliest_in_story(connection: sa.Connection, story_id: int, limit: int) -> list[ArticleSummary]:
    """The first ``limit`` articles of the story to be published (undated ones last, then by id)."""
    found = prepared.read(connection, _EARLIEST_IN_STORY, {"story_id": story_id, "limit": limit})
    return [summary_from(row) for row in found]


def summaries_by_ids(connection: sa.Connection, ids: Sequence[int]) -> list[ArticleSummary]:
    if not ids:
        return []
    query: sa.Select[tuple[object, ...]] = sa.select(*SUMMARY_COLUMNS)
    query = query.where(articles.c.id.in_(list(ids))).order_by(*newest_first(connection))
    return [summary_of(row) for row in connection.execute(query)]


def _root(duplicate_of: int | None, kind: str | None, article_id: int) -> int:
    """The first article of an article's text: its original when it copies the same text."""
    return duplicate_of if duplicate_of is not None and kind not in CONTAINMENT else article_id


def _links(connection: sa.Connection, ids: Sequence[int]) -> dict[int, tuple[int | None, str | None]]:
    c = articles.c
    query = sa.select(c.id, c.duplicate_of, c.duplicate_kind).where(c.id.in_(list(ids)))
    return {int(i): (d, k) for i, d, k in connection.execute(query)}


def copies(connection: sa.Connection, ids: Sequence[int]) -> dict[int, list[ArticleSummary]]:
    """For each of ``ids``, the other articles carrying its whole text: its original and the
    original's copies of the same text, and the articles printing that text inside a longer one.

    Articles that are no copy and have none are left out; copies come newest first.
    """
    if not ids:
        return {}
    group_of = {i: _root(d, k, i) for i, (d, k) in _links(connection, ids).items()}
    groups = set(group_of.values())
    holders: dict[int, int] = {}  # an article printing a group's text inside its own -> the group
    for root, (duplicate_of, kind) in _links(connection, sorted(groups)).items():
        if kind == "contained_in" and duplicate_of is not None:
            holders[int(duplicate_of)] = root
    c = articles.c
    query: sa.Select[tuple[object, ...]] = sa.select(*SUMMARY_COLUMNS, c.duplicate_of, c.duplicate_kind)
    query = query.where(sa.or_(c.id.in_(sorted(groups | set(holders))), c.duplicate_of.in_(sorted(groups))))
    members: dict[int, list[ArticleSummary]] = {}
    for row in connection.execute(query.order_by(*newest_first(connection))):
        m = row._mapping
        for group in _groups_carried(m["id"], m["duplicate_of"], m["duplicate_kind"], groups, holders):
            members.setdefault(group, []).append(summary_of(row))
    found: dict[int, list[ArticleSummary]] = {}
    for article_id, group in group_of.items():
        others = [a for a in members.get(group, []) if a.id != article_id]
        if others:
            found[article_id] = others
    return found


def _groups_carried(
    article_id: int, duplicate_of: int | None, kind: str | None, groups: set[int], holders: dict[int, int]
) -> set[int]:
    """The groups (by first article) whose whole text this article carries."""
    carried = {article_id} & groups
    if duplicate_of in groups and kind != "contained_in":  # a same-text copy, or it prints the text
        carried.add(int(duplicate_of))
    if article_id in holders:
        carried.add(holders[article_id])
    return carried


_c = articles.c
_LINKS_OF = sa.select(_c.duplicate_of, _c.duplicate_kind).where(_c.id == sa.bindparam("article_id"))
_LINKED: sa.Select[tuple[object, ...]] = (
    sa.select(*SUMMARY_COLUMNS, _c.duplicate_of, _c.duplicate_kind)
    .where(
        sa.or_(
            _c.id.in_(sa.bindparam("own", expanding=True)),
            _c.duplicate_of.in_(sa.bindparam("roots", expanding=True)),
        ),
        _c.id != sa.bindparam("article_id"),
    )
    .order_by(_c.id)
)  # the statements of :func:`related`, built once: an article page binds its ids


def related(
    connection: sa.Connection, article_id: int, links: tuple[int | None, str | None] | None = None
) -> list[tuple[ArticleSummary, str]]:
    """The articles linked to this one's text, each with how it relates to it, read from this
    article's side: ``same`` text, ``contained_in`` (this text is printed inside that article), or
    ``contains`` (that article's text is printed inside this one). Earliest first by id.

    ``links`` is the article's own (duplicate_of, duplicate_kind) when the caller read them already.
    """
    if links is None:
        row = prepared.first(connection, _LINKS_OF, {"article_id": article_id})
        if row is None:
            return []
        links = (row.duplicate_of, row.duplicate_kind)
    duplicate_of, kind = links
    root = _root(duplicate_of, kind, article_id)
    own = {int(duplicate_of): str(kind)} if kind in CONTAINMENT and duplicate_of is not None else {}
    if root != article_id:
        target = prepared.first(connection, _LINKS_OF, {"article_id": root})
        own[root] = "same"
        if target is not None and target.duplicate_kind in CONTAINMENT:
            own[int(target.duplicate_of)] = str(target.duplicate_kind)
    values = {"own": list(own), "roots": sorted({root, article_id}), "article_id": article_id}
    found: dict[int, tuple[ArticleSummary, str]] = {}
    for linked in prepared.read(connection, _LINKED, values):  # the summary's columns, then the links
        if linked.id in own:
            found[linked.id] = (summary_from(linked), own[linked.id])
        else:  # it links to this text: its relation, read from the other side
            linked_kind = linked.duplicate_kind or "same"
            relation = {"contained_in": "contains", "contains": "contained_in"}.get(linked_kind, "same")
            found.setdefault(linked.id, (summary_from(linked), relation))
    return list(found.values())


def site_names(connection: sa.Connection) -> list[tuple[str, int]]:
    """(site name, number of articles), most articles first."""
    query = (
        sa.select(articles.c.site_name, sa.func.count())
        .where(articles.c.site_name.is_not(None))
        .group_by(articles.c.site_name)
        .order_by(sa.func.count().desc(), articles.c.site_name)
    )
    return [(str(name), int(count)) for name, count in connection.execute(query)]


def story_ids(connection: sa.Connection, *, limit: int, offset: int = 0) -> list[int]:
    """Grouped stories, newest activity first."""
    newest = sa.func.max(articles.c.id)
    query = (
        sa.select(articles.c.story_id)
        .where(articles.c.story_id.is_not(None))
        .group_by(articles.c.story_id)
        .order_by(newest.desc())
        .limit(limit)
        .offset(offset)
    )
    return [int(row[0]) for row in connection.execute(query)]


def articles_version(connection: sa.Connection) -> tuple[int, int, int]:
    """(deletions, highest id, highest raw id): three reads of an index or of one row, whatever the
    number of articles (migration 0024).

    Deletions are counted by a trigger (they leave the highest id alone). An article edited in
    place (a new revision, a changed page) points to its new raw document, the newest one stored,
    so the highest raw id moves even when no article is added.
    """
    row = connection.execute(_ARTICLES_VERSION).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


# Each highest id in a subquery of its own: SQLite reads one from its index only when it is the
# query's sole aggregate (together, they were read by a scan of the whole index).
_ARTICLES_VERSION = sa.select(
    sa.select(article_deletions.c.total).where(article_deletions.c.id == 1).scalar_subquery(),
    sa.select(sa.func.max(articles.c.id)).scalar_subquery(),
    sa.select(sa.func.max(articles.c.raw_id)).scalar_subquery(),
)


def leads(connection: sa.Connection, ids: Sequence[int]) -> dict[int, str]:
    """The first paragraph of each article (feeds and summaries show it)."""
    if not ids:
        return {}
    query = sa.select(articles.c.id, articles.c.body_paragraphs).where(articles.c.id.in_(list(ids)))
    return {int(i): (body[0] if body else "") for i, body in connection.execute(query)}


def story_members(
    connection: sa.Connection, story_ids: Sequence[int], *, limit: int = 500
) -> list[ArticleSummary]:
    """The articles of several stories (at most ``limit`` in all), newest first (by story id index)."""
    if not story_ids:
        return []
    query: sa.Select[tuple[object, ...]] = sa.select(*SUMMARY_COLUMNS)
    query = query.where(articles.c.story_id.in_(list(story_ids))).order_by(*newest_first(connection))
    return [summary_of(row) for row in connection.execute(query.limit(limit))]


def originals(connection: sa.Connection, ids: Sequence[int]) -> dict[int, int]:
    """For each of ``ids`` that copies another article's same text, the id of that original."""
    if not ids:
        return {}
    c = articles.c
    query = sa.select(c.id, c.duplicate_of).where(
        c.id.in_(list(ids)), c.duplicate_of.is_not(None), _same_text(articles)
    )
    return {int(i): int(d) for i, d in connection.execute(query)}
