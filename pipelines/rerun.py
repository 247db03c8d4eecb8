"""Whether a harvest re-harvests: every source it runs already has pages or OAI records
in the (SQLite) database.

`harvester harvest` spawns its parse workers first thing, so that they import while
the run starts (pipelines/parse_start.py). A nightly re-harvest mostly gets 304s, or
skips pages by their unchanged <lastmod>, and parses few pages or none: the two
interpreters' imports (about 0.3 s of CPU each) are then spent for nothing, on the
cores the run itself needs. For such a run the CLI lets the prestarted workers go, and
the run's pool spawns its own on the first page it has to parse (parsing inline while
they start).

Asked through the standard library's sqlite3, read-only, before the run opens its
engine: any doubt (PostgreSQL, no file yet, an older schema, a locked file) answers
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


def all_harvested_before(database_url: str, names: Sequence[str]) -> bool:
    """True when the SQLite database holds pages or OAI records of every named source."""
    path = sqlite_path(database_url)
    if path is None or not names or not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return False
    try:
        marks = ", ".join("?" * len(set(names)))
        (count,) = conn.execute(_KNOWN.format(names=marks), sorted(set(names))).fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return bool(count == len(set(names)))
