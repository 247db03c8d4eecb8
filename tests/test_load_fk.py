"""PostgreSQL's foreign-key triggers are off only around the loader's own child rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from harvester.types import Identifier, Record
from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source, upsert_records
from pipelines.load_fk import may_skip_fk_checks
from tests.test_load_upsert import T0, T1, make_record

CHILDREN = """
SELECT p.source_key, t.kind, t.row FROM publications p JOIN (
    SELECT publication_id, 'author' AS kind,
           concat_ws('|', role, position, person_id, name, family, given, orcid,
                     affiliations_json) AS row FROM authorships
    UNION ALL SELECT publication_id, 'keyword', concat_ws('|', position, keyword) FROM keywords
    UNION ALL SELECT publication_id, 'subject', concat_ws('|', position, scheme, term, code)
              FROM subjects
    UNION ALL SELECT publication_id, 'identifier', concat_ws('|', scheme, value) FROM identifiers
    UNION ALL SELECT publication_id, 'file', concat_ws('|', position, url, mime) FROM files
    UNION ALL SELECT publication_id, 'citation', concat_ws('|', position, format, text)
              FROM citations
    UNION ALL SELECT publication_id, 'version', concat_ws('|', version, change, changed_fields)
              FROM publication_versions
) t ON t.publication_id = p.id
WHERE p.source_id = :source
ORDER BY 1, 2, 3"""


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    eng = make_engine(pg_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def _load(engine: Engine, source: str, records: list[Record], *, skip: bool | None,
          now: Any = T0) -> int:  # fmt: skip
    with engine.begin() as conn:
        if skip is not None:  # what the role may do, as if the server had answered so
            conn.info["harvester_fk_skip_allowed"] = skip
        source_id = ensure_source(conn, source, "pure", None, now=T0)
        upsert_records(conn, source_id, records, now=now)
        return source_id


def _children(conn: Connection, source_id: int) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(CHILDREN), {"source": source_id})]


def test_a_superuser_may_skip_the_checks_and_sqlite_never_does(
    engine: Engine, sqlite_url: str
) -> None:
    with engine.connect() as conn:
        superuser = conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar_one()
        assert may_skip_fk_checks(conn) is (superuser == "on")
    lite = make_engine(sqlite_url)
    with lite.connect() as conn:
        assert may_skip_fk_checks(conn) is False
    lite.dispose()


def test_foreign_keys_are_enforced_again_right_after_the_load(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.info["harvester_fk_skip_allowed"] = True
        source_id = ensure_source(conn, "repo", "pure", None, now=T0)
        upsert_records(conn, source_id, [make_record(1), make_record(2)], now=T0)
        assert conn.exec_driver_sql("SHOW session_replication_role").scalar_one() == "origin"
        with pytest.raises(IntegrityError, match="foreign key"), conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO keywords VALUES (987654, 1, 'orphan')")


def test_a_batch_failing_inside_the_window_leaves_the_triggers_on(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Boom(Exception):
        pass

    def fail(conn: Connection, rows: Any) -> None:
        assert conn.exec_driver_sql("SHOW session_replication_role").scalar_one() == "replica"
        raise Boom

    monkeypatch.setattr("pipelines.load.write_versions", fail)
    with pytest.raises(Boom):
        _load(engine, "repo", [make_record(1)], skip=True)
    with engine.connect() as conn:  # the same pooled connection, after the rollback
        assert conn.exec_driver_sql("SHOW session_replication_role").scalar_one() == "origin"
        assert conn.exec_driver_sql("SELECT count(*) FROM publications").scalar_one() == 0


def test_rows_are_the_same_with_and_without_the_checks(engine: Engine) -> None:
    first = [make_record(n) for n in range(1, 6)]
    again = [dataclasses.replace(r, title=f"{r.title} (revised)", keywords=("beta",),
                                 identifiers=(Identifier("doi", f"10.9/{r.source_key}"),))
             for r in first[:3]]  # fmt: skip
    ids = {}
    for skip in (True, False):
        name = f"repo-{skip}"
        ids[skip] = _load(engine, name, first, skip=skip)
        _load(engine, name, again, skip=skip, now=T1)
    with engine.connect() as conn:
        checked, unchecked = _children(conn, ids[False]), _children(conn, ids[True])
    assert len(checked) == 2 * 10 + 3 * 9  # a changed one: a keyword, an identifier less
    assert unchecked == checked
