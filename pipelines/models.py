"""The database schema as SQLAlchemy Core tables, portable across SQLite and PostgreSQL.

Every schema change goes through an Alembic revision in `migrations/versions`;
`alembic check` compares these tables with the migrated database, so the two
must agree. Views live in `pipelines.views` (autogenerate cannot see them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time zones: it would hand back naive datetimes, so values are
    stored in UTC and the zone is put back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused (store UTC-aware values): {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def _publication_fk() -> ForeignKey:
    return ForeignKey("publications.id", ondelete="CASCADE")


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("platform", String(50), nullable=False),
    Column("base_url", Text),
    Column("created_at", UTCDateTime, nullable=False),
)

venues = Table(
    "venues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("venue_key", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("issn", String(20)),
    Column("kind", String(30)),
)

publications = Table(
    "publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("source_key", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("platform", String(50), nullable=False),
    Column("type", String(50)),
    Column("type_raw", Text),
    Column("title", Text),
    Column("subtitle", Text),
    Column("abstract", Text),
    Column("doi", Text),
    Column("venue_id", Integer, ForeignKey("venues.id")),
    Column("journal", Text),
    Column("volume", String(50)),
    Column("issue", String(50)),
    Column("article_number", String(50)),
    Column("page_first", String(50)),
    Column("page_last", String(50)),
    Column("page_count", Integer),
    Column("published", String(10)),
    Column("published_precision", String(5)),
    Column("online", String(10)),
    Column("status", String(50)),
    Column("status_date", String(10)),
    Column("language", String(10)),
    Column("publisher", Text),
    Column("host_publication", Text),
    Column("record_json", Text, nullable=False),
    Column("provenance_json", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_changed", UTCDateTime, nullable=False),
    # Set when the row is written; the day-to-day "still there" stamp is
    # fetched_pages.checked_at, so unchanged records cost no write here.
    Column("last_seen", UTCDateTime, nullable=False),
    # OAI-PMH tombstone: the record keeps its data and is marked deleted
    Column("deleted_at", UTCDateTime),
    # set when a full OAI run did not list the record (marked, never deleted)
    Column("missing_since", UTCDateTime),
    UniqueConstraint("source_id", "source_key"),
    Index(None, "doi"),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_key", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("family", Text),
    Column("given", Text),
    Column("orcid", String(19)),
)

authorships = Table(
    "authorships",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("role", String(30), nullable=False),
    Column("position", Integer, nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("family", Text),
    Column("given", Text),
    Column("orcid", String(19)),
    Column("affiliations_json", Text, nullable=False),
    PrimaryKeyConstraint("publication_id", "role", "position"),
    Index(None, "person_id"),
)

keywords = Table(
    "keywords",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("keyword", Text, nullable=False),
    PrimaryKeyConstraint("publication_id", "position"),
)

subjects = Table(
    "subjects",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("scheme", String(50), nullable=False),
    Column("term", Text, nullable=False),
    Column("code", String(50)),
    Column("weight", Float),
    PrimaryKeyConstraint("publication_id", "position"),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("scheme", String(50), nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("publication_id", "scheme", "value"),
    Index(None, "scheme", "value"),
)

files = Table(
    "files",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("name", Text),
    Column("mime", String(100)),
    Column("access", String(30)),
    PrimaryKeyConstraint("publication_id", "position"),
)

metrics = Table(
    "metrics",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("name", String(50), nullable=False),
    # '' stands for "no source given": primary-key columns cannot be NULL.
    Column("source", String(50), nullable=False),
    Column("value", Integer, nullable=False),
    Column("seen", String(10), nullable=False),
    PrimaryKeyConstraint("publication_id", "name", "source"),
)

citations = Table(
    "citations",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("format", String(30), nullable=False),
    Column("text", Text, nullable=False),
    PrimaryKeyConstraint("publication_id", "position"),
)

fetched_pages = Table(
    "fetched_pages",
    metadata,
    Column("url", Text, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("status", Integer),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("sha256", String(64)),
    Column("fetched_at", UTCDateTime),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("source_key", Text),
    Column("error_reason", String(50)),
    Column("error_message", Text),
    Column("attempts", Integer, nullable=False),
    # where the last body fetched sits in the WARC archive (harvester/warc.py)
    Column("warc_file", Text),
    Column("warc_offset", BigInteger),
    Index(None, "source_id", "source_key"),
)

harvest_runs = Table(
    "harvest_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(10), nullable=False),
    Column("sources_json", Text, nullable=False),
    Column("stats_json", Text),
)

harvest_run_sources = Table(
    "harvest_run_sources",
    metadata,
    Column("run_id", Integer, ForeignKey("harvest_runs.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("fetched", Integer, nullable=False),
    Column("not_modified", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("new", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("failures_json", Text, nullable=False),
    Column("seconds", Float, nullable=False),
    PrimaryKeyConstraint("run_id", "source_id"),
)

harvest_run_fill_rates = Table(
    "harvest_run_fill_rates",
    metadata,
    Column("run_id", Integer, ForeignKey("harvest_runs.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("field", String(20), nullable=False),
    # counts, not a percentage, so a comparison between runs is exact
    Column("filled", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    PrimaryKeyConstraint("run_id", "source_id", "field"),
    Index(None, "source_id", "run_id"),
)
"""Per run and source: how many live publications had each field (pipelines/fillrates.py)."""

oai_checkpoints = Table(
    "oai_checkpoints",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id"), primary_key=True),
    Column("metadata_prefix", String(100)),
    Column("set_spec", Text),
    # datestamps are kept as the server wrote them (its granularity)
    Column("window_from", String(30)),
    Column("window_until", String(30)),
    Column("resumption_token", Text),
    # responseDate of the first response of the last COMPLETED harvest: the next `from`
    Column("last_response_date", String(30)),
    # the harvest in progress: 'full' or 'incremental' (NULL when none), and the
    # responseDate of its first response, which becomes last_response_date at the end
    Column("harvest_mode", String(12)),
    Column("harvest_started", String(30)),
    Column("harvest_run", Integer),
    Column("updated_at", UTCDateTime, nullable=False),
)

oai_records = Table(
    "oai_records",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("source_key", Text, nullable=False),
    Column("datestamp", String(30), nullable=False),
    # hash of the Record mapped from the OAI payload alone (NULL for tombstones):
    # an unchanged OAI record is skipped even when enrichment changed the stored one
    Column("oai_hash", String(64)),
    Column("landing_url", Text),
    # 'pending' until the landing page is merged, then 'done' or 'failed'
    Column("enrich_state", String(10)),
    Column("listed_at", UTCDateTime, nullable=False),
    # run ids only grow: a record listed by a harvest begun in run N has listed_run >= N
    Column("listed_run", Integer, nullable=False),
    PrimaryKeyConstraint("source_id", "source_key"),
    Index(None, "source_id", "enrich_state"),
)

works = Table(
    "works",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# One row per publication: its work, why (pipelines/works_match.py), and the match
# keys it was judged by, so new records find candidates by index (blocking).
work_members = Table(
    "work_members",
    metadata,
    Column("publication_id", Integer, _publication_fk(), primary_key=True),
    Column("work_id", Integer, ForeignKey("works.id"), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("score", Float, nullable=False),
    # the member whose link brought this one in (informational: no foreign key)
    Column("matched_with", Integer),
    Column("matched_json", Text, nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("match_doi", Text),
    Column("match_title", Text),
    Column("match_year", String(4)),
    Column("match_author", Text),
    Column("match_type", String(50)),
    Index(None, "work_id"),
    Index(None, "match_doi"),
    Index(None, "match_author", "match_year"),
)

# User decisions the matcher obeys on every later assignment and rebuild:
# 'split' (publication_id alone) or 'merge' (publication_id joins other_publication_id).
work_overrides = Table(
    "work_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("action", String(10), nullable=False),
    Column("other_publication_id", Integer, _publication_fk()),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("note", Text),
    Index(None, "publication_id"),
    Index(None, "other_publication_id"),
)

# One row per new or changed record (never for an unchanged reload).
publication_versions = Table(
    "publication_versions",
    metadata,
    Column("publication_id", Integer, _publication_fk(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("change", String(10), nullable=False),
    Column("fetch_url", Text),
    Column("fetch_sha256", String(64)),
    # JSON: ["title", "volume"] and {"volume": {"old": "3", "new": "7"}}; NULL when new
    Column("changed_fields", Text),
    Column("diff_json", Text),
    PrimaryKeyConstraint("publication_id", "version"),
    Index(None, "changed_at"),
)

CHILD_TABLES = (authorships, keywords, subjects, identifiers, files, citations)
"""Rows replaced wholesale when a record is new or changed (metrics are upserted)."""
