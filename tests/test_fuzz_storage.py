"""Hostile text in records: stored verbatim and read back identical, never executed.

The one exception is U+0000, which PostgreSQL text and jsonb cannot hold: it is
dropped (on both databases alike) instead of failing the whole batch.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, text

from harvester.types import Identifier, Metric, Person, Record
from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source, upsert_records

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

HOSTILE = {
    "sql": "Robert'); DROP TABLE publications; --",
    "sql-comment": "x' OR '1'='1' /* */; DELETE FROM authorships; --",
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "controls": "bell\x07 esc\x1b[31m del\x7f c1\x85\x9b tab\t cr\r lf\n end",
    "replacement": "caf\ufffd\ufffd (invalid UTF-8 decoded with replacement)",
    "bidi": "\u202eevil\u202c zero\u200bwidth \ufeffbom",
    "astral": "\U0001f9ea\U0001d54f \U00020000",
    "escapes": "\\u0000 \\x00 %s %(name)s $1 ? :name E'\\n'",
}


def record(key: str, value: str, **changes: Any) -> Record:
    fields: dict[str, Any] = {
        "url": f"https://repo.test/item/{key}",
        "platform": "generic",
        "source_key": key,
        "title": value,
        "abstract": value,
        "journal": value,
        "authors": (Person(value, family=value, given="Ada"),),
        "keywords": (value,),
        "identifiers": (Identifier("handle", value),),
    }
    fields.update(changes)
    return Record(**fields)


def load(engine: Engine, records: list[Record]) -> None:
    with engine.begin() as conn:
        source_id = ensure_source(conn, "hostile", "generic", None, now=T0)
        upsert_records(conn, source_id, records, now=T0)


def read_back(engine: Engine, url: str) -> tuple[Any, ...]:
    with engine.connect() as conn:
        pub = conn.execute(
            text("SELECT id, title, abstract, journal FROM v_publications WHERE url = :u"),
            {"u": url},
        ).one()
        names = conn.execute(
            text("SELECT name, family FROM v_publication_authors WHERE publication_id = :p"),
            {"p": pub.id},
        ).one()
        keyword = conn.execute(
            text("SELECT keyword FROM v_publication_keywords WHERE publication_id = :p"),
            {"p": pub.id},
        ).scalar_one()
        handle = conn.execute(
            text("SELECT value FROM v_publication_identifiers WHERE publication_id = :p "
                 "AND scheme = 'handle'"), {"p": pub.id}).scalar_one()  # fmt: skip
    return pub.title, pub.abstract, pub.journal, names.name, names.family, keyword, handle


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_stored_verbatim_and_never_executed(engine: Engine, value: str) -> None:
    load(engine, [record("k1", value)])
    assert read_back(engine, "https://repo.test/item/k1") == (value,) * 7
    with engine.connect() as conn:
        assert {"publications", "authorships"} <= set(inspect(conn).get_table_names())
        assert conn.execute(text("SELECT count(*) FROM publications")).scalar() == 1


def test_nul_characters_are_dropped_instead_of_failing_the_batch(engine: Engine) -> None:
    # PostgreSQL used to refuse the whole batch (DataError), SQLite lost the author's
    # person id (json_each stops at NUL) and failed a foreign key
    nul = "Owls\x00 at\x00 night"
    bad = record("k\x00nul", nul, url="https://repo.test/item/nul", warnings=("odd\x00",),
                 metrics=(Metric("views\x00", 3, source="s\x00"),))  # fmt: skip
    good = record("good", "Plain title")
    load(engine, [bad, good])
    assert read_back(engine, "https://repo.test/item/nul") == ("Owls at night",) * 7
    assert read_back(engine, "https://repo.test/item/good")[0] == "Plain title"
    with engine.connect() as conn:
        keys = set(conn.execute(text("SELECT source_key FROM publications")).scalars())
        metric = conn.execute(text("SELECT name, source FROM metrics")).all()
    assert keys == {"knul", "good"}
    assert ("views", "s") in [tuple(m) for m in metric]


def test_reloading_a_record_with_nul_is_unchanged_not_rewritten(engine: Engine) -> None:
    bad = record("k", "a\x00b")
    load(engine, [bad])
    with engine.begin() as conn:
        source_id = ensure_source(conn, "hostile", "generic", None, now=T0)
        stats = upsert_records(conn, source_id, [bad], now=T0)
    assert (stats.new, stats.changed, stats.unchanged) == (0, 0, 1)


_KEYS = itertools.count()
# every code point but surrogates (which no str from a decoded page holds), NUL included
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=_TEXT)
def test_any_text_round_trips_with_only_nul_removed(engine: Engine, value: str) -> None:
    key = f"h{next(_KEYS)}"
    load(engine, [record(key, value)])
    stored = value.replace("\x00", "")
    assert read_back(engine, f"https://repo.test/item/{key}") == (stored,) * 7


# incompressible, so PostgreSQL cannot squeeze it under its 2704-byte index entry limit
_LONG = "".join(f"{n:x}" for n in range(1_100))  # ~3,300 characters


def test_over_long_journal_and_author_profile_keys_load_verbatim(engine: Engine) -> None:
    # person and venue keys are indexed; on PostgreSQL these failed the batch
    authors = (Person("Ada Quill", family="Quill", given="Ada", url="https://x.test/" + _LONG),)
    load(engine, [record("long", "short", journal=_LONG, authors=authors)])
    with engine.connect() as conn:
        journal = conn.execute(text("SELECT journal FROM v_publications")).scalar_one()
        assert journal == _LONG
        assert conn.execute(text("SELECT count(*) FROM persons")).scalar() == 1


def test_over_long_author_name_loads_verbatim_on_sqlite(sqlite_url: str) -> None:
    eng = make_engine(sqlite_url)
    upgrade(eng)
    load(eng, [record("long", "short", authors=(Person(_LONG, family=_LONG, given="A"),))])
    with eng.connect() as conn:
        assert conn.execute(text("SELECT name FROM v_publication_authors")).scalar() == _LONG
    eng.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("changes", [{"source_key": _LONG},
                                     {"identifiers": (Identifier("handle", _LONG),)},
                                     # work_members.match_author is indexed (pipelines/works.py)
                                     {"authors": (Person(_LONG, family=_LONG, given="A"),)}],
                         ids=["source_key", "identifier", "author-family"])
def test_over_long_indexed_values_do_not_fail_the_batch(
    pg_url: str, changes: dict[str, Any]
) -> None:
    eng = make_engine(pg_url)
    upgrade(eng)
    try:
        load(eng, [record("x", "t", **changes), record("good", "Plain")])
        # the same record again: its (bounded) key finds the row, nothing is duplicated
        load(eng, [record("x", "t", **changes)])
        with eng.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM publications")).scalar() == 2
            stored = conn.execute(text("SELECT record_json FROM publications "
                                       "ORDER BY id LIMIT 1")).scalar_one()
        # the long value is kept in the record; a long key keeps a prefix and its hash
        assert (_LONG[:200] if "source_key" in changes else _LONG) in stored
    finally:
        eng.dispose()
