"""De-duplication and version history: works, work_members, work_overrides,
publication_versions; views v_works, v_work_sources, v_publication_versions.

Publications stored before this revision belong to no work until
`harvester works rebuild` runs once; their first change becomes version 2.
The view SQL is copied here (not imported) so a later change to
pipelines/views.py cannot alter what this revision created.

Revision ID: 0007_works
Revises: 0006_run_report
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_works"
down_revision: str | Sequence[str] | None = "0006_run_report"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILLED = " + ".join(
    f"CASE WHEN p.{c} IS NULL THEN 0 ELSE 1 END"
    for c in ("title", "abstract", "doi", "journal", "volume", "issue", "page_first",
              "page_last", "published", "type", "language", "publisher")
)  # fmt: skip

VIEWS = {
    "v_works": f"""
        SELECT b.work_id, b.title, b.doi, b.published, b.type, b.journal,
               c.n_sources, c.n_publications
        FROM (SELECT m.work_id, p.title, p.doi, p.published, p.type, p.journal,
                     row_number() OVER (PARTITION BY m.work_id
                                        ORDER BY {_FILLED} DESC, p.first_seen, p.id) AS pick
              FROM work_members m JOIN publications p ON p.id = m.publication_id) b
        JOIN (SELECT m.work_id, count(DISTINCT p.source_id) AS n_sources,
                     count(*) AS n_publications
              FROM work_members m JOIN publications p ON p.id = m.publication_id
              GROUP BY m.work_id) c ON c.work_id = b.work_id
        WHERE b.pick = 1
    """,
    "v_work_sources": """
        SELECT m.work_id, m.publication_id, s.name AS source, p.url, m.reason
        FROM work_members m
        JOIN publications p ON p.id = m.publication_id
        JOIN sources s ON s.id = p.source_id
    """,
    "v_publication_versions": """
        SELECT v.publication_id, v.version, v.changed_at, v.change, v.changed_fields,
               v.diff_json AS diff, v.fetch_url, v.fetch_sha256
        FROM publication_versions v
    """,
}


def _publication_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["publications.id"], name=op.f(f"fk_{table}_{column}_publications"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "works",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_works")),
    )
    op.create_table(
        "work_members",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("matched_with", sa.Integer(), nullable=True),
        sa.Column("matched_json", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("match_doi", sa.Text(), nullable=True),
        sa.Column("match_title", sa.Text(), nullable=True),
        sa.Column("match_year", sa.String(length=4), nullable=True),
        sa.Column("match_author", sa.Text(), nullable=True),
        sa.Column("match_type", sa.String(length=50), nullable=True),
        _publication_fk("publication_id", "work_members"),
        sa.ForeignKeyConstraint(
            ["work_id"], ["works.id"], name=op.f("fk_work_members_work_id_works")
        ),
        sa.PrimaryKeyConstraint("publication_id", name=op.f("pk_work_members")),
    )
    op.create_index(op.f("ix_work_members_work_id"), "work_members", ["work_id"])
    op.create_index(op.f("ix_work_members_match_doi"), "work_members", ["match_doi"])
    op.create_index(
        op.f("ix_work_members_match_author_match_year"),
        "work_members",
        ["match_author", "match_year"],
    )
    op.create_table(
        "work_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("other_publication_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _publication_fk("publication_id", "work_overrides"),
        _publication_fk("other_publication_id", "work_overrides"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_overrides")),
    )
    op.create_index(
        op.f("ix_work_overrides_publication_id"), "work_overrides", ["publication_id"]
    )
    op.create_index(
        op.f("ix_work_overrides_other_publication_id"),
        "work_overrides",
        ["other_publication_id"],
    )
    op.create_table(
        "publication_versions",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("fetch_url", sa.Text(), nullable=True),
        sa.Column("fetch_sha256", sa.String(length=64), nullable=True),
        sa.Column("changed_fields", sa.Text(), nullable=True),
        sa.Column("diff_json", sa.Text(), nullable=True),
        _publication_fk("publication_id", "publication_versions"),
        sa.PrimaryKeyConstraint(
            "publication_id", "version", name=op.f("pk_publication_versions")
        ),
    )
    op.create_index(
        op.f("ix_publication_versions_changed_at"), "publication_versions", ["changed_at"]
    )
    for name, select in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {select.strip()}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_index(op.f("ix_publication_versions_changed_at"), table_name="publication_versions")
    op.drop_table("publication_versions")
    op.drop_index(op.f("ix_work_overrides_other_publication_id"), table_name="work_overrides")
    op.drop_index(op.f("ix_work_overrides_publication_id"), table_name="work_overrides")
    op.drop_table("work_overrides")
    op.drop_index(op.f("ix_work_members_match_author_match_year"), table_name="work_members")
    op.drop_index(op.f("ix_work_members_match_doi"), table_name="work_members")
    op.drop_index(op.f("ix_work_members_work_id"), table_name="work_members")
    op.drop_table("work_members")
    op.drop_table("works")
