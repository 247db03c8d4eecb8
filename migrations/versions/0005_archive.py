"""Raw archive: fetched_pages remembers where each page's last body sits in the WARC
archive (file name inside the archive directory, byte offset of its record).

Revision ID: 0005_archive
Revises: 0004_views
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_archive"
down_revision: str | Sequence[str] | None = "0004_views"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fetched_pages") as batch:
        batch.add_column(sa.Column("warc_file", sa.Text(), nullable=True))
        batch.add_column(sa.Column("warc_offset", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fetched_pages") as batch:
        batch.drop_column("warc_offset")
        batch.drop_column("warc_file")
