"""Fetch state and run tables: what each URL returned, and what each harvest run did."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from .models_base import UTCDateTime, metadata

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
