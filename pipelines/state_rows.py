"""Rows of a lookup read back in one SQLite step: a JSON array built by SQLite.

Python's sqlite3 lets go of the GIL for every step of a statement, so each row
read in the harvest's read thread used to hand the GIL to the event loop's
thread and wait to take it back (two thread switches a row, 5,000 a re-harvest
of 5,000 pages, while the loop sends its conditional GETs). Aggregated into one
JSON array, a chunk of rows is one step: one switch, and the rows are decoded
by json.loads in C. Values come back as the columns' own result processors make
them (UTCDateTime's aware datetimes included), so callers see the same tuples
as from a SELECT of the columns.

Only SQLite: other databases' drivers read a result without a switch a row.
Without the JSON functions (an SQLite before 3.38 built without them) the
caller is told to run its SELECT instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Select, func, select
from sqlalchemy.exc import OperationalError

__all__ = ["json_rows", "json_select"]

_unavailable: set[str] = set()  # databases (by URL) whose SQLite lacks json_group_array


def json_rows(conn: Connection, columns: Sequence[Column[Any]], key: Column[Any],
              values: Sequence[object]) -> list[tuple[Any, ...]] | None:
    """The `columns` of the rows whose `key` is one of `values` (one table), as tuples;
    None when this is not SQLite with its JSON functions: the caller SELECTs instead."""
    if conn.dialect.name != "sqlite" or str(conn.engine.url) in _unavailable:
        return None
    table = key.table.name
    names = ", ".join(f'"{c.name}"' for c in columns)
    marks = ", ".join("?" * len(values))
    sql = (f"SELECT json_group_array(json_array({names})) FROM \"{table}\" "
           f"WHERE \"{key.name}\" IN ({marks})")
    try:
        found = conn.exec_driver_sql(sql, tuple(values)).scalar()
    except OperationalError as exc:
        if "json_" not in str(exc):
            raise
        _unavailable.add(str(conn.engine.url))
        return None
    return _decoded(conn, columns, found)


def json_select(conn: Connection, stmt: Select[Any]) -> list[tuple[Any, ...]] | None:
    """The rows of any SELECT, as tuples, read in one step on SQLite (its rows become
    one JSON array in a subquery); None when this is not SQLite with its JSON functions:
    the caller executes `stmt` itself. For text, integer and date-time columns: JSON holds
    no BLOB and prints a REAL to 15 digits. The rows' order is not promised."""
    if conn.dialect.name != "sqlite" or str(conn.engine.url) in _unavailable:
        return None
    inner = stmt.subquery()
    wrapped = select(func.json_group_array(func.json_array(*inner.c)))
    try:
        found = conn.execute(wrapped).scalar()
    except OperationalError as exc:
        if "json_" not in str(exc):
            raise
        _unavailable.add(str(conn.engine.url))
        return None
    return _decoded(conn, list(stmt.selected_columns), found)


def _decoded(conn: Connection, columns: Sequence[ColumnElement[Any]], found: str | None
             ) -> list[tuple[Any, ...]]:
    rows: list[list[Any]] = json.loads(found) if found else []
    convert = [(i, f) for i, f in enumerate(_processors(conn, columns)) if f is not None]
    # column by column, over only the columns that have a processor (a page state's one
    # date-time of eight): a generator a row over every column cost more than the query
    for i, f in convert:
        for r in rows:
            v = r[i]
            if v is not None:
                r[i] = f(v)
    return list(map(tuple, rows))


def _processors(conn: Connection, columns: Sequence[ColumnElement[Any]]
                ) -> list[Callable[[Any], Any] | None]:
    # a column's result processor as its SELECT applies it: None where the driver's
    # value is the value (text, integers)
    return [c.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
            for c in columns]
