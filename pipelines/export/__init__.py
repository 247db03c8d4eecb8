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


def export(conn: Connection, selection: Selection, fmt: str, out: TextIO, *,
           csv_raw: bool = False) -> int:
    """Write the selected publications to `out` in format `fmt`; returns how many.

    `csv_raw` writes CSV cells verbatim, without the formula-injection quoting
    (see `csv_table`); it is refused for other formats, where it would mean nothing.
    """
    try:
        module = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}") from None
    if csv_raw and module is not csv_table:
        raise ValueError(f"csv_raw applies to the csv format only, not {fmt!r}")
    rows = read_rows(conn, selection)
    if module is csv_table:
        return csv_table.write(rows, out, raw=csv_raw)
    count: int = module.write(rows, out)
    return count
