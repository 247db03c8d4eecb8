"""Initial schema: every table, its indexes, and the three views.

The view SQL is copied here (not imported) so a later change to
pipelines/views.py cannot alter what this revision created.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


VIEWS = {
    "v_publications": """
        SELECT p.id, s.name AS source, p.url, p.platform, p.type, p.title, p.abstract, p.doi,
               p.journal, p.volume, p.issue, p.page_first, p.page_last, p.page_count,
               p.published, p.online, p.language, p.status, p.first_seen, p.last_changed
        FROM publications p JOIN sources s ON s.id = p.source_id
    """,
    "v_publication_authors": """
        SELECT a.publication_id, a.position, a.family, a.given, a.name, a.orcid
        FROM authorships a
        WHERE a.role = 'author'
    """,
    "v_publication_keywords": """
        SELECT k.publication_id, k.keyword
        FROM keywords k
    """,
}


def upgrade() -> None:
    op.create_table(
        "harvest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("sources_json", sa.Text(), nullable=False),
        sa.Column("stats_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_runs")),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("family", sa.Text(), nullable=True),
        sa.Column("given", sa.Text(), nullable=True),
        sa.Column("orcid", sa.String(length=19), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("person_key", name=op.f("uq_persons_person_key")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "venues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_key", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("issn", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venues")),
        sa.UniqueConstraint("venue_key", name=op.f("uq_venues_venue_key")),
    )
    op.create_table(
        "fetched_pages",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=True),
        sa.Column("error_reason", sa.String(length=50), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_fetched_pages_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_fetched_pages")),
    )
    op.create_index(
        op.f("ix_fetched_pages_source_id_source_key"),
        "fetched_pages",
        ["source_id", "source_key"],
        unique=False,
    )
    op.create_table(
        "harvest_run_sources",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("not_modified", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("failures_json", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["harvest_runs.id"],
            name=op.f("fk_harvest_run_sources_run_id_harvest_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_harvest_run_sources_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("run_id", "source_id", name=op.f("pk_harvest_run_sources")),
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=True),
        sa.Column("type_raw", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("subtitle", sa.Text(), nullable=True),
        sa.Column("abstract", sa.Text(), nullable=True),
        sa.Column("doi", sa.Text(), nullable=True),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("journal", sa.Text(), nullable=True),
        sa.Column("volume", sa.String(length=50), nullable=True),
        sa.Column("issue", sa.String(length=50), nullable=True),
        sa.Column("article_number", sa.String(length=50), nullable=True),
        sa.Column("page_first", sa.String(length=50), nullable=True),
        sa.Column("page_last", sa.String(length=50), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("published", sa.String(length=10), nullable=True),
        sa.Column("published_precision", sa.String(length=5), nullable=True),
        sa.Column("online", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=50), nullable=True),
        sa.Column("status_date", sa.String(length=10), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("host_publication", sa.Text(), nullable=True),
        sa.Column("record_json", sa.Text(), nullable=False),
        sa.Column("provenance_json", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_changed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_publications_source_id_sources")
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_publications_venue_id_venues")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint(
            "source_id", "source_key", name=op.f("uq_publications_source_id_source_key")
        ),
    )
    op.create_index(op.f("ix_publications_doi"), "publications", ["doi"], unique=False)
    op.create_table(
        "authorships",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("family", sa.Text(), nullable=True),
        sa.Column("given", sa.Text(), nullable=True),
        sa.Column("orcid", sa.String(length=19), nullable=True),
        sa.Column("affiliations_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_authorships_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_authorships_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "role", "position", name=op.f("pk_authorships")),
    )
    op.create_index(op.f("ix_authorships_person_id"), "authorships", ["person_id"], unique=False)
    op.create_table(
        "citations",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_citations_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "position", name=op.f("pk_citations")),
    )
    op.create_table(
        "files",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("mime", sa.String(length=100), nullable=True),
        sa.Column("access", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_files_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "position", name=op.f("pk_files")),
    )
    op.create_table(
        "identifiers",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_identifiers_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "scheme", "value", name=op.f("pk_identifiers")),
    )
    op.create_index(
        op.f("ix_identifiers_scheme_value"), "identifiers", ["scheme", "value"], unique=False
    )
    op.create_table(
        "keywords",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("keyword", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_keywords_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "position", name=op.f("pk_keywords")),
    )
    op.create_table(
        "metrics",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("seen", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_metrics_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "name", "source", name=op.f("pk_metrics")),
    )
    op.create_table(
        "subjects",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=50), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_subjects_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "position", name=op.f("pk_subjects")),
    )
    for name, select in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {select.strip()}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_table("subjects")
    op.drop_table("metrics")
    op.drop_table("keywords")
    op.drop_index(op.f("ix_identifiers_scheme_value"), table_name="identifiers")
    op.drop_table("identifiers")
    op.drop_table("files")
    op.drop_table("citations")
    op.drop_index(op.f("ix_authorships_person_id"), table_name="authorships")
    op.drop_table("authorships")
    op.drop_index(op.f("ix_publications_doi"), table_name="publications")
    op.drop_table("publications")
    op.drop_table("harvest_run_sources")
    op.drop_index(op.f("ix_fetched_pages_source_id_source_key"), table_name="fetched_pages")
    op.drop_table("fetched_pages")
    op.drop_table("venues")
    op.drop_table("sources")
    op.drop_table("persons")
    op.drop_table("harvest_runs")
