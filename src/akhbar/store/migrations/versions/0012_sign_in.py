"""Sign-in failures counted per account and client address, and sign-in attempts per window.

The lock moves from the account (``users.failed_logins``, ``users.locked_until``: five requests
from anyone locked an editor out) to the account seen from one address.

Revision ID: 0012_sign_in
Revises: 0011_sections
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_sign_in"
down_revision = "0011_sections"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", Timestamp),
        sa.Column("last_failure_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "address", name="pk_sign_in_failures"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sign_in_failures_user_id", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_sign_in_failures_last_failure_at", "sign_in_failures", ["last_failure_at"])
    op.create_table(
        "sign_in_attempts",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("window_start", Timestamp, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sign_in_attempts"),
    )
    op.create_index("ix_sign_in_attempts_window_start", "sign_in_attempts", ["window_start"])
    with op.batch_alter_table("users") as batch:
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", Timestamp))
    op.drop_table("sign_in_attempts")
    op.drop_table("sign_in_failures")
