"""The schema, as SQLAlchemy Core tables. Alembic migrations create it; this module describes it."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = sa.DateTime(timezone=True)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("language", sa.String(16)),
    sa.Column("created_at", Timestamp, nullable=False),
    # Polling state (the fetcher's): when to poll next, how it went, conditional-GET validators.
    sa.Column("site_url", sa.Text),
    sa.Column("poll_interval", sa.Integer, nullable=False, server_default="1800"),
    sa.Column("next_poll_at", Timestamp),
    sa.Column("last_fetched_at", Timestamp),
    sa.Column("last_status", sa.String(32)),
    sa.Column("last_error", sa.Text),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("healthy", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("failing_since", Timestamp),  # first failure of the current run of failures
)
sa.Index("ix_sources_next_poll_at", sources.c.next_poll_at)

# Per-host politeness shared by every worker: the earliest time (epoch seconds) of the next request.
fetch_hosts = sa.Table(
    "fetch_hosts",
    metadata,
    sa.Column("host", sa.String(300), primary_key=True),
    sa.Column("next_allowed", sa.Float, nullable=False),
)
# Request slots per host (``fetch_host_concurrency`` of them): a fetch holds one while it runs.
fetch_host_leases = sa.Table(
    "fetch_host_leases",
    metadata,
    sa.Column("host", sa.String(300), primary_key=True),
    sa.Column("slot", sa.Integer, primary_key=True),
    sa.Column("expires_at", sa.Float, nullable=False),  # epoch seconds; a dead worker's lease runs out
    sa.Column("holder", sa.String(64)),
)

# Page URLs (canonical) already taken from a listing, so they are not fetched again.
seen_urls = sa.Table(
    "seen_urls",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), index=True),
    sa.Column("updated", sa.Text),  # the listing's "updated" date when last fetched
    sa.Column("status", sa.String(16), nullable=False),  # queued, stored, rejected, error
    sa.Column("reason", sa.Text),
    sa.Column("article_id", sa.Integer),
    sa.Column("seen_at", Timestamp, nullable=False),
    # failed fetches that may succeed later: how many tries so far, when the next one is due
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("retry_at", Timestamp),
    sa.Column("entry", sa.JSON),  # the listing's entry (title, dates, summary): the page's fallbacks
    sa.Index("ix_seen_urls_retry", "source_id", "retry_at"),
)

raw_documents = sa.Table(
    "raw_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("content_type", sa.Text),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),  # as ``compression`` says (akhbar.store.packing)
    sa.Column("fetched_at", Timestamp, nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("entry", sa.JSON),  # the listing entry the page came from, reapplied by reprocess
    sa.Column("compression", sa.String(16)),  # how ``data`` is compressed: "zstd", or none (as it came)
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The article's identity: its URL when known, else the location it was read from.
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("raw_id", sa.Integer, sa.ForeignKey("raw_documents.id"), nullable=False, index=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
    sa.Column("url", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("site_name", sa.Text),
    sa.Column("published", sa.String(40)),
    sa.Column("language", sa.String(16)),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("image_url", sa.Text),
    sa.Column("image_caption", sa.Text),
    sa.Column("body_paragraphs", sa.JSON, nullable=False),
    sa.Column("headlines", sa.JSON, nullable=False),
    sa.Column("story_id", sa.Integer),
    sa.Column("duplicate_of", sa.Integer),
    # how it copies duplicate_of: same, contained_in, contains (migration 0014; NULL in older rows: same)
    sa.Column("duplicate_kind", sa.String(16)),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Column("section", sa.String(32)),  # akhbar.extract.sections: from the URL, or an editor's choice
)
sa.Index("ix_articles_published", articles.c.published)
sa.Index("ix_articles_section", articles.c.section, articles.c.published)
sa.Index("ix_articles_story_id", articles.c.story_id)
sa.Index("ix_articles_site_name", articles.c.site_name)
sa.Index("ix_articles_duplicate_of", articles.c.duplicate_of)

rejections = sa.Table(
    "rejections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("raw_id", sa.Integer, sa.ForeignKey("raw_documents.id"), unique=True),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

breaking = sa.Table(
    "breaking",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True),
    sa.Column("story_id", sa.Integer, index=True),
    sa.Column("until", Timestamp, nullable=False, index=True),
    # "manual" (an editor's flag) or "detected" (the velocity detector's)
    sa.Column("origin", sa.String(16), nullable=False, server_default="manual"),
    sa.Column("note", sa.Text),
    sa.Column("created_by", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
    # an editor's review of a detected flag (migration 0017): confirmed or dismissed, by whom, when
    sa.Column("reviewed_by", sa.Text),
    sa.Column("reviewed_at", Timestamp),
    sa.Column("review", sa.String(16)),
)


# Search: one row per article with its analysed terms (akhbar.search.analysis), kept in the same
# transaction as the article, and the exact (folded) forms of its words that quoted phrases are
# checked on (migration 0013). The full-text index over the terms is backend-specific and created
# by migration 0004 only: an FTS5 table ``search_fts`` (SQLite) or the ``search_vector`` column with
# GIN and trigram indexes (PostgreSQL); SEARCH_PRIVATE names them for schema comparisons.
search_documents = sa.Table(
    "search_documents",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("language", sa.String(16)),
    sa.Column("source_id", sa.Integer),
    sa.Column("published", sa.String(40)),
    sa.Column("title_terms", sa.Text, nullable=False),
    sa.Column("body_terms", sa.Text, nullable=False),
    sa.Column("title_exact", sa.Text, nullable=False, server_default=""),
    sa.Column("body_exact", sa.Text, nullable=False, server_default=""),
    sa.Column("indexed_at", Timestamp, nullable=False),
)
SEARCH_PRIVATE = ("search_fts", "search_vector")


def is_search_private(name: str | None) -> bool:
    """Whether a database object is the search index's backend-specific part (not in this metadata)."""
    return name is not None and name.startswith(SEARCH_PRIVATE)


# Stories (migration 0005): articles about one event across sources and languages.
stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("first_article_id", sa.Integer),
    sa.Column("first_source", sa.Text),
    sa.Column("first_seen", Timestamp, nullable=False),
    sa.Column("last_seen", Timestamp, nullable=False, index=True),
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("language_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("titles", sa.JSON, nullable=False),  # language -> representative title
    sa.Column("sources", sa.JSON, nullable=False),  # independent source names seen
    sa.Column("entities", sa.JSON, nullable=False),  # entity and number keys, most frequent first
    sa.Column("velocity", sa.Float, nullable=False, server_default="0"),
    sa.Column("velocity_at", Timestamp),
    sa.Column("centroid", sa.LargeBinary, nullable=False),  # float32 sum of member embeddings
    sa.Column("merged_into", sa.Integer),
)

# Candidate index for story assignment: (time bucket, random-hyperplane band) keys of each story.
story_keys = sa.Table(
    "story_keys",
    metadata,
    sa.Column("key", sa.BigInteger, primary_key=True),
    sa.Column(
        "story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

# Near-duplicate signatures: one MinHash per article and its LSH band keys, shared by all workers.
article_signatures = sa.Table(
    "article_signatures",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("minhash", sa.LargeBinary, nullable=False),
    sa.Column("embedding", sa.LargeBinary),
    # where the article was placed, kept here so an edit (same key) keeps its story
    sa.Column("story_id", sa.Integer),
    sa.Column("duplicate_of", sa.Integer),
    sa.Column("duplicate_kind", sa.String(16)),
)
dedupe_bands = sa.Table(
    "dedupe_bands",
    metadata,
    sa.Column("band", sa.BigInteger, primary_key=True),
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
# Containment candidates (migration 0014): each article's anchors (akhbar.dedupe.anchors), so a text
# printed whole inside a longer one shares keys with it, and how many anchors the article has.
dedupe_anchors = sa.Table(
    "dedupe_anchors",
    metadata,
    sa.Column("anchor", sa.BigInteger, primary_key=True),
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("total", sa.Integer, nullable=False),
)

# Editors: people who write articles and flag breaking news in /admin (``akhbar users``). Passwords
# are argon2 hashes.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.Text),
    sa.Column("role", sa.String(16), nullable=False),  # "contributor", "editor" or "admin"
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled_at", Timestamp),
    sa.Column("created_at", Timestamp, nullable=False),
)

# Wrong passwords in a row for one account from one client address; the fifth locks the account
# for that address only, so a stranger elsewhere cannot lock an editor out.
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("address", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("locked_until", Timestamp),
    sa.Column("last_failure_at", Timestamp, nullable=False, index=True),
)

# Sign-in attempts per fixed window, by client address and by account name ("address:...",
# "account:..."): past a limit the newsroom answers 429 before any password is hashed.
sign_in_attempts = sa.Table(
    "sign_in_attempts",
    metadata,
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("window_start", Timestamp, nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
)

# Signed-in sessions, shared by every `akhbar serve` process: the cookie holds a random token, the
# table its SHA-256 (a leaked table opens no session) and the form token that guards each POST.
user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False, index=True),
)

# The newsroom (migration 0017): one entry per article written in /admin whatever its state (draft,
# scheduled, published, withdrawn), every saved revision of its form, and who did what.
newsroom_entries = sa.Table(
    "newsroom_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(32), nullable=False, unique=True),  # the key of its raw documents
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("language", sa.String(16)),
    sa.Column("slug", sa.Text),
    sa.Column("revision", sa.Integer, nullable=False),  # the latest revision's number
    sa.Column("article_id", sa.Integer, index=True),  # the portal article, once published
    sa.Column("live_revision", sa.Integer),  # the revision readers see
    sa.Column("publish_at", Timestamp),  # when a scheduled entry is due
    sa.Column("published_at", Timestamp),  # its first publication, kept through corrections
    sa.Column("corrected_at", Timestamp),  # its latest correction, shown to readers as "updated"
    sa.Column("claimed_at", Timestamp),  # the publisher's claim of a due entry (exactly once)
    sa.Column("last_error", sa.Text),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Index("ix_newsroom_entries_state", "state", "publish_at"),
)
newsroom_revisions = sa.Table(
    "newsroom_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "entry_id", sa.Integer, sa.ForeignKey("newsroom_entries.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # autosave, save, publish, correct, restore...
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("saved_at", Timestamp, nullable=False),
    sa.Column("form", sa.JSON, nullable=False),
    sa.UniqueConstraint("entry_id", "number", name="uq_newsroom_revisions_entry_id"),
)
newsroom_audit = sa.Table(
    "newsroom_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", Timestamp, nullable=False, index=True),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text),
    sa.Column("detail", sa.Text),
)

# Images kept by akhbar (akhbar.services.images), named by their content: their WebP copies are
# files <data dir>/images/<key[:2]>/<key>-<width>.webp, one per width in ``widths``.
images = sa.Table(
    "images",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("widths", sa.JSON, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),  # of the original: JPEG, PNG, GIF, WEBP
    sa.Column("source_url", sa.Text),
    sa.Column("alt", sa.Text),
    sa.Column("caption", sa.Text),
    sa.Column("credit", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
)
# Each article's photo: ``image_url`` is the article's own image_url the image was fetched for (a
# photo is shown only while the article still names that address); ``status`` is pending, stored
# or failed (``reason`` says why).
article_images = sa.Table(
    "article_images",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("image_url", sa.Text),
    sa.Column("image_id", sa.Integer, sa.ForeignKey("images.id", ondelete="SET NULL"), index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # the job sweep reads the open ones
    sa.Column("reason", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", Timestamp, nullable=False, index=True),
)


# Most read (migration 0015): reads of each article per hour (hours since the Unix epoch), counted by
# the portal itself (no third-party tracker) and written in batches. Nothing about the reader is kept.
article_reads = sa.Table(
    "article_reads",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("hour", sa.Integer, primary_key=True, index=True),
    sa.Column("reads", sa.Integer, nullable=False),
    # the most-read sums read this index alone (migration 0025)
    sa.Index("ix_article_reads_totals", "article_id", "hour", "reads"),
)

# One row (id 1): articles deleted so far, raised by a trigger of migration 0024 for each one, so
# that the portal's data version catches deletions without counting the articles.
article_deletions = sa.Table(
    "article_deletions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("total", sa.BigInteger, nullable=False),
)
