"""SQLite's bulk insert: many rows a statement, the batch's shared values bound once.

Split from load_bulk.py, whose `insert_rows` sends SQLite's rows here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from operator import is_
from typing import Any

from sqlalchemy import Connection

Row = tuple[Any, ...]
SQLITE_VARIABLES = 32766  # SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32
SQLITE_ROWS_PER_STATEMENT = 200  # 20,000 rows: 10 a statement 12 ms, 50 9 ms, 200 8.5 ms


def quoted(conn: Connection, names: Iterable[str]) -> str:
    """The names as the dialect quotes them, comma-separated."""
    quote = conn.dialect.identifier_preparer.quote
    return ", ".join(quote(n) for n in names)


def sqlite_insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[Row],
                       tail: str = "") -> None:  # fmt: skip
    """SQLite: the rows through multi-row `VALUES (?,?),(?,?)...` statements.

    One statement step inserts many rows, where executemany binds, steps and
    resets once per row: 20,000 keyword rows took 25 ms that way, 8.5 ms this way.
    Rows go in in list order, so rowids come out as executemany gave them.

    A column holding the very same object in every row (None, the batch's timestamp,
    the source id) is bound once a statement, as ?1..?k that every row names, and
    the rows bind only their other columns (`shared_columns`).
    """
    width = len(columns)
    shared, rows = shared_columns(rows, width)
    constants = tuple(value for _, value in shared)
    if shared:
        first = [c for c, _ in shared]
        columns = [columns[c] for c in (*first, *(c for c in range(width) if c not in first))]
    head = f"INSERT INTO {quoted(conn, [table])} ({quoted(conn, columns)}) VALUES "
    per = max(1, min(SQLITE_ROWS_PER_STATEMENT,
                     (SQLITE_VARIABLES - len(shared)) // (width - len(shared))))  # fmt: skip
    # the shared columns first, so each row's "?1, ?2" refers to them and its plain "?"s are
    # numbered after them (SQLite keeps a list of the numbered ones: a short list, searched
    # once a reference)
    group = "(" + ", ".join([f"?{i}" for i in range(1, len(shared) + 1)]
                            + ["?"] * (width - len(shared))) + ")"  # fmt: skip
    full = len(rows) - len(rows) % per
    if full:
        sql = head + ", ".join([group] * per) + tail
        conn.exec_driver_sql(sql, [(*constants, *chain.from_iterable(rows[at : at + per]))
                                   for at in range(0, full, per)])  # fmt: skip
    if full < len(rows):
        rest = rows[full:]
        sql = head + ", ".join([group] * len(rest)) + tail
        conn.exec_driver_sql(sql, (*constants, *chain.from_iterable(rest)))


def shared_columns(rows: list[Row], width: int) -> tuple[list[tuple[int, Any]], list[Row]]:
    """(column, value) of the columns whose value is the very same object in every row
    (given two rows or more, and not every column), and the rows without those columns.

    sqlite3 binds a text at ~800 instructions (a copy) and a None at ~1,300 (its adapter
    lookup, pipelines.db._AS_NULL); a loaded record's rows hold ~20 Nones and ~15 texts
    that are the same for the whole batch. Identity, not equality: one object binds one
    way, where equal ones need not (1, 1.0 and True are equal, yet not stored alike).
    """
    if len(rows) < 2:
        return [], rows
    first, last = rows[0], rows[-1]
    maybe = [c for c in range(width) if first[c] is last[c]]  # most own columns end here
    if not maybe:
        return [], rows
    columns = list(zip(*rows, strict=True))
    shared = [(c, first[c]) for c in maybe if _one_object(columns[c], first[c])]
    if not shared or len(shared) == width:
        return [], rows
    skip = {c for c, _ in shared}
    return shared, list(zip(*[col for c, col in enumerate(columns) if c not in skip],
                            strict=True))  # fmt: skip


def _one_object(column: tuple[Any, ...], value: Any) -> bool:
    """Whether every item of the column is `value` itself."""
    if value is None or type(value) is str:
        # a tuple comparison passes identical items at a pointer test, a C loop where
        # map(is_) calls a function an item; of the values rows hold (str, int, float,
        # None), only None equals None and only a str equals a str, whose text sqlite3
        # binds as this one's (it adapts no str class)
        return column == (value,) * len(column)
    return all(map(is_, column, repeat(value)))
