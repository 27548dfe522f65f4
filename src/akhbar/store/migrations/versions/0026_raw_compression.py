"""Raw documents stored compressed: a ``compression`` column names how ``data`` is stored.

A fetched page was kept as it came, 283 KB on average for the real pages of the ingest bench
(2.8 GB a day at 10,000 pages). Compressed with Zstandard at level 1 it takes 54 KB, and storing
it costs no more CPU than before: compressing takes 0.44 ms a page, and writing 54 KB instead of
283 KB to SQLite's write-ahead log and the database saves as much. Rows stored before this
revision keep ``compression`` empty (their bytes as they came) until ``akhbar db compress``
compresses them. On PostgreSQL the column's values are no longer compressed again by TOAST
(``STORAGE EXTERNAL``): what akhbar compresses does not compress further, and what it leaves as
is is small or does not compress.

Revision ID: 0026_raw_compression
Revises: 0025_most_read_totals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_raw_compression"
down_revision = "0025_most_read_totals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("raw_documents", sa.Column("compression", sa.String(16)))  # in place: no copy
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE raw_documents ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    # the earlier schema reads ``data`` as the document's bytes: decompress what was compressed
    from akhbar.store import packing

    connection = op.get_bind()
    table = sa.table(
        "raw_documents", sa.column("id"), sa.column("data", sa.LargeBinary), sa.column("compression")
    )
    packed = sa.select(table.c.id).where(table.c.compression.is_not(None)).order_by(table.c.id)
    for (raw_id,) in connection.execute(packed).all():
        row = connection.execute(
            sa.select(table.c.data, table.c.compression).where(table.c.id == raw_id)
        ).one()
        data = packing.unpack(bytes(row.data), row.compression)
        connection.execute(sa.update(table).where(table.c.id == raw_id).values(data=data))
    if connection.dialect.name == "postgresql":
        op.execute("ALTER TABLE raw_documents ALTER COLUMN data SET STORAGE EXTENDED")
    op.drop_column("raw_documents", "compression")
