"""Bulk statements for the loader, each written the fast way for its dialect.

Rows arrive as tuples in a fixed column order, already in the driver's form
(timestamps converted once per batch, not once per row). SQLite gets
executemany of plain tuples, which its C loop runs without per-row
SQLAlchemy work. PostgreSQL gets COPY; key lookups use `= ANY(array)`, since
psycopg re-parses large IN lists and multi-VALUES statements; get-or-create
inserts (which must skip conflicts) read one JSON parameter with
json_to_recordset, because COPY cannot skip conflicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

import orjson
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
from sqlalchemy.types import NullType

from .load_ahead import send_ahead, settle
from .load_sqlite import quoted, sqlite_insert_rows

Row = tuple[Any, ...]
T = TypeVar("T")
KEYS_PER_QUERY = 5000  # well under SQLite's 32766 and psycopg's 65535 parameters


def chunks(items: Sequence[T], size: int = KEYS_PER_QUERY) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values` with one parameter: an array on PostgreSQL, JSON on SQLite.

    On PostgreSQL the parameter is the array's text (`{1,2}`, `{"a","b"}`), left
    untyped so the server reads it as the column's array type and plans it as a
    constant (a seq scan then hashes the values instead of comparing each row with
    every one). psycopg would quote a Python list item by item in Python: several
    µs a key for the loader's 5,000-key lookups.
    """
    if is_postgres(conn):
        literal = array_literal(values)
        if literal is None:
            from sqlalchemy.dialects.postgresql import ARRAY  # not on SQLite's start-up path

            array = cast(bindparam(None, list(values), expanding=False), ARRAY(column.type))
            return column == any_(array)  # type: ignore[no-any-return]
        untyped = bindparam(None, literal, type_=NullType())  # no ::VARCHAR: see above
        return column == any_(untyped)  # type: ignore[no-any-return]
    listed = func.json_each(bindparam(None, json_list(values), type_=Text))
    return column.in_(select(literal_column("value")).select_from(listed))  # type: ignore[no-any-return]


def json_list(values: Sequence[Any]) -> str:
    """JSON array text of keys for SQLite's json_each: orjson, ~10x faster than json.dumps
    on a batch's 5,000 keys (json_each reads the same values from either); json.dumps for
    what orjson refuses (a lone surrogate, an int past 64 bits)."""
    try:
        return orjson.dumps(list(values)).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(list(values))


def array_literal(values: Sequence[Any]) -> str | None:
    """PostgreSQL's text form of an array of ints or of strings (None for other values)."""
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(v) is str for v in values):
        joined = '","'.join(values)
        # no item holds a quote or a backslash (the separators hold all the quotes):
        # nothing to escape, so one join instead of two replaces and a concat per item
        if "\\" not in joined and joined.count('"') == 2 * (len(values) - 1):
            return '{"' + joined + '"}'
        return "{" + ",".join(map(_array_item, values)) + "}"
    return None


def _array_item(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def driver_value(conn: Connection, table: Table, column: str, value: Any) -> Any:
    """`value` as the column's bind processor hands it to the driver (UTC timestamps)."""
    dialect = conn.dialect
    process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process is not None else value


def insert_rows(
    conn: Connection,
    table: Table | str,
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    skip_conflicts: bool = False,
) -> None:
    """Insert tuples (driver-ready values in `columns` order); with skip_conflicts,
    rows that clash with a unique key are dropped. PostgreSQL's COPY takes an iterator
    of rows as it comes (the server works on the first while the next are made)."""
    if isinstance(rows, list | tuple) and not rows:
        return
    name = table if isinstance(table, str) else table.name
    quote = conn.dialect.identifier_preparer.quote
    names = quoted(conn, columns)
    if is_postgres(conn) and not skip_conflicts:
        copy_rows(conn, f"COPY {quote(name)} ({names}) FROM STDIN", rows)
        return
    listed = rows if isinstance(rows, list) else list(rows)
    if not listed:
        return
    if is_postgres(conn):
        assert isinstance(table, Table), "conflict-skipping inserts need the Table for types"
        spec = ", ".join(f"{quote(c)} {table.c[c].type.compile(conn.dialect)}" for c in columns)
        sql = (
            f"INSERT INTO {quote(name)} ({names}) SELECT {names} "
            f"FROM json_to_recordset(%(rows)s::json) AS r({spec}) ON CONFLICT DO NOTHING"
        )
        payload = [dict(zip(columns, row, strict=True)) for row in listed]
        conn.exec_driver_sql(sql, {"rows": json.dumps(payload, ensure_ascii=False, default=_iso)})
        return
    tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    sqlite_insert_rows(conn, name, columns, listed, tail)


def copy_rows(conn: Connection, copy_sql: str, rows: Iterable[Row]) -> None:
    """Stream rows to a PostgreSQL COPY ... FROM STDIN statement."""
    from .load_copy_dumper import RepeatedDatetimeDumper  # psycopg: not on SQLite's path

    settle(conn)  # COPY cannot run in pipeline mode: pipelines.load_ahead
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur, cur.copy(copy_sql) as cp:
        cur.adapters.register_dumper(datetime, RepeatedDatetimeDumper)
        write = cp.write_row
        for row in rows:
            write(row)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_STAGE = "harvester_load_authors"
_STAGE_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (seq bigserial, publication_id integer, "
    "role text, position integer, person_key text, name text, family text, given text, "
    "orcid text, affiliations_json text) ON COMMIT DELETE ROWS"
)
_STAGE_COLUMNS = ("publication_id, role, position, person_key, name, family, given, orcid, "
                  "affiliations_json")  # fmt: skip
_NEW_PERSONS = f"""
INSERT INTO persons (person_key, name, family, given, orcid)
SELECT DISTINCT ON (s.person_key) s.person_key, s.name, s.family, s.given, s.orcid
FROM {_STAGE} s
WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.person_key = s.person_key)
ORDER BY s.person_key, s.seq
ON CONFLICT DO NOTHING"""
_AUTHORSHIPS = f"""
INSERT INTO authorships (publication_id, role, position, person_id, name, family, given,
                         orcid, affiliations_json)
SELECT s.publication_id, s.role, s.position, p.id, s.name, s.family, s.given, s.orcid,
       s.affiliations_json
FROM {_STAGE} s JOIN persons p ON p.person_key = s.person_key"""


def stage_authors(conn: Connection, rows: Iterable[Row]) -> None:
    """PostgreSQL: authorships whose person_id slot holds the person KEY.

    The rows are COPYed into a session temp table; the missing persons (first
    mention wins, as in load_rows.person_rows) and the authorships are then made
    by two INSERT ... SELECT, so no person key or id travels back to Python. Those
    two are sent ahead (pipelines.load_ahead): the caller goes on while they run.
    """
    conn.exec_driver_sql(_STAGE_DDL)
    conn.exec_driver_sql(f"TRUNCATE {_STAGE}")
    copy_rows(conn, f"COPY {_STAGE} ({_STAGE_COLUMNS}) FROM STDIN", rows)
    send_ahead(conn, (_NEW_PERSONS, _AUTHORSHIPS))
