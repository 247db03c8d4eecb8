"""OAI-PMH tables: the per-source checkpoint and the per-record listing state."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from .models_base import UTCDateTime, metadata

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
