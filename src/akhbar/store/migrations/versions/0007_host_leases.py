"""Per-host request slots shared by every worker: the fetch concurrency limit across processes.

Revision ID: 0007_hosts
Revises: 0006_pages
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_hosts"
down_revision = "0006_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_host_leases",
        sa.Column("host", sa.String(300), nullable=False),
        sa.Column("slot", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("holder", sa.String(64)),
        sa.PrimaryKeyConstraint("host", "slot", name="pk_fetch_host_leases"),
    )


def downgrade() -> None:
    op.drop_table("fetch_host_leases")
