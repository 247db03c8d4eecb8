"""SQLite settings for a harvest's engine, whose transactions write hundreds of records."""

from __future__ import annotations

from typing import Any

__all__ = ["BULK_CACHE_KIB", "bulk_pragmas"]

BULK_CACHE_KIB = 16384


def bulk_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A harvest's 500-record transactions outgrow SQLite's defaults (5,000 bench pages,
    strace): each multi-row upsert's statement journal spilled past 64 KiB to a temp file
    (20,000-32,000 pwrites, 50 MB); the 2 MB page cache dropped index pages that the next
    records needed again (51,000 preads). Statement journals kept in memory (as are the
    few temporary b-trees its known statements make; big sorts spill to files whatever
    this says) and 16 MiB of cache a connection (three at most in a run): 0 and 24,000."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    finally:
        cursor.close()
