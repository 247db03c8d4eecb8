"""SQLite settings for a harvest's engine, whose transactions write hundreds of records."""

from __future__ import annotations

from typing import Any

__all__ = ["bulk_pragmas"]


def bulk_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A harvest's 500-record transactions outgrow SQLite's defaults: each multi-row
    upsert's statement journal spilled past 64 KiB to a temp file (5,000 bench pages,
    strace: 20,000-32,000 pwrites, 50 MB). Statement journals are kept in memory (as are
    the few temporary b-trees its known statements make; big sorts spill to files
    whatever this says).

    The page cache stays at SQLite's 2 MB: 16 MiB a connection halved the re-reads of
    index pages (51,000 -> 23,500 preads a 5,000-page run) but raised the peak RSS of a
    100,000-page harvest (bench/rss.py) from 169-170 to 196-198 MB, against a goal of
    200 MB."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA temp_store=MEMORY")
    finally:
        cursor.close()
