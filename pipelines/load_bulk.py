"""Bulk statements for the loader, each written the fast way for its dialect.

Measured on 10,000 records (bench/load.py): with plain executemany, psycopg
spent most of its time re-parsing the huge multi-VALUES statements SQLAlchemy
builds for RETURNING, and large IN lists. So on PostgreSQL key lookups use
`= ANY(array)`, rows are streamed with COPY, and get-or-create inserts (which
must skip conflicts) read one JSON parameter with json_to_recordset. SQLite
gets executemany of plain tuples, which its C loop runs without per-row
SQLAlchemy work. Ids are read back with one keyed SELECT afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values` with one parameter: an array on PostgreSQL, JSON on SQLite."""
    if is_postgres(conn):
        array = cast(bindparam(None, list(values), expanding=False), ARRAY(column.type))
        return column == any_(array)  # type: ignore[no-any-return]
    listed = func.json_each(bindparam(None, json.dumps(list(values)), type_=Text))
    return column.in_(select(literal_column("value")).select_from(listed))  # type: ignore[no-any-return]


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_conflicts: bool = False,
) -> None:
    """Insert rows as fast as the driver can; with skip_conflicts, rows that clash are dropped.

    Values still pass through each column type's bind processor (UTC
    timestamps), so the stored form is what SQLAlchemy itself would write.
    """
    if not rows:
        return
    columns = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if is_postgres(conn) and skip_conflicts:
        # COPY cannot skip conflicts. One JSON parameter is encoded in C; arrays per
        # column went through psycopg's Python list dumper (measured 2x slower).
        spec = ", ".join(f"{quote(c)} {table.c[c].type.compile(conn.dialect)}" for c in columns)
        sql = (
            f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} "
            f"FROM json_to_recordset(%(rows)s::json) AS r({spec}) ON CONFLICT DO NOTHING"
        )
        payload = json.dumps([dict(r) for r in rows], ensure_ascii=False, default=_iso)
        conn.exec_driver_sql(sql, {"rows": payload})
        return
    values = _tuples(conn, table, columns, rows)
    if is_postgres(conn):
        driver: Any = conn.connection.driver_connection
        copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with driver.cursor() as cur, cur.copy(copy_sql) as cp:
            for value in values:
                cp.write_row(value)
        return
    marks = ", ".join("?" for _ in columns)
    tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks}){tail}"
    conn.exec_driver_sql(sql, values)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _tuples(
    conn: Connection, table: Table, columns: list[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """Row values in column order, through the bind processors of the columns that have one."""
    dialect = conn.dialect
    getter = itemgetter(*columns)
    values = [getter(row) for row in rows] if len(columns) > 1 else [(r[columns[0]],) for r in rows]
    processed = [
        (i, proc)
        for i, c in enumerate(columns)
        if (proc := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    if not processed:
        return values
    out = []
    for value in values:
        as_list = list(value)
        for i, proc in processed:
            as_list[i] = proc(as_list[i])
        out.append(tuple(as_list))
    return out
