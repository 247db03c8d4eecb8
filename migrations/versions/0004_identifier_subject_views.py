"""Views v_publication_identifiers (the DOI plus every other identifier) and
v_publication_subjects (classification terms).

The view SQL is copied here (not imported) so a later change to
pipelines/views.py cannot alter what this revision created.

Revision ID: 0004_views
Revises: 0003_search
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_views"
down_revision: str | Sequence[str] | None = "0003_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = {
    "v_publication_identifiers": """
        SELECT p.id AS publication_id, 'doi' AS scheme, p.doi AS value
        FROM publications p
        WHERE p.doi IS NOT NULL
        UNION ALL
        SELECT i.publication_id, i.scheme, i.value
        FROM identifiers i
    """,
    "v_publication_subjects": """
        SELECT s.publication_id, s.position, s.scheme, s.term, s.code, s.weight
        FROM subjects s
    """,
}


def upgrade() -> None:
    for name, select in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {select.strip()}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
