"""one_of: the loader's `IN (values)` in one parameter, for any text and on both databases."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import Engine, select

from pipelines.load import ensure_source
from pipelines.load_bulk import json_list, one_of
from pipelines.models import sources
from tests.test_load_upsert import T0

NAMES = ['plain', 'with "quotes"', "back\\slash", "comma, and {braces}", "NULL", "",
         "ünïcödé 数据 \U0001f9ea", "trailing space ", "'single'"]  # fmt: skip


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    with engine.begin() as conn:
        return {name: ensure_source(conn, name, "pure", None, now=T0) for name in NAMES}


@pytest.mark.parametrize("wanted", [NAMES, NAMES[1:4], ["NULL"], [""], ["absent"], []])
def test_text_keys_are_matched_exactly(engine: Engine, ids: dict[str, int],
                                       wanted: list[str]) -> None:  # fmt: skip
    with engine.connect() as conn:
        query = select(sources.c.name).where(one_of(conn, sources.c.name, wanted))
        found = set(conn.execute(query).scalars())
    assert found == set(wanted) & set(NAMES)


@pytest.mark.parametrize("count", [0, 1, 4])
def test_integer_keys_are_matched_exactly(engine: Engine, ids: dict[str, int],
                                          count: int) -> None:  # fmt: skip
    wanted = [*sorted(ids.values())[:count], 987654]
    with engine.connect() as conn:
        query = select(sources.c.id).where(one_of(conn, sources.c.id, wanted))
        assert sorted(conn.execute(query).scalars()) == wanted[:-1]


@pytest.mark.postgres
def test_postgres_plans_the_keys_as_one_constant_array(pg_url: str) -> None:
    from pipelines.db import make_engine, upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    with engine.connect() as conn:
        query = select(sources.c.id).where(one_of(conn, sources.c.name, ["a", 'b"c']))
        compiled = query.compile(dialect=conn.dialect)
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())
    engine.dispose()
    # a constant is what lets a seq scan hash the values (a parameter is compared per row)
    assert "ANY ('{a,\"b\\\"c\"}'::text[])" in plan


@pytest.mark.parametrize("values", [["a", "é", "x\x00y", '"', "\\", "😀"], [1, -2, 2**70], []])
def test_json_each_reads_the_same_keys_from_json_list_as_from_json_dumps(
    values: list[object],
) -> None:
    db = sqlite3.connect(":memory:")
    read = "SELECT value, type FROM json_each(?) ORDER BY key"
    assert db.execute(read, (json_list(values),)).fetchall() == db.execute(
        read, (json.dumps(values),)).fetchall()  # fmt: skip


def test_json_list_writes_what_orjson_refuses_as_json_dumps_does() -> None:
    assert json_list(["ok", "\ud800"]) == json.dumps(["ok", "\ud800"])
