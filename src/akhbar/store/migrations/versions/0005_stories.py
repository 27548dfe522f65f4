"""Stories, their candidate index, and near-duplicate signatures.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("first_article_id", sa.Integer),
        sa.Column("first_source", sa.Text),
        sa.Column("first_seen", Timestamp, nullable=False),
        sa.Column("last_seen", Timestamp, nullable=False),
        sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("language_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("titles", sa.JSON, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("entities", sa.JSON, nullable=False),
        sa.Column("velocity", sa.Float, nullable=False, server_default="0"),
        sa.Column("velocity_at", Timestamp),
        sa.Column("centroid", sa.LargeBinary, nullable=False),
        sa.Column("merged_into", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])
    op.create_table(
        "story_keys",
        sa.Column("key", sa.BigInteger, nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", "story_id", name="pk_story_keys"),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_story_keys_story_id", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_story_keys_story_id", "story_keys", ["story_id"])
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("minhash", sa.LargeBinary, nullable=False),
        sa.Column("embedding", sa.LargeBinary),
        sa.Column("story_id", sa.Integer),
        sa.Column("duplicate_of", sa.Integer),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_signatures"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_signatures_article_id", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "dedupe_bands",
        sa.Column("band", sa.BigInteger, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("band", "article_id", name="pk_dedupe_bands"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_dedupe_bands_article_id", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_dedupe_bands_article_id", "dedupe_bands", ["article_id"])

    # Story and source pages look articles up by these.
    op.create_index("ix_articles_story_id", "articles", ["story_id"])
    op.create_index("ix_articles_site_name", "articles", ["site_name"])


def downgrade() -> None:
    op.drop_index("ix_articles_site_name", table_name="articles")
    op.drop_index("ix_articles_story_id", table_name="articles")
    op.drop_table("dedupe_bands")
    op.drop_table("article_signatures")
    op.drop_table("story_keys")
    op.drop_index("ix_stories_last_seen", table_name="stories")
    op.drop_table("stories")
