"""Run report: fill rates per run, source and field (harvest_run_fill_rates), and the
view v_harvest_runs (one row per run and source).

The view SQL is copied here (not imported) so a later change to
pipelines/views.py cannot alter what this revision created.

Revision ID: 0006_run_report
Revises: 0005_archive
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_run_report"
down_revision: str | Sequence[str] | None = "0005_archive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

V_HARVEST_RUNS = """
    SELECT r.id AS run_id, s.name AS source, r.started_at, r.finished_at, r.status,
           rs.fetched, rs.not_modified, rs.new, rs.changed, rs.unchanged, rs.failed,
           rs.seconds
    FROM harvest_runs r
    JOIN harvest_run_sources rs ON rs.run_id = r.id
    JOIN sources s ON s.id = rs.source_id
"""


def upgrade() -> None:
    op.create_table(
        "harvest_run_fill_rates",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["harvest_runs.id"],
            name=op.f("fk_harvest_run_fill_rates_run_id_harvest_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_harvest_run_fill_rates_source_id_sources"),
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "source_id", "field", name=op.f("pk_harvest_run_fill_rates")
        ),
    )
    op.create_index(
        op.f("ix_harvest_run_fill_rates_source_id_run_id"),
        "harvest_run_fill_rates",
        ["source_id", "run_id"],
    )
    op.execute(f"CREATE VIEW v_harvest_runs AS {V_HARVEST_RUNS.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_harvest_runs")
    op.drop_index(
        op.f("ix_harvest_run_fill_rates_source_id_run_id"), table_name="harvest_run_fill_rates"
    )
    op.drop_table("harvest_run_fill_rates")
