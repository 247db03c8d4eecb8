"""JSON Lines: one `Record.to_json()` object per line, with the database id and source first."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from ._fields import ExportRow

NAME = "jsonl"
MEDIA_TYPE = "application/x-ndjson"


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        item = {"id": row.id, "source": row.source, **row.record}
        out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count
