"""The database schema as SQLAlchemy Core tables, portable across SQLite and PostgreSQL.

Every schema change goes through an Alembic revision in `migrations/versions`;
`alembic check` compares these tables with the migrated database, so the two
must agree. Views live in `pipelines.views` (autogenerate cannot see them).

The tables are defined by concept in `models_core` (publications and their
rows), `models_runs` (fetch state, runs), `models_oai` and `models_works`, all
on the one `metadata` of `models_base`; importing this module registers them
all, and every name stays importable from here.
"""

from __future__ import annotations

from .models_base import NAMING_CONVENTION, UTCDateTime, metadata
from .models_core import (
    CHILD_TABLES,
    authorships,
    citations,
    files,
    identifiers,
    keywords,
    metrics,
    persons,
    publication_versions,
    publications,
    sources,
    subjects,
    venues,
)
from .models_frontier import frontier, frontier_hosts, host_leases
from .models_oai import oai_checkpoints, oai_records
from .models_runs import fetched_pages, harvest_run_fill_rates, harvest_run_sources, harvest_runs
from .models_works import work_members, work_overrides, works

__all__ = [
    "CHILD_TABLES",
    "NAMING_CONVENTION",
    "UTCDateTime",
    "authorships",
    "citations",
    "fetched_pages",
    "files",
    "frontier",
    "frontier_hosts",
    "harvest_run_fill_rates",
    "harvest_run_sources",
    "harvest_runs",
    "host_leases",
    "identifiers",
    "keywords",
    "metadata",
    "metrics",
    "oai_checkpoints",
    "oai_records",
    "persons",
    "publication_versions",
    "publications",
    "sources",
    "subjects",
    "venues",
    "work_members",
    "work_overrides",
    "works",
]
