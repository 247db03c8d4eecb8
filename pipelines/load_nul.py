"""NUL characters out of records before they are stored.

PostgreSQL text and jsonb cannot hold U+0000 (psycopg raises DataError, which
fails the whole batch), and SQLite compares strings in json_each() only up to a
NUL, so a person whose name held one lost its id and broke a foreign key. A
NUL never carries meaning in metadata, so it is dropped on both databases and
they store the same values. Other control characters are legal in both and are
stored as given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from harvester.types import Record

__all__ = ["has_nul", "strip_nul"]

T = TypeVar("T")
# json.dumps writes U+0000 as this escape; a title holding the six characters
# "\u0000" matches too, and strip_nul then simply changes nothing.
_ESCAPED_NUL = "\\u0000"


def has_nul(record: Record, canonical_json: str) -> bool:
    """Whether the record may hold a NUL, judged from its canonical JSON (which
    leaves out metrics and warnings, so those are looked at directly)."""
    if _ESCAPED_NUL in canonical_json:
        return True
    # most records have no warnings or metrics: no generator made for them
    if record.warnings and any("\x00" in w for w in record.warnings):
        return True
    return bool(record.metrics) and any("\x00" in m.name or "\x00" in (m.source or "")
                                        for m in record.metrics)  # fmt: skip


def strip_nul(value: T) -> T:
    """The same value with every NUL removed from every string inside it."""
    return _strip(value)  # type: ignore[no-any-return]


def _strip(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, tuple):
        return tuple(_strip(v) for v in value)
    if isinstance(value, Mapping):
        return {_strip(k): _strip(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _strip(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value
