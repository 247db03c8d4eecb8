"""Whether a harvest re-harvests: every source it runs already has pages or OAI records
in the (SQLite) database.

`harvester harvest` spawns its parse workers once its config is read, so that they
import while the run starts (pipelines/parse_start.py). A nightly re-harvest mostly
gets 304s, or skips pages by their unchanged <lastmod>, and parses few pages or none:
the two interpreters' imports (about 0.3 s of CPU each) would be spent for nothing, on
the cores the run itself needs. For such a run the CLI spawns none, and the run's pool
spawns its own on the first page it has to parse (parsing inline while they start).

Asked before the run opens its engine, through the driver itself (sqlite3 read-only;
psycopg with a short connect timeout, in a read-only transaction): any doubt (no file
yet, an older schema, a locked file, a server that does not answer at once) answers
False, which keeps the workers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

_PREFIX = "sqlite:///"
_KNOWN = (
    "SELECT count(*) FROM sources s WHERE s.name IN ({names}) AND ("
    "EXISTS (SELECT 1 FROM fetched_pages f WHERE f.source_id = s.id) OR "
    "EXISTS (SELECT 1 FROM oai_records o WHERE o.source_id = s.id))"
)


def sqlite_path(database_url: str) -> Path | None:
    """The file of a plain `sqlite:///path` URL (None for anything else)."""
    if not database_url.startswith(_PREFIX):
        return None
    path = database_url[len(_PREFIX):].partition("?")[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def postgres_conninfo(database_url: str) -> str | None:
    """libpq's URI for a SQLAlchemy PostgreSQL URL (None for anything else)."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        return None
    return f"postgresql://{rest}"


def all_harvested_before(database_url: str, names: Sequence[str]) -> bool:
    """True when the database holds pages or OAI records of every named source."""
    wanted = sorted(set(names))
    if not wanted:
        return False
    path = sqlite_path(database_url)
    if path is not None:
        return path.is_file() and _sqlite_count(path, wanted) == len(wanted)
    conninfo = postgres_conninfo(database_url)
    return conninfo is not None and _postgres_count(conninfo, wanted) == len(wanted)


def _sqlite_count(path: Path, names: list[str]) -> int:
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return -1
    try:
        query = _KNOWN.format(names=", ".join("?" * len(names)))
        return int(conn.execute(query, names).fetchone()[0])
    except sqlite3.Error:
        return -1
    finally:
        conn.close()


def _postgres_count(conninfo: str, names: list[str]) -> int:
    import psycopg  # the run's own driver: imported by its engine a moment later anyway

    try:
        with psycopg.connect(conninfo, connect_timeout=2) as conn:
            conn.read_only = True
            query = _KNOWN.format(names=", ".join(["%s"] * len(names)))
            row = conn.execute(query, names).fetchone()
            return int(row[0]) if row else -1
    except (psycopg.Error, ValueError):  # ValueError: a URI libpq cannot take
        return -1
