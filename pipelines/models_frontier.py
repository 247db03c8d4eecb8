"""The shared frontier of distributed workers (pipelines/frontier.py, pipelines/worker.py).

- `frontier`: one row per (source, page URL) to fetch. `state` moves
  queued -> leased -> done | failed; a leased row belongs to `lease_owner`
  until `lease_until`, after which any worker may take it over (its holder died).
- `frontier_hosts`: per host, the politeness every worker obeys together:
  `concurrency` slots and `delay` seconds between request starts, with
  `next_start` the next free start time (reserved through the database clock).
- `host_leases`: the slots themselves, (host, slot) for slot < concurrency;
  a worker may fetch from a host only with a slot it holds (owner, expires_at).

Every lease time comes from the database clock (now()), never a worker's own, so
the machines' clocks need not agree. Registered on the shared `metadata`; Alembic
revision 0008_frontier creates them.
"""

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
    UniqueConstraint,
)

from .models_base import UTCDateTime, metadata

# BIGINT on PostgreSQL (re-enqueueing spends sequence values); SQLite's rowid alias
# must be spelled INTEGER to autoincrement
_ID = BigInteger().with_variant(Integer(), "sqlite")

FRONTIER_STATES = ("queued", "leased", "done", "failed")

frontier = Table(
    "frontier",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("host", Text, nullable=False),  # netloc with port: the fetcher's host key
    Column("state", String(10), nullable=False),
    Column("lease_owner", Text),
    Column("lease_until", UTCDateTime),
    Column("attempts", Integer, nullable=False),  # claims so far (a taken-over row: 2+)
    Column("error_reason", String(50)),  # why a failed row failed
    Column("enqueued_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    UniqueConstraint("source_id", "url"),
    Index(None, "state", "host"),
    Index(None, "lease_owner"),
)

frontier_hosts = Table(
    "frontier_hosts",
    metadata,
    Column("host", Text, primary_key=True),
    Column("concurrency", Integer, nullable=False),
    Column("delay", Float, nullable=False),
    Column("next_start", UTCDateTime),
)

host_leases = Table(
    "host_leases",
    metadata,
    Column("host", Text, nullable=False),
    Column("slot", Integer, nullable=False),
    Column("owner", Text),
    Column("expires_at", UTCDateTime),
    PrimaryKeyConstraint("host", "slot"),
    Index(None, "owner"),
)
