"""SQLite's multi-row inserts and PostgreSQL's array literal, against the plain ways."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, event, inspect

from harvester.types import Record
from pipelines import load_sqlite
from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source, upsert_records
from pipelines.load_bulk import array_literal, insert_rows
from pipelines.load_lookup import sqlite_new_ids
from tests.test_load_upsert import T0, T1, make_record

WIDE = 7


@pytest.fixture
def conn(sqlite_url: str) -> Iterator[Connection]:
    engine: Engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, n INT)")
        columns = ", ".join(f"c{i} INT" for i in range(WIDE))
        connection.exec_driver_sql(f"CREATE TABLE wide (id INTEGER PRIMARY KEY, {columns})")
        yield connection
    engine.dispose()


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.exec_driver_sql(sql).all()]


@pytest.mark.parametrize("count", [0, 1, 199, 200, 201, 450])
def test_rows_are_stored_in_order_with_consecutive_ids(conn: Connection, count: int) -> None:
    rows = [(f"key {i}", i) for i in range(count)]
    insert_rows(conn, "t", ("k", "n"), rows)
    stored = _rows(conn, "SELECT id, k, n FROM t ORDER BY id")
    assert stored == [(i + 1, k, n) for i, (k, n) in enumerate(rows)]


def test_skipped_conflicts_keep_the_first_row_within_and_across_statements(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_sqlite, "SQLITE_ROWS_PER_STATEMENT", 3)
    insert_rows(conn, "t", ("k", "n"), [("old", 0)])
    rows = [("a", 1), ("old", 2), ("a", 3), ("b", 4), ("c", 5), ("b", 6), ("d", 7)]
    insert_rows(conn, "t", ("k", "n"), rows, skip_conflicts=True)
    stored = _rows(conn, "SELECT k, n FROM t ORDER BY id")
    assert stored == [("old", 0), ("a", 1), ("b", 4), ("c", 5), ("d", 7)]


def test_wide_rows_stay_under_the_variable_limit(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_sqlite, "SQLITE_VARIABLES", 20)  # 2 rows of 7 a statement
    seen: list[int] = []

    def count(_c: object, _cur: object, sql: str, params: object, _ctx: object,
              _many: bool) -> None:  # fmt: skip
        seen.append(sql.count("?"))

    event.listen(conn, "before_cursor_execute", count)
    rows = [tuple(range(i, i + WIDE)) for i in range(5)]
    insert_rows(conn, "wide", [f"c{i}" for i in range(WIDE)], rows)
    assert max(seen) <= 20
    assert _rows(conn, f"SELECT {', '.join(f'c{i}' for i in range(WIDE))} FROM wide "
                       "ORDER BY id") == rows  # fmt: skip


def test_rows_may_come_from_an_iterator(conn: Connection) -> None:
    insert_rows(conn, "t", ("k",), iter([("x",), ("y",)]))
    assert _rows(conn, "SELECT k, n FROM t ORDER BY id") == [("x", None), ("y", None)]


def test_new_ids_come_from_the_range_the_last_insert_ended(conn: Connection) -> None:
    insert_rows(conn, "t", ("k", "n"), [("old", 0)])
    rows = [(f"key {i}", i) for i in range(450)]
    insert_rows(conn, "t", ("k", "n"), rows, skip_conflicts=True)
    made = sqlite_new_ids(conn, "t", "k", [k for k, _ in rows])
    assert made == dict(_rows(conn, "SELECT k, id FROM t WHERE k != 'old'"))


def test_new_ids_are_none_when_a_row_was_skipped_as_a_conflict(conn: Connection) -> None:
    insert_rows(conn, "t", ("k", "n"), [("b", 0)])
    insert_rows(conn, "t", ("k", "n"), [("a", 1), ("b", 2), ("c", 3)], skip_conflicts=True)
    assert sqlite_new_ids(conn, "t", "k", ["a", "b", "c"]) is None


def _load_and_dump(url: str, records: list[Record]) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as c:
        source_id = ensure_source(c, "s", "pure", None, now=T0)
    for at in range(0, len(records), 400):
        with engine.begin() as c:
            upsert_records(c, source_id, records[at : at + 400], now=T0)
    with engine.begin() as c:  # a second pass: some changed, the rest unchanged
        upsert_records(c, source_id, [make_record(n, title=f"New {n}") if n % 3 else r
                                      for n, r in enumerate(records[::5])], now=T1)  # fmt: skip
    with engine.connect() as c:
        dump = {t: sorted((tuple(r) for r in c.exec_driver_sql(f'SELECT * FROM "{t}"')), key=repr)
                for t in inspect(c).get_table_names()}  # fmt: skip
    engine.dispose()
    return dump


def test_a_load_stores_the_same_as_with_one_row_a_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [
        make_record(
            n,
            keywords=tuple(f"k{k}" for k in range(n % 5)),
            authors=make_record(n).authors[: n % 3],
        )
        for n in range(1000)
    ]
    many = _load_and_dump(f"sqlite:///{tmp_path / 'many.db'}", records)
    monkeypatch.setattr(load_sqlite, "SQLITE_ROWS_PER_STATEMENT", 1)
    one = _load_and_dump(f"sqlite:///{tmp_path / 'one.db'}", records)
    assert sum(map(len, one.values())) > 5000
    assert many == one


def _per_item_literal(values: Sequence[object]) -> str | None:
    """array_literal as it was before its fast path: every item escaped on its own."""
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(v) is str for v in values):
        items = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        return "{" + ",".join(items) + "}"
    return None


_PIECES = st.sampled_from(["a", '"', "\\", ",", "{", " ", "é", '","', '"\\', "\x00"])
_TEXT = st.lists(_PIECES, max_size=5).map("".join) | st.text(max_size=4)


@given(
    st.lists(_TEXT, max_size=6)
    | st.lists(st.integers(), max_size=4)
    | st.lists(st.one_of(st.text(max_size=3), st.integers(), st.booleans()), max_size=4)
)
def test_array_literal_is_byte_identical_to_escaping_each_item(values: list[object]) -> None:
    assert array_literal(values) == _per_item_literal(values)


@pytest.mark.parametrize("values", [['a"', 'b'], ['"', '"'], ['a', 'b\\'], ['","', ''],
                                    ['x"', '"y']])  # fmt: skip
def test_quotes_and_backslashes_in_items_are_escaped(values: list[str]) -> None:
    assert array_literal(values) == _per_item_literal(values)
    assert array_literal(values) != '{"' + '","'.join(values) + '"}'


_ONE_TEXT = "same text"
# equal values that SQLite stores apart (1, 1.0, True; "1"), and objects shared by rows
_VALUES = st.sampled_from([None, 1, 1.0, True, 0, -0.0, 0.0, "1", _ONE_TEXT, "", 2**40])


def _typed(conn: Connection, table: str) -> list[tuple[object, ...]]:
    columns = ", ".join(f"c{i}, typeof(c{i})" for i in range(WIDE))
    return _rows(conn, f"SELECT id, {columns} FROM {table} ORDER BY id")


@given(st.lists(st.lists(_VALUES, min_size=WIDE, max_size=WIDE).map(tuple), max_size=12),
       st.sampled_from([1, 2, 5, 200]))  # fmt: skip
def test_shared_columns_store_what_binding_every_row_stores(
    rows: list[tuple[object, ...]], per: int
) -> None:
    engine = make_engine("sqlite://")  # in memory: a fresh database for every example
    names = [f"c{i}" for i in range(WIDE)]
    with engine.begin() as c:
        for table in ("bulk", "plain"):
            c.exec_driver_sql(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, "
                              + ", ".join(f"{n} {t}" for n, t in zip(names, (
                                  "INT", "REAL", "TEXT", "", "NUMERIC", "INT", "TEXT"),
                                  strict=True)) + ")")  # fmt: skip
        original = load_sqlite.SQLITE_ROWS_PER_STATEMENT
        load_sqlite.SQLITE_ROWS_PER_STATEMENT = per  # hypothesis runs many examples a fixture
        try:
            insert_rows(c, "bulk", names, list(rows))
        finally:
            load_sqlite.SQLITE_ROWS_PER_STATEMENT = original
        if rows:
            c.exec_driver_sql(f"INSERT INTO plain ({', '.join(names)}) VALUES "
                              f"({', '.join('?' * WIDE)})", rows)  # fmt: skip
        assert _typed(c, "bulk") == _typed(c, "plain")
    engine.dispose()


def test_a_column_of_one_object_is_bound_once_a_statement(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_sqlite, "SQLITE_ROWS_PER_STATEMENT", 4)
    bound: list[int] = []

    def count(_c: object, _cur: object, _sql: str, params: Sequence[object], _ctx: object,
              many: bool) -> None:  # fmt: skip
        bound.extend(len(p) for p in params) if many else bound.append(len(params))

    event.listen(conn, "before_cursor_execute", count)
    stamp, one, equal = "2026-01-01 00:00:00", int("10000000000"), int("10000000000")
    assert one == equal and one is not equal
    rows = [(i, stamp, None, one if i % 2 else equal, i * 2, None, stamp) for i in range(10)]
    insert_rows(conn, "wide", [f"c{i}" for i in range(WIDE)], rows)
    # 4 + 4 + 2 rows; the text and the Nones (4 columns) once a statement, the equal ints
    # every row
    assert bound == [4 + 4 * 3, 4 + 4 * 3, 4 + 2 * 3]
    stored = _rows(conn, f"SELECT {', '.join(f'c{i}' for i in range(WIDE))} FROM wide "
                         "ORDER BY id")  # fmt: skip
    assert stored == rows
