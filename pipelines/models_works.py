"""Work-grouping tables: works, their members (with match keys) and user overrides."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from .models_base import UTCDateTime, metadata, publication_fk

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
    Column("publication_id", Integer, publication_fk(), primary_key=True),
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
    Column("publication_id", Integer, publication_fk(), nullable=False),
    Column("action", String(10), nullable=False),
    Column("other_publication_id", Integer, publication_fk()),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("note", Text),
    Index(None, "publication_id"),
    Index(None, "other_publication_id"),
)
