"""Exports of selected publications to the formats reference managers read.

Every format module has the same shape: `NAME`, `MEDIA_TYPE` and
`write(rows, out) -> int`, taking `ExportRow`s one at a time so output
streams. `export()` ties a database selection to a format.
"""

from __future__ import annotations

from types import ModuleType
from typing import TextIO

from sqlalchemy import Connection

from . import bibtex, csl_json, csv_table, jsonl, ris
from ._fields import ExportRow
from .reader import FilterError, Selection, check_filter, read_rows

FORMATS: dict[str, ModuleType] = {m.NAME: m for m in (jsonl, csv_table, bibtex, ris, csl_json)}
"""Format name (as `--format` takes it) -> module."""

__all__ = [
    "FORMATS", "ExportRow", "FilterError", "Selection", "check_filter", "export", "read_rows",
]


def export(conn: Connection, selection: Selection, fmt: str, out: TextIO) -> int:
    """Write the selected publications to `out` in format `fmt`; returns how many."""
    try:
        module = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}") from None
    count: int = module.write(read_rows(conn, selection), out)
    return count
