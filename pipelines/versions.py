"""Version history: one publication_versions row per new or changed record.

The loader calls `changed_versions` before it overwrites the changed rows (the
diff needs the stored JSON) and `new_versions` for inserted ones; unchanged
records get no row. A change row keeps the changed top-level fields of the
record JSON and their old and new values, so the previous version of a record
is the current one with the `old` values put back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from harvester.types import Record

from .load_bulk import Row, insert_rows, one_of
from .models import publication_versions, publications

COLUMNS = ("publication_id", "version", "changed_at", "change", "fetch_url", "fetch_sha256",
           "changed_fields", "diff_json")  # fmt: skip
_NOT_VALUES = ("metrics", "warnings")  # stored in record_json but outside the content hash


class FetchRef(NamedTuple):
    """The fetch a record came from: its page's address and body hash (or an OAI
    identifier as the address and no hash)."""

    url: str
    sha256: str | None = None


def _fetch(record: Record, fetches: Mapping[str, FetchRef] | None) -> FetchRef:
    found = fetches.get(record.source_key) if fetches else None
    return found if found is not None else FetchRef(record.url, None)


def new_versions(records: Sequence[Record], ids: Mapping[str, int], stamp: Any,
                 fetches: Mapping[str, FetchRef] | None) -> list[Row]:  # fmt: skip
    """Version 1 of each new record: no fields listed, nothing to diff against."""
    rows: list[Row] = []
    for r in records:
        url, sha = _fetch(r, fetches)
        rows.append((ids[r.source_key], 1, stamp, "new", url, sha, None, None))
    return rows


def diff(old_json: str, new_json: str) -> dict[str, dict[str, Any]]:
    """{field: {"old": ..., "new": ...}} for every top-level field whose value differs."""
    old, new = json.loads(old_json), json.loads(new_json)
    fields = (set(old) | set(new)).difference(_NOT_VALUES)
    return {f: {"old": old.get(f), "new": new.get(f)}
            for f in sorted(fields) if old.get(f) != new.get(f)}  # fmt: skip


def changed_versions(conn: Connection, records: Sequence[Record], ids: Mapping[str, int],
                     canonical: Mapping[str, str], stamp: Any,
                     fetches: Mapping[str, FetchRef] | None) -> list[Row]:  # fmt: skip
    """The next version of each changed record; call before the stored rows are updated.

    `canonical` holds each record's new canonical JSON by source key. A record
    stored before version history existed counts as version 1.
    """
    if not records:
        return []
    pids = [ids[r.source_key] for r in records]
    p, v = publications.c, publication_versions.c
    latest = (select(func.max(v.version)).where(v.publication_id == p.id)
              .scalar_subquery())  # fmt: skip
    stored = {pid: (blob, last or 1) for pid, blob, last in conn.execute(
        select(p.id, p.record_json, latest).where(one_of(conn, p.id, pids)))}  # fmt: skip
    rows: list[Row] = []
    for r in records:
        pid = ids[r.source_key]
        old_json, last = stored[pid]
        changes = diff(old_json, canonical[r.source_key])
        url, sha = _fetch(r, fetches)
        rows.append((pid, last + 1, stamp, "changed", url, sha,
                     json.dumps(list(changes), ensure_ascii=False),
                     json.dumps(changes, ensure_ascii=False, sort_keys=True)))  # fmt: skip
    return rows


def write_versions(conn: Connection, rows: Sequence[Row]) -> None:
    insert_rows(conn, publication_versions, COLUMNS, rows)
