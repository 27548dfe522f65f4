"""The newsroom as a CMS: articles with a life cycle, every revision kept, an audit log, reviewed flags.

``newsroom_entries`` holds one row per article written in ``/admin``, whatever its state (draft,
scheduled, published, withdrawn): its editorial key (the key of its raw documents once published),
the portal article it became, when it is to be published and when it was published and corrected.
``newsroom_revisions`` keeps every save (the form as JSON, who, when, why); ``newsroom_audit`` who did
what. Breaking flags get who confirmed or dismissed a detected one, and when.

Articles written before this revision are only in ``raw_documents``; they keep working on the portal
and in the API, and appear in the newsroom once saved again.

Revision ID: 0017_newsroom
Revises: 0016_images
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_newsroom"
down_revision = "0016_images"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "newsroom_entries",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("slug", sa.Text),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Integer),
        sa.Column("live_revision", sa.Integer),
        sa.Column("publish_at", Timestamp),
        sa.Column("published_at", Timestamp),
        sa.Column("corrected_at", Timestamp),
        sa.Column("claimed_at", Timestamp),
        sa.Column("last_error", sa.Text),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_newsroom_entries"),
        sa.UniqueConstraint("key", name="uq_newsroom_entries_key"),
    )
    op.create_index("ix_newsroom_entries_state", "newsroom_entries", ["state", "publish_at"])
    op.create_index("ix_newsroom_entries_article_id", "newsroom_entries", ["article_id"])
    op.create_table(
        "newsroom_revisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("entry_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("saved_at", Timestamp, nullable=False),
        sa.Column("form", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_newsroom_revisions"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["newsroom_entries.id"], name="fk_newsroom_revisions_entry_id", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("entry_id", "number", name="uq_newsroom_revisions_entry_id"),
    )
    op.create_table(
        "newsroom_audit",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("detail", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_newsroom_audit"),
    )
    op.create_index("ix_newsroom_audit_at", "newsroom_audit", ["at"])
    with op.batch_alter_table("breaking") as batch:
        batch.add_column(sa.Column("reviewed_by", sa.Text))
        batch.add_column(sa.Column("reviewed_at", Timestamp))
        batch.add_column(sa.Column("review", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("breaking") as batch:
        batch.drop_column("review")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by")
    op.drop_index("ix_newsroom_audit_at", table_name="newsroom_audit")
    op.drop_table("newsroom_audit")
    op.drop_table("newsroom_revisions")
    op.drop_index("ix_newsroom_entries_article_id", table_name="newsroom_entries")
    op.drop_index("ix_newsroom_entries_state", table_name="newsroom_entries")
    op.drop_table("newsroom_entries")
