"""Distributed harvesting: the shared frontier (frontier), per-host politeness
(frontier_hosts) and per-host slots (host_leases) of `harvester worker`.

Created on SQLite too, so the schema is one; the workers themselves need
PostgreSQL (FOR UPDATE SKIP LOCKED).

Revision ID: 0008_frontier
Revises: 0007_works
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_frontier"
down_revision: str | Sequence[str] | None = "0007_works"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "frontier",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("lease_owner", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_reason", sa.String(length=50), nullable=True),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"],
                                name=op.f("fk_frontier_source_id_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frontier")),
        sa.UniqueConstraint("source_id", "url", name=op.f("uq_frontier_source_id_url")),
    )
    op.create_index(op.f("ix_frontier_state_host"), "frontier", ["state", "host"])
    op.create_index(op.f("ix_frontier_lease_owner"), "frontier", ["lease_owner"])
    op.create_table(
        "frontier_hosts",
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("delay", sa.Float(), nullable=False),
        sa.Column("next_start", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_frontier_hosts")),
    )
    op.create_table(
        "host_leases",
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("host", "slot", name=op.f("pk_host_leases")),
    )
    op.create_index(op.f("ix_host_leases_owner"), "host_leases", ["owner"])


def downgrade() -> None:
    op.drop_index(op.f("ix_host_leases_owner"), table_name="host_leases")
    op.drop_table("host_leases")
    op.drop_table("frontier_hosts")
    op.drop_index(op.f("ix_frontier_lease_owner"), table_name="frontier")
    op.drop_index(op.f("ix_frontier_state_host"), table_name="frontier")
    op.drop_table("frontier")
