"""Publication tables: sources, venues, publications and the per-record child rows and versions."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .models_base import UTCDateTime, metadata, publication_fk

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
    Column("publication_id", Integer, publication_fk(), nullable=False),
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
    Column("publication_id", Integer, publication_fk(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("keyword", Text, nullable=False),
    PrimaryKeyConstraint("publication_id", "position"),
)

subjects = Table(
    "subjects",
    metadata,
    Column("publication_id", Integer, publication_fk(), nullable=False),
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
    Column("publication_id", Integer, publication_fk(), nullable=False),
    Column("scheme", String(50), nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("publication_id", "scheme", "value"),
    Index(None, "scheme", "value"),
)

files = Table(
    "files",
    metadata,
    Column("publication_id", Integer, publication_fk(), nullable=False),
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
    Column("publication_id", Integer, publication_fk(), nullable=False),
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
    Column("publication_id", Integer, publication_fk(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("format", String(30), nullable=False),
    Column("text", Text, nullable=False),
    PrimaryKeyConstraint("publication_id", "position"),
)

# One row per new or changed record (never for an unchanged reload).
publication_versions = Table(
    "publication_versions",
    metadata,
    Column("publication_id", Integer, publication_fk(), nullable=False),
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
