"""OAI-PMH: tombstones and missing marks on publications, per-source checkpoints,
per-record OAI state; v_publications gains deleted_at (as its last column).

The view SQL is copied here (not imported) so a later change to
pipelines/views.py cannot alter what this revision created.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

V_PUBLICATIONS_0001 = """
    SELECT p.id, s.name AS source, p.url, p.platform, p.type, p.title, p.abstract, p.doi,
           p.journal, p.volume, p.issue, p.page_first, p.page_last, p.page_count,
           p.published, p.online, p.language, p.status, p.first_seen, p.last_changed
    FROM publications p JOIN sources s ON s.id = p.source_id
"""

V_PUBLICATIONS_0002 = """
    SELECT p.id, s.name AS source, p.url, p.platform, p.type, p.title, p.abstract, p.doi,
           p.journal, p.volume, p.issue, p.page_first, p.page_last, p.page_count,
           p.published, p.online, p.language, p.status, p.first_seen, p.last_changed,
           p.deleted_at
    FROM publications p JOIN sources s ON s.id = p.source_id
"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_publications")
    op.add_column("publications", sa.Column("deleted_at", sa.DateTime(timezone=True)))
    op.add_column("publications", sa.Column("missing_since", sa.DateTime(timezone=True)))
    op.create_table(
        "oai_checkpoints",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("metadata_prefix", sa.String(length=100), nullable=True),
        sa.Column("set_spec", sa.Text(), nullable=True),
        sa.Column("window_from", sa.String(length=30), nullable=True),
        sa.Column("window_until", sa.String(length=30), nullable=True),
        sa.Column("resumption_token", sa.Text(), nullable=True),
        sa.Column("last_response_date", sa.String(length=30), nullable=True),
        sa.Column("harvest_mode", sa.String(length=12), nullable=True),
        sa.Column("harvest_started", sa.String(length=30), nullable=True),
        sa.Column("harvest_run", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_oai_checkpoints_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_oai_checkpoints")),
    )
    op.create_table(
        "oai_records",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("datestamp", sa.String(length=30), nullable=False),
        sa.Column("oai_hash", sa.String(length=64), nullable=True),
        sa.Column("landing_url", sa.Text(), nullable=True),
        sa.Column("enrich_state", sa.String(length=10), nullable=True),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("listed_run", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_oai_records_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", "source_key", name=op.f("pk_oai_records")),
    )
    op.create_index(
        op.f("ix_oai_records_source_id_enrich_state"),
        "oai_records",
        ["source_id", "enrich_state"],
    )
    op.execute(f"CREATE VIEW v_publications AS {V_PUBLICATIONS_0002.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_publications")
    op.drop_index(op.f("ix_oai_records_source_id_enrich_state"), table_name="oai_records")
    op.drop_table("oai_records")
    op.drop_table("oai_checkpoints")
    # plain ALTER TABLE (SQLite >= 3.35): batch mode would copy publications and,
    # with foreign keys on, cascade-delete every child row
    for column in ("missing_since", "deleted_at"):
        op.execute(f"ALTER TABLE publications DROP COLUMN {column}")
    op.execute(f"CREATE VIEW v_publications AS {V_PUBLICATIONS_0001.strip()}")
